//! The fast path: every offer's status for one customer without explanations, from the
//! table of shared tests (`compile::fast`). Each test is answered at most once per customer,
//! and only when an offer that is live on the channel asks it. The explained path
//! (`decision`) gives the same statuses; tests hold the two together.

use chrono::{DateTime, Utc};

use super::outcome::{self, Found, Outcome, Status, Window, benefit_currency, fee_currency};
use super::{Env, Tri, Val, compare, eval};
use crate::engine::compile::CompiledOffer;
use crate::engine::compile::fast::{
    ANSWER_PAIRS, Bits, Dict, Fast, Formula, Logic, MISSING, OTHER, Pred, TABLE_LITERALS, text_slot,
};
use crate::engine::compile::normalize_code;
use crate::input::context::Context;
use crate::language::check::Model;
use crate::language::check::schema::{CODES, PRICE, PROOFS, REDEEMED};
use crate::value::Value;

/// Per-customer working memory, kept between customers so that deciding allocates nothing
/// in the steady state.
#[derive(Debug, Default)]
pub struct Scratch {
    /// Per slot: the id of its text, `OTHER` or `MISSING`.
    text: Vec<u32>,
    /// Per slot: the ids its list of text holds, and whether the list is present.
    lists: Vec<Bits>,
    present: Vec<bool>,
    codes: Bits,
    proofs: Bits,
    redeemed: Vec<usize>,
    /// Per test `t`, at `2t` its answer and at `2t + 1` the answer of its negation, each as
    /// two bits: bit 0 "surely true", bit 1 "possibly true" (`ANSWER_PAIRS`).
    answers: Vec<u8>,
    live: Live,
}

/// What the channel and the interval between two window bounds fix for every customer:
/// each offer's status when the channel does not honor it or its window is closed, the
/// offers whose clauses still need the customer, and the tests those offers ask.
#[derive(Debug, Default)]
struct Live {
    /// The rule set (`Fast::id`) and channel this was found for, and the interval
    /// `lo <= now < hi` (no upper bound when `hi` is `None`).
    key: Option<(u64, usize)>,
    lo: i64,
    hi: Option<i64>,
    /// Per offer, its status when it is not honored or outside its window (the others are
    /// overwritten per customer).
    template: Vec<Status>,
    /// Live offers decided by their `when`s alone with a truth table, by their number of
    /// literals `n`: at `n`, per offer its index then the answer index of each literal
    /// (`Logic::answer_of`), and its tables.
    by_count: [Vec<u32>; TABLE_LITERALS + 1],
    tables: [Vec<u64>; TABLE_LITERALS + 1],
    /// Live offers decided by their `when`s alone, too large for a table; live offers with
    /// other clauses.
    walked: Vec<u32>,
    gated: Vec<u32>,
    /// The tests live offers ask, kind by kind.
    tests: Vec<u32>,
    used: Vec<bool>,
}

impl Live {
    fn holds(&self, fast: &Fast, channel: usize, now: i64) -> bool {
        self.key == Some((fast.id, channel)) && self.lo <= now && self.hi.is_none_or(|hi| now < hi)
    }

    fn find(&mut self, fast: &Fast, offers: &[CompiledOffer], channel: usize, now: i64) {
        let k = fast.bounds.partition_point(|&b| b <= now);
        self.key = Some((fast.id, channel));
        self.lo = if k == 0 { i64::MIN } else { fast.bounds[k - 1] };
        self.hi = fast.bounds.get(k).copied();
        self.template.clear();
        self.by_count.iter_mut().for_each(Vec::clear);
        self.tables.iter_mut().for_each(Vec::clear);
        self.walked.clear();
        self.gated.clear();
        self.used.clear();
        self.used.resize(fast.tests.len(), false);
        for (i, offer) in offers.iter().enumerate() {
            if !offer.honors(channel) {
                self.template.push(Status::NotHonored);
                continue;
            }
            // `outcome` decides what the window comes to, as for every clause.
            let window = Found::Window(Window::at(offer, now)).outcome();
            if outcome::eligibility([window]) == Status::Ineligible {
                self.template.push(Status::Ineligible);
                continue;
            }
            self.template.push(Status::Unknown);
            let logic = &fast.logic[i];
            match logic.table {
                _ if fast.gated[i] => self.gated.push(i as u32),
                Some(table) => {
                    let n = logic.answer_of.len();
                    self.by_count[n].push(i as u32);
                    self.by_count[n].extend_from_slice(&logic.answer_of);
                    self.tables[n].push(table);
                }
                None => self.walked.push(i as u32),
            }
            for lit in fast.logic[i].literals.iter() {
                self.used[lit.test as usize] = true;
            }
        }
        self.tests.clear();
        let used = &self.used;
        // Text tests are answered a field at a time (`TextRows`).
        self.tests.extend(
            fast.by_kind
                .iter()
                .filter(|&&t| used[t as usize] && text_slot(&fast.tests[t as usize]).is_none()),
        );
    }
}

impl Scratch {
    fn prepare(&mut self, fast: &Fast, ctx: &Context) {
        let slots = fast.dicts.len();
        self.text.resize(slots, MISSING);
        self.lists.resize(slots, Bits::default());
        self.present.resize(slots, false);
        for (slot, dict) in fast.dicts.iter().enumerate() {
            let Some(dict) = dict else { continue };
            match ctx.get(slot) {
                Some(Value::Text(t)) => self.text[slot] = dict.get(t),
                Some(Value::List(items)) => {
                    self.present[slot] = true;
                    let bits = &mut self.lists[slot];
                    bits.clear();
                    for item in items {
                        if let Value::Text(t) = item {
                            let id = dict.get(t);
                            if id != OTHER {
                                bits.insert(id);
                            }
                        }
                    }
                }
                _ => {
                    self.text[slot] = MISSING;
                    self.present[slot] = false;
                }
            }
        }
        normalized_ids(&mut self.codes, &fast.codes, ctx.get(CODES));
        normalized_ids(&mut self.proofs, &fast.proofs, ctx.get(PROOFS));
        self.redeemed.clear();
        self.redeemed.resize(fast.limited.len(), 0);
        if let Some(Value::List(ids)) = ctx.get(REDEEMED) {
            for id in ids {
                if let Value::Text(t) = id {
                    let i = fast.limited.get(t);
                    if i != OTHER {
                        self.redeemed[i as usize] += 1;
                    }
                }
            }
        }
        self.answers.resize(2 * fast.tests.len(), 0);
    }
}

/// The ids, in `dict`, of the texts of a list compared as codes are (trimmed, lower-cased).
fn normalized_ids(bits: &mut Bits, dict: &Dict, list: Option<&Value>) {
    bits.clear();
    if dict.is_empty() {
        return;
    }
    if let Some(Value::List(items)) = list {
        for item in items {
            if let Value::Text(t) = item {
                let id = dict.get(&normalize_code(t));
                if id != OTHER {
                    bits.insert(id);
                }
            }
        }
    }
}

struct Run<'a> {
    ctx: &'a Context,
    /// The instant's local date, for the general evaluator; found only when needed.
    env: std::cell::OnceCell<Env>,
    at: DateTime<Utc>,
    zone: chrono_tz::Tz,
    text: &'a [u32],
    lists: &'a [Bits],
    present: &'a [bool],
}

/// Every offer's status on one channel, in rule-set order, into `out`.
#[allow(clippy::too_many_arguments)]
pub fn statuses(
    model: &Model,
    offers: &[CompiledOffer],
    fast: &Fast,
    ctx: &Context,
    channel: usize,
    at: DateTime<Utc>,
    scratch: &mut Scratch,
    out: &mut Vec<Status>,
) {
    scratch.prepare(fast, ctx);
    let at = outcome::effective(at);
    let now = at.timestamp_micros();
    if !scratch.live.holds(fast, channel, now) {
        scratch.live.find(fast, offers, channel, now);
    }
    let Scratch {
        text,
        lists,
        present,
        codes,
        proofs,
        redeemed,
        answers,
        live,
    } = scratch;
    let run = Run {
        ctx,
        env: std::cell::OnceCell::new(),
        at,
        zone: model.zone,
        text,
        lists,
        present,
    };
    run.answer(fast, live.tests.iter().copied(), answers);
    out.clear();
    out.extend_from_slice(&live.template);
    let (by_count, tables) = (&live.by_count, &live.tables);
    by_table::<1>(&by_count[0], &tables[0], answers, out);
    by_table::<2>(&by_count[1], &tables[1], answers, out);
    by_table::<3>(&by_count[2], &tables[2], answers, out);
    by_table::<4>(&by_count[3], &tables[3], answers, out);
    by_table::<5>(&by_count[4], &tables[4], answers, out);
    by_table::<6>(&by_count[5], &tables[5], answers, out);
    by_table::<7>(&by_count[6], &tables[6], answers, out);
    for &i in &live.walked {
        let when = logic(&fast.logic[i as usize], answers);
        out[i as usize] = outcome::eligibility([Outcome::Pass, when.into()]);
    }
    if live.gated.is_empty() {
        return;
    }
    let price = match ctx.get(PRICE) {
        Some(Value::Money(m)) => Some(*m),
        _ => None,
    };
    let has_codes = ctx.get(CODES).is_some();
    let has_proofs = ctx.get(PROOFS).is_some();
    let has_redeemed = ctx.get(REDEEMED).is_some();
    for &i in &live.gated {
        let i = i as usize;
        let offer = &offers[i];
        // The facts gathered from bits and counts; `outcome` decides what they come to,
        // as it does for the explained path. A failing fact ends the offer's work.
        let mut unknown = false;
        let mut fail = |found: Found| match found.outcome() {
            Outcome::Fail => true,
            Outcome::Unknown => {
                unknown = true;
                false
            }
            Outcome::Pass => false,
        };
        let failed = fail(Found::Window(Window::at(offer, now)))
            || fast.code_of[i]
                .is_some_and(|code| fail(Found::Code(has_codes.then(|| codes.contains(code)))))
            || fast.proofs_of[i]
                .iter()
                .any(|&proof| fail(Found::Proof(has_proofs.then(|| proofs.contains(proof)))))
            || fast.limit_of[i]
                .zip(offer.limit)
                .is_some_and(|(id, limit)| {
                    fail(Found::Limit {
                        used: has_redeemed.then(|| redeemed[id as usize]),
                        limit,
                    })
                })
            || offer.budget.is_some_and(|budget| {
                fail(Found::Budget {
                    used: ctx.budget_use(&model.offers[i].id),
                    budget,
                })
            })
            || benefit_currency(offer, price).is_some_and(&mut fail)
            || fee_currency(offer, channel, price).is_some_and(&mut fail);
        if failed {
            out[i] = Status::Ineligible;
            continue;
        }
        let when = logic(&fast.logic[i], answers);
        let gates = if unknown {
            Outcome::Unknown
        } else {
            Outcome::Pass
        };
        out[i] = outcome::eligibility([gates, when.into()]);
    }
}

/// Every test of the table answered for one customer at `at`, not only those of the offers
/// live on a channel: the explained path reads its `when`s' tests from these (`Fast::leaves`).
pub fn answer_all<'s>(
    model: &Model,
    fast: &Fast,
    ctx: &Context,
    at: DateTime<Utc>,
    scratch: &'s mut Scratch,
) -> &'s [u8] {
    scratch.prepare(fast, ctx);
    let run = Run {
        ctx,
        env: std::cell::OnceCell::new(),
        at: outcome::effective(at),
        zone: model.zone,
        text: &scratch.text,
        lists: &scratch.lists,
        present: &scratch.present,
    };
    let others =
        (0..fast.tests.len() as u32).filter(|&t| text_slot(&fast.tests[t as usize]).is_none());
    run.answer(fast, others, &mut scratch.answers);
    &scratch.answers
}

impl Run<'_> {
    /// Answers the text tests a field at a time, and `tests` (none of them text tests) one
    /// by one, into `answers`.
    #[inline]
    fn answer(&self, fast: &Fast, tests: impl Iterator<Item = u32>, answers: &mut [u8]) {
        for rows in &fast.text_rows {
            let (lo, hi) = (2 * rows.lo as usize, 2 * rows.hi as usize);
            if let (Some(to), Some(&found)) = (answers.get_mut(lo..hi), self.text.get(rows.slot)) {
                let row = rows.row(found);
                if row.len() == to.len() {
                    to.copy_from_slice(row);
                }
            }
        }
        for t in tests {
            let answer = self.test(&fast.tests[t as usize]) as usize;
            let t = 2 * t as usize;
            if let Some(pair) = answers.get_mut(t..t + 2) {
                pair.copy_from_slice(&ANSWER_PAIRS[answer]);
            }
        }
    }

    #[inline(always)]
    fn test(&self, pred: &Pred) -> Tri {
        match pred {
            Pred::TextIs { slot, id } => match self.text[*slot] {
                MISSING => Tri::Unknown,
                found => Tri::from_bool(found == *id),
            },
            Pred::TextIn { slot, set } => match self.text[*slot] {
                MISSING => Tri::Unknown,
                found => Tri::from_bool(set.contains(found)),
            },
            Pred::ListHas { slot, id } => match self.present[*slot] {
                false => Tri::Unknown,
                true => Tri::from_bool(self.lists[*slot].contains(*id)),
            },
            Pred::Number { slot, op, value } => match self.ctx.get(*slot) {
                Some(Value::Number(n)) => Tri::from_bool(op.holds(n.cmp(value))),
                _ => Tri::Unknown,
            },
            Pred::Money { slot, op, value } => match self.ctx.get(*slot) {
                Some(Value::Money(m)) if m.currency == value.currency => {
                    Tri::from_bool(op.holds(m.minor.cmp(&value.minor)))
                }
                _ => Tri::Unknown,
            },
            Pred::Compare { slot, op, value } => match self.ctx.get(*slot) {
                Some(v) => compare(*op, Val::Ref(v), Val::Ref(value)),
                None => Tri::Unknown,
            },
            Pred::Bool(slot) => match self.ctx.get(*slot) {
                Some(Value::Bool(b)) => Tri::from_bool(*b),
                _ => Tri::Unknown,
            },
            Pred::Has(slot) => Tri::from_bool(self.ctx.get(*slot).is_some()),
            Pred::Other(cond) => {
                eval(
                    cond,
                    self.ctx,
                    self.env.get_or_init(|| Env::new(self.at, self.zone)),
                )
                .0
            }
        }
    }
}

/// The statuses of offers decided by their `when`s alone, each with `M - 1` literals and a
/// truth table: `entries` holds per offer its index then its literals' answer indices.
#[inline]
fn by_table<const M: usize>(entries: &[u32], tables: &[u64], answers: &[u8], out: &mut [Status]) {
    let (entries, _) = entries.as_chunks::<M>();
    for (entry, &table) in entries.iter().zip(tables) {
        // Bit j of `sure`: literal j is true; of `maybe`: it is true or unknown.
        let (mut sure, mut maybe) = (0u64, 0u64);
        for (j, &a) in entry[1..].iter().enumerate() {
            let bits = answers.get(a as usize).copied().unwrap_or(0) as u64;
            sure |= (bits & 1) << j;
            maybe |= (bits >> 1) << j;
        }
        if let Some(status) = out.get_mut(entry[0] as usize) {
            *status = outcome::eligibility([Outcome::Pass, from_table(table, sure, maybe).into()]);
        }
    }
}

/// The three-valued value of an offer's conditions, from the answers to its tests.
fn logic(logic: &Logic, answers: &[u8]) -> Tri {
    let Some(table) = logic.table else {
        return formula(&logic.formula, logic, answers);
    };
    let (mut sure, mut maybe) = (0u64, 0u64);
    for (j, &a) in logic.answer_of.iter().enumerate() {
        let bits = answers[a as usize] as u64;
        sure |= (bits & 1) << j;
        maybe |= (bits >> 1) << j;
    }
    from_table(table, sure, maybe)
}

/// A monotone formula's three-valued value from its truth table: true when it holds with
/// the unknown literals false (`sure`), unknown when only with them true (`maybe`).
#[inline]
fn from_table(table: u64, sure: u64, maybe: u64) -> Tri {
    if table >> sure & 1 == 1 {
        Tri::True
    } else if table >> maybe & 1 == 1 {
        Tri::Unknown
    } else {
        Tri::False
    }
}

/// Formulas too large for a table, walked with short cuts.
fn formula(f: &Formula, logic: &Logic, answers: &[u8]) -> Tri {
    match f {
        Formula::Const(b) => Tri::from_bool(*b),
        Formula::Literal(j) => match answers[logic.answer_of[*j as usize] as usize] {
            0b11 => Tri::True,
            0b10 => Tri::Unknown,
            _ => Tri::False,
        },
        Formula::And(parts) => {
            let mut all = Tri::True;
            for p in parts.iter() {
                match formula(p, logic, answers) {
                    Tri::False => return Tri::False,
                    Tri::Unknown => all = Tri::Unknown,
                    Tri::True => {}
                }
            }
            all
        }
        Formula::Or(parts) => {
            let mut any = Tri::False;
            for p in parts.iter() {
                match formula(p, logic, answers) {
                    Tri::True => return Tri::True,
                    Tri::Unknown => any = Tri::Unknown,
                    Tri::False => {}
                }
            }
            any
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ruleset::RuleSet;

    /// Each `when`, as the fast path's formula over shared tests, has the value the general
    /// evaluator gives the compiled condition, in every context tried.
    #[test]
    fn formulas_agree_with_the_conditions_they_were_built_from() {
        let text = r#"
            timezone "America/Chicago"
            context { c.n number  c.t text  c.l list of text  c.b bool  c.m money  c.d date }
            offer a {
              title "A"
              when c.n >= 12 and not (c.t in ["x", "y"]) or c.b
              when not (c.n < 3 or "z" in c.l) and c.m > 10.00 USD
              when has(c.d) == false or age_years(c.d) >= 18 and c.t != "x"
              when not c.b and (len(c.l) > 1 or days_since(c.d) < 30)
            }
        "#;
        let at = crate::value::time::parse_instant("2026-06-15T12:00:00Z").unwrap();
        let rules =
            RuleSet::from_texts(vec![("t.offer".into(), "t.offer".into(), text.into())], at)
                .unwrap();
        let contexts = [
            "{}",
            r#"{"c": {"n": 12, "t": "x", "b": false, "l": ["z"], "m": "10.01 USD"}}"#,
            r#"{"c": {"n": 2, "t": "q", "l": [], "m": "10.00 EUR", "d": "2008-06-16"}}"#,
            r#"{"c": {"n": 50, "b": true, "l": ["a", "b"], "d": "2026-06-01"}}"#,
            r#"{"c": {"t": "y", "b": false, "m": "99.00 USD", "d": "1990-01-01"}}"#,
        ];
        let fast = &rules.fast;
        let logic = &fast.logic[0];
        let parts: Vec<&Formula> = match &logic.formula {
            Formula::And(parts) => parts.iter().collect(),
            other => vec![other],
        };
        assert_eq!(parts.len(), rules.offers[0].whens.len());
        for doc in contexts {
            let doc = crate::input::document::Doc::parse(doc, None).unwrap();
            let ctx = Context::from_doc(&doc, &rules.model.schema).unwrap();
            let mut scratch = Scratch::default();
            scratch.prepare(fast, &ctx);
            let env = Env::new(at, rules.model.zone);
            let run = Run {
                ctx: &ctx,
                env: std::cell::OnceCell::new(),
                at,
                zone: rules.model.zone,
                text: &scratch.text,
                lists: &scratch.lists,
                present: &scratch.present,
            };
            let answers: Vec<u8> = fast
                .tests
                .iter()
                .flat_map(|t| ANSWER_PAIRS[run.test(t) as usize])
                .collect();
            for (i, when) in rules.offers[0].whens.iter().enumerate() {
                assert_eq!(
                    formula(parts[i], logic, &answers),
                    eval(when, &ctx, &env).0,
                    "when #{i} in {doc:?}"
                );
            }
        }
    }
}
