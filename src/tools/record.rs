//! One decision as `honor serve --records` keeps it (a line of `decisions-YYYY-MM-DD.jsonl`)
//! and `honor replay` reads it: what was asked, of which rule set, and what was answered.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::engine::decision::{AllChannels, Decision};

/// JSON kept as its text, so that numbers stay as they were sent (`26.50`, 30 digits).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RawJson(pub Box<serde_json::value::RawValue>);

impl PartialEq for RawJson {
    fn eq(&self, other: &RawJson) -> bool {
        self.0.get() == other.0.get()
    }
}

impl std::fmt::Display for RawJson {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(self.0.get())
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub id: String,
    /// When the service received the request (UTC).
    pub received: String,
    /// The instant decided at.
    pub at: String,
    /// A channel, or `all`.
    pub channel: String,
    pub customer: Option<String>,
    /// The fingerprint of the rule set that decided.
    pub rules: String,
    /// The one offer asked about, when the request named one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offer: Option<String>,
    /// The context as decided, with `redeemed` as the ledger filled it; numbers as sent.
    pub context: RawJson,
    /// A ledger's unreversed redemptions per offer, for `budget` clauses, when one was read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget_use: Option<BTreeMap<String, u64>>,
    /// What each channel decided.
    pub outcomes: BTreeMap<String, Outcome>,
}

/// One channel's answer: each offer's status and the quote's final price.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    pub offers: BTreeMap<String, String>,
    pub quote: Option<String>,
}

impl Outcome {
    pub fn of(decision: &Decision) -> Outcome {
        Outcome {
            offers: decision
                .offers
                .iter()
                .map(|o| (o.id.to_string(), o.status.word().to_string()))
                .collect(),
            quote: decision.quote.as_ref().map(|q| q.final_price.clone()),
        }
    }
}

/// The outcomes of a decision on one channel.
pub fn outcomes_one(decision: &Decision) -> BTreeMap<String, Outcome> {
    BTreeMap::from([(decision.channel.clone(), Outcome::of(decision))])
}

/// The outcomes of a decision on every channel.
pub fn outcomes_all(all: &AllChannels) -> BTreeMap<String, Outcome> {
    all.decisions
        .0
        .iter()
        .map(|(name, d)| (name.clone(), Outcome::of(d)))
        .collect()
}

/// The differences between what was recorded and what is decided now, in words.
pub fn differences(
    recorded: &BTreeMap<String, Outcome>,
    now: &BTreeMap<String, Outcome>,
) -> Vec<String> {
    let mut found = Vec::new();
    let none = Outcome {
        offers: BTreeMap::new(),
        quote: None,
    };
    let channels: std::collections::BTreeSet<&String> = recorded.keys().chain(now.keys()).collect();
    for channel in channels {
        let before = recorded.get(channel).unwrap_or(&none);
        let after = now.get(channel).unwrap_or(&none);
        let offers: std::collections::BTreeSet<&String> =
            before.offers.keys().chain(after.offers.keys()).collect();
        for offer in offers {
            let was = before.offers.get(offer).map_or("absent", String::as_str);
            let is = after.offers.get(offer).map_or("absent", String::as_str);
            if was != is {
                found.push(format!("{channel}: `{offer}` was {was}, now {is}"));
            }
        }
        if before.quote != after.quote {
            let show = |q: &Option<String>| q.clone().unwrap_or_else(|| String::from("no quote"));
            found.push(format!(
                "{channel}: the final price was {}, now {}",
                show(&before.quote),
                show(&after.quote)
            ));
        }
    }
    found
}
