//! The checked model lowered to the form evaluation runs on: fields resolved to slots,
//! literals to values, windows to instants, codes normalised, `in` lists to sets.

use chrono::{DateTime, Utc};
use std::collections::HashSet;

use crate::language::ast::{Benefit, CompareOp, Expr, ExprKind, Func, Literal, Moment};
use crate::language::check::{Model, OfferModel, Schema, WindowModel};
use crate::value::Value;
use crate::value::money::Money;
use crate::value::number::Decimal;

pub mod fast;

/// A condition over context slots.
#[derive(Clone, Debug)]
pub enum Cond {
    Const(bool),
    /// A `bool` field.
    Field(usize),
    Has(usize),
    Not(Box<Cond>),
    And(Box<[Cond]>),
    Or(Box<[Cond]>),
    Compare {
        op: CompareOp,
        lhs: Operand,
        rhs: Operand,
    },
    In {
        negated: bool,
        lhs: Operand,
        rhs: Operand,
    },
    /// `x in ["a", "b"]` on text: a set lookup.
    InTextSet {
        negated: bool,
        lhs: Operand,
        set: TextSet,
    },
}

/// A literal list of text as a set, keeping the written order for explanations.
#[derive(Clone, Debug)]
pub struct TextSet {
    pub items: Vec<String>,
    pub set: HashSet<String>,
}

#[derive(Clone, Debug)]
pub enum Operand {
    Field(usize),
    Value(Value),
    Len(Box<Operand>),
    AgeYears(Box<Operand>),
    DaysSince(Box<Operand>),
    /// A yes/no condition used as a value (`has(x) == false`).
    Cond(Box<Cond>),
}

/// A benefit that changes the price.
#[derive(Clone, Copy, Debug)]
pub enum PriceBenefit {
    Price(Money),
    Percent {
        percent: Decimal,
        cap: Option<Money>,
    },
    Off(Money),
}

impl PriceBenefit {
    /// The benefit applied to a running price (never raises it, never below zero).
    pub fn apply(&self, running: Money) -> Money {
        match *self {
            PriceBenefit::Price(m) => running.fixed_price(m),
            PriceBenefit::Percent { percent, cap } => running.percent_off(percent, cap),
            PriceBenefit::Off(m) => running.minus(m),
        }
    }

    /// The currency the benefit or its cap is written in, if any.
    pub fn currencies(&self) -> (Option<Money>, Option<Money>) {
        match *self {
            PriceBenefit::Price(m) | PriceBenefit::Off(m) => (Some(m), None),
            PriceBenefit::Percent { cap, .. } => (None, cap),
        }
    }
}

/// The `valid` clause's explanation for an instant inside, before and after the window,
/// written once.
#[derive(Clone, Debug, Default)]
pub struct WindowWords {
    pub inside: String,
    pub before: String,
    pub after: String,
}

#[derive(Clone, Debug)]
pub struct CompiledOffer {
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
    /// The window in microseconds since 1970, open ends at the extremes: one integer
    /// comparison each on the fast path.
    pub micros: (i64, i64),
    pub window_words: WindowWords,
    /// Bit `c` is set when channel `c` honors the offer.
    pub honored: u64,
    /// Trimmed and lower-cased.
    pub code: Option<String>,
    /// The proofs to see, trimmed and lower-cased, in file order.
    pub proofs: Vec<String>,
    pub limit: Option<usize>,
    pub budget: Option<u64>,
    pub whens: Vec<Cond>,
    pub benefit: Option<PriceBenefit>,
    /// The declared fee per channel index (only on channels that honor the offer: an `on`
    /// block for another channel has no effect).
    pub fees: Vec<Option<Money>>,
}

impl CompiledOffer {
    pub fn honors(&self, channel: usize) -> bool {
        self.honored & (1 << channel) != 0
    }
}

pub fn compile(model: &Model) -> Vec<CompiledOffer> {
    model
        .offers
        .iter()
        .map(|o| compile_offer(o, &model.schema, model.channels.len(), &model.zone_name))
        .collect()
}

/// The form codes and proofs are compared in: trimmed of Unicode White_Space (what
/// `str::trim` removes), lower-cased.
pub fn normalize_code(code: &str) -> String {
    code.trim().to_lowercase()
}

fn window_words(window: Option<&WindowModel>, zone: &str) -> WindowWords {
    let Some(w) = window else {
        return WindowWords {
            inside: String::from("always valid"),
            ..WindowWords::default()
        };
    };
    let bound = |m: &Moment| match m.time {
        Some((h, mi)) => format!("{} at {h:02}:{mi:02}", m.date),
        None => m.date.to_string(),
    };
    let start = w.start.as_ref().map(|(m, _)| bound(m));
    let end = w.end.as_ref().map(|(m, _)| bound(m));
    WindowWords {
        inside: match (&start, &end) {
            (Some(s), Some(e)) => format!("within {s} to {e} ({zone})"),
            (Some(s), None) => format!("valid from {s} ({zone}), with no end"),
            (None, Some(e)) => format!("valid until {e} ({zone})"),
            (None, None) => String::from("always valid"),
        },
        before: start
            .map(|s| format!("starts on {s} ({zone})"))
            .unwrap_or_default(),
        after: end
            .map(|e| format!("ended on {e} ({zone})"))
            .unwrap_or_default(),
    }
}

fn compile_offer(
    offer: &OfferModel,
    schema: &Schema,
    channels: usize,
    zone: &str,
) -> CompiledOffer {
    let mut fees = vec![None; channels];
    for on in offer
        .on
        .iter()
        .filter(|o| offer.honored_on.contains(&o.channel))
    {
        fees[on.channel] = on.fee;
    }
    let start = offer
        .window
        .as_ref()
        .and_then(|w| w.start.as_ref().map(|(_, t)| *t));
    let end = offer
        .window
        .as_ref()
        .and_then(|w| w.end.as_ref().map(|(_, t)| *t));
    CompiledOffer {
        start,
        end,
        micros: (
            start.map_or(i64::MIN, |t| t.timestamp_micros()),
            end.map_or(i64::MAX, |t| t.timestamp_micros()),
        ),
        window_words: window_words(offer.window.as_ref(), zone),
        honored: offer.honored_on.iter().fold(0, |mask, c| mask | (1 << c)),
        code: offer.code.as_ref().map(|c| normalize_code(&c.value)),
        proofs: offer
            .proofs
            .iter()
            .map(|p| normalize_code(&p.value))
            .collect(),
        limit: offer.limit.as_ref().map(|l| l.value.max(0) as usize),
        budget: offer.budget.as_ref().map(|b| b.value.max(0) as u64),
        whens: offer.whens.iter().map(|w| cond(&w.expr, schema)).collect(),
        benefit: offer.benefit.as_ref().and_then(|b| match b {
            Benefit::Price(m) => Some(PriceBenefit::Price(m.value)),
            Benefit::Percent { percent, cap, .. } => Some(PriceBenefit::Percent {
                percent: *percent,
                cap: cap.as_ref().map(|c| c.value),
            }),
            Benefit::Off(m) => Some(PriceBenefit::Off(m.value)),
            Benefit::Free(_) => None,
        }),
        fees,
    }
}

/// Lowers a type-checked boolean expression.
pub fn cond(expr: &Expr, schema: &Schema) -> Cond {
    match &expr.kind {
        ExprKind::Literal(Literal::Bool(b)) => Cond::Const(*b),
        ExprKind::Path(p) => Cond::Field(slot(schema, p)),
        ExprKind::Call {
            func: Func::Has,
            arg,
        } => match &arg.kind {
            ExprKind::Path(p) => Cond::Has(slot(schema, p)),
            _ => Cond::Const(false),
        },
        ExprKind::Not(inner) => Cond::Not(Box::new(cond(inner, schema))),
        ExprKind::And(parts) => Cond::And(parts.iter().map(|p| cond(p, schema)).collect()),
        ExprKind::Or(parts) => Cond::Or(parts.iter().map(|p| cond(p, schema)).collect()),
        ExprKind::Compare { op, lhs, rhs } => Cond::Compare {
            op: *op,
            lhs: operand(lhs, schema),
            rhs: operand(rhs, schema),
        },
        ExprKind::In { negated, lhs, rhs } => {
            let lhs = operand(lhs, schema);
            match operand(rhs, schema) {
                Operand::Value(Value::List(items))
                    if items.iter().all(|v| matches!(v, Value::Text(_))) && !items.is_empty() =>
                {
                    let items: Vec<String> = items
                        .into_iter()
                        .filter_map(|v| match v {
                            Value::Text(s) => Some(s),
                            _ => None,
                        })
                        .collect();
                    Cond::InTextSet {
                        negated: *negated,
                        lhs,
                        set: TextSet {
                            set: items.iter().cloned().collect(),
                            items,
                        },
                    }
                }
                rhs => Cond::In {
                    negated: *negated,
                    lhs,
                    rhs,
                },
            }
        }
        // Checked code never reaches here: the rest are not yes/no conditions.
        _ => Cond::Const(false),
    }
}

fn operand(expr: &Expr, schema: &Schema) -> Operand {
    match &expr.kind {
        ExprKind::Literal(lit) => Operand::Value(literal(lit)),
        ExprKind::Path(p) => Operand::Field(slot(schema, p)),
        ExprKind::List(items) => Operand::Value(Value::List(
            items
                .iter()
                .filter_map(|i| match &i.kind {
                    ExprKind::Literal(lit) => Some(literal(lit)),
                    _ => None,
                })
                .collect(),
        )),
        ExprKind::Call { func, arg } => match func {
            Func::Len => Operand::Len(Box::new(operand(arg, schema))),
            Func::AgeYears => Operand::AgeYears(Box::new(operand(arg, schema))),
            Func::DaysSince => Operand::DaysSince(Box::new(operand(arg, schema))),
            Func::Has => Operand::Cond(Box::new(cond(expr, schema))),
        },
        _ => Operand::Cond(Box::new(cond(expr, schema))),
    }
}

fn literal(lit: &Literal) -> Value {
    match lit {
        Literal::Number(n) => Value::Number(*n),
        Literal::Text(s) => Value::Text(s.clone()),
        Literal::Bool(b) => Value::Bool(*b),
        Literal::Date(d) => Value::Date(*d),
        Literal::Money(m) => Value::Money(*m),
    }
}

fn slot(schema: &Schema, path: &str) -> usize {
    // The checker has resolved every path; slot 0 is never reached for checked code.
    schema.slot(path).unwrap_or(0)
}
