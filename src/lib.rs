//! honor: one answer to "may this customer have this offer?" on every channel.
//!
//! Marketing writes offers in a small text language (see `docs/language.md`); the web shop,
//! the store till and the call centre ask this library — or the `honor` command line, or the
//! `honor serve` service built on it — and get the same answer, the same price and the same
//! explanation, with what would turn a "no" into a "yes".
//!
//! The language, the evaluation rules and the JSON shapes of a decision are described in
//! `docs/language.md`; the README is the tour. A context field that looks like a typo of a
//! schema field is reported by [`RuleSet::near_misses`], never silently read.
//!
//! # Load once, decide many times
//!
//! A [`RuleSet`] is a folder of `*.offer` files (or one file), parsed, checked and compiled
//! when it loads. Loading fails with a [`LoadError`] that lists every problem with its
//! place; warnings do not stop it ([`RuleSet::warnings`]).
//!
//! A customer is a [`Document`] (JSON or YAML, numbers read exactly as written) checked
//! against the rule set's schema into a [`Context`] ([`RuleSet::context`]); a value of the
//! wrong type is a [`ContextError`] naming the path.
//!
//! [`RuleSet::decide`] decides every offer on one channel at an instant: a [`Decision`] with
//! each offer's [`Status`], every clause explained, what it still `needs`, its price, and the
//! [`Quote`]. [`RuleSet::decide_all`] decides on every channel and checks that they agree.
//! Decisions serialise to the JSON the command line prints (`serde::Serialize`). A decision
//! borrows the rule set and the context it was made from and keeps what each clause found
//! as data: its words ([`Detail`]) and what a `when` still needs ([`WhenResidual`]) are
//! written only when it is rendered, so deciding stays cheap for callers that show little.
//!
//! ```
//! use honor::{Document, Format, RuleSet, Status};
//!
//! let at = honor::parse_instant("2026-12-01T15:00:00Z").expect("an instant");
//! let rules = RuleSet::from_texts(
//!     vec![(
//!         "shop.offer".into(),
//!         "shop.offer".into(),
//!         r#"
//!         context { customer.tenure_months number }
//!         offer loyal {
//!           title   "10% off for customers of a year"
//!           when    customer.tenure_months >= 12
//!           benefit 10% off
//!         }
//!         "#
//!         .into(),
//!     )],
//!     at,
//! )?;
//! let doc = Document::parse(r#"{"customer": {"tenure_months": 7}, "price": "80.00 USD"}"#, Some(Format::Json))?;
//! let customer = rules.context(&doc)?;
//! let phone = rules.channel("phone")?;
//! let decision = rules.decide(&customer, phone, at, None);
//! assert_eq!(decision.offers[0].status, Status::Ineligible);
//! // what would it take: the test, the value read, and how far off it is
//! let json = serde_json::to_value(&decision)?;
//! assert_eq!(json["offers"][0]["needs"][0]["residual"]["short_by"], 5);
//! assert_eq!(json["quote"]["final"], "80.00 USD");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Many customers
//!
//! [`RuleSet::statuses`] gives every offer's status without explanations, from a table of
//! the rule set's distinct tests, allocating nothing per customer once its [`Scratch`] is
//! warm: what `honor batch` uses. It always agrees with [`RuleSet::decide`].
//!
//! # Errors
//!
//! Every error says where and what in words a marketer can act on: [`LoadError::render`]
//! prints each diagnostic as `file:line:col`, the line and a caret; [`ContextError`] names the
//! path, the type expected and the value found; [`DocumentError`] gives the line and column.
//! No input makes the library panic.

#![warn(missing_docs)]

// The parser pest derives without its `std` feature names `alloc` (see `parse`).
extern crate alloc;

// The path a rule file travels, bottom to top: text → `language` (parse, check) → `engine`
// (compile, evaluate, decide, quote) → `render`; `input` reads what channels pass in;
// `tools` and `service` sit on top, `cli` on them. Arrows point down only.
mod engine;
mod escape;
mod files;
mod hash;
mod input;
mod language;
mod render;
mod service;
mod tools;
mod value;

#[doc(hidden)]
pub mod cli;
pub mod ledger;
pub mod text;

pub use engine::decision::{
    AllChannels, ByChannel, ClauseResult, Decision, Detail, Difference, EligibleWhen, Need,
    OfferDecision, Outcome, Parity, Status, WhenResidual,
};
pub use engine::evaluate::residual::{Gap, Leaf, Residual, Shown};
pub use engine::evaluate::{Scratch, Tri};
pub use engine::quote::Quote;
pub use engine::ruleset::{LoadError, RuleSet};
pub use input::context::{Context, ContextError, NearMiss};
pub use input::document::{Doc as Document, DocError as DocumentError, Format};
pub use language::diagnostic::{Diagnostic, Severity};
pub use language::format::format as format_rules;
pub use value::money::{Currency, Money, MoneyError};
pub use value::number::{Decimal, NumberError};
pub use value::time::{format_instant, parse_instant};
