//! Conditions and benefits in plain words, for the agents' knowledge base:
//! `customer.tenure_months is at least 12`, `10% off, at most 25.00 USD`.

use crate::language::ast::{Benefit, CompareOp, Expr, ExprKind, Func};

/// The most items one line lists; the rest are counted, so that the line stays one an agent
/// can read out.
pub const LISTED: usize = 12;

/// `a, b, c`: at most [`LISTED`] items, then `and 2,988 more`.
pub fn some<S: AsRef<str>>(items: &[S]) -> String {
    let join = |items: &[S]| {
        let items: Vec<&str> = items.iter().map(AsRef::as_ref).collect();
        items.join(", ")
    };
    if items.len() <= LISTED {
        return join(items);
    }
    format!(
        "{} and {} more",
        join(&items[..LISTED]),
        thousands(items.len() - LISTED)
    )
}

/// `2988` as `2,988`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// A condition as a sentence fragment.
pub fn condition(expr: &Expr) -> String {
    words(expr, false)
}

fn verb(op: CompareOp) -> &'static str {
    match op {
        CompareOp::Eq => "is",
        CompareOp::Ne => "is not",
        CompareOp::Lt => "is less than",
        CompareOp::Le => "is at most",
        CompareOp::Gt => "is more than",
        CompareOp::Ge => "is at least",
    }
}

fn operand(expr: &Expr) -> String {
    match &expr.kind {
        ExprKind::Call {
            func: Func::AgeYears,
            arg,
        } => format!("the years since {}", operand(arg)),
        ExprKind::Call {
            func: Func::DaysSince,
            arg,
        } => format!("the days since {}", operand(arg)),
        ExprKind::Call {
            func: Func::Len,
            arg,
        } => format!("the number of entries in {}", operand(arg)),
        ExprKind::List(items) => items
            .iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(", "),
        _ => expr.to_string(),
    }
}

/// `negated` when an odd number of `not`s surround the expression.
fn words(expr: &Expr, negated: bool) -> String {
    match &expr.kind {
        ExprKind::Not(inner) => words(inner, !negated),
        ExprKind::And(parts) | ExprKind::Or(parts) => {
            let is_and = matches!(expr.kind, ExprKind::And(_)) != negated;
            let texts: Vec<String> = parts
                .iter()
                .map(|p| {
                    let text = words(p, negated);
                    if matches!(p.kind, ExprKind::And(_) | ExprKind::Or(_)) {
                        format!("({text})")
                    } else {
                        text
                    }
                })
                .collect();
            if is_and {
                texts.join(" and ")
            } else {
                format!("either {}", texts.join(" or "))
            }
        }
        ExprKind::Compare { op, lhs, rhs } => {
            let op = if negated { op.negated() } else { *op };
            // Fields first: `12 <= x` reads as `x is at least 12`.
            let (subject, op, value) = match (&lhs.kind, &rhs.kind) {
                (ExprKind::Literal(_), ExprKind::Literal(_)) | (_, ExprKind::Literal(_)) => {
                    (lhs, op, rhs)
                }
                (ExprKind::Literal(_), _) => (rhs, op.flipped(), lhs),
                _ => (lhs, op, rhs),
            };
            format!("{} {} {}", operand(subject), verb(op), operand(value))
        }
        ExprKind::In {
            negated: not_in,
            lhs,
            rhs,
        } => {
            let not_in = *not_in != negated;
            match (&lhs.kind, &rhs.kind) {
                (_, ExprKind::List(_)) => format!(
                    "{} is {} {}",
                    operand(lhs),
                    if not_in { "none of" } else { "one of" },
                    operand(rhs)
                ),
                _ => format!(
                    "{} {} {}",
                    operand(rhs),
                    if not_in {
                        "does not contain"
                    } else {
                        "contains"
                    },
                    operand(lhs)
                ),
            }
        }
        ExprKind::Call {
            func: Func::Has,
            arg,
        } => {
            format!(
                "{} is {}",
                operand(arg),
                if negated { "not known" } else { "known" }
            )
        }
        ExprKind::Path(p) => format!("{p} is {}", !negated),
        ExprKind::Literal(lit) if negated => format!("not {lit}"),
        _ => expr.to_string(),
    }
}

pub use crate::language::diagnostic::and_list as list;

/// What the offer gives, in words.
pub fn benefit(b: &Benefit) -> String {
    match b {
        Benefit::Price(m) => format!("final price {}", m.value),
        Benefit::Percent {
            percent, cap: None, ..
        } => format!("{percent}% off"),
        Benefit::Percent {
            percent,
            cap: Some(cap),
            ..
        } => format!("{percent}% off, at most {}", cap.value),
        Benefit::Off(m) => format!("{} off", m.value),
        Benefit::Free(what) => format!("free: {}", what.value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::language::ast::{ClauseKind, Declaration};
    use crate::language::parse::parse_file;

    #[test]
    fn long_lists_are_counted_not_listed() {
        let items: Vec<String> = (0..3000).map(|i| format!("proof {i}")).collect();
        let line = some(&items);
        assert!(line.starts_with("proof 0, proof 1, "), "{line}");
        assert!(line.ends_with("proof 11 and 2,988 more"), "{line}");
        assert_eq!(some(&items[..2]), "proof 0, proof 1");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(999), "999");
    }

    fn when_words(expr: &str) -> String {
        let text = format!("offer a {{ title \"A\" when {expr} }}");
        let (file, diagnostics) = parse_file(&text, 0);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let Declaration::Offer(offer) = &file.declarations[0] else {
            panic!("an offer")
        };
        let ClauseKind::When { expr, .. } = &offer.clauses[1].kind else {
            panic!("a when")
        };
        condition(expr)
    }

    #[test]
    fn conditions_read_as_sentences() {
        assert_eq!(
            when_words("customer.tenure_months >= 12"),
            "customer.tenure_months is at least 12"
        );
        assert_eq!(
            when_words("12 <= customer.tenure_months"),
            "customer.tenure_months is at least 12"
        );
        assert_eq!(
            when_words(
                r#"customer.plan in ["unlimited", "family"] and not ("fraud_hold" in customer.flags)"#
            ),
            r#"customer.plan is one of "unlimited", "family" and customer.flags does not contain "fraud_hold""#
        );
        assert_eq!(
            when_words("not (a.x > 1 or a.y)"),
            "a.x is at most 1 and a.y is false"
        );
        assert_eq!(
            when_words("a.x < 1 or a.y"),
            "either a.x is less than 1 or a.y is true"
        );
        assert_eq!(
            when_words("age_years(c.born) >= 18"),
            "the years since c.born is at least 18"
        );
        assert_eq!(when_words("not has(c.email)"), "c.email is not known");
    }
}
