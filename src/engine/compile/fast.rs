//! The form the fast path decides statuses with: every distinct leaf test of every offer
//! once in a table, so a customer's answer to it is found once and shared by all offers
//! that ask it; the text values the rules mention numbered, so the customer's text is looked
//! up once per field rather than compared per offer.

use std::collections::HashMap;

use crate::hash::FastMap;

use super::{CompiledOffer, Cond, Operand};
use crate::language::ast::CompareOp;
use crate::language::check::Schema;
use crate::value::money::Money;
use crate::value::number::Decimal;
use crate::value::{Type, Value};

/// A node of a condition that is not a test (`Fast::leaves`).
pub const NO_TEST: u32 = u32::MAX;

/// Id of a text the rules never mention.
pub const OTHER: u32 = u32::MAX;
/// A text field that is missing.
pub const MISSING: u32 = u32::MAX - 1;

/// A test's answer (`Tri as u8`: false 0, unknown 1, true 2) as the answers of its two
/// literals, the test and its negation, each two bits: bit 0 "surely true", bit 1 "possibly
/// true". False is neither, unknown only possibly true, true both.
pub const ANSWER_PAIRS: [[u8; 2]; 3] = [[0b00, 0b11], [0b10, 0b10], [0b11, 0b00]];

/// The answers of a run of tests on one text field (`TextIs`, `TextIn`), `lo..hi` in the
/// table, for every value the field can take: row `id` for a text the rules mention, then a
/// row for any other text and one for a missing field; each row holds `ANSWER_PAIRS` of
/// the tests in turn. A customer's answers to them are one copy.
#[derive(Clone, Debug)]
pub struct TextRows {
    pub slot: usize,
    pub lo: u32,
    pub hi: u32,
    /// Texts the rules mention for the field.
    pub ids: u32,
    pub rows: Box<[u8]>,
}

impl TextRows {
    /// The answers to the run when the field's text has id `found` (or is `OTHER`, `MISSING`).
    pub fn row(&self, found: u32) -> &[u8] {
        let row = match found {
            MISSING => self.ids + 1,
            id if id < self.ids => id,
            _ => self.ids,
        } as usize;
        let width = 2 * (self.hi - self.lo) as usize;
        self.rows
            .get(row * width..(row + 1) * width)
            .unwrap_or_default()
    }
}

/// The answer (`Tri as u8`) of a text test when its field's text has id `found`.
pub fn text_answer(pred: &Pred, found: u32) -> Option<u8> {
    let holds = match pred {
        Pred::TextIs { id, .. } => found == *id,
        Pred::TextIn { set, .. } => set.contains(found),
        _ => return None,
    };
    Some(match (found, holds) {
        (MISSING, _) => 1,
        (_, false) => 0,
        (_, true) => 2,
    })
}

/// A set of small ids.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Bits(pub Vec<u64>);

impl Bits {
    pub fn insert(&mut self, id: u32) {
        let (word, bit) = (id as usize / 64, id % 64);
        if word >= self.0.len() {
            self.0.resize(word + 1, 0);
        }
        self.0[word] |= 1 << bit;
    }

    pub fn contains(&self, id: u32) -> bool {
        self.0
            .get(id as usize / 64)
            .is_some_and(|w| w & (1 << (id % 64)) != 0)
    }

    pub fn clear(&mut self) {
        self.0.iter_mut().for_each(|w| *w = 0);
    }
}

/// The texts the rules mention for one field, numbered.
#[derive(Clone, Debug, Default)]
pub struct Dict(pub FastMap<String, u32>);

impl Dict {
    pub fn id(&mut self, text: &str) -> u32 {
        let next = self.0.len() as u32;
        *self.0.entry(text.to_string()).or_insert(next)
    }

    pub fn get(&self, text: &str) -> u32 {
        self.0.get(text).copied().unwrap_or(OTHER)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A leaf test with the field on the left. Equal tests are one entry of the table.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Pred {
    /// A text field equals a text.
    TextIs {
        slot: usize,
        id: u32,
    },
    /// A text field is one of a set of texts.
    TextIn {
        slot: usize,
        set: Bits,
    },
    /// A list-of-text field contains a text.
    ListHas {
        slot: usize,
        id: u32,
    },
    /// A number field compared with a number.
    Number {
        slot: usize,
        op: CompareOp,
        value: Decimal,
    },
    /// A money field compared with an amount (unknown in another currency).
    Money {
        slot: usize,
        op: CompareOp,
        value: Money,
    },
    /// A date or date-time field compared with a value.
    Compare {
        slot: usize,
        op: CompareOp,
        value: Value,
    },
    Bool(usize),
    Has(usize),
    /// Anything else, decided by the general evaluator.
    Other(Cond),
}

impl Pred {
    fn kind(&self) -> u8 {
        match self {
            Pred::TextIs { .. } => 0,
            Pred::TextIn { .. } => 1,
            Pred::ListHas { .. } => 2,
            Pred::Number { .. } => 3,
            Pred::Money { .. } => 4,
            Pred::Compare { .. } => 5,
            Pred::Bool(_) => 6,
            Pred::Has(_) => 7,
            Pred::Other(_) => 8,
        }
    }
}

/// A test, or its negation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TestLiteral {
    pub test: u32,
    pub negated: bool,
}

/// An offer's conditions with every `not` pushed down to the tests (negation normal form),
/// over the offer's literals. Without `not` above them, `and`/`or` are monotone, so the
/// three-valued answer follows from two two-valued ones: true when the formula holds with
/// every unknown literal false, unknown when it holds only with them true.
#[derive(Clone, Debug)]
pub enum Formula {
    Const(bool),
    Literal(u32),
    And(Box<[Formula]>),
    Or(Box<[Formula]>),
}

impl Formula {
    pub fn holds(&self, literal: &impl Fn(u32) -> bool) -> bool {
        match self {
            Formula::Const(b) => *b,
            Formula::Literal(i) => literal(*i),
            Formula::And(parts) => parts.iter().all(|p| p.holds(literal)),
            Formula::Or(parts) => parts.iter().any(|p| p.holds(literal)),
        }
    }
}

/// Literals an offer may have for its formula to become a 64-entry truth table.
pub const TABLE_LITERALS: usize = 6;

#[derive(Clone, Debug)]
pub struct Logic {
    pub literals: Box<[TestLiteral]>,
    /// Each literal as the index of its answer among a customer's answers: `2 × test`, plus
    /// one when negated (the answers hold every test's value and its negation).
    pub answer_of: Box<[u32]>,
    pub formula: Formula,
    /// Bit `i` is the formula's value when literal `j` is bit `j` of `i`; for offers with at
    /// most `TABLE_LITERALS` literals.
    pub table: Option<u64>,
}

#[derive(Clone, Debug, Default)]
pub struct Fast {
    /// Tells rule sets apart, so that working memory kept for one is not used for another.
    pub id: u64,
    pub tests: Vec<Pred>,
    /// The tests in an order that keeps tests of one kind together, so that answering them
    /// all in turn branches predictably (the table itself is in that order).
    pub by_kind: Vec<u32>,
    /// Runs of text tests on one field, answered a run at a time.
    pub text_rows: Vec<TextRows>,
    /// Per offer, its `when`s together.
    pub logic: Vec<Logic>,
    /// Per offer, per `when`, per node of its condition in pre-order: where the node's own
    /// value (a `not` above it not applied) is among a customer's answers, `2 × test`, plus
    /// one for a `not in` read as its `in` test's negation; `NO_TEST` for `and`, `or`, `not`
    /// and constants. The explained path reads its tests' values from here.
    pub leaves: Vec<Box<[Box<[u32]>]>>,
    /// Per slot, the texts its tests mention (text and list-of-text fields).
    pub dicts: Vec<Option<Dict>>,
    /// Normalised codes, and per offer the id of its code.
    pub codes: Dict,
    pub code_of: Vec<Option<u32>>,
    /// Normalised proofs, and per offer the ids of its proofs.
    pub proofs: Dict,
    pub proofs_of: Vec<Box<[u32]>>,
    /// Ids of offers with a limit, and per offer its id there.
    pub limited: Dict,
    pub limit_of: Vec<Option<u32>>,
    /// Every offer's window bounds (microseconds), sorted, without repeats: between two
    /// neighbours, which offers are inside their window does not change.
    pub bounds: Vec<i64>,
    /// Per offer, whether it has clauses besides its window and its `when`s that the
    /// customer's context decides (code, proofs, limit, budget, the currencies of benefit
    /// and fees).
    pub gated: Vec<bool>,
}

pub fn build(offers: &[CompiledOffer], ids: &[&str], schema: &Schema) -> Fast {
    let mut b = Builder {
        fast: Fast {
            dicts: vec![None; schema.len()],
            ..Fast::default()
        },
        seen: HashMap::new(),
        schema,
    };
    for (offer, id) in offers.iter().zip(ids) {
        let mut literals = Vec::new();
        let parts: Vec<Formula> = offer
            .whens
            .iter()
            .map(|c| b.formula(c, false, &mut literals))
            .collect();
        let leaves = offer
            .whens
            .iter()
            .map(|c| {
                let mut out = Vec::new();
                b.leaves(c, &mut out);
                out.into_boxed_slice()
            })
            .collect();
        b.fast.leaves.push(leaves);
        let formula = if parts.len() == 1 {
            parts.into_iter().next().unwrap_or(Formula::Const(true))
        } else {
            Formula::And(parts.into())
        };
        let table = (literals.len() <= TABLE_LITERALS).then(|| {
            (0..1u64 << literals.len()).fold(0u64, |table, row| {
                let holds = formula.holds(&|j| row >> j & 1 == 1);
                table | (holds as u64) << row
            })
        });
        let answer_of = literals
            .iter()
            .map(|l| 2 * l.test + l.negated as u32)
            .collect();
        b.fast.logic.push(Logic {
            answer_of,
            literals: literals.into(),
            formula,
            table,
        });
        let code = offer.code.as_ref().map(|c| b.fast.codes.id(c));
        b.fast.code_of.push(code);
        let proofs = offer.proofs.iter().map(|p| b.fast.proofs.id(p)).collect();
        b.fast.proofs_of.push(proofs);
        let limit = offer.limit.map(|_| b.fast.limited.id(id));
        b.fast.limit_of.push(limit);
        b.fast.gated.push(
            offer.code.is_some()
                || !offer.proofs.is_empty()
                || offer.limit.is_some()
                || offer.budget.is_some()
                || offer.benefit.is_some()
                || offer.fees.iter().any(Option::is_some),
        );
        b.fast.bounds.extend([offer.micros.0, offer.micros.1]);
    }
    b.fast.bounds.sort_unstable();
    b.fast.bounds.dedup();
    let mut fast = b.fast;
    renumber(&mut fast);
    fast.text_rows = text_rows(&fast);
    static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    fast.id = NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    fast
}

/// The text field a test reads, for text tests.
pub fn text_slot(pred: &Pred) -> Option<usize> {
    match pred {
        Pred::TextIs { slot, .. } | Pred::TextIn { slot, .. } => Some(*slot),
        _ => None,
    }
}

/// Numbers the tests: text tests first, field by field, then the others kind by kind.
fn renumber(fast: &mut Fast) {
    let mut order: Vec<u32> = (0..fast.tests.len() as u32).collect();
    order.sort_by_key(|&i| {
        let pred = &fast.tests[i as usize];
        (text_slot(pred).is_none(), text_slot(pred), pred.kind())
    });
    let mut new_of = vec![0u32; order.len()];
    for (new, &old) in order.iter().enumerate() {
        new_of[old as usize] = new as u32;
    }
    let mut old: Vec<Option<Pred>> = std::mem::take(&mut fast.tests)
        .into_iter()
        .map(Some)
        .collect();
    fast.tests = order
        .iter()
        .filter_map(|&i| old[i as usize].take())
        .collect();
    for logic in &mut fast.logic {
        let mut literals = logic.literals.to_vec();
        for lit in &mut literals {
            lit.test = new_of[lit.test as usize];
        }
        logic.answer_of = literals
            .iter()
            .map(|l| 2 * l.test + l.negated as u32)
            .collect();
        logic.literals = literals.into();
    }
    for answer in fast
        .leaves
        .iter_mut()
        .flatten()
        .flat_map(|when| when.iter_mut())
    {
        if *answer != NO_TEST {
            *answer = 2 * new_of[(*answer / 2) as usize] + *answer % 2;
        }
    }
    fast.by_kind = (0..fast.tests.len() as u32).collect();
}

fn text_rows(fast: &Fast) -> Vec<TextRows> {
    let mut runs = Vec::new();
    let mut lo = 0;
    while lo < fast.tests.len() {
        let Some(slot) = text_slot(&fast.tests[lo]) else {
            lo += 1;
            continue;
        };
        let hi = lo
            + fast.tests[lo..]
                .iter()
                .take_while(|p| text_slot(p) == Some(slot))
                .count();
        let ids = fast.dicts[slot].as_ref().map_or(0, Dict::len) as u32;
        let mut rows = Vec::new();
        for found in (0..ids).chain([OTHER, MISSING]) {
            for pred in &fast.tests[lo..hi] {
                let answer = text_answer(pred, found).unwrap_or(1);
                rows.extend_from_slice(&ANSWER_PAIRS[answer as usize]);
            }
        }
        runs.push(TextRows {
            slot,
            lo: lo as u32,
            hi: hi as u32,
            ids,
            rows: rows.into(),
        });
        lo = hi;
    }
    runs
}

struct Builder<'a> {
    fast: Fast,
    /// Tests already in the table.
    seen: HashMap<Pred, u32>,
    schema: &'a Schema,
}

impl Builder<'_> {
    /// `cond` (negated when `negated`) in negation normal form over `literals`.
    fn formula(&mut self, cond: &Cond, negated: bool, literals: &mut Vec<TestLiteral>) -> Formula {
        match cond {
            Cond::Const(b) => Formula::Const(*b != negated),
            Cond::Not(inner) => self.formula(inner, !negated, literals),
            Cond::And(parts) | Cond::Or(parts) => {
                let parts: Box<[Formula]> = parts
                    .iter()
                    .map(|p| self.formula(p, negated, literals))
                    .collect();
                if matches!(cond, Cond::And(_)) != negated {
                    Formula::And(parts)
                } else {
                    Formula::Or(parts)
                }
            }
            leaf => {
                let (test, flip) = self.leaf_test(leaf);
                literal(literals, test, negated != flip)
            }
        }
    }

    /// The test a leaf reads, and whether the leaf is its negation: `x not in y` is
    /// `not (x in y)`, one test shared with `x in y`.
    fn leaf_test(&mut self, leaf: &Cond) -> (u32, bool) {
        match leaf {
            Cond::In {
                negated: true,
                lhs,
                rhs,
            } => {
                let positive = Cond::In {
                    negated: false,
                    lhs: lhs.clone(),
                    rhs: rhs.clone(),
                };
                (self.test(&positive), true)
            }
            Cond::InTextSet {
                negated: true,
                lhs,
                set,
            } => {
                let positive = Cond::InTextSet {
                    negated: false,
                    lhs: lhs.clone(),
                    set: set.clone(),
                };
                (self.test(&positive), true)
            }
            leaf => (self.test(leaf), false),
        }
    }

    /// Each node of `cond` in pre-order, as `Fast::leaves` holds it: the tests are the
    /// ones `formula` put in the table.
    fn leaves(&mut self, cond: &Cond, out: &mut Vec<u32>) {
        match cond {
            Cond::Not(inner) => {
                out.push(NO_TEST);
                self.leaves(inner, out);
            }
            Cond::And(parts) | Cond::Or(parts) => {
                out.push(NO_TEST);
                for part in parts.iter() {
                    self.leaves(part, out);
                }
            }
            Cond::Const(_) => out.push(NO_TEST),
            leaf => {
                let (test, flip) = self.leaf_test(leaf);
                out.push(2 * test + flip as u32);
            }
        }
    }

    fn test(&mut self, cond: &Cond) -> u32 {
        let pred = self.pred(cond);
        let next = self.fast.tests.len() as u32;
        let id = *self.seen.entry(pred.clone()).or_insert(next);
        if id == next {
            self.fast.tests.push(pred);
        }
        id
    }

    fn dict(&mut self, slot: usize) -> &mut Dict {
        self.fast.dicts[slot].get_or_insert_with(Dict::default)
    }

    fn pred(&mut self, cond: &Cond) -> Pred {
        let ty = |slot: usize| &self.schema.field(slot).ty;
        match cond {
            Cond::Field(slot) => Pred::Bool(*slot),
            Cond::Has(slot) => Pred::Has(*slot),
            Cond::Compare { op, lhs, rhs } => {
                let (slot, op, value) = match (lhs, rhs) {
                    (Operand::Field(s), Operand::Value(v)) => (*s, *op, v),
                    (Operand::Value(v), Operand::Field(s)) => (*s, op.flipped(), v),
                    _ => return Pred::Other(cond.clone()),
                };
                match (ty(slot), value, op) {
                    (Type::Text, Value::Text(t), CompareOp::Eq) => Pred::TextIs {
                        slot,
                        id: self.dict(slot).id(t),
                    },
                    (Type::Number, Value::Number(n), _) => Pred::Number {
                        slot,
                        op,
                        value: *n,
                    },
                    (Type::Money, Value::Money(m), _) => Pred::Money {
                        slot,
                        op,
                        value: *m,
                    },
                    (Type::Date | Type::DateTime, _, _) => Pred::Compare {
                        slot,
                        op,
                        value: value.clone(),
                    },
                    _ => Pred::Other(cond.clone()),
                }
            }
            Cond::InTextSet {
                negated: false,
                lhs: Operand::Field(slot),
                set,
            } if *ty(*slot) == Type::Text => {
                let mut bits = Bits::default();
                for item in &set.items {
                    let id = self.dict(*slot).id(item);
                    bits.insert(id);
                }
                Pred::TextIn {
                    slot: *slot,
                    set: bits,
                }
            }
            Cond::In {
                negated: false,
                lhs: Operand::Value(Value::Text(t)),
                rhs: Operand::Field(slot),
            } if *ty(*slot) == Type::List(Box::new(Type::Text)) => Pred::ListHas {
                slot: *slot,
                id: self.dict(*slot).id(t),
            },
            other => Pred::Other(other.clone()),
        }
    }
}

fn literal(literals: &mut Vec<TestLiteral>, test: u32, negated: bool) -> Formula {
    let lit = TestLiteral { test, negated };
    let index = match literals.iter().position(|l| *l == lit) {
        Some(i) => i,
        None => {
            literals.push(lit);
            literals.len() - 1
        }
    };
    Formula::Literal(index as u32)
}
