//! Reviewing a rule change (`honor diff`): what changed in the rules ([`structure`]), and,
//! over a sample of customers, what it does to their decisions ([`impact`]). The base is
//! read from a path or a git revision ([`source`]).

pub mod impact;
pub mod markdown;
pub mod source;
pub mod structure;
pub mod text;

use serde::Serialize;

pub use impact::Impact;
pub use structure::Structure;

/// A whole review, as every rendering receives it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Review {
    /// The base as given: a path or a revision.
    pub base: String,
    /// The rule set under review.
    pub rules: String,
    #[serde(flatten)]
    pub structure: Structure,
    pub impact: Option<Impact>,
}

impl Review {
    /// Whether the change alters any decision: with a sample, some customer's status, price
    /// or quote, or an offer added or removed; without one, any change in meaning.
    pub fn changes_decisions(&self) -> bool {
        match &self.impact {
            Some(impact) => {
                impact.any_change()
                    || !self.structure.added.is_empty()
                    || !self.structure.removed.is_empty()
            }
            None => self.structure.changes_meaning(),
        }
    }
}
