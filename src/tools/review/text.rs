//! `honor diff` for a person at a terminal: what changed in the rules, clause by clause, then
//! what it does to the customers of the sample.

use std::fmt::Write as _;

use crate::tools::review::Review;
use crate::tools::review::impact::{Impact, PriceMove};
use crate::tools::review::structure::ClauseChange;

pub fn render(review: &Review) -> String {
    // Rule texts come from the change under review: their control characters are escaped.
    crate::escape::escape_control_keep_lines(&render_text(review)).into_owned()
}

fn render_text(review: &Review) -> String {
    let mut out = String::new();
    let s = &review.structure;
    let _ = writeln!(out, "{} against {}", review.rules, review.base);
    if !s.changes_meaning() {
        let what = if s.text_only {
            "no change in meaning: only comments, layout or order differ"
        } else {
            "no change"
        };
        let _ = writeln!(out, "{what}");
    } else {
        let _ = writeln!(out, "{}", counts(review));
    }
    if !s.settings.is_empty() {
        let _ = writeln!(out, "\nrule set:");
        for change in &s.settings {
            lines(&mut out, change);
        }
    }
    for offer in &s.added {
        let _ = writeln!(out, "\nadded: {} \"{}\"", offer.id, offer.title);
    }
    for offer in &s.removed {
        let _ = writeln!(out, "\nremoved: {} \"{}\"", offer.id, offer.title);
    }
    for offer in &s.changed {
        let _ = writeln!(out, "\nchanged: {} \"{}\"", offer.id, offer.title);
        for change in &offer.clauses {
            lines(&mut out, change);
        }
    }
    if let Some(impact) = &review.impact {
        impact_text(&mut out, impact);
    }
    out
}

/// `2 offers changed, 1 added, 1 removed`.
pub fn counts(review: &Review) -> String {
    let s = &review.structure;
    let mut parts = Vec::new();
    let offers = |n: usize| if n == 1 { "offer" } else { "offers" };
    if !s.changed.is_empty() {
        parts.push(format!(
            "{} {} changed",
            s.changed.len(),
            offers(s.changed.len())
        ));
    }
    if !s.added.is_empty() {
        parts.push(format!("{} {} added", s.added.len(), offers(s.added.len())));
    }
    if !s.removed.is_empty() {
        parts.push(format!(
            "{} {} removed",
            s.removed.len(),
            offers(s.removed.len())
        ));
    }
    if !s.settings.is_empty() {
        let n = s.settings.len();
        parts.push(format!(
            "{n} rule-set setting{} changed",
            if n == 1 { "" } else { "s" }
        ));
    }
    parts.join(", ")
}

/// `- old` and `+ new`, each line of a clause marked.
fn lines(out: &mut String, change: &ClauseChange) {
    for (mark, text) in [("-", &change.old), ("+", &change.new)] {
        let Some(text) = text else { continue };
        let text = if change.clause.starts_with("context ")
            || change.clause == "timezone"
            || change.clause == "channels"
        {
            format!("{} {text}", change.clause)
        } else {
            text.clone()
        };
        for line in text.lines() {
            let _ = writeln!(out, "  {mark} {line}");
        }
    }
}

fn customers(n: usize) -> String {
    format!("{n} customer{}", if n == 1 { "" } else { "s" })
}

fn impact_text(out: &mut String, impact: &Impact) {
    let _ = writeln!(
        out,
        "\nimpact on {} at {} on {}: {} with a changed decision",
        customers(impact.customers),
        impact.at,
        impact.channels.join(", "),
        customers(impact.changed_customers)
    );
    for offer in &impact.offers {
        let _ = writeln!(out, "  {}", offer.id);
        for m in &offer.moves {
            let _ = writeln!(
                out,
                "    {}: {} → {}: {} (e.g. {})",
                m.channel,
                m.from.word(),
                m.to.word(),
                customers(m.customers),
                m.examples.join(", ")
            );
        }
        for p in &offer.prices {
            let _ = writeln!(
                out,
                "    {}: still eligible, price changed: {} (e.g. {})",
                p.channel,
                customers(p.customers),
                price_examples(p)
            );
        }
    }
    let q = &impact.quotes;
    let _ = write!(
        out,
        "  quotes: {} compared, {} up, {} down",
        q.compared, q.up, q.down
    );
    match &q.largest {
        Some(l) => {
            let _ = writeln!(
                out,
                "; largest change {} ({} on {}: {} → {})",
                l.change, l.customer, l.channel, l.old, l.new
            );
        }
        None => out.push('\n'),
    }
}

/// A price move's examples: `c-17: 130.00 USD → 117.00 USD, …`.
pub fn price_examples(p: &PriceMove) -> String {
    let examples: Vec<String> = p
        .examples
        .iter()
        .map(|e| {
            format!(
                "{}: {} → {}",
                e.customer,
                e.old.as_deref().unwrap_or("no price"),
                e.new.as_deref().unwrap_or("no price")
            )
        })
        .collect();
    examples.join(", ")
}
