//! `honor parity` in words: each channel's answer side by side, then what differs.

use std::fmt::Write as _;

use super::Report;
use crate::escape::{escape_control, escape_control_keep_lines};
use crate::render::words;

/// Whether the channels' own contexts give the customer the same answers. Control
/// characters from rule texts and customer records are escaped.
pub fn render(r: &Report) -> String {
    escape_control_keep_lines(&parity_text(r)).into_owned()
}

/// Longest channel name the answers of a parity report line up after.
const ALIGNED_NAME: usize = 32;

fn parity_text(r: &Report) -> String {
    let mut out = String::new();
    let channels: Vec<&str> = r.contexts.0.iter().map(|(c, _)| c.as_str()).collect();
    let _ = writeln!(out, "parity at {} · rules {}", r.at, r.rules);
    for (channel, source) in &r.contexts.0 {
        let _ = writeln!(out, "  {channel}: {source}");
    }
    let _ = writeln!(out);
    if r.same {
        let _ = writeln!(
            out,
            "SAME: {} give this customer the same answer for every offer they honor",
            words::list(&channels)
        );
    } else {
        let _ = writeln!(
            out,
            "DIFFERENT: {} give this customer different answers for {} offer{}",
            words::list(&channels),
            r.differences.len(),
            if r.differences.len() == 1 { "" } else { "s" }
        );
    }
    // Answers line up after the longest channel name of ordinary length; longer names do
    // not align.
    let width = channels
        .iter()
        .map(|c| c.chars().count())
        .filter(|n| *n <= ALIGNED_NAME)
        .max()
        .unwrap_or(0)
        + 1;
    for d in &r.differences {
        let _ = writeln!(out, "\n{} — {}", d.offer, escape_control(&d.title));
        for (channel, a) in &d.answers.0 {
            let price = a
                .price
                .as_ref()
                .map(|p| format!(" {p}"))
                .unwrap_or_default();
            let applied = if a.applied { " (in the quote)" } else { "" };
            let label = crate::render::pad(&format!("{channel}:"), width);
            let _ = writeln!(
                out,
                "  {label} {}{price}{applied} — {}",
                a.status.word(),
                a.reason
            );
        }
        if d.fields.is_empty() {
            let _ = writeln!(out, "  the fields it reads are the same on every channel");
        } else {
            let _ = writeln!(out, "  fields it reads that differ:");
            for f in &d.fields {
                let values: Vec<String> = f
                    .values
                    .0
                    .iter()
                    .map(|(c, v)| match v {
                        Some(v) => format!("{c} {v}"),
                        None => format!("{c} missing"),
                    })
                    .collect();
                let _ = writeln!(out, "    {}: {}", f.path, values.join("; "));
            }
        }
    }
    let quotes: Vec<String> = r
        .quotes
        .0
        .iter()
        .map(|(c, q)| format!("{c} {}", q.as_deref().unwrap_or("none (no price)")))
        .collect();
    let _ = writeln!(out, "\nquote: {}", quotes.join(", "));
    if !r.not_honored.is_empty() {
        let _ = writeln!(out, "\nnot compared where not honored:");
        for n in &r.not_honored {
            let tell = n
                .elsewhere
                .as_ref()
                .map(|e| format!(" (\"{e}\")"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  {}: not honored on {}{tell}",
                n.offer,
                n.not_honored_on.join(", ")
            );
        }
    }
    out
}
