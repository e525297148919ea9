//! `honor offers` in words, for the agent who reads them out.

use std::fmt::Write as _;

use super::{Entry, Listing};
use crate::escape::{escape_control, escape_control_keep_lines};
use crate::render::words;

/// The knowledge base: live offers, then those coming within a week. Control characters in
/// rule texts are escaped, so nothing in a rule file can rewrite the agent's screen.
pub fn render(l: &Listing) -> String {
    escape_control_keep_lines(&listing_text(l)).into_owned()
}

fn listing_text(l: &Listing) -> String {
    let mut out = String::new();
    let place = l
        .channel
        .as_ref()
        .map(|c| format!(" on {c}"))
        .unwrap_or_default();
    match &l.code {
        Some(code) => {
            let _ = writeln!(
                out,
                "offers with the code `{}`{place} at {} · rules {}",
                crate::escape::excerpt(code),
                l.at,
                l.rules
            );
            if l.live.is_empty() && l.coming.is_empty() && l.other.is_empty() {
                let _ = writeln!(out, "\nno offer has this code");
                for (i, s) in l.suggestions.iter().enumerate() {
                    let lead = if i == 0 {
                        "did you mean"
                    } else {
                        "          or"
                    };
                    let _ = writeln!(out, "{lead} `{}`? {} — {}", s.code, s.id, s.title);
                }
            }
        }
        None => {
            let _ = writeln!(out, "live offers{place} at {} · rules {}", l.at, l.rules);
            if l.live.is_empty() {
                let _ = writeln!(out, "\nno offer is live");
            }
        }
    }
    for e in &l.live {
        entry(&mut out, e, l.channel.as_deref());
    }
    if !l.coming.is_empty() {
        let _ = writeln!(out, "\ncoming within 7 days:");
        for e in &l.coming {
            entry(&mut out, e, l.channel.as_deref());
        }
    }
    if !l.other.is_empty() {
        let _ = writeln!(out, "\nnot live:");
        for e in &l.other {
            entry(&mut out, e, l.channel.as_deref());
        }
    }
    out
}

fn entry(out: &mut String, e: &Entry, channel: Option<&str>) {
    let marker = match (e.honored_here, channel) {
        (Some(false), Some(c)) => format!("   [NOT HONORED ON {}]", c.to_uppercase()),
        _ => String::new(),
    };
    let _ = writeln!(out, "\n{} — {}{marker}", e.id, escape_control(&e.title));
    let announced = if e.announce.is_empty() {
        String::new()
    } else {
        format!("announced by {} · ", e.announce.join(", "))
    };
    let _ = writeln!(out, "  {announced}honored on {}", e.honored_on.join(", "));
    let left = e
        .time_left
        .as_ref()
        .map(|t| format!(", {t}"))
        .unwrap_or_default();
    let _ = writeln!(out, "  valid {}{left}", e.window);
    if let Some(code) = &e.code {
        let _ = writeln!(out, "  code: {}", escape_control(code));
    }
    if !e.proofs.is_empty() {
        let _ = writeln!(out, "  ask for: {}", words::some(&e.proofs));
    }
    if let Some(benefit) = &e.benefit {
        let combination = e.combination.map(|c| format!(" ({c})")).unwrap_or_default();
        let _ = writeln!(out, "  benefit: {benefit}{combination}");
    }
    for c in &e.conditions {
        let _ = writeln!(out, "  when: {c}");
    }
    if let Some(limit) = &e.limit {
        let _ = writeln!(out, "  limit: {limit}");
    }
    match (e.budget, e.budget_left) {
        (Some(budget), Some(left)) => {
            let _ = writeln!(out, "  budget: {left} of {budget} left");
        }
        (Some(budget), None) => {
            let _ = writeln!(out, "  budget: {budget} redemptions in all");
        }
        _ => {}
    }
    if let Some(note) = &e.note {
        let _ = writeln!(out, "  note: {}", escape_control(note));
    }
    let not_everywhere =
        e.honored_here == Some(false) || (channel.is_none() && e.elsewhere.is_some());
    if let (true, Some(elsewhere)) = (not_everywhere, &e.elsewhere) {
        let _ = writeln!(out, "  tell the customer: {}", escape_control(elsewhere));
    }
}
