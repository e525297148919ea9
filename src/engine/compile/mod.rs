//! The checked model lowered to the form evaluation runs on: fields resolved to slots,
//! literals to values, windows to instants, codes normalised, `in` lists to sets.

use chrono::{DateTime, Utc};

use crate::language::ast::Benefit;
use crate::language::check::{Model, OfferModel};
use crate::value::money::Money;
use crate::value::number::Decimal;

pub mod fast;

pub use crate::language::check::condition::{Cond, Operand};

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

#[derive(Clone, Debug)]
pub struct CompiledOffer {
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
    /// The window in microseconds since 1970, open ends at the extremes: one integer
    /// comparison each on the fast path.
    pub micros: (i64, i64),
    /// Bit `c` is set when channel `c` honors the offer.
    pub honored: u64,
    /// Trimmed and lower-cased.
    pub code: Option<String>,
    /// The proofs to see, trimmed and lower-cased, in file order.
    pub proofs: Vec<String>,
    pub limit: Option<usize>,
    pub budget: Option<u64>,
    pub whens: Vec<Cond>,
    /// A `when` reads `age_years` or `days_since`, whose values change from day to day.
    pub counts_days: bool,
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
        .map(|o| compile_offer(o, model.channels.len()))
        .collect()
}

/// Whether `cond` reads `age_years` or `days_since`.
fn counts_days(cond: &Cond) -> bool {
    match cond {
        Cond::Not(inner) => counts_days(inner),
        Cond::And(parts) | Cond::Or(parts) => parts.iter().any(counts_days),
        Cond::Compare { lhs, rhs, .. } | Cond::In { lhs, rhs, .. } => {
            operand_counts_days(lhs) || operand_counts_days(rhs)
        }
        Cond::InTextSet { lhs, .. } => operand_counts_days(lhs),
        Cond::Const(_) | Cond::Field(_) | Cond::Has(_) => false,
    }
}

fn operand_counts_days(op: &Operand) -> bool {
    match op {
        Operand::AgeYears(_) | Operand::DaysSince(_) => true,
        Operand::Len(inner) => operand_counts_days(inner),
        Operand::Cond(inner) => counts_days(inner),
        Operand::Field(_) | Operand::Value(_) => false,
    }
}

/// The form codes and proofs are compared in: trimmed of Unicode White_Space (what
/// `str::trim` removes), lower-cased.
pub fn normalize_code(code: &str) -> String {
    code.trim().to_lowercase()
}

fn compile_offer(offer: &OfferModel, channels: usize) -> CompiledOffer {
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
        honored: offer.honored_on.iter().fold(0, |mask, c| mask | (1 << c)),
        code: offer.code.as_ref().map(|c| normalize_code(&c.value)),
        proofs: offer
            .proofs
            .iter()
            .map(|p| normalize_code(&p.value))
            .collect(),
        limit: offer.limit.as_ref().map(|l| l.value.max(0) as usize),
        budget: offer.budget.as_ref().map(|b| b.value.max(0) as u64),
        whens: offer.whens.iter().map(|w| w.cond.clone()).collect(),
        counts_days: offer.whens.iter().any(|w| counts_days(&w.cond)),
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
