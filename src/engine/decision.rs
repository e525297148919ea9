//! Deciding every offer of a rule set for one context on one channel (or all), with
//! explanations, the price quote and, across channels, the parity check (docs/language.md, "How an offer is decided").

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use crate::engine::compile::{CompiledOffer, normalize_code};
use crate::engine::evaluate::eligible_from::{self, Because};
use crate::engine::evaluate::outcome::{
    self, Found, Window, benefit_currency, eligibility, fee_currency,
};
use crate::engine::evaluate::residual::{Residual, residual};
use crate::engine::evaluate::{Env, Tri, eval, explain};
use crate::engine::quote::{Quote, Taker, quote};
use crate::engine::ruleset::RuleSet;
use crate::input::context::Context;
use crate::language::check::schema::{CODES, PRICE, PROOFS, REDEEMED};
use crate::language::check::{ClauseRef, OfferModel};
use crate::value::money::Money;
use crate::value::time::{format_instant, local_datetime};
use crate::value::{Value, quoted};

pub use crate::engine::evaluate::outcome::{Outcome, Status};

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ClauseResult {
    pub clause: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    pub result: Outcome,
    pub detail: String,
}

/// One offer's decision on one channel, as docs/language.md ("Decisions as JSON") shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OfferDecision {
    pub id: String,
    pub title: String,
    pub status: Status,
    pub clauses: Vec<ClauseResult>,
    pub missing: Vec<String>,
    /// What would turn a "no" into a "yes": the residual of each clause that fails or is
    /// unknown, in clause order; empty when the offer is eligible (docs/language.md, "What would it take").
    pub needs: Vec<Need>,
    /// A failing clause can never pass again (the window is over, the limit reached…).
    #[serde(rename = "final")]
    pub is_final: bool,
    /// The first instant after `at` at which the offer would be eligible with the context
    /// unchanged, within 150 years.
    pub eligible_from: Option<String>,
    /// When and why it becomes eligible, in the rule set's zone (for text output).
    #[serde(skip)]
    pub eligible_when: Option<EligibleWhen>,
    /// Why a failing clause can never pass (for text output): its explanation.
    #[serde(skip)]
    pub final_because: Vec<String>,
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

/// The day an offer becomes eligible, as the rule set's zone reads it, and why then.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EligibleWhen {
    /// The local date and time, like `Sat 1 Aug 2026, 00:00 America/Chicago`.
    pub local: String,
    pub because: Because,
}

/// What one clause that fails or is unknown still needs (docs/language.md, "What would it take").
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "clause", rename_all = "snake_case")]
pub enum Need {
    /// The window has not started: it starts at `from` (UTC).
    Valid {
        from: String,
    },
    Code {
        code: String,
    },
    Proof {
        proof: String,
    },
    /// The customer's past redemptions are not known.
    Limit {
        missing: [&'static str; 1],
    },
    /// No ledger is attached to count the offer's redemptions.
    Budget {
        missing: [&'static str; 1],
    },
    When {
        #[serde(skip_serializing_if = "Option::is_none")]
        label: Option<String>,
        residual: Residual,
    },
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
    pub decisions: ByChannel<Decision>,
    pub parity: Parity,
}

/// Values by channel name, in the rule set's channel order (or the order the channels were
/// given); JSON shows them as a map from the channel's name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ByChannel<T>(pub Vec<(String, T)>);

impl<T> ByChannel<T> {
    /// The values, in channel order.
    pub fn values(&self) -> impl Iterator<Item = &T> {
        self.0.iter().map(|(_, v)| v)
    }
}

impl<T: Serialize> Serialize for ByChannel<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (channel, value) in &self.0 {
            map.serialize_entry(channel, value)?;
        }
        map.end()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Parity {
    pub same: bool,
    pub differences: Vec<Difference>,
}

/// One entry of `parity.differences` (docs/language.md, "Decisions as JSON"): `{"offer", "kind", …}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
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

/// What an offer's clauses say for a context, before any channel is considered.
#[derive(Clone)]
struct Eligibility {
    clauses: Vec<ClauseResult>,
    found: Vec<Found>,
    /// Per clause, what it still needs (for those that fail or are unknown and can pass).
    needs: Vec<Option<Need>>,
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
        self.channel_decision(ctx, &env, found, channel, at, only)
    }

    /// Decides on every channel and compares them (docs/language.md, "Parity").
    pub fn decide_all(&self, ctx: &Context, at: DateTime<Utc>, only: Option<usize>) -> AllChannels {
        let env = Env::new(at, self.model.zone);
        let found = self.offers_for(ctx, &env);
        let decisions: Vec<Decision> = (0..self.model.channels.len())
            .map(|c| self.channel_decision(ctx, &env, found.clone(), c, at, only))
            .collect();
        let parity = self.parity(&decisions, only);
        AllChannels {
            decisions: ByChannel(
                decisions
                    .into_iter()
                    .map(|d| (d.channel.clone(), d))
                    .collect(),
            ),
            parity,
        }
    }

    /// The fields whose absence leaves an offer undecided (empty unless it is `unknown`
    /// before channels are considered).
    pub fn missing(&self, offer: usize, ctx: &Context, at: DateTime<Utc>) -> Vec<String> {
        let env = Env::new(at, self.model.zone);
        let found = self.eligibility(&self.model.offers[offer], &self.offers[offer], ctx, &env);
        let unknown = eligibility(found.found.iter().map(Found::outcome)) == Status::Unknown;
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

    /// What each clause of an offer finds in a context, in the order explanations list
    /// them: the facts both the status and the words come from.
    fn facts(
        &self,
        model: &OfferModel,
        compiled: &CompiledOffer,
        ctx: &Context,
        env: &Env,
    ) -> Vec<(ClauseRef, Found)> {
        let list_price = list_price(ctx);
        let texts = |slot| match ctx.get(slot) {
            Some(Value::List(items)) => Some(items),
            _ => None,
        };
        let holds = |slot, wanted: &str| {
            texts(slot).map(|items| {
                items
                    .iter()
                    .any(|c| matches!(c, Value::Text(t) if normalize_code(t) == wanted))
            })
        };
        model
            .listed
            .iter()
            .filter_map(|&item| {
                let found = match item {
                    ClauseRef::Valid => {
                        Found::Window(Window::at(compiled, env.at.timestamp_micros()))
                    }
                    ClauseRef::Code => {
                        Found::Code(holds(CODES, compiled.code.as_deref().unwrap_or("")))
                    }
                    ClauseRef::Proof(i) => Found::Proof(holds(PROOFS, &compiled.proofs[i])),
                    ClauseRef::Limit => Found::Limit {
                        used: texts(REDEEMED).map(|ids| {
                            ids.iter()
                                .filter(|r| matches!(r, Value::Text(t) if *t == model.id))
                                .count()
                        }),
                        limit: compiled.limit.unwrap_or(0),
                    },
                    ClauseRef::Budget => Found::Budget {
                        used: ctx.budget_use(&model.id),
                        budget: compiled.budget.unwrap_or(0),
                    },
                    ClauseRef::When(i) => {
                        let (value, missing) = eval(&compiled.whens[i], ctx, env);
                        Found::When { value, missing }
                    }
                    ClauseRef::Benefit => benefit_currency(compiled, list_price)?,
                };
                Some((item, found))
            })
            .collect()
    }

    /// The offer's eligibility at another instant, on a channel (its fee's currency counts),
    /// without words: what `eligible_from` tries at each candidate instant.
    fn eligible_at(&self, offer: usize, ctx: &Context, env: &Env, channel: usize) -> bool {
        let (model, compiled) = (&self.model.offers[offer], &self.offers[offer]);
        let facts = self.facts(model, compiled, ctx, env);
        let fee = fee_currency(compiled, channel, list_price(ctx));
        eligibility(facts.iter().map(|(_, f)| f).chain(&fee).map(Found::outcome))
            == Status::Eligible
    }

    fn eligibility(
        &self,
        model: &OfferModel,
        compiled: &CompiledOffer,
        ctx: &Context,
        env: &Env,
    ) -> Eligibility {
        let schema = &self.model.schema;
        let facts = self.facts(model, compiled, ctx, env);
        let mut clauses = Vec::with_capacity(facts.len());
        let mut needs = Vec::with_capacity(facts.len());
        let mut missing: Vec<String> = Vec::new();
        let mut slots: Vec<usize> = Vec::new();
        for (item, found) in &facts {
            let result = found.outcome();
            let written_code = || model.code.as_ref().map_or("", |c| c.value.as_str());
            let (clause, label, detail) = match (*item, found) {
                (ClauseRef::Valid, Found::Window(w)) => {
                    let words = &compiled.window_words;
                    let detail = match w {
                        Window::Before => &words.before,
                        Window::Inside => &words.inside,
                        Window::After => &words.after,
                    }
                    .clone();
                    ("valid", None, detail)
                }
                (ClauseRef::Code, Found::Code(presented)) => {
                    let written = quoted(written_code());
                    let detail = match (presented, ctx.get(CODES)) {
                        (Some(true), _) => format!("code {written} presented"),
                        (Some(false), Some(Value::List(codes))) if codes.is_empty() => {
                            format!("needs code {written}; the customer has no codes")
                        }
                        (Some(false), Some(codes)) => {
                            format!("needs code {written}; the customer has {codes}")
                        }
                        _ => {
                            slots.push(CODES);
                            format!("needs code {written}; the customer's codes are not known")
                        }
                    };
                    ("code", None, detail)
                }
                (ClauseRef::Proof(i), Found::Proof(seen)) => {
                    let written = quoted(&model.proofs[i].value);
                    let detail = match (seen, ctx.get(PROOFS)) {
                        (Some(true), _) => format!("proof {written} seen"),
                        (Some(false), Some(Value::List(proofs))) if proofs.is_empty() => {
                            format!("needs proof {written}; no proof has been seen")
                        }
                        (Some(false), Some(proofs)) => {
                            format!("needs proof {written}; the proofs seen are {proofs}")
                        }
                        _ => {
                            slots.push(PROOFS);
                            format!(
                                "needs proof {written}; the customer's proofs have not been checked"
                            )
                        }
                    };
                    ("proof", Some(model.proofs[i].value.clone()), detail)
                }
                (ClauseRef::Limit, Found::Limit { used, limit }) => {
                    let detail = match used {
                        Some(used) if used < limit => format!("redeemed {used} of {limit} allowed"),
                        Some(used) => {
                            format!("redeemed {used} of {limit} allowed: the limit is reached")
                        }
                        None => {
                            slots.push(REDEEMED);
                            format!(
                                "limit {limit} per customer; the customer's past redemptions are not known"
                            )
                        }
                    };
                    ("limit", None, detail)
                }
                (ClauseRef::Budget, Found::Budget { used, budget }) => {
                    let detail = match used {
                        Some(used) if used < budget => {
                            format!("{} of {budget} left", budget - used)
                        }
                        Some(_) => format!("0 of {budget} left: the budget is used up"),
                        None => {
                            missing.push(String::from("ledger"));
                            format!(
                                "budget {budget} redemptions; no ledger is attached to count them"
                            )
                        }
                    };
                    ("budget", None, detail)
                }
                (ClauseRef::When(i), Found::When { value, missing: m }) => {
                    let e = explain(&compiled.whens[i], ctx, env, schema);
                    debug_assert_eq!(e.value, *value);
                    if *value == Tri::Unknown {
                        slots.extend(m);
                    }
                    ("when", model.whens[i].label.clone(), e.detail)
                }
                (
                    ClauseRef::Benefit,
                    Found::BenefitCurrency {
                        benefit,
                        price,
                        cap,
                    },
                ) => {
                    let what = if *cap { "cap" } else { "benefit" };
                    let detail = format!(
                        "the {what} is in {}, the price in {}",
                        benefit.code(),
                        price.code()
                    );
                    ("benefit", None, detail)
                }
                // `facts` pairs every clause with its own kind of finding
                _ => continue,
            };
            let need = match (result, found) {
                (Outcome::Pass, _) => None,
                (_, Found::Window(Window::Before)) => compiled.start.map(|t| Need::Valid {
                    from: format_instant(t),
                }),
                (_, Found::Code(_)) => Some(Need::Code {
                    code: written_code().to_string(),
                }),
                (_, Found::Proof(_)) => label.clone().map(|proof| Need::Proof { proof }),
                (Outcome::Unknown, Found::Limit { .. }) => Some(Need::Limit {
                    missing: ["redeemed"],
                }),
                (Outcome::Unknown, Found::Budget { .. }) => Some(Need::Budget {
                    missing: ["ledger"],
                }),
                (_, Found::When { .. }) => {
                    let ClauseRef::When(i) = item else { continue };
                    residual(&compiled.whens[*i], ctx, env, schema)
                        .1
                        .map(|residual| Need::When {
                            label: label.clone(),
                            residual,
                        })
                }
                _ => None,
            };
            needs.push(need);
            clauses.push(ClauseResult {
                clause,
                label,
                result,
                detail,
            });
        }
        slots.sort_unstable();
        slots.dedup();
        missing.extend(slots.iter().map(|s| schema.field(*s).path.clone()));
        // by code point of the path, whatever the schema's order (docs/language.md, "Three values")
        missing.sort_unstable();
        missing.dedup();
        Eligibility {
            clauses,
            found: facts.into_iter().map(|(_, f)| f).collect(),
            needs,
            missing,
        }
    }

    fn channel_decision(
        &self,
        ctx: &Context,
        env: &Env,
        found: Vec<Eligibility>,
        channel: usize,
        at: DateTime<Utc>,
        only: Option<usize>,
    ) -> Decision {
        let channel_name = &self.model.channels[channel];
        let list_price = list_price(ctx);
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
            let Eligibility {
                mut clauses,
                mut found,
                needs,
                missing,
            } = elig;
            if let Some(f @ Found::FeeCurrency { fee, price }) =
                fee_currency(compiled, channel, list_price)
            {
                clauses.push(ClauseResult {
                    clause: "fee",
                    label: None,
                    result: Outcome::Fail,
                    detail: format!(
                        "the fee on {channel_name} is in {}, the price in {}",
                        fee.code(),
                        price.code()
                    ),
                });
                found.push(f);
            }
            let eligibility = eligibility(found.iter().map(Found::outcome));
            let honored = compiled.honors(channel);
            let status = outcome::status(eligibility, honored);
            let price = match (status, compiled.benefit, list_price) {
                (Status::Eligible, Some(b), Some(list)) => Some(b.apply(list)),
                _ => None,
            };
            statuses.push(status);
            if only.is_some_and(|o| o != i) {
                continue;
            }
            let is_final = found.iter().any(Found::is_final);
            let from = if eligibility == Status::Eligible || is_final {
                None
            } else {
                eligible_from::candidates(compiled, ctx, env)
                    .into_iter()
                    .find(|(t, _)| {
                        self.eligible_at(i, ctx, &Env::new(*t, self.model.zone), channel)
                    })
            };
            let final_because = if eligibility == Status::Eligible {
                Vec::new()
            } else {
                found
                    .iter()
                    .zip(&clauses)
                    .filter(|(f, _)| f.is_final())
                    .map(|(f, c)| match f {
                        Found::Window(_) => format!("the offer {}", c.detail),
                        Found::Limit { limit, .. } => format!(
                            "the customer has had it {limit} time{}, as often as it allows",
                            if *limit == 1 { "" } else { "s" }
                        ),
                        Found::Budget { .. } => String::from("the offer's budget is used up"),
                        _ => c.detail.clone(),
                    })
                    .collect()
            };
            let on = model
                .on
                .iter()
                .find(|o| o.channel == channel)
                .filter(|_| honored);
            offers.push(OfferDecision {
                id: model.id.clone(),
                title: model.title.clone(),
                status,
                clauses,
                missing: if eligibility == Status::Unknown {
                    missing
                } else {
                    Vec::new()
                },
                needs: if eligibility == Status::Eligible {
                    Vec::new()
                } else {
                    needs.into_iter().flatten().collect()
                },
                is_final: eligibility != Status::Eligible && is_final,
                eligible_from: from.as_ref().map(|(t, _)| format_instant(*t)),
                eligible_when: from.map(|(t, because)| EligibleWhen {
                    local: format!(
                        "{} {}",
                        local_datetime(self.model.zone, t).format("%a %-d %b %Y, %H:%M"),
                        self.model.zone_name
                    ),
                    because,
                }),
                final_because,
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

    /// The price quote on a channel, from every offer's status there (docs/language.md, "The price quote").
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
            for on in model
                .on
                .iter()
                .filter(|o| model.honored_on.contains(&o.channel))
            {
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

/// The context's list price, when it has one.
fn list_price(ctx: &Context) -> Option<Money> {
    match ctx.get(PRICE) {
        Some(Value::Money(m)) => Some(*m),
        _ => None,
    }
}
