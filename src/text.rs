//! Decisions in words, as `honor check` prints them for the agent who reads them out: each
//! offer's status and price, then, with `detailed`, every clause and what would turn a "no"
//! into a "yes". Control characters from rule texts or customer records are escaped.

pub use crate::render::text::{all_channels, decision};
