//! The rule language: text → syntax tree with spans ([`parse`]) → checked model ([`check`]),
//! with the diagnostics that say what is wrong and where, and the canonical layout ([`format`]).

pub mod ast;
pub mod check;
pub mod diagnostic;
pub mod format;
pub mod parse;
pub mod source;
