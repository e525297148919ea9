//! honor: one answer to "may this customer have this offer?" on every channel.
//!
//! A rule file travels: text → [`parse`] (pest pairs to an [`ast`] with spans) → [`check`]
//! (schema, types, lints → [`diagnostic`]s) → [`compile`] (slots, values, instants) →
//! [`evaluate`] (three-valued, with explanations) → [`decision`] (statuses, [`quote`],
//! parity) → [`render`] (text, JSON).
//!
//! ```no_run
//! use honor::{Context, RuleSet, document};
//! let now = chrono::Utc::now();
//! let rules = RuleSet::load("rules".as_ref(), now)?;
//! let doc = document::parse(r#"{"customer": {"tenure_months": 26}, "codes": ["UPGRADE-MAY16"]}"#, None)?;
//! let ctx = Context::from_doc(&doc, &rules.model.schema)?;
//! let phone = rules.channel("phone")?;
//! let decision = rules.decide(&ctx, phone, now, None);
//! println!("{}", serde_json::to_string_pretty(&decision)?);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

// The parser pest derives without its `std` feature names `alloc` (see `parse`).
extern crate alloc;

pub mod ast;
pub mod batch;
pub mod cases;
pub mod check;
pub mod cli;
pub mod compile;
pub mod context;
pub mod decision;
pub mod diagnostic;
pub mod diff;
pub mod document;
pub mod evaluate;
pub mod fmt;
mod hash;
pub mod money;
pub mod number;
pub mod offers;
pub mod parity;
pub mod parse;
pub mod quote;
pub mod render;
pub mod ruleset;
pub mod source;
pub mod testing;
pub mod time;
pub mod value;
mod yaml;

pub use context::Context;
pub use decision::{AllChannels, Decision, OfferDecision, Status};
pub use ruleset::{LoadError, RuleSet};
