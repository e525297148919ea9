//! Deciding every offer of a rule set for one context on one channel (or all), with
//! explanations, the price quote and, across channels, the parity check (SPEC section 4).

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use crate::engine::compile::{CompiledOffer, normalize_code};
use crate::engine::evaluate::{Env, Tri, explain};
use crate::engine::quote::{Quote, Taker, quote};
use crate::engine::ruleset::RuleSet;
use crate::input::context::Context;
use crate::language::check::schema::{CODES, PRICE, REDEEMED};
use crate::language::check::{Explained, OfferModel};
use crate::value::money::Money;
use crate::value::time::format_instant;
use crate::value::{Value, quoted};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Eligible,
    Ineligible,
    Unknown,
    NotHonored,
}

impl Status {
    pub fn word(self) -> &'static str {
        match self {
            Status::Eligible => "eligible",
            Status::Ineligible => "ineligible",
            Status::Unknown => "unknown",
            Status::NotHonored => "not_honored",
        }
    }

    fn of(results: impl Iterator<Item = Outcome>) -> Status {
        let mut status = Status::Eligible;
        for r in results {
            match r {
                Outcome::Fail => return Status::Ineligible,
                Outcome::Unknown => status = Status::Unknown,
                Outcome::Pass => {}
            }
        }
        status
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Pass,
    Fail,
    Unknown,
}

impl Outcome {
    pub fn word(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::Unknown => "unknown",
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

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ClauseResult {
    pub clause: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    pub result: Outcome,
    pub detail: String,
}

/// One offer's decision on one channel, as SPEC section 7 prints it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OfferDecision {
    pub id: String,
    pub title: String,
    pub status: Status,
    pub clauses: Vec<ClauseResult>,
    pub missing: Vec<String>,
    pub price: Option<String>,
    pub note: Option<String>,
    /// For `not_honored`: the status it would have where honored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eligibility: Option<Status>,
    /// For `not_honored`: what to tell the customer (`null` when the offer says nothing).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub elsewhere: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub honored_on: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fee: Option<String>,
}

/// Every offer on one channel.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub channel: String,
    pub at: String,
    pub rules: String,
    pub offers: Vec<OfferDecision>,
    pub quote: Option<Quote>,
}

/// Every channel, and whether they agree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AllChannels {
    pub decisions: Decisions,
    pub parity: Parity,
}

/// The decisions by channel, in the rule set's channel order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decisions(pub Vec<Decision>);

impl Serialize for Decisions {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for d in &self.0 {
            map.serialize_entry(&d.channel, d)?;
        }
        map.end()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Parity {
    pub same: bool,
    pub differences: Vec<Difference>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Difference {
    /// Channels that honor the offer answer differently.
    Disagreement {
        offer: String,
        channels: Vec<String>,
    },
    NotHonored {
        offer: String,
        not_honored_on: Vec<String>,
        honored_on: Vec<String>,
        elsewhere: Option<String>,
    },
    /// An intentional `on <channel>` difference.
    Declared {
        offer: String,
        channel: String,
        note: Option<String>,
        fee: Option<String>,
    },
}

impl Serialize for Difference {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        match self {
            Difference::Disagreement { offer, channels } => {
                map.serialize_entry("offer", offer)?;
                map.serialize_entry("kind", "disagreement")?;
                map.serialize_entry("channels", channels)?;
            }
            Difference::NotHonored {
                offer,
                not_honored_on,
                honored_on,
                elsewhere,
            } => {
                map.serialize_entry("offer", offer)?;
                map.serialize_entry("kind", "not_honored")?;
                map.serialize_entry("not_honored_on", not_honored_on)?;
                map.serialize_entry("honored_on", honored_on)?;
                map.serialize_entry("elsewhere", elsewhere)?;
            }
            Difference::Declared {
                offer,
                channel,
                note,
                fee,
            } => {
                map.serialize_entry("offer", offer)?;
                map.serialize_entry("kind", "declared")?;
                map.serialize_entry("channel", channel)?;
                map.serialize_entry("note", note)?;
                map.serialize_entry("fee", fee)?;
            }
        }
        map.end()
    }
}

/// What an offer's clauses say for a context, before any channel is considered.
#[derive(Clone)]
struct Eligibility {
    clauses: Vec<ClauseResult>,
    missing: Vec<String>,
}

impl RuleSet {
    /// Decides every offer for `ctx` on one channel at `at`. `only` narrows the listing to
    /// one offer; the quote always considers every offer.
    pub fn decide(
        &self,
        ctx: &Context,
        channel: usize,
        at: DateTime<Utc>,
        only: Option<usize>,
    ) -> Decision {
        let env = Env::new(at, self.model.zone);
        let found = self.offers_for(ctx, &env);
        self.channel_decision(ctx, found, channel, at, only)
    }

    /// Decides on every channel and compares them (SPEC section 4.4).
    pub fn decide_all(&self, ctx: &Context, at: DateTime<Utc>, only: Option<usize>) -> AllChannels {
        let env = Env::new(at, self.model.zone);
        let found = self.offers_for(ctx, &env);
        let decisions: Vec<Decision> = (0..self.model.channels.len())
            .map(|c| self.channel_decision(ctx, found.clone(), c, at, only))
            .collect();
        let parity = self.parity(&decisions, only);
        AllChannels {
            decisions: Decisions(decisions),
            parity,
        }
    }

    /// The fields whose absence leaves an offer undecided (empty unless it is `unknown`
    /// before channels are considered).
    pub fn missing(&self, offer: usize, ctx: &Context, at: DateTime<Utc>) -> Vec<String> {
        let env = Env::new(at, self.model.zone);
        let found = self.eligibility(&self.model.offers[offer], &self.offers[offer], ctx, &env);
        let unknown = Status::of(found.clauses.iter().map(|c| c.result)) == Status::Unknown;
        if unknown { found.missing } else { Vec::new() }
    }

    fn offers_for(&self, ctx: &Context, env: &Env) -> Vec<Eligibility> {
        self.model
            .offers
            .iter()
            .zip(&self.offers)
            .map(|(model, compiled)| self.eligibility(model, compiled, ctx, env))
            .collect()
    }

    fn eligibility(
        &self,
        model: &OfferModel,
        compiled: &CompiledOffer,
        ctx: &Context,
        env: &Env,
    ) -> Eligibility {
        let schema = &self.model.schema;
        let mut clauses = Vec::with_capacity(model.explained.len());
        let mut missing: Vec<usize> = Vec::new();
        let list_price = match ctx.get(PRICE) {
            Some(Value::Money(m)) => Some(*m),
            _ => None,
        };
        for item in &model.explained {
            let (clause, label, result, detail) = match *item {
                Explained::Valid => {
                    let (result, detail) = window_result(compiled, env.at);
                    ("valid", None, result, detail)
                }
                Explained::Code => {
                    let written = model.code.as_ref().map_or("", |c| c.value.as_str());
                    let needed = compiled.code.as_deref().unwrap_or("");
                    match ctx.get(CODES) {
                        Some(Value::List(codes)) => {
                            let has = codes.iter().any(
                                |c| matches!(c, Value::Text(t) if normalize_code(t) == needed),
                            );
                            let detail = if has {
                                format!("code {} presented", quoted(written))
                            } else if codes.is_empty() {
                                format!("needs code {}; the customer has no codes", quoted(written))
                            } else {
                                format!(
                                    "needs code {}; the customer has {}",
                                    quoted(written),
                                    Value::List(codes.clone())
                                )
                            };
                            (
                                "code",
                                None,
                                if has { Outcome::Pass } else { Outcome::Fail },
                                detail,
                            )
                        }
                        _ => {
                            missing.push(CODES);
                            let detail = format!(
                                "needs code {}; the customer's codes are not known",
                                quoted(written)
                            );
                            ("code", None, Outcome::Unknown, detail)
                        }
                    }
                }
                Explained::Limit => {
                    let limit = compiled.limit.unwrap_or(0);
                    match ctx.get(REDEEMED) {
                        Some(Value::List(ids)) => {
                            let used = ids
                                .iter()
                                .filter(|r| matches!(r, Value::Text(t) if *t == model.id))
                                .count();
                            let ok = used < limit;
                            let detail = if ok {
                                format!("redeemed {used} of {limit} allowed")
                            } else {
                                format!("redeemed {used} of {limit} allowed: the limit is reached")
                            };
                            (
                                "limit",
                                None,
                                if ok { Outcome::Pass } else { Outcome::Fail },
                                detail,
                            )
                        }
                        _ => {
                            missing.push(REDEEMED);
                            let detail = format!(
                                "limit {limit} per customer; the customer's past redemptions are not known"
                            );
                            ("limit", None, Outcome::Unknown, detail)
                        }
                    }
                }
                Explained::When(i) => {
                    let e = explain(&compiled.whens[i], ctx, env, schema);
                    if e.value == Tri::Unknown {
                        missing.extend(&e.missing);
                    }
                    (
                        "when",
                        model.whens[i].label.clone(),
                        e.value.into(),
                        e.detail,
                    )
                }
                Explained::Benefit => {
                    let Some(mismatch) = benefit_mismatch(compiled, list_price) else {
                        continue;
                    };
                    ("benefit", None, Outcome::Fail, mismatch)
                }
            };
            clauses.push(ClauseResult {
                clause,
                label,
                result,
                detail,
            });
        }
        missing.sort_unstable();
        missing.dedup();
        Eligibility {
            clauses,
            missing: missing
                .iter()
                .map(|s| schema.field(*s).path.clone())
                .collect(),
        }
    }

    fn channel_decision(
        &self,
        ctx: &Context,
        found: Vec<Eligibility>,
        channel: usize,
        at: DateTime<Utc>,
        only: Option<usize>,
    ) -> Decision {
        let channel_name = &self.model.channels[channel];
        let list_price = match ctx.get(PRICE) {
            Some(Value::Money(m)) => Some(*m),
            _ => None,
        };
        let mut offers = Vec::with_capacity(found.len());
        let mut statuses = Vec::with_capacity(found.len());
        for (i, ((model, compiled), elig)) in self
            .model
            .offers
            .iter()
            .zip(&self.offers)
            .zip(found)
            .enumerate()
        {
            let fee = compiled.fees[channel];
            let mut clauses = elig.clauses;
            if let (Some(fee), Some(price)) = (fee, list_price)
                && fee.currency != price.currency
            {
                clauses.push(ClauseResult {
                    clause: "fee",
                    label: None,
                    result: Outcome::Fail,
                    detail: format!(
                        "the fee on {channel_name} is in {}, the price in {}",
                        fee.currency.code(),
                        price.currency.code()
                    ),
                });
            }
            let eligibility = Status::of(clauses.iter().map(|c| c.result));
            let honored = compiled.honors(channel);
            let status = if honored {
                eligibility
            } else {
                Status::NotHonored
            };
            let price = match (status, compiled.benefit, list_price) {
                (Status::Eligible, Some(b), Some(list)) => Some(b.apply(list)),
                _ => None,
            };
            statuses.push(status);
            if only.is_some_and(|o| o != i) {
                continue;
            }
            let on = model.on.iter().find(|o| o.channel == channel);
            offers.push(OfferDecision {
                id: model.id.clone(),
                title: model.title.clone(),
                status,
                clauses,
                missing: if eligibility == Status::Unknown {
                    elig.missing
                } else {
                    Vec::new()
                },
                price: price.map(|p| p.to_string()),
                note: on
                    .and_then(|o| o.note.clone())
                    .or_else(|| model.note.clone()),
                eligibility: (!honored).then_some(eligibility),
                elsewhere: (!honored).then(|| model.elsewhere.clone()),
                honored_on: (!honored).then(|| self.channel_names(&model.honored_on)),
                fee: fee.map(|f| f.to_string()),
            });
        }
        Decision {
            channel: channel_name.clone(),
            at: format_instant(at),
            rules: self.fingerprint.clone(),
            offers,
            quote: list_price.map(|list| self.quote(&statuses, channel, list)),
        }
    }

    /// The price quote on a channel, from every offer's status there (SPEC section 4.3).
    pub fn quote(&self, statuses: &[Status], channel: usize, list: Money) -> Quote {
        let takers: Vec<Taker> = self
            .model
            .offers
            .iter()
            .zip(&self.offers)
            .zip(statuses)
            .filter(|(_, status)| **status == Status::Eligible)
            .filter_map(|((model, compiled), _)| {
                Some(Taker {
                    id: &model.id,
                    title: &model.title,
                    priority: model.priority,
                    stackable: model.stackable,
                    exclusive: model.exclusive,
                    benefit: compiled.benefit?,
                    fee: compiled.fees[channel],
                })
            })
            .collect();
        quote(list, &takers)
    }

    fn channel_names(&self, indices: &[usize]) -> Vec<String> {
        indices
            .iter()
            .map(|&c| self.model.channels[c].clone())
            .collect()
    }

    fn parity(&self, decisions: &[Decision], only: Option<usize>) -> Parity {
        let mut differences = Vec::new();
        let mut same = true;
        let all: Vec<usize> = (0..self.model.channels.len()).collect();
        for (i, model) in self.model.offers.iter().enumerate() {
            if only.is_some_and(|o| o != i) {
                continue;
            }
            // the listing holds every offer in order, or only the one asked for
            let listed = if only.is_some() { 0 } else { i };
            let views: Vec<&OfferDecision> = model
                .honored_on
                .iter()
                .filter_map(|&c| decisions[c].offers.get(listed))
                .collect();
            let agree = views.windows(2).all(|w| {
                w[0].status == w[1].status
                    && w[0].clauses == w[1].clauses
                    && w[0].price == w[1].price
            });
            if !agree {
                same = false;
                differences.push(Difference::Disagreement {
                    offer: model.id.clone(),
                    channels: self.channel_names(&model.honored_on),
                });
            }
            if model.honored_on != all {
                let not_honored: Vec<usize> = all
                    .iter()
                    .copied()
                    .filter(|c| !model.honored_on.contains(c))
                    .collect();
                differences.push(Difference::NotHonored {
                    offer: model.id.clone(),
                    not_honored_on: self.channel_names(&not_honored),
                    honored_on: self.channel_names(&model.honored_on),
                    elsewhere: model.elsewhere.clone(),
                });
            }
            for on in &model.on {
                differences.push(Difference::Declared {
                    offer: model.id.clone(),
                    channel: self.model.channels[on.channel].clone(),
                    note: on.note.clone(),
                    fee: on.fee.map(|f| f.to_string()),
                });
            }
        }
        Parity { same, differences }
    }
}

/// A benefit (or its cap) in another currency than the price makes the offer ineligible.
fn benefit_mismatch(compiled: &CompiledOffer, list_price: Option<Money>) -> Option<String> {
    let price = list_price?;
    let (benefit, cap) = compiled.benefit?.currencies();
    if let Some(m) = benefit.filter(|m| m.currency != price.currency) {
        return Some(format!(
            "the benefit is in {}, the price in {}",
            m.currency.code(),
            price.currency.code()
        ));
    }
    if let Some(m) = cap.filter(|m| m.currency != price.currency) {
        return Some(format!(
            "the cap is in {}, the price in {}",
            m.currency.code(),
            price.currency.code()
        ));
    }
    None
}

/// The `valid` clause: inside the window, or when it starts or ended.
fn window_result(compiled: &CompiledOffer, at: DateTime<Utc>) -> (Outcome, String) {
    let words = &compiled.window_words;
    if compiled.start.is_some_and(|start| at < start) {
        (Outcome::Fail, words.before.clone())
    } else if compiled.end.is_some_and(|end| at >= end) {
        (Outcome::Fail, words.after.clone())
    } else {
        (Outcome::Pass, words.inside.clone())
    }
}
