//! Deciding every offer of a rule set for one context on one channel (or all), with
//! explanations, the price quote and, across channels, the parity check (docs/language.md, "How an offer is decided").

use std::fmt;

use chrono::{DateTime, Timelike, Utc};
use serde::Serialize;
use serde::ser::{SerializeMap, SerializeStruct, Serializer};

use crate::engine::compile::normalize_code;
use crate::engine::evaluate::eligible_from::{self, Because};
use crate::engine::evaluate::outcome::{
    self, Found, Window, benefit_currency, eligibility, fee_currency,
};
use crate::engine::evaluate::residual::Residual;
use crate::engine::evaluate::{Env, Scratch, Tests, WhenFound, answer_all};
use crate::engine::quote::{Quote, Taker, quote};
use crate::engine::ruleset::RuleSet;
use crate::input::context::Context;
use crate::language::check::ClauseRef;
use crate::language::check::schema::{CODES, PRICE, PROOFS, REDEEMED};
use crate::value::money::Money;
use crate::value::time::{format_instant, local_datetime};
use crate::value::{Value, Words, write_quoted};

pub use crate::engine::evaluate::outcome::{Outcome, Status};

/// One clause of an offer as a decision explains it: `{"clause", "label"?, "result", "detail"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ClauseResult<'a> {
    /// The clause's keyword: `valid`, `code`, `proof`, `when`, `limit`, `budget`, `currency`.
    pub clause: &'static str,
    /// A `when`'s label, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<&'a str>,
    /// Whether the clause holds for this customer now.
    pub result: Outcome,
    /// The clause and the values it read, put into words when it is shown.
    pub detail: Detail<'a>,
}

/// What a clause found and the values it read, as data; it becomes words (`Display`, and a
/// JSON string) only when shown: `customer.tier is "gold", needs one of "gold", "platinum"`.
#[derive(Clone, PartialEq, Eq)]
pub struct Detail<'a> {
    /// The facts the clause's outcome is decided from (`outcome.rs`).
    pub(crate) found: Found,
    /// What its words need besides.
    pub(crate) read: Read<'a>,
}

/// What a clause's words need besides its facts.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Read<'a> {
    /// The window's words for where the instant stands, and the window's first instant.
    Window {
        words: &'a str,
        start: Option<DateTime<Utc>>,
    },
    /// A code or proof as the rule file writes it, and the customer's list of them.
    Listed {
        written: &'a str,
        list: Option<&'a Value>,
    },
    When(WhenFound<'a>),
    /// The channel whose fee is in another currency.
    Fee {
        channel: &'a str,
    },
    /// The facts say it all (limit, budget, the benefit's currency).
    Nothing,
}

/// How the words of a code and of a proof differ.
struct Listing {
    name: &'static str,
    held: &'static str,
    none: &'static str,
    some: &'static str,
    unknown: &'static str,
}

const CODE: Listing = Listing {
    name: "code",
    held: "presented",
    none: "the customer has no codes",
    some: "the customer has",
    unknown: "the customer's codes are not known",
};

const PROOF: Listing = Listing {
    name: "proof",
    held: "seen",
    none: "no proof has been seen",
    some: "the proofs seen are",
    unknown: "the customer's proofs have not been checked",
};

impl fmt::Display for Detail<'_> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match (self.found, self.read) {
            (Found::Window(_), Read::Window { words, .. }) => f.write_str(words),
            (Found::Code(held) | Found::Proof(held), Read::Listed { written, list }) => {
                let words = if matches!(self.found, Found::Code(_)) {
                    &CODE
                } else {
                    &PROOF
                };
                let (name, written) = (words.name, Quoted(written));
                match (held, list) {
                    (Some(true), _) => write!(f, "{name} {written} {}", words.held),
                    (Some(false), Some(Value::List(items))) if items.is_empty() => {
                        write!(f, "needs {name} {written}; {}", words.none)
                    }
                    (Some(false), Some(list)) => {
                        write!(f, "needs {name} {written}; {} {list}", words.some)
                    }
                    _ => write!(f, "needs {name} {written}; {}", words.unknown),
                }
            }
            (Found::Limit { used, limit }, _) => match used {
                Some(used) if used < limit => write!(f, "redeemed {used} of {limit} allowed"),
                Some(used) => write!(
                    f,
                    "redeemed {used} of {limit} allowed: the limit is reached"
                ),
                None => write!(
                    f,
                    "limit {limit} per customer; the customer's past redemptions are not known"
                ),
            },
            (Found::Budget { used, budget }, _) => match used {
                Some(used) if used < budget => write!(f, "{} of {budget} left", budget - used),
                Some(_) => write!(f, "0 of {budget} left: the budget is used up"),
                None => write!(
                    f,
                    "budget {budget} redemptions; no ledger is attached to count them"
                ),
            },
            (Found::When(_), Read::When(when)) => when.fmt(f),
            (
                Found::BenefitCurrency {
                    benefit,
                    price,
                    cap,
                },
                _,
            ) => write!(
                f,
                "the {} is in {}, the price in {}",
                if cap { "cap" } else { "benefit" },
                benefit.code(),
                price.code()
            ),
            (Found::FeeCurrency { fee, price }, Read::Fee { channel }) => write!(
                f,
                "the fee on {channel} is in {}, the price in {}",
                fee.code(),
                price.code()
            ),
            // `RuleSet::clause` pairs each kind of fact with what its words read
            _ => Ok(()),
        }
    }
}

impl fmt::Debug for Detail<'_> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        fmt::Debug::fmt(&self.to_string(), f)
    }
}

impl PartialEq<str> for Detail<'_> {
    /// Whether the detail reads `words`, compared as it is written out.
    fn eq(&self, words: &str) -> bool {
        struct Rest<'w>(&'w str);
        impl fmt::Write for Rest<'_> {
            fn write_str(&mut self, s: &str) -> fmt::Result {
                self.0 = self.0.strip_prefix(s).ok_or(fmt::Error)?;
                Ok(())
            }
        }
        let mut rest = Rest(words);
        fmt::write(&mut rest, format_args!("{self}")).is_ok() && rest.0.is_empty()
    }
}

impl PartialEq<&str> for Detail<'_> {
    fn eq(&self, words: &&str) -> bool {
        *self == **words
    }
}

/// A JSON string, written straight into the output.
impl Serialize for Detail<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A text in double quotes, as the language writes it.
struct Quoted<'a>(&'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write_quoted(f, self.0)
    }
}

/// One offer's decision on one channel, as docs/language.md ("Decisions as JSON") shows it.
/// It borrows from the rule set and the context it was decided from, and is put into words
/// only when rendered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OfferDecision<'a> {
    /// The offer's id, as the rule file names it.
    pub id: &'a str,
    /// The offer's title, for the customer.
    pub title: &'a str,
    /// The offer's status on this channel.
    pub status: Status,
    /// Every clause that decides eligibility, explained, in the order written.
    pub clauses: Vec<ClauseResult<'a>>,
    /// The context fields the decision needed but did not have, sorted.
    pub missing: Vec<&'a str>,
    /// A failing clause can never pass again (the window is over, the limit reached…).
    pub is_final: bool,
    /// The first instant after `at` at which the offer would be eligible with the context
    /// unchanged, within 150 years (RFC 3339 in UTC in JSON).
    pub eligible_from: Option<DateTime<Utc>>,
    /// When and why it becomes eligible, in the rule set's zone (for text output).
    pub eligible_when: Option<EligibleWhen>,
    /// The customer's price with this offer alone (`"117.00 USD"`), when the context has a price and the offer has a price benefit.
    pub price: Option<Money>,
    /// The offer's note for this channel (an `on <channel>` note wins over the offer's).
    pub note: Option<&'a str>,
    /// For `not_honored`: the status it would have where honored.
    pub eligibility: Option<Status>,
    /// For `not_honored`: what to tell the customer (`None` inside when the offer says
    /// nothing).
    pub elsewhere: Option<Option<&'a str>>,
    /// For `not_honored`: the channels that honor it.
    pub honored_on: Option<Vec<&'a str>>,
    /// A fee this channel adds to the price (`on <channel> fee …`).
    pub fee: Option<Money>,
}

/// `{"id", "title", "status", "clauses", "missing", "needs", "final", "eligible_from",
/// "price", "note"}`, and for `not_honored` `"eligibility"`, `"elsewhere"`, `"honored_on"`;
/// `"fee"` when the channel adds one.
impl Serialize for OfferDecision<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut o = s.serialize_struct("OfferDecision", 14)?;
        o.serialize_field("id", self.id)?;
        o.serialize_field("title", self.title)?;
        o.serialize_field("status", &self.status)?;
        o.serialize_field("clauses", &self.clauses)?;
        o.serialize_field("missing", &self.missing)?;
        o.serialize_field("needs", &Needs(self))?;
        o.serialize_field("final", &self.is_final)?;
        o.serialize_field("eligible_from", &self.eligible_from.map(format_instant))?;
        o.serialize_field("price", &self.price.as_ref().map(Words))?;
        o.serialize_field("note", &self.note)?;
        if let Some(eligibility) = &self.eligibility {
            o.serialize_field("eligibility", eligibility)?;
        }
        if let Some(elsewhere) = &self.elsewhere {
            o.serialize_field("elsewhere", elsewhere)?;
        }
        if let Some(honored_on) = &self.honored_on {
            o.serialize_field("honored_on", honored_on)?;
        }
        if let Some(fee) = &self.fee {
            o.serialize_field("fee", &Words(fee))?;
        }
        o.end()
    }
}

/// The offer's needs as a JSON list, worked out as they are written.
struct Needs<'d, 'a>(&'d OfferDecision<'a>);

impl Serialize for Needs<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.needs())
    }
}

impl<'a> OfferDecision<'a> {
    /// What would turn a "no" into a "yes": what each clause that fails or is unknown still
    /// needs, in clause order; nothing when the offer is eligible, or would be where it is
    /// honored (docs/language.md, "What would it take"). Worked out when asked for.
    pub fn needs(&self) -> impl Iterator<Item = Need<'a>> + '_ {
        let eligible = match self.status {
            Status::NotHonored => self.eligibility == Some(Status::Eligible),
            status => status == Status::Eligible,
        };
        let clauses = if eligible { &[][..] } else { &self.clauses[..] };
        clauses.iter().filter_map(need)
    }

    /// Why the failing clauses can never pass (for text output), one phrase each; empty
    /// unless the decision is final.
    pub fn final_because(&self) -> Vec<String> {
        if !self.is_final {
            return Vec::new();
        }
        self.clauses
            .iter()
            .filter(|c| c.detail.found.is_final())
            .map(|c| match c.detail.found {
                Found::Window(_) => format!("the offer {}", c.detail),
                Found::Limit { limit, .. } => format!(
                    "the customer has had it {limit} time{}, as often as it allows",
                    if limit == 1 { "" } else { "s" }
                ),
                Found::Budget { .. } => String::from("the offer's budget is used up"),
                _ => c.detail.to_string(),
            })
            .collect()
    }
}

/// The day an offer becomes eligible, as the rule set's zone reads it, and why then.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EligibleWhen {
    /// The local date and time, like `Sat 1 Aug 2026, 00:00 America/Chicago`.
    pub local: String,
    /// Why then: the window starts, or a birthday or anniversary is reached.
    pub because: Because,
    /// The window's written start time (`02:30`) when the clocks skip it that night, so
    /// that it opens at the first instant after the gap (`03:30`).
    pub skipped: Option<String>,
}

/// What one clause that fails or is unknown still needs (docs/language.md, "What would it take").
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "clause", rename_all = "snake_case")]
pub enum Need<'a> {
    /// The window has not started: it starts at `from` (RFC 3339 in UTC in JSON).
    Valid {
        /// The window's first instant.
        #[serde(serialize_with = "instant")]
        from: DateTime<Utc>,
    },
    /// A code the customer must give.
    Code {
        /// The code, as the rule file writes it.
        code: &'a str,
    },
    /// A proof the agent must check (`"student ID"`).
    Proof {
        /// The proof, as the rule file writes it.
        proof: &'a str,
    },
    /// The customer's past redemptions are not known.
    Limit {
        /// `["redeemed"]`.
        missing: [&'static str; 1],
    },
    /// No ledger is attached to count the offer's redemptions.
    Budget {
        /// `["ledger"]`.
        missing: [&'static str; 1],
    },
    /// A `when` that fails or is unknown, and what of it still has to hold.
    When {
        /// The `when`'s label, when it has one.
        #[serde(skip_serializing_if = "Option::is_none")]
        label: Option<&'a str>,
        /// The tests still to hold, in negation normal form.
        residual: WhenResidual<'a>,
    },
}

/// What is left of a `when` that does not hold, worked out when it is shown: [`Self::tree`],
/// or JSON as docs/language.md ("What would it take") shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WhenResidual<'a>(pub(crate) WhenFound<'a>);

impl WhenResidual<'_> {
    /// The tests still to hold, in negation normal form.
    pub fn tree(&self) -> Residual {
        // a `when` that holds needs nothing: everything of nothing
        self.0.residual().unwrap_or(Residual::All(Vec::new()))
    }
}

impl Serialize for WhenResidual<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize_residual(s)
    }
}

fn instant<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format_instant(*t))
}

/// Every offer on one channel. It borrows from the rule set and the context it was decided
/// from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Decision<'a> {
    /// The channel decided on.
    pub channel: String,
    /// The instant decided at, RFC 3339 in UTC.
    pub at: String,
    /// The rule set's fingerprint (`sha256:…`).
    pub rules: String,
    /// Every offer, in rule-set order.
    pub offers: Vec<OfferDecision<'a>>,
    /// The best combination of the eligible offers' price benefits, when the context has a price.
    pub quote: Option<Quote>,
}

/// Every channel, and whether they agree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AllChannels<'a> {
    /// Each channel's decision.
    pub decisions: ByChannel<Decision<'a>>,
    /// Whether the channels that honor each offer agree on it.
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

/// Whether channels agree: `same` unless an undeclared difference was found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Parity {
    /// No channel that honors an offer answers differently from another.
    pub same: bool,
    /// Every difference, declared ones too.
    pub differences: Vec<Difference>,
}

/// One entry of `parity.differences` (docs/language.md, "Decisions as JSON"): `{"offer", "kind", …}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Difference {
    /// Channels that honor the offer answer differently.
    Disagreement {
        /// The offer's id.
        offer: String,
        /// The channels that disagree.
        channels: Vec<String>,
    },
    /// The offer is eligible or could be, but some channels do not honor it.
    NotHonored {
        /// The offer's id.
        offer: String,
        /// The channels that do not honor it.
        not_honored_on: Vec<String>,
        /// The channels that do.
        honored_on: Vec<String>,
        /// What to tell the customer where it is not honored.
        elsewhere: Option<String>,
    },
    /// An intentional `on <channel>` difference.
    Declared {
        /// The offer's id.
        offer: String,
        /// The channel the `on` clause names.
        channel: String,
        /// Its note, if any.
        note: Option<String>,
        /// Its fee, if any.
        fee: Option<String>,
    },
}

impl RuleSet {
    /// Decides every offer for `ctx` on one channel at `at`. `only` narrows the listing to
    /// one offer; the quote always considers every offer.
    pub fn decide<'a>(
        &'a self,
        ctx: &'a Context,
        channel: usize,
        at: DateTime<Utc>,
        only: Option<usize>,
    ) -> Decision<'a> {
        let env = Env::new(at, self.model.zone);
        let mut scratch = Scratch::default();
        let answers = answer_all(&self.model, &self.fast, ctx, at, &mut scratch);
        let clauses = |i| self.clauses(i, Some(answers), ctx, &env);
        self.channel_decision(ctx, &env, clauses, channel, at, only)
    }

    /// Decides on every channel and compares them (docs/language.md, "Parity").
    pub fn decide_all<'a>(
        &'a self,
        ctx: &'a Context,
        at: DateTime<Utc>,
        only: Option<usize>,
    ) -> AllChannels<'a> {
        let env = Env::new(at, self.model.zone);
        let mut scratch = Scratch::default();
        let answers = answer_all(&self.model, &self.fast, ctx, at, &mut scratch);
        let clauses: Vec<Vec<ClauseResult>> = (0..self.offers.len())
            .map(|i| self.clauses(i, Some(answers), ctx, &env))
            .collect();
        let decisions: Vec<Decision> = (0..self.model.channels.len())
            .map(|c| self.channel_decision(ctx, &env, |i| clauses[i].clone(), c, at, only))
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
        let clauses = self.clauses(offer, None, ctx, &env);
        if eligibility(clauses.iter().map(|c| c.result)) == Status::Unknown {
            self.missing_fields(&clauses)
                .into_iter()
                .map(String::from)
                .collect()
        } else {
            Vec::new()
        }
    }

    /// What each clause of an offer finds in a context, as data, in the order explanations
    /// list them: the facts both the status and the words come from. `answers` are the
    /// customer's answers to the table of tests at the same instant, when found.
    fn clauses<'a>(
        &'a self,
        offer: usize,
        answers: Option<&[u8]>,
        ctx: &'a Context,
        env: &Env,
    ) -> Vec<ClauseResult<'a>> {
        let model = &self.model.offers[offer];
        let list_price = list_price(ctx);
        let mut clauses = Vec::with_capacity(model.listed.len());
        clauses.extend(
            model
                .listed
                .iter()
                .filter_map(|&item| self.clause(offer, item, answers, ctx, env, list_price)),
        );
        clauses
    }

    /// What one clause finds (`None` for a benefit whose currency is the price's).
    fn clause<'a>(
        &'a self,
        offer: usize,
        item: ClauseRef,
        answers: Option<&[u8]>,
        ctx: &'a Context,
        env: &Env,
        list_price: Option<Money>,
    ) -> Option<ClauseResult<'a>> {
        let (model, compiled) = (&self.model.offers[offer], &self.offers[offer]);
        let list = |slot| match ctx.get(slot) {
            Some(Value::List(items)) => Some(items),
            _ => None,
        };
        let holds = |slot, wanted: &str| {
            list(slot).map(|items| {
                items
                    .iter()
                    .any(|c| matches!(c, Value::Text(t) if normalize_code(t) == wanted))
            })
        };
        let (clause, label, found, read) = match item {
            ClauseRef::Valid => {
                let at = Window::at(compiled, env.at.timestamp_micros());
                let words = &self.windows[offer];
                let words = match at {
                    Window::Before => &words.before,
                    Window::Inside => &words.inside,
                    Window::After => &words.after,
                };
                let start = compiled.start;
                (
                    "valid",
                    None,
                    Found::Window(at),
                    Read::Window { words, start },
                )
            }
            ClauseRef::Code => {
                let presented = holds(CODES, compiled.code.as_deref().unwrap_or(""));
                let read = Read::Listed {
                    written: model.code.as_ref().map_or("", |c| c.value.as_str()),
                    list: ctx.get(CODES),
                };
                ("code", None, Found::Code(presented), read)
            }
            ClauseRef::Proof(i) => {
                let written = model.proofs[i].value.as_str();
                let seen = holds(PROOFS, &compiled.proofs[i]);
                let read = Read::Listed {
                    written,
                    list: ctx.get(PROOFS),
                };
                ("proof", Some(written), Found::Proof(seen), read)
            }
            ClauseRef::Limit => {
                let used = list(REDEEMED).map(|ids| {
                    ids.iter()
                        .filter(|r| matches!(r, Value::Text(t) if *t == model.id))
                        .count()
                });
                let limit = compiled.limit.unwrap_or(0);
                ("limit", None, Found::Limit { used, limit }, Read::Nothing)
            }
            ClauseRef::Budget => {
                let (used, budget) = (ctx.budget_use(&model.id), compiled.budget.unwrap_or(0));
                (
                    "budget",
                    None,
                    Found::Budget { used, budget },
                    Read::Nothing,
                )
            }
            ClauseRef::When(i) => {
                let tests = answers.map(|answers| Tests {
                    leaves: &self.fast.leaves[offer][i],
                    answers,
                });
                let schema = &self.model.schema;
                let (value, when) =
                    WhenFound::evaluate(&compiled.whens[i], tests, ctx, *env, schema);
                let label = model.whens[i].label.as_deref();
                ("when", label, Found::When(value), Read::When(when))
            }
            ClauseRef::Benefit => {
                let found = benefit_currency(compiled, list_price)?;
                ("benefit", None, found, Read::Nothing)
            }
        };
        Some(ClauseResult {
            clause,
            label,
            result: found.outcome(),
            detail: Detail { found, read },
        })
    }

    /// The offer's eligibility at another instant, on a channel (its fee's currency counts),
    /// without words: what `eligible_from` tries at each candidate instant.
    fn eligible_at(&self, offer: usize, ctx: &Context, env: &Env, channel: usize) -> bool {
        let list_price = list_price(ctx);
        let fee = fee_currency(&self.offers[offer], channel, list_price);
        let clauses = self.model.offers[offer]
            .listed
            .iter()
            .filter_map(|&item| self.clause(offer, item, None, ctx, env, list_price))
            .map(|c| c.result);
        eligibility(clauses.chain(fee.map(|f| f.outcome()))) == Status::Eligible
    }

    /// The fields the clauses that are unknown lack, sorted by code point of the path,
    /// whatever the schema's order (docs/language.md, "Three values").
    fn missing_fields<'a>(&'a self, clauses: &[ClauseResult<'a>]) -> Vec<&'a str> {
        let path = |slot| self.model.schema.field(slot).path.as_str();
        let mut missing = Vec::new();
        for c in clauses.iter().filter(|c| c.result == Outcome::Unknown) {
            match (c.detail.found, c.detail.read) {
                (Found::Code(_), _) => missing.push(path(CODES)),
                (Found::Proof(_), _) => missing.push(path(PROOFS)),
                (Found::Limit { .. }, _) => missing.push(path(REDEEMED)),
                (Found::Budget { .. }, _) => missing.push("ledger"),
                (_, Read::When(when)) => missing.extend(when.missing().into_iter().map(path)),
                _ => {}
            }
        }
        missing.sort_unstable();
        missing.dedup();
        missing
    }

    fn channel_decision<'a>(
        &'a self,
        ctx: &'a Context,
        env: &Env,
        mut clauses_of: impl FnMut(usize) -> Vec<ClauseResult<'a>>,
        channel: usize,
        at: DateTime<Utc>,
        only: Option<usize>,
    ) -> Decision<'a> {
        let channel_name = &self.model.channels[channel];
        let list_price = list_price(ctx);
        let mut offers = Vec::with_capacity(if only.is_some() { 1 } else { self.offers.len() });
        let mut statuses = Vec::with_capacity(self.offers.len());
        for (i, (model, compiled)) in self.model.offers.iter().zip(&self.offers).enumerate() {
            let mut clauses = clauses_of(i);
            if let Some(found) = fee_currency(compiled, channel, list_price) {
                let read = Read::Fee {
                    channel: channel_name,
                };
                clauses.push(ClauseResult {
                    clause: "fee",
                    label: None,
                    result: found.outcome(),
                    detail: Detail { found, read },
                });
            }
            let eligibility = eligibility(clauses.iter().map(|c| c.result));
            let honored = compiled.honors(channel);
            let status = outcome::status(eligibility, honored);
            statuses.push(status);
            if only.is_some_and(|o| o != i) {
                continue;
            }
            let is_final = eligibility != Status::Eligible
                && clauses.iter().any(|c| c.detail.found.is_final());
            let from = if eligibility == Status::Eligible || is_final {
                None
            } else {
                eligible_from::candidates(compiled, ctx, env)
                    .into_iter()
                    .find(|(t, _)| {
                        self.eligible_at(i, ctx, &Env::new(*t, self.model.zone), channel)
                    })
            };
            let missing = if eligibility == Status::Unknown {
                self.missing_fields(&clauses)
            } else {
                Vec::new()
            };
            let on = model
                .on
                .iter()
                .find(|o| o.channel == channel)
                .filter(|_| honored);
            offers.push(OfferDecision {
                id: &model.id,
                title: &model.title,
                status,
                clauses,
                missing,
                is_final,
                eligible_from: from.as_ref().map(|(t, _)| *t),
                eligible_when: from.map(|(t, because)| self.eligible_when(i, t, because)),
                price: match (status, compiled.benefit, list_price) {
                    (Status::Eligible, Some(b), Some(list)) => Some(b.apply(list)),
                    _ => None,
                },
                note: on.and_then(|o| o.note.as_deref()).or(model.note.as_deref()),
                eligibility: (!honored).then_some(eligibility),
                elsewhere: (!honored).then_some(model.elsewhere.as_deref()),
                honored_on: (!honored).then(|| {
                    let names = model.honored_on.iter();
                    names.map(|&c| self.model.channels[c].as_str()).collect()
                }),
                fee: compiled.fees[channel],
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

    /// The day offer `offer` becomes eligible, `t`, in the rule set's zone, and why then.
    fn eligible_when(&self, offer: usize, t: DateTime<Utc>, because: Because) -> EligibleWhen {
        let local = local_datetime(self.model.zone, t);
        let written = self.model.offers[offer]
            .window
            .as_ref()
            .and_then(|w| w.start.as_ref());
        let skipped = match (&because, written) {
            (Because::Starts, Some((start, _))) => start
                .time
                .filter(|&(h, m)| (local.hour(), local.minute()) != (h, m))
                .map(|(h, m)| format!("{h:02}:{m:02}")),
            _ => None,
        };
        EligibleWhen {
            local: format!(
                "{} {}",
                local.format("%a %-d %b %Y, %H:%M"),
                self.model.zone_name
            ),
            because,
            skipped,
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

/// What a clause that fails or is unknown still needs, when something can make it pass.
fn need<'a>(c: &ClauseResult<'a>) -> Option<Need<'a>> {
    match (c.result, c.detail.found, c.detail.read) {
        (Outcome::Pass, ..) => None,
        (_, Found::Window(Window::Before), Read::Window { start, .. }) => {
            start.map(|from| Need::Valid { from })
        }
        (_, Found::Code(_), Read::Listed { written, .. }) => Some(Need::Code { code: written }),
        (_, Found::Proof(_), Read::Listed { written, .. }) => Some(Need::Proof { proof: written }),
        (Outcome::Unknown, Found::Limit { .. }, _) => Some(Need::Limit {
            missing: ["redeemed"],
        }),
        (Outcome::Unknown, Found::Budget { .. }, _) => Some(Need::Budget {
            missing: ["ledger"],
        }),
        (_, _, Read::When(when)) => Some(Need::When {
            label: c.label,
            residual: WhenResidual(when),
        }),
        _ => None,
    }
}

/// The context's list price, when it has one.
fn list_price(ctx: &Context) -> Option<Money> {
    match ctx.get(PRICE) {
        Some(Value::Money(m)) => Some(*m),
        _ => None,
    }
}
