//! Decisions as an agent on the phone reads them: a line per offer with its status, price
//! and the reason in words, then the quote.

use std::fmt::Write as _;

use crate::engine::decision::{
    AllChannels, Decision, Difference, Need, OfferDecision, Outcome, Status,
};
use crate::engine::evaluate::eligible_from::Because;
use crate::engine::evaluate::residual::{Gap, Residual, Shown};
use crate::escape::escape_control_keep_lines;
use crate::render::words;

/// One channel's decision. `detailed` adds every clause of every offer listed. Control
/// characters from rule texts and customer records are escaped (`\u{1b}`), so that nothing
/// a record holds can rewrite the line the agent reads.
pub fn decision(d: &Decision, detailed: bool) -> String {
    escape_control_keep_lines(&decision_text(d, detailed)).into_owned()
}

fn decision_text(d: &Decision, detailed: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "honor · {} · channel {} · rules {}",
        d.at, d.channel, d.rules
    );
    write_channel(&mut out, d, detailed, widths(&[d]));
    out
}

/// Every channel, then the parity line; control characters escaped as in [`decision`].
pub fn all_channels(all: &AllChannels, detailed: bool) -> String {
    escape_control_keep_lines(&all_channels_text(all, detailed)).into_owned()
}

fn all_channels_text(all: &AllChannels, detailed: bool) -> String {
    let mut out = String::new();
    let Some(first) = all.decisions.values().next() else {
        return out;
    };
    let _ = writeln!(out, "honor · {} · rules {}", first.at, first.rules);
    let decisions: Vec<&Decision> = all.decisions.values().collect();
    let widths = widths(&decisions);
    for d in decisions {
        let _ = writeln!(out);
        let _ = writeln!(out, "{}:", d.channel);
        write_channel(&mut out, d, detailed, widths);
    }
    let _ = writeln!(out);
    out.push_str(&parity_line(all));
    out
}

fn widths(decisions: &[&Decision]) -> (usize, usize) {
    let id = decisions
        .iter()
        .flat_map(|d| &d.offers)
        .map(|o| o.id.chars().count())
        .max()
        .unwrap_or(0);
    let price = decisions
        .iter()
        .flat_map(|d| d.offers.iter().map(move |o| price_cell(o, &d.channel)))
        .map(|p| p.chars().count())
        .max()
        .unwrap_or(1);
    (id, price)
}

/// The offer's own price and, when the channel adds a fee, the fee: what the quote charges
/// for it there (`599.00 EUR + 5.00 EUR fee on phone`).
fn price_cell(o: &OfferDecision, channel: &str) -> String {
    match (&o.price, &o.fee) {
        (Some(price), Some(fee)) => format!("{price} + {fee} fee on {channel}"),
        (Some(price), None) => price.to_string(),
        (None, _) => String::from("-"),
    }
}

fn write_channel(out: &mut String, d: &Decision, detailed: bool, (id_w, price_w): (usize, usize)) {
    if d.offers.is_empty() {
        let _ = writeln!(out, "  (no offers)");
    }
    for o in &d.offers {
        let price = price_cell(o, &d.channel);
        let _ = writeln!(
            out,
            "  {:id_w$}  {:11}  {:price_w$}  {}",
            o.id,
            o.status.word(),
            price,
            reason(o)
        );
        for line in what_it_takes(o) {
            let _ = writeln!(out, "      {line}");
        }
        let skipped = d.quote.iter().flat_map(|q| &q.not_applied);
        for (_, why) in skipped.filter(|(id, _)| *id == o.id) {
            let _ = writeln!(out, "      not applied: {why}");
        }
        if detailed {
            let _ = writeln!(out, "      {}", o.title);
            out.push_str(&clause_lines(o, "      "));
            if let Some(fee) = &o.fee {
                let _ = writeln!(out, "      fee on {}: {fee}", d.channel);
            }
        }
    }
    match &d.quote {
        None => {
            let _ = writeln!(out, "  quote: none (the context has no price)");
        }
        Some(q) => {
            let applied = if q.applied.is_empty() {
                String::from("no offer applies")
            } else {
                q.applied.join(", ")
            };
            let _ = writeln!(out, "  quote: {} → {} ({applied})", q.list, q.final_price);
            for step in &q.explanation {
                let _ = writeln!(out, "    {step}");
            }
        }
    }
}

/// What would turn a "no" into a "yes", in lines an agent can read out: what is still
/// needed, when the offer would be eligible with nothing changed, and what can never change.
pub fn what_it_takes(o: &OfferDecision) -> Vec<String> {
    let mut lines = Vec::new();
    if !matches!(o.status, Status::Ineligible | Status::Unknown) {
        return lines;
    }
    let needs: Vec<String> = o.needs().map(|n| need_words(&n, o)).collect();
    match needs.as_slice() {
        [] => {}
        [one] if one.starts_with("one of: ") => lines.push(format!("needs {one}")),
        _ => lines.push(format!("needs: {}", needs.join("; "))),
    }
    if let Some(when) = &o.eligible_when {
        let why = match when.because {
            Because::Starts => match &when.skipped {
                Some(time) => format!(
                    "the offer starts; {time} does not exist that night, the clocks go forward"
                ),
                None => String::from("the offer starts"),
            },
            Because::Turns { n } => format!("turns {n}"),
            Because::DaysSince { n } => format!("{n} days since the date it counts from"),
        };
        lines.push(format!("eligible from {} ({why})", when.local));
    }
    if o.is_final {
        lines.push(format!("final: {}", o.final_because().join("; ")));
    }
    lines
}

fn need_words(need: &Need, o: &OfferDecision) -> String {
    match need {
        Need::Valid { .. } => o.clauses.iter().find(|c| c.clause == "valid").map_or_else(
            || String::from("the offer to start"),
            |c| c.detail.to_string(),
        ),
        Need::Code { code } => format!("code {}", crate::value::quoted(code)),
        Need::Proof { proof } => format!("proof {}", crate::value::quoted(proof)),
        Need::Limit { .. } => String::from("the customer's past redemptions (redeemed)"),
        Need::Budget { .. } => String::from("a ledger to count the offer's redemptions"),
        Need::When { residual, .. } => residual_words(&residual.tree(), false),
    }
}

/// A residual in words: `x >= 12 (now 6, short by 6)`; `all` joined with "and", `any` as
/// "one of: …, or …"; nested groups in parentheses.
fn residual_words(r: &Residual, nested: bool) -> String {
    match r {
        Residual::Leaf(leaf) => {
            let now: Vec<String> = leaf.now.iter().map(|(_, v)| shown_words(v)).collect();
            let now = if now.is_empty() {
                String::from("-")
            } else {
                now.join(", ")
            };
            let gap = match &leaf.gap {
                Some(Gap::ShortBy(v)) => format!(", short by {}", shown_words(v)),
                Some(Gap::OverBy(v)) => format!(", over by {}", shown_words(v)),
                None => String::new(),
            };
            format!("{} (now {now}{gap})", leaf.test)
        }
        Residual::All(entries) => {
            let text: Vec<String> = entries.iter().map(|e| residual_words(e, true)).collect();
            let text = text.join(" and ");
            if nested { format!("({text})") } else { text }
        }
        Residual::Any(entries) => {
            let text: Vec<String> = entries.iter().map(|e| residual_words(e, true)).collect();
            let text = format!("one of: {}", text.join(", or "));
            if nested { format!("({text})") } else { text }
        }
    }
}

fn shown_words(v: &Shown) -> String {
    match v {
        Shown::Missing => String::from("missing"),
        Shown::Bool(b) => b.to_string(),
        Shown::Number(n) => n.to_string(),
        Shown::Text(t) => crate::value::quoted(t),
        Shown::Written(t) => t.clone(),
        Shown::List(items) => {
            let items: Vec<String> = items.iter().map(shown_words).collect();
            format!("[{}]", items.join(", "))
        }
    }
}

/// An offer's clauses, a line each: `code: fail - needs code "X"; …`.
pub fn clause_lines(o: &OfferDecision, indent: &str) -> String {
    let mut out = String::new();
    for c in &o.clauses {
        let label = c
            .label
            .as_ref()
            .map(|l| format!(" \"{l}\""))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{indent}{}{label}: {} - {}",
            c.clause,
            c.result.word(),
            c.detail
        );
    }
    out
}

/// Why the offer has its status, in a line.
pub fn reason(o: &OfferDecision) -> String {
    let failing = |want: Outcome| -> Vec<String> {
        o.clauses
            .iter()
            .filter(|c| c.result == want)
            .map(|c| match &c.label {
                Some(label) => format!("{label}: {}", c.detail),
                None => c.detail.to_string(),
            })
            .collect()
    };
    match o.status {
        Status::Eligible => match &o.note {
            Some(note) => format!("{} — {note}", o.title),
            None => o.title.to_string(),
        },
        Status::Ineligible => failing(Outcome::Fail).join("; "),
        Status::Unknown => format!(
            "ask for {}: {}",
            words::some(&o.missing),
            failing(Outcome::Unknown).join("; ")
        ),
        Status::NotHonored => {
            let would = match o.eligibility {
                Some(Status::Eligible) => "the customer would qualify",
                Some(Status::Ineligible) => "the customer would not qualify",
                _ => "the customer might qualify",
            };
            let where_ = o.honored_on.as_deref().unwrap_or_default().join(", ");
            match o.elsewhere.as_ref().and_then(|e| e.as_ref()) {
                Some(text) => format!("{text} ({would} on {where_})"),
                None => format!("honored on {where_} only ({would} there)"),
            }
        }
    }
}

fn parity_line(all: &AllChannels) -> String {
    let mut out = String::new();
    if all.parity.same {
        out.push_str("parity: every channel that honors an offer gives the same answer\n");
    } else {
        out.push_str("parity: CHANNELS DISAGREE\n");
    }
    for diff in &all.parity.differences {
        let line = match diff {
            Difference::Disagreement { offer, channels } => {
                format!("{offer}: {} answer differently", channels.join(", "))
            }
            Difference::NotHonored {
                offer,
                not_honored_on,
                elsewhere,
                ..
            } => match elsewhere {
                Some(text) => format!(
                    "{offer}: not honored on {} (\"{text}\")",
                    not_honored_on.join(", ")
                ),
                None => format!("{offer}: not honored on {}", not_honored_on.join(", ")),
            },
            Difference::Declared {
                offer,
                channel,
                note,
                fee,
            } => {
                let mut parts = Vec::new();
                if let Some(fee) = fee {
                    parts.push(format!("fee {fee}"));
                }
                if let Some(note) = note {
                    parts.push(format!("note \"{note}\""));
                }
                format!("{offer}: declared on {channel}: {}", parts.join(", "))
            }
        };
        let _ = writeln!(out, "  {line}");
    }
    out
}
