//! The knowledge base for every agent (`honor offers`): what is live at an instant, how each
//! channel honors it, and what to tell a customer where it is not honored.

pub mod text;

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::engine::compile::CompiledOffer;
use crate::engine::evaluate::window_words;
use crate::engine::ruleset::RuleSet;
use crate::language::check::OfferModel;
use crate::language::diagnostic::edit_distance;
use crate::render::words;
use crate::value::time::format_instant;

/// Offers starting within this many days are listed as coming.
pub const COMING_DAYS: i64 = 7;

#[derive(Debug, Serialize)]
pub struct Listing {
    pub at: String,
    pub rules: String,
    pub zone: String,
    pub channel: Option<String>,
    /// The code searched for, as given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    pub live: Vec<Entry>,
    pub coming: Vec<Entry>,
    /// With a code: matching offers that are neither live nor coming.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub other: Vec<Entry>,
    /// With a code that no offer has: the live codes closest to it, closest first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suggestions: Vec<Suggestion>,
}

/// A live offer's code that is close to a code no offer has.
#[derive(Debug, Serialize)]
pub struct Suggestion {
    pub code: String,
    pub id: String,
    pub title: String,
}

/// The most codes suggested for one that no offer has.
const MAX_SUGGESTIONS: usize = 3;

/// A code as a customer reads it out: case, white space, dashes and underscores do not
/// count, and O sounds like 0 and I like 1 (`black friday`, `BLACK-FR1DAY`).
pub fn spoken_code(code: &str) -> String {
    code.chars()
        .filter(|c| !(c.is_whitespace() || matches!(c, '-' | '_' | '‐' | '–' | '—')))
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'o' => '0',
            'i' => '1',
            other => other,
        })
        .collect()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    Live,
    Coming,
    Later,
    Ended,
}

#[derive(Debug, Serialize)]
pub struct Entry {
    pub id: String,
    pub title: String,
    pub state: State,
    pub announce: Vec<String>,
    pub honored_on: Vec<String>,
    /// With `--channel`: whether that channel honors it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub honored_here: Option<bool>,
    pub window: String,
    /// The window's ends as instants (UTC); the end is the first instant it is over.
    pub starts_at: Option<String>,
    pub ends_at: Option<String>,
    /// How long until it ends (live) or starts (coming).
    pub time_left: Option<String>,
    pub code: Option<String>,
    /// The evidence an agent must see before applying it.
    pub proofs: Vec<String>,
    pub benefit: Option<String>,
    pub combination: Option<&'static str>,
    pub conditions: Vec<String>,
    pub limit: Option<String>,
    /// `budget N redemptions`, all customers together.
    pub budget: Option<u64>,
    /// With a ledger: how many of the budget are left.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget_left: Option<u64>,
    pub priority: i64,
    pub note: Option<String>,
    /// What a channel that does not honor it tells the customer.
    pub elsewhere: Option<String>,
}

pub struct Query<'a> {
    pub at: DateTime<Utc>,
    pub channel: Option<usize>,
    pub code: Option<&'a str>,
    /// A ledger's counts of each offer's redemptions, for what is left of a `budget`.
    pub used: Option<&'a BTreeMap<String, u64>>,
}

pub fn listing(rules: &RuleSet, q: &Query) -> Listing {
    let wanted_code = q.code.map(spoken_code);
    let mut listing = Listing {
        at: format_instant(q.at),
        rules: rules.fingerprint.clone(),
        zone: rules.model.zone_name.clone(),
        channel: q.channel.map(|c| rules.model.channels[c].clone()),
        code: q.code.map(|c| c.trim().to_string()),
        live: Vec::new(),
        coming: Vec::new(),
        other: Vec::new(),
        suggestions: Vec::new(),
    };
    for (model, compiled) in rules.model.offers.iter().zip(&rules.offers) {
        let state = state(compiled, q.at);
        if let Some(code) = &wanted_code {
            let written = model.code.as_ref().map(|c| spoken_code(&c.value));
            if written.as_ref() != Some(code) {
                continue;
            }
        } else if matches!(state, State::Later | State::Ended) {
            continue;
        }
        let entry = entry(rules, model, compiled, state, q);
        match state {
            State::Live => listing.live.push(entry),
            State::Coming => listing.coming.push(entry),
            _ => listing.other.push(entry),
        }
    }
    if let Some(code) = &wanted_code
        && listing.live.is_empty()
        && listing.coming.is_empty()
        && listing.other.is_empty()
    {
        listing.suggestions = closest_live_codes(rules, code, q.at);
    }
    listing
}

/// The live offers whose codes are close to `wanted` (read out as [`spoken_code`]): a few
/// letters apart, or one holding the other (`blackfriday` in `blackfriday26`).
fn closest_live_codes(rules: &RuleSet, wanted: &str, at: DateTime<Utc>) -> Vec<Suggestion> {
    let limit = (wanted.chars().count() / 3).max(2);
    let mut close: Vec<(usize, Suggestion)> = rules
        .model
        .offers
        .iter()
        .zip(&rules.offers)
        .filter(|(_, compiled)| state(compiled, at) == State::Live)
        .filter_map(|(model, _)| {
            let code = model.code.as_ref()?;
            let spoken = spoken_code(&code.value);
            let distance = if !wanted.is_empty() && spoken.contains(wanted)
                || !spoken.is_empty() && wanted.contains(&spoken)
            {
                1
            } else {
                edit_distance(wanted, &spoken)
            };
            (distance <= limit).then(|| {
                (
                    distance,
                    Suggestion {
                        code: code.value.trim().to_string(),
                        id: model.id.clone(),
                        title: model.title.clone(),
                    },
                )
            })
        })
        .collect();
    close.sort_by(|(a, x), (b, y)| a.cmp(b).then_with(|| x.code.cmp(&y.code)));
    close
        .into_iter()
        .take(MAX_SUGGESTIONS)
        .map(|(_, s)| s)
        .collect()
}

fn state(offer: &CompiledOffer, at: DateTime<Utc>) -> State {
    match (offer.start, offer.end) {
        (_, Some(end)) if at >= end => State::Ended,
        (Some(start), _) if at < start && start - at <= Duration::days(COMING_DAYS) => {
            State::Coming
        }
        (Some(start), _) if at < start => State::Later,
        _ => State::Live,
    }
}

fn entry(
    rules: &RuleSet,
    model: &OfferModel,
    compiled: &CompiledOffer,
    state: State,
    q: &Query,
) -> Entry {
    let zone = &rules.model.zone_name;
    let time_left = match state {
        State::Live => compiled
            .end
            .map(|end| format!("ends in {}", span(end - q.at))),
        State::Coming | State::Later => compiled
            .start
            .map(|start| format!("starts in {}", span(start - q.at))),
        State::Ended => compiled
            .end
            .map(|end| format!("ended {} ago", span(q.at - end))),
    };
    let on = q
        .channel
        .and_then(|c| model.on.iter().find(|o| o.channel == c));
    Entry {
        id: model.id.clone(),
        title: model.title.clone(),
        state,
        announce: model.announce.iter().map(|a| a.text.clone()).collect(),
        honored_on: model
            .honored_on
            .iter()
            .map(|&c| rules.model.channels[c].clone())
            .collect(),
        honored_here: q.channel.map(|c| compiled.honors(c)),
        window: window_words(model.window.as_ref(), zone).range,
        starts_at: compiled.start.map(format_instant),
        ends_at: compiled.end.map(format_instant),
        time_left,
        code: model.code.as_ref().map(|c| c.value.clone()),
        proofs: model.proofs.iter().map(|p| p.value.clone()).collect(),
        benefit: model.benefit.as_ref().map(words::benefit),
        combination: if model.exclusive {
            Some("cannot be combined with other offers")
        } else if model.stackable {
            Some("combines with other offers")
        } else {
            None
        },
        conditions: model
            .whens
            .iter()
            .map(|w| match &w.label {
                Some(label) => format!("{label} ({})", words::condition(&w.expr)),
                None => words::condition(&w.expr),
            })
            .collect(),
        limit: model.limit.as_ref().map(|l| match l.value {
            0 => String::from("never (limit 0)"),
            1 => String::from("once per customer"),
            2 => String::from("twice per customer"),
            n => format!("{n} times per customer"),
        }),
        budget: compiled.budget,
        budget_left: compiled
            .budget
            .zip(q.used)
            .map(|(budget, used)| budget.saturating_sub(used.get(&model.id).copied().unwrap_or(0))),
        priority: model.priority,
        note: on
            .and_then(|o| o.note.clone())
            .or_else(|| model.note.clone()),
        elsewhere: model.elsewhere.clone(),
    }
}

/// A duration in the largest whole unit: `61 days`, `1 day`, `5 hours`, `12 minutes`.
fn span(d: Duration) -> String {
    let plural = |n: i64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    if d.num_days() >= 1 {
        plural(d.num_days(), "day")
    } else if d.num_hours() >= 1 {
        plural(d.num_hours(), "hour")
    } else {
        plural(d.num_minutes().max(1), "minute")
    }
}
