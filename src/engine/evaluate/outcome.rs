//! The one place that decides an offer's status: what each clause found, what that comes to
//! (pass, fail or unknown), and how the clauses combine. The explained path and the fast path
//! gather their facts differently (texts compared one by one, or ids in bitsets) and both
//! hand them to the functions here; the explained path then puts the same facts into words.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::Tri;
use crate::engine::compile::CompiledOffer;
use crate::value::money::{Currency, Money};

/// A clause's result (docs/language.md, "Statuses").
/// What one clause says for a customer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The clause holds.
    Pass,
    /// The clause does not hold.
    Fail,
    /// A value the clause reads is missing.
    Unknown,
}

impl Outcome {
    /// `pass`, `fail` or `unknown`, as JSON writes it.
    pub fn word(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::Unknown => "unknown",
        }
    }

    fn of(found: Option<bool>) -> Outcome {
        match found {
            None => Outcome::Unknown,
            Some(true) => Outcome::Pass,
            Some(false) => Outcome::Fail,
        }
    }
}

impl From<Tri> for Outcome {
    fn from(t: Tri) -> Outcome {
        match t {
            Tri::True => Outcome::Pass,
            Tri::False => Outcome::Fail,
            Tri::Unknown => Outcome::Unknown,
        }
    }
}

/// An offer's status on a channel (docs/language.md, "Statuses").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Every clause holds: the customer may have it.
    Eligible,
    /// A clause fails.
    Ineligible,
    /// No clause fails but one cannot be decided: a value is missing.
    Unknown,
    /// This channel does not honor the offer.
    NotHonored,
}

impl Status {
    /// `eligible`, `ineligible`, `unknown` or `not_honored`, as JSON writes it.
    pub fn word(self) -> &'static str {
        match self {
            Status::Eligible => "eligible",
            Status::Ineligible => "ineligible",
            Status::Unknown => "unknown",
            Status::NotHonored => "not_honored",
        }
    }
}

/// The eligibility the clauses come to: ineligible when one fails, else unknown when one is
/// unknown, else eligible.
pub fn eligibility(outcomes: impl IntoIterator<Item = Outcome>) -> Status {
    let mut status = Status::Eligible;
    for outcome in outcomes {
        match outcome {
            Outcome::Fail => return Status::Ineligible,
            Outcome::Unknown => status = Status::Unknown,
            Outcome::Pass => {}
        }
    }
    status
}

/// The status on a channel: the eligibility where the channel honors the offer.
pub fn status(eligibility: Status, honored: bool) -> Status {
    if honored {
        eligibility
    } else {
        Status::NotHonored
    }
}

/// Where an instant stands against a window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Window {
    Before,
    Inside,
    After,
}

impl Window {
    /// The window holds `start <= t < end`; bounds are whole minutes, so comparing
    /// microseconds is exact.
    pub fn at(offer: &CompiledOffer, micros: i64) -> Window {
        if micros < offer.micros.0 {
            Window::Before
        } else if micros >= offer.micros.1 {
            Window::After
        } else {
            Window::Inside
        }
    }
}

/// What one clause found in a context, as data: enough to decide its outcome and to put it
/// into words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Found {
    Window(Window),
    /// Whether the offer's code is among the customer's codes; `None` when `codes` is missing.
    Code(Option<bool>),
    /// Whether this proof was seen; `None` when `proofs` is missing.
    Proof(Option<bool>),
    /// Redemptions of this offer by the customer (`None`: `redeemed` missing), and the limit.
    Limit {
        used: Option<usize>,
        limit: usize,
    },
    /// Redemptions of this offer by everyone, as the ledger counts them (`None`: no ledger).
    Budget {
        used: Option<u64>,
        budget: u64,
    },
    /// A `when`'s value.
    When(Tri),
    /// The benefit (or its cap, when `cap`) is in another currency than the price.
    BenefitCurrency {
        benefit: Currency,
        price: Currency,
        cap: bool,
    },
    /// The channel's fee is in another currency than the price.
    FeeCurrency {
        fee: Currency,
        price: Currency,
    },
}

impl Found {
    pub fn outcome(&self) -> Outcome {
        match *self {
            Found::Window(w) => Outcome::of(Some(w == Window::Inside)),
            Found::Code(presented) | Found::Proof(presented) => Outcome::of(presented),
            Found::Limit { used, limit } => Outcome::of(used.map(|u| u < limit)),
            Found::Budget { used, budget } => Outcome::of(used.map(|u| u < budget)),
            Found::When(value) => value.into(),
            Found::BenefitCurrency { .. } | Found::FeeCurrency { .. } => Outcome::Fail,
        }
    }

    /// A failing clause that no change of the context or the instant can make pass: the
    /// window is over, the limit or budget reached, money in another currency.
    pub fn is_final(&self) -> bool {
        match *self {
            Found::Window(w) => w == Window::After,
            Found::Limit { used, limit } => used.is_some_and(|u| u >= limit),
            Found::Budget { used, budget } => used.is_some_and(|u| u >= budget),
            Found::BenefitCurrency { .. } | Found::FeeCurrency { .. } => true,
            _ => false,
        }
    }
}

/// A benefit (or its cap) in another currency than the price, when the context has a price.
pub fn benefit_currency(offer: &CompiledOffer, price: Option<Money>) -> Option<Found> {
    let price = price?.currency;
    let (benefit, cap) = offer.benefit?.currencies();
    let other = |m: Option<Money>| m.map(|m| m.currency).filter(|c| *c != price);
    other(benefit)
        .map(|benefit| Found::BenefitCurrency {
            benefit,
            price,
            cap: false,
        })
        .or_else(|| {
            other(cap).map(|benefit| Found::BenefitCurrency {
                benefit,
                price,
                cap: true,
            })
        })
}

/// The channel's fee in another currency than the price.
pub fn fee_currency(offer: &CompiledOffer, channel: usize, price: Option<Money>) -> Option<Found> {
    let price = price?.currency;
    let fee = offer.fees[channel]?.currency;
    (fee != price).then_some(Found::FeeCurrency { fee, price })
}

/// The instant as evaluation sees it: a leap second (`23:59:60`, which chrono keeps as a
/// second past 59) is the last instant of its minute (docs/language.md, "Windows").
pub fn effective(at: DateTime<Utc>) -> DateTime<Utc> {
    use chrono::Timelike;
    if at.nanosecond() >= 1_000_000_000 {
        at.with_nanosecond(999_999_999).unwrap_or(at)
    } else {
        at
    }
}
