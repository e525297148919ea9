//! Finding data silos (`honor parity`): each channel decides with the context its own systems
//! hold for the same customer; where the answers differ, the fields behind the difference.

pub mod text;

use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeSet;

use crate::engine::compile::{Cond, Operand};
use crate::engine::decision::{ByChannel, Decision, Status};
use crate::engine::ruleset::RuleSet;
use crate::input::context::Context;
use crate::language::check::schema::{CODES, PRICE, REDEEMED};
use crate::render::text::reason;
use crate::value::Value;
use crate::value::time::format_instant;

/// One channel's context.
pub struct Side<'a> {
    pub channel: usize,
    pub source: String,
    pub context: &'a Context,
}

#[derive(Debug, Serialize)]
pub struct Report {
    pub at: String,
    pub rules: String,
    pub contexts: ByChannel<String>,
    /// Every channel that honors an offer gives the same answer.
    pub same: bool,
    pub differences: Vec<OfferDifference>,
    pub quotes: ByChannel<Option<String>>,
    /// Offers some of the channels do not honor: not compared there.
    pub not_honored: Vec<NotHonored>,
}

#[derive(Debug, Serialize)]
pub struct OfferDifference {
    pub offer: String,
    pub title: String,
    pub answers: ByChannel<Answer>,
    /// The fields this offer reads whose values are not the same on every channel.
    pub fields: Vec<FieldDifference>,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct Answer {
    pub status: Status,
    pub price: Option<String>,
    /// Whether the quote applies the offer.
    pub applied: bool,
    pub reason: String,
}

#[derive(Debug, Serialize)]
pub struct FieldDifference {
    pub path: String,
    /// The value each channel holds; `null` where it is missing.
    pub values: ByChannel<Option<FieldValue>>,
}

/// A context value: JSON values for programs (numbers as numbers, lists as arrays), the
/// explanations' words for people.
#[derive(Debug, PartialEq)]
pub struct FieldValue(pub Value);

impl Serialize for FieldValue {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.json().serialize(s)
    }
}

impl std::fmt::Display for FieldValue {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

#[derive(Debug, Serialize)]
pub struct NotHonored {
    pub offer: String,
    pub not_honored_on: Vec<String>,
    pub elsewhere: Option<String>,
}

pub fn compare(rules: &RuleSet, sides: &[Side], at: DateTime<Utc>) -> Report {
    let names: Vec<String> = sides
        .iter()
        .map(|s| rules.model.channels[s.channel].clone())
        .collect();
    let decisions: Vec<Decision> = sides
        .iter()
        .map(|s| rules.decide(s.context, s.channel, at, None))
        .collect();
    let mut differences = Vec::new();
    let mut not_honored = Vec::new();
    for (i, (model, compiled)) in rules.model.offers.iter().zip(&rules.offers).enumerate() {
        let honoring: Vec<usize> = (0..sides.len())
            .filter(|&k| compiled.honors(sides[k].channel))
            .collect();
        if honoring.len() < sides.len() {
            not_honored.push(NotHonored {
                offer: model.id.clone(),
                not_honored_on: (0..sides.len())
                    .filter(|k| !honoring.contains(k))
                    .map(|k| names[k].clone())
                    .collect(),
                elsewhere: model.elsewhere.clone(),
            });
        }
        let answers: Vec<(usize, Answer)> = honoring
            .iter()
            .map(|&k| {
                let d = &decisions[k].offers[i];
                let applied = decisions[k]
                    .quote
                    .as_ref()
                    .is_some_and(|q| q.applied.contains(&model.id));
                (
                    k,
                    Answer {
                        status: d.status,
                        price: d.price.map(|p| p.to_string()),
                        applied,
                        reason: if d.status == Status::Eligible {
                            String::from("every condition holds")
                        } else {
                            reason(d)
                        },
                    },
                )
            })
            .collect();
        let agree = answers.windows(2).all(|w| {
            let (a, b) = (&w[0].1, &w[1].1);
            a.status == b.status && a.price == b.price && a.applied == b.applied
        });
        if agree {
            continue;
        }
        let fields = reads(rules, i)
            .into_iter()
            .filter_map(|slot| {
                let values: Vec<(String, Option<FieldValue>)> = honoring
                    .iter()
                    .map(|&k| {
                        (
                            names[k].clone(),
                            sides[k].context.get(slot).cloned().map(FieldValue),
                        )
                    })
                    .collect();
                let differ = values.windows(2).any(|w| w[0].1 != w[1].1);
                differ.then(|| FieldDifference {
                    path: rules.model.schema.field(slot).path.clone(),
                    values: ByChannel(values),
                })
            })
            .collect();
        differences.push(OfferDifference {
            offer: model.id.clone(),
            title: model.title.clone(),
            answers: ByChannel(
                answers
                    .into_iter()
                    .map(|(k, a)| (names[k].clone(), a))
                    .collect(),
            ),
            fields,
        });
    }
    Report {
        at: format_instant(at),
        rules: rules.fingerprint.clone(),
        contexts: ByChannel(
            names
                .iter()
                .cloned()
                .zip(sides.iter().map(|s| s.source.clone()))
                .collect(),
        ),
        same: differences.is_empty(),
        differences,
        quotes: ByChannel(
            names
                .iter()
                .cloned()
                .zip(
                    decisions
                        .iter()
                        .map(|d| d.quote.as_ref().map(|q| q.final_price.clone())),
                )
                .collect(),
        ),
        not_honored,
    }
}

/// The slots an offer reads: its conditions' fields, `codes` for a code, `redeemed` for a
/// limit and `price` for a price benefit.
fn reads(rules: &RuleSet, offer: usize) -> BTreeSet<usize> {
    let compiled = &rules.offers[offer];
    let mut slots = BTreeSet::new();
    for when in &compiled.whens {
        cond_slots(when, &mut slots);
    }
    if compiled.code.is_some() {
        slots.insert(CODES);
    }
    if compiled.limit.is_some() {
        slots.insert(REDEEMED);
    }
    if compiled.benefit.is_some() {
        slots.insert(PRICE);
    }
    slots
}

fn cond_slots(cond: &Cond, slots: &mut BTreeSet<usize>) {
    match cond {
        Cond::Const(_) => {}
        Cond::Field(s) | Cond::Has(s) => {
            slots.insert(*s);
        }
        Cond::Not(inner) => cond_slots(inner, slots),
        Cond::And(parts) | Cond::Or(parts) => parts.iter().for_each(|p| cond_slots(p, slots)),
        Cond::Compare { lhs, rhs, .. } | Cond::In { lhs, rhs, .. } => {
            operand_slots(lhs, slots);
            operand_slots(rhs, slots);
        }
        Cond::InTextSet { lhs, .. } => operand_slots(lhs, slots),
    }
}

fn operand_slots(op: &Operand, slots: &mut BTreeSet<usize>) {
    match op {
        Operand::Field(s) => {
            slots.insert(*s);
        }
        Operand::Value(_) => {}
        Operand::Len(inner) | Operand::AgeYears(inner) | Operand::DaysSince(inner) => {
            operand_slots(inner, slots)
        }
        Operand::Cond(c) => cond_slots(c, slots),
    }
}
