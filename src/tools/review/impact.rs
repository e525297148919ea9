//! The impact part of a review: a sample of customers decided with both rule sets on the
//! fast path, on every core, in bounded memory; who moves from one status to another, whose
//! price changes, and what happens to their quotes.

use crate::files::text_line;
use chrono::{DateTime, Utc};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::BufRead;

use crate::engine::decision::Status;
use crate::engine::evaluate::Scratch;
use crate::engine::ruleset::RuleSet;
use crate::input::context::Context;
use crate::language::check::schema::PRICE;
use crate::tools::batch::customer_id;
use crate::value::Value;
use crate::value::money::Money;

/// Lines decided together: enough to keep every core busy, few enough to bound memory.
const CHUNK: usize = 4096;
/// Examples kept per movement.
pub const EXAMPLES: usize = 3;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Impact {
    /// Contexts decided.
    pub customers: usize,
    /// Customers with at least one changed status, price or quote.
    pub changed_customers: usize,
    pub at: String,
    pub channels: Vec<String>,
    /// Offers on both sides whose decisions changed, in the new rule set's order.
    pub offers: Vec<OfferImpact>,
    pub quotes: Quotes,
}

impl Impact {
    pub fn any_change(&self) -> bool {
        self.changed_customers > 0
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OfferImpact {
    pub id: String,
    pub moves: Vec<Move>,
    /// Customers eligible on both sides whose price for the offer changed.
    pub prices: Vec<PriceMove>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Move {
    pub channel: String,
    pub from: Status,
    pub to: Status,
    pub customers: usize,
    /// `customer.id` where the context has one, else `line N`.
    pub examples: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PriceMove {
    pub channel: String,
    pub customers: usize,
    pub examples: Vec<PriceExample>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PriceExample {
    pub customer: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Quotes {
    /// Quotes compared: one per customer with a `price` and channel.
    pub compared: usize,
    pub up: usize,
    pub down: usize,
    pub largest: Option<QuoteChange>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct QuoteChange {
    pub customer: String,
    pub channel: String,
    pub old: String,
    pub new: String,
    /// Signed: `+5.00 USD` dearer, `-30.00 USD` cheaper.
    pub change: String,
}

/// A context line that could not be read: its number, the column when known, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadLine {
    pub line: usize,
    pub column: Option<usize>,
    pub message: String,
}

fn bad_line(line: usize, message: String) -> BadLine {
    BadLine {
        line,
        column: None,
        message,
    }
}

/// What one customer's decisions did, on every channel.
#[derive(Default)]
struct LineEvents {
    label: String,
    /// `(offer pair, channel, from, to)`.
    moves: Vec<(usize, usize, Status, Status)>,
    /// `(offer pair, channel, old price, new price)`.
    prices: Vec<(usize, usize, Option<Money>, Option<Money>)>,
    /// `(channel, old final price, new final price)`.
    quotes: Vec<(usize, Money, Money)>,
}

struct Setup<'a> {
    base: &'a RuleSet,
    head: &'a RuleSet,
    /// `(base offer, head offer)` of the offers on both sides, in the head's order.
    pairs: Vec<(usize, usize)>,
    /// `(name, base index, head index)`.
    channels: Vec<(String, usize, usize)>,
    at: DateTime<Utc>,
}

/// The channels named (`all`: every channel both rule sets have, in the new order), or
/// why not.
pub fn channels(
    base: &RuleSet,
    head: &RuleSet,
    channel: &str,
) -> Result<Vec<(String, usize, usize)>, String> {
    if channel == "all" {
        return Ok(head
            .model
            .channels
            .iter()
            .enumerate()
            .filter_map(|(h, name)| {
                let b = base.model.channels.iter().position(|c| c == name)?;
                Some((name.clone(), b, h))
            })
            .collect());
    }
    let h = head.channel(channel)?;
    let b = base
        .channel(channel)
        .map_err(|e| format!("{e} (in the base rule set)"))?;
    Ok(vec![(channel.to_string(), b, h)])
}

/// Decides every context of `input` with both rule sets.
pub fn run(
    base: &RuleSet,
    head: &RuleSet,
    channels: Vec<(String, usize, usize)>,
    at: DateTime<Utc>,
    input: &mut dyn BufRead,
) -> Result<Result<Impact, BadLine>, std::io::Error> {
    let pairs: Vec<(usize, usize)> = head
        .model
        .offers
        .iter()
        .enumerate()
        .filter_map(|(h, o)| Some((base.offer_index(&o.id).ok()?, h)))
        .collect();
    let setup = Setup {
        base,
        head,
        pairs,
        channels,
        at,
    };
    let mut tally = Tally::default();
    let mut chunk: Vec<(usize, String)> = Vec::with_capacity(CHUNK);
    let mut line_no = 0;
    let mut bytes = Vec::new();
    let mut done = false;
    while !done {
        chunk.clear();
        while chunk.len() < CHUNK {
            let Some(line) = text_line(input, &mut bytes)? else {
                done = true;
                break;
            };
            line_no += 1;
            let line = match line {
                Ok(line) => line,
                Err(e) => return Ok(Err(bad_line(line_no, e.to_string()))),
            };
            if !line.trim().is_empty() {
                chunk.push((line_no, line.to_string()));
            }
        }
        let results: Vec<Result<LineEvents, BadLine>> = chunk
            .par_iter()
            .map_init(
                || {
                    (
                        Scratch::default(),
                        Scratch::default(),
                        Vec::new(),
                        Vec::new(),
                    )
                },
                |(sb, sh, ob, oh), (n, line)| setup.line(*n, line, sb, sh, ob, oh),
            )
            .collect();
        for result in results {
            match result {
                Ok(events) => tally.add(events),
                Err(bad) => return Ok(Err(bad)),
            }
        }
    }
    Ok(Ok(tally.finish(&setup)))
}

impl Setup<'_> {
    fn line(
        &self,
        n: usize,
        line: &str,
        scratch_base: &mut Scratch,
        scratch_head: &mut Scratch,
        base_out: &mut Vec<Status>,
        head_out: &mut Vec<Status>,
    ) -> Result<LineEvents, BadLine> {
        let doc = crate::input::json::parse(line.trim_end()).map_err(|e| BadLine {
            line: n,
            column: e.column,
            message: e.message,
        })?;
        let context = |rules: &RuleSet, side: &str| {
            Context::from_doc(&doc, &rules.model.schema).map_err(|e| BadLine {
                line: n,
                column: None,
                message: format!("{e}{side}"),
            })
        };
        let head_ctx = context(self.head, "")?;
        let base_ctx = context(self.base, " (with the base rule set's context fields)")?;
        let list = match head_ctx.get(PRICE) {
            Some(Value::Money(m)) => Some(*m),
            _ => None,
        };
        let mut events = LineEvents::default();
        for (c, (_, bc, hc)) in self.channels.iter().enumerate() {
            self.base
                .statuses(&base_ctx, *bc, self.at, scratch_base, base_out);
            self.head
                .statuses(&head_ctx, *hc, self.at, scratch_head, head_out);
            for (k, &(b, h)) in self.pairs.iter().enumerate() {
                let (from, to) = (base_out[b], head_out[h]);
                if from != to {
                    events.moves.push((k, c, from, to));
                } else if from == Status::Eligible
                    && let Some(list) = list
                {
                    let old = self.base.offers[b].benefit.map(|x| x.apply(list));
                    let new = self.head.offers[h].benefit.map(|x| x.apply(list));
                    if old != new {
                        events.prices.push((k, c, old, new));
                    }
                }
            }
            if let Some(list) = list {
                let old = self.base.quote(base_out, *bc, list);
                let new = self.head.quote(head_out, *hc, list);
                let (Ok(old), Ok(new)) = (
                    Money::parse(&old.final_price),
                    Money::parse(&new.final_price),
                ) else {
                    continue;
                };
                events.quotes.push((c, old, new));
            }
        }
        if !events.moves.is_empty()
            || !events.prices.is_empty()
            || events.quotes.iter().any(|(_, o, n)| o != n)
        {
            events.label = customer_id(&doc).unwrap_or_else(|| format!("line {n}"));
        }
        Ok(events)
    }
}

fn rank(s: Status) -> u8 {
    match s {
        Status::Eligible => 0,
        Status::Ineligible => 1,
        Status::Unknown => 2,
        Status::NotHonored => 3,
    }
}

/// `(offer pair, channel, from rank, to rank)`: the order movements are listed in.
type MoveKey = (usize, usize, u8, u8);
/// `(from, to, customers, examples)`.
type MoveCount = (Status, Status, usize, Vec<String>);

#[derive(Default)]
struct Tally {
    customers: usize,
    changed_customers: usize,
    moves: BTreeMap<MoveKey, MoveCount>,
    /// `(offer pair, channel)` → `(count, examples)`.
    prices: BTreeMap<(usize, usize), (usize, Vec<PriceExample>)>,
    quotes: Quotes,
    /// The largest change so far, in minor units, with its channel and quote.
    largest: Option<(i128, usize, QuoteChange)>,
}

impl Tally {
    fn add(&mut self, events: LineEvents) {
        self.customers += 1;
        let mut changed = false;
        for (k, c, from, to) in events.moves {
            changed = true;
            let entry =
                self.moves
                    .entry((k, c, rank(from), rank(to)))
                    .or_insert((from, to, 0, Vec::new()));
            entry.2 += 1;
            if entry.3.len() < EXAMPLES {
                entry.3.push(events.label.clone());
            }
        }
        for (k, c, old, new) in events.prices {
            changed = true;
            let entry = self.prices.entry((k, c)).or_default();
            entry.0 += 1;
            if entry.1.len() < EXAMPLES {
                entry.1.push(PriceExample {
                    customer: events.label.clone(),
                    old: old.map(|m| m.to_string()),
                    new: new.map(|m| m.to_string()),
                });
            }
        }
        for (c, old, new) in events.quotes {
            self.quotes.compared += 1;
            if old == new {
                continue;
            }
            changed = true;
            let delta = new.minor - old.minor;
            if delta > 0 {
                self.quotes.up += 1;
            } else {
                self.quotes.down += 1;
            }
            if self
                .largest
                .as_ref()
                .is_none_or(|(d, _, _)| delta.abs() > *d)
            {
                let sign = if delta > 0 { "+" } else { "-" };
                let size = Money {
                    minor: delta.abs(),
                    currency: new.currency,
                };
                self.largest = Some((
                    delta.abs(),
                    c,
                    QuoteChange {
                        customer: events.label.clone(),
                        channel: String::new(),
                        old: old.to_string(),
                        new: new.to_string(),
                        change: format!("{sign}{size}"),
                    },
                ));
            }
        }
        if changed {
            self.changed_customers += 1;
        }
    }

    fn finish(self, setup: &Setup) -> Impact {
        let channel = |c: usize| setup.channels[c].0.clone();
        let mut offers: Vec<OfferImpact> = setup
            .pairs
            .iter()
            .map(|&(_, h)| OfferImpact {
                id: setup.head.model.offers[h].id.clone(),
                moves: Vec::new(),
                prices: Vec::new(),
            })
            .collect();
        for ((k, c, _, _), (from, to, customers, examples)) in self.moves {
            offers[k].moves.push(Move {
                channel: channel(c),
                from,
                to,
                customers,
                examples,
            });
        }
        for ((k, c), (customers, examples)) in self.prices {
            offers[k].prices.push(PriceMove {
                channel: channel(c),
                customers,
                examples,
            });
        }
        offers.retain(|o| !o.moves.is_empty() || !o.prices.is_empty());
        let mut quotes = self.quotes;
        quotes.largest = self.largest.map(|(_, c, change)| QuoteChange {
            channel: channel(c),
            ..change
        });
        Impact {
            customers: self.customers,
            changed_customers: self.changed_customers,
            at: crate::value::time::format_instant(setup.at),
            channels: setup.channels.iter().map(|c| c.0.clone()).collect(),
            offers,
            quotes,
        }
    }
}
