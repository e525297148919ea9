//! honor: one answer to "may this customer have this offer?" on every channel.
//!
//! A rule file travels: text → [`parse`] (pest pairs to an [`ast`] with spans) → [`check`]
//! (schema, types, lints → [`diagnostic`]s) → [`compile`] (slots, values, instants) →
//! [`evaluate`] (three-valued, with explanations) → [`decision`] (statuses, [`quote`],
//! parity) → [`render`] (text, JSON).
//!
//! The language, the evaluation rules and the JSON shapes of a decision are described in
//! `docs/language.md`; the README is the tour. A context field that looks like a typo of a
//! schema field is reported by [`Context::near_misses`], never silently read.
//!
//! ```no_run
//! use honor::{Context, RuleSet, input::document};
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

pub mod cli;
pub mod engine;
mod hash;
pub mod input;
pub mod language;
pub mod render;
pub mod tools;
pub mod value;

pub use engine::decision::{AllChannels, Decision, OfferDecision, Status};
pub use engine::ruleset::{LoadError, RuleSet};
pub use input::context::Context;
