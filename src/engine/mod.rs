//! The engine: a checked model compiled to slots ([`compile`]), evaluated in three values
//! ([`evaluate`]) into decisions with their price quote ([`decision`], [`quote`]);
//! [`ruleset`] runs a rule set's files through the whole pipeline.

pub mod compile;
pub mod decision;
pub mod evaluate;
pub mod quote;
pub mod ruleset;
