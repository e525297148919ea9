//! Warnings: rule sets that load but would let a customer down (docs/language.md, "Lints").

use chrono::{DateTime, Utc};
use std::collections::HashMap;

use super::{Model, OfferModel, windows};
use crate::language::ast::Benefit;
use crate::language::ast::{Expr, ExprKind};
use crate::language::diagnostic::and_list as words;
use crate::language::diagnostic::{Diagnostic, did_you_mean};
use crate::value::money::Currency;

/// Media that reach customers whatever channel they use afterwards.
pub const BROADCAST_MEDIA: [&str; 3] = ["email", "sms", "mail"];

/// The media an offer may be announced by, besides the rule set's channels.
pub const KNOWN_MEDIA: [&str; 10] = [
    "email", "sms", "mail", "push", "web", "app", "print", "tv", "radio", "social",
];

pub fn lint(model: &Model, at: DateTime<Utc>) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    let mut codes: HashMap<String, &OfferModel> = HashMap::new();
    for offer in &model.offers {
        let id = &offer.id;
        let missing: Vec<&str> = (0..model.channels.len())
            .filter(|c| !offer.honored_on.contains(c))
            .map(|c| model.channels[c].as_str())
            .collect();
        let honor_span = offer.honor_span.unwrap_or(offer.span);
        if !missing.is_empty() && offer.elsewhere.is_none() {
            found.push(
                Diagnostic::warning(
                    "no-elsewhere",
                    format!(
                        "offer `{id}` is not honored on {} and has no `elsewhere` telling those customers where to go",
                        words(&missing)
                    ),
                )
                .at(honor_span)
                .with_help("add a line like `elsewhere \"This offer is available on our website.\"`"),
            );
        }
        if missing.is_empty() && offer.elsewhere.is_some() {
            found.push(
                Diagnostic::warning(
                    "unused-elsewhere",
                    format!("offer `{id}` is honored on every channel, so its `elsewhere` is never shown"),
                )
                .at(offer.span),
            );
        }
        for medium in &offer.announce {
            let text = medium.text.as_str();
            if !KNOWN_MEDIA.contains(&text) && !model.channels.iter().any(|c| c == text) {
                let names = KNOWN_MEDIA
                    .iter()
                    .copied()
                    .chain(model.channels.iter().map(String::as_str));
                let help = match did_you_mean(text, names) {
                    Some(close) => format!("did you mean `{close}`?"),
                    None => format!(
                        "the media are {} and the channels ({})",
                        KNOWN_MEDIA.join(", "),
                        model.channels.join(", ")
                    ),
                };
                found.push(
                    Diagnostic::warning(
                        "unknown-medium",
                        format!("offer `{id}` is announced by `{text}`, which is not a medium honor knows"),
                    )
                    .at(medium.span)
                    .with_help(help),
                );
            }
            if BROADCAST_MEDIA.contains(&medium.text.as_str()) && !missing.is_empty() {
                let guidance = if offer.elsewhere.is_some() {
                    ""
                } else {
                    ", and there is no `elsewhere` guidance for them"
                };
                found.push(
                    Diagnostic::warning(
                        "broadcast-not-honored",
                        format!(
                            "offer `{id}` is announced by {}, which reaches customers on every channel, but {} cannot honor it{guidance}",
                            medium.text,
                            words(&missing)
                        ),
                    )
                    .at(medium.span)
                    .with_help("honor it on every channel (`honor all`), or make sure the message says where it applies"),
                );
            }
        }
        match &offer.window {
            Some(w) if w.end.is_none() => found.push(
                Diagnostic::warning("no-end", format!("offer `{id}` has no end date"))
                    .at(w.span)
                    .with_help("give it an end, like `valid 2016-05-01 to 2016-05-31`, so it cannot stay live by mistake"),
            ),
            Some(w) => {
                if let Some((end, instant)) = &w.end
                    && *instant <= at {
                        found.push(
                            Diagnostic::warning(
                                "ended",
                                format!("offer `{id}` has already ended ({end}, {})", model.zone_name),
                            )
                            .at(end.span)
                            .with_help("remove it, or extend its window if it should still be live"),
                        );
                    }
            }
            None => found.push(
                Diagnostic::warning("no-end", format!("offer `{id}` has no `valid` window, so it never ends"))
                    .at(offer.span)
                    .with_help("give it a window, like `valid 2016-05-01 to 2016-05-31`"),
            ),
        }
        if let Some(w) = &offer.window {
            found.extend(windows::boundaries(model, offer, w));
        }
        for when in &offer.whens {
            mixed_and_or(&when.expr, id, &mut found);
        }
        if let Some(limit) = &offer.limit
            && limit.value == 0
        {
            found.push(
                Diagnostic::warning(
                    "limit-zero",
                    format!(
                        "offer `{id}` has `limit 0 per customer`, so no customer can ever have it"
                    ),
                )
                .at(limit.span),
            );
        }
        if model.currency.is_none()
            && let Some(benefit) = benefit_currency(offer)
        {
            for on in &offer.on {
                let Some(fee) = on.fee.filter(|f| f.currency != benefit) else {
                    continue;
                };
                let channel = &model.channels[on.channel];
                found.push(
                    Diagnostic::warning(
                        "mixed-currency",
                        format!(
                            "offer `{id}` has its benefit in {} but its fee on {channel} in {}: with a price in either currency, {channel} refuses the offer",
                            benefit.code(),
                            fee.currency.code()
                        ),
                    )
                    .at(on.span)
                    .with_help(format!(
                        "write the fee in {0}; `currency {0}` at the top of a rule file makes every amount in another currency an error",
                        benefit.code()
                    )),
                );
            }
        }
        for on in &offer.on {
            if !offer.honored_on.contains(&on.channel) {
                let channel = &model.channels[on.channel];
                found.push(
                    Diagnostic::warning(
                        "on-not-honored",
                        format!(
                            "offer `{id}` declares `on {channel}`, but {channel} does not honor it"
                        ),
                    )
                    .at(on.span),
                );
            }
        }
        if let Some(code) = &offer.code {
            let key = code.value.trim().to_lowercase();
            if let Some(first) = codes.get(&key) {
                found.push(
                    Diagnostic::warning(
                        "shared-code",
                        format!("offers `{}` and `{id}` share the code `{}`", first.id, code.value.trim()),
                    )
                    .at(code.span)
                    .with_help("a customer who reads out this code could be given either offer: give each offer its own code"),
                );
            } else {
                codes.insert(key, offer);
            }
        }
    }
    found.extend(super::analysis::warnings(model));
    found
}

/// The currency of an offer's benefit, when it has an amount (a price, an amount off, a cap).
fn benefit_currency(offer: &OfferModel) -> Option<Currency> {
    match offer.benefit.as_ref()? {
        Benefit::Price(m) | Benefit::Off(m) => Some(m.value.currency),
        Benefit::Percent { cap, .. } => cap.as_ref().map(|m| m.value.currency),
        Benefit::Free(_) => None,
    }
}

/// `a or b and c` reads as `a or (b and c)`; a reader who does not know that `and` binds
/// tighter may mean `(a or b) and c`. Parentheses the author wrote say which.
fn mixed_and_or(expr: &Expr, id: &str, found: &mut Vec<Diagnostic>) {
    match &expr.kind {
        ExprKind::Or(parts) => {
            if parts
                .iter()
                .any(|p| matches!(p.kind, ExprKind::And(_)) && !p.parens)
            {
                found.push(
                    Diagnostic::warning(
                        "and-or",
                        format!(
                            "a condition of offer `{id}` mixes `and` and `or` without parentheses; it reads as `{expr}`"
                        ),
                    )
                    .at(expr.span)
                    .with_help("`and` binds tighter than `or`: write the parentheses to say which you mean (`honor fmt` writes them as it reads them)"),
                );
            }
            for part in parts {
                mixed_and_or(part, id, found);
            }
        }
        ExprKind::And(parts) | ExprKind::List(parts) => {
            for part in parts {
                mixed_and_or(part, id, found);
            }
        }
        ExprKind::Not(inner) | ExprKind::Call { arg: inner, .. } => mixed_and_or(inner, id, found),
        ExprKind::Compare { lhs, rhs, .. } | ExprKind::In { lhs, rhs, .. } => {
            mixed_and_or(lhs, id, found);
            mixed_and_or(rhs, id, found);
        }
        ExprKind::Literal(_) | ExprKind::Path(_) => {}
    }
}
