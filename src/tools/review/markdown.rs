//! `honor diff --format markdown`: a pull-request comment. A summary line, then a table per
//! changed offer (old and new clauses) and, with a sample, a table of who moves where.

use std::fmt::Write as _;

use super::text::{counts, price_examples};
use crate::tools::review::Review;
use crate::tools::review::impact::OfferImpact;
use crate::tools::review::structure::ClauseChange;

pub fn render(review: &Review) -> String {
    // Rule texts come from the change under review: their control characters are escaped.
    crate::escape::escape_control_keep_lines(&render_text(review)).into_owned()
}

fn render_text(review: &Review) -> String {
    let mut out = String::new();
    let s = &review.structure;
    let mut summary = if s.changes_meaning() {
        counts(review)
    } else if s.text_only {
        String::from("no change in meaning (only comments, layout or order differ)")
    } else {
        String::from("no change")
    };
    if let Some(impact) = &review.impact {
        let _ = write!(
            summary,
            "; {} of {} sample customers get a different decision",
            impact.changed_customers, impact.customers
        );
        let q = &impact.quotes;
        if q.up + q.down > 0 {
            let _ = write!(summary, ", {} quotes up, {} down", q.up, q.down);
            if let Some(l) = &q.largest {
                let _ = write!(summary, " (largest {})", l.change);
            }
        }
    }
    let _ = writeln!(
        out,
        "**honor diff** `{}` against `{}`: {summary}",
        cell(&review.rules),
        cell(&review.base)
    );
    if !s.settings.is_empty() {
        let _ = writeln!(out, "\n#### Rule set\n");
        table(&mut out, &s.settings);
    }
    if !s.added.is_empty() || !s.removed.is_empty() {
        let _ = writeln!(out);
        for o in &s.added {
            let _ = writeln!(out, "- added `{}` {}", o.id, cell(&quote(&o.title)));
        }
        for o in &s.removed {
            let _ = writeln!(out, "- removed `{}` {}", o.id, cell(&quote(&o.title)));
        }
    }
    let impacts: Vec<&OfferImpact> = review
        .impact
        .as_ref()
        .map(|i| i.offers.iter().collect())
        .unwrap_or_default();
    for offer in &s.changed {
        let _ = writeln!(
            out,
            "\n#### `{}` {}\n",
            offer.id,
            cell(&quote(&offer.title))
        );
        table(&mut out, &offer.clauses);
        if let Some(impact) = impacts.iter().find(|i| i.id == offer.id) {
            out.push('\n');
            moves(&mut out, impact);
        }
    }
    // offers whose decisions changed without a change of their own (a rule-set setting, or
    // another offer taking over the quote does not move statuses, but a timezone does)
    for impact in impacts {
        if !s.changed.iter().any(|c| c.id == impact.id) {
            let _ = writeln!(
                out,
                "\n#### `{}` (unchanged rules, changed decisions)\n",
                impact.id
            );
            moves(&mut out, impact);
        }
    }
    if let Some(impact) = &review.impact {
        let q = &impact.quotes;
        let _ = writeln!(
            out,
            "\n{} customers on {} at {}; {} quotes compared: {} up, {} down{}",
            impact.customers,
            impact.channels.join(", "),
            impact.at,
            q.compared,
            q.up,
            q.down,
            q.largest
                .as_ref()
                .map(|l| format!(
                    "; largest change {} ({} on {}: {} → {})",
                    l.change,
                    cell(&l.customer),
                    l.channel,
                    l.old,
                    l.new
                ))
                .unwrap_or_default()
        );
    }
    out
}

fn quote(title: &str) -> String {
    format!("“{title}”")
}

fn table(out: &mut String, changes: &[ClauseChange]) {
    let _ = writeln!(out, "| clause | before | after |\n|---|---|---|");
    for c in changes {
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            cell(&c.clause),
            code(c.old.as_deref()),
            code(c.new.as_deref())
        );
    }
}

fn moves(out: &mut String, impact: &OfferImpact) {
    let _ = writeln!(
        out,
        "| channel | before | after | customers | examples |\n|---|---|---|---:|---|"
    );
    for m in &impact.moves {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            m.channel,
            m.from.word(),
            m.to.word(),
            m.customers,
            cell(&m.examples.join(", "))
        );
    }
    for p in &impact.prices {
        let _ = writeln!(
            out,
            "| {} | eligible | eligible, new price | {} | {} |",
            p.channel,
            p.customers,
            cell(&price_examples(p))
        );
    }
}

/// Text safe inside a table cell: no pipe or line break ends the cell early.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', "<br>")
}

/// A clause as code in a cell; each line of a long clause its own code span.
fn code(text: Option<&str>) -> String {
    let Some(text) = text else {
        return String::from("—");
    };
    text.lines()
        .map(|line| {
            // a code span holding a backtick is fenced with two
            let fence = if line.contains('`') { "``" } else { "`" };
            format!("{fence} {} {fence}", line.trim_end().replace('|', "\\|"))
        })
        .collect::<Vec<_>>()
        .join("<br>")
}
