//! One evaluation of a `when` that keeps the value of every node of its condition, so that
//! the explanation and the residual read the values the decision was made from instead of
//! evaluating again. Nodes are numbered in pre-order (`and`, `or`, `not` and the tests; a
//! condition used as an operand is part of its test).

use super::{Env, Missing, Tri, eval};
use crate::engine::compile::Cond;
use crate::input::context::Context;
use crate::language::check::Schema;

/// Conditions of up to this many nodes keep their values in one word, two bits a node.
const PACKED: usize = 32;

/// The values of a condition's nodes as one evaluation found them. Conditions larger than
/// [`PACKED`] nodes keep none ([`NONE`]) and evaluate a node again when asked, with the
/// same evaluator, so the answer is the same either way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NodeValues(u64);

/// No values kept: two bits `11` are no value's code.
const NONE: u64 = u64::MAX;

impl NodeValues {
    /// Evaluates `cond` once, keeping every node's value. With `tests`, the values of its
    /// tests are read from a customer's answers to the rule set's table of tests
    /// (`Fast::leaves` says where each is) instead of being evaluated here.
    pub fn record(
        cond: &Cond,
        tests: Option<Tests>,
        ctx: &Context,
        env: &Env,
    ) -> (Tri, NodeValues) {
        let mut walk = Walk {
            ctx,
            env,
            tests,
            bits: 0,
            next: 0,
        };
        let value = walk.node(cond);
        let values = NodeValues(if walk.next <= PACKED { walk.bits } else { NONE });
        #[cfg(debug_assertions)]
        if tests.is_some() {
            // the table's answers and the general evaluator agree on every node
            let (by_eval, recorded) = NodeValues::record(cond, None, ctx, env);
            debug_assert_eq!((value, values), (by_eval, recorded), "{cond:?}");
        }
        (value, values)
    }

    /// The value of `node`, which is node `index` of the recorded condition.
    pub fn get(self, index: usize, node: &Cond, ctx: &Context, env: &Env) -> Tri {
        match self.0 {
            NONE => eval(node, ctx, env).0,
            bits => match (bits >> (2 * index)) & 3 {
                0 => Tri::False,
                1 => Tri::Unknown,
                _ => Tri::True,
            },
        }
    }
}

/// A `when` as one evaluation found it: its condition, the value of each of its nodes, and
/// the context and instant they were read from. It is put into words ([`fmt::Display`])
/// and into what it still needs (`residual`) only when a decision is rendered.
#[derive(Clone, Copy, Debug)]
pub struct WhenFound<'a> {
    pub cond: &'a Cond,
    pub values: NodeValues,
    pub ctx: &'a Context,
    pub env: Env,
    pub schema: &'a Schema,
}

impl<'a> WhenFound<'a> {
    /// Evaluates `cond` once: its value, and what it found (`tests`: see
    /// [`NodeValues::record`]).
    pub fn evaluate(
        cond: &'a Cond,
        tests: Option<Tests>,
        ctx: &'a Context,
        env: Env,
        schema: &'a Schema,
    ) -> (Tri, Self) {
        let (value, values) = NodeValues::record(cond, tests, ctx, &env);
        let found = WhenFound {
            cond,
            values,
            ctx,
            env,
            schema,
        };
        (value, found)
    }

    /// The fields whose absence leaves the condition undecided (empty unless it is unknown).
    pub fn missing(&self) -> Missing {
        eval(self.cond, self.ctx, &self.env).1
    }

    /// The value of `node`, node `index` of the condition, under `negated` `not`s.
    pub fn value(&self, index: usize, node: &Cond, negated: bool) -> Tri {
        let t = self.values.get(index, node, self.ctx, &self.env);
        if negated { !t } else { t }
    }
}

impl PartialEq for WhenFound<'_> {
    /// Two findings are the same when they say the same: the same condition found the same
    /// in the same context at the same instant, or else the same words and the same residual
    /// (the channels of `parity` may each have a context of their own).
    fn eq(&self, other: &Self) -> bool {
        let same = std::ptr::eq(self.cond, other.cond)
            && std::ptr::eq(self.ctx, other.ctx)
            && self.env.at == other.env.at
            && self.values == other.values;
        same || (self.to_string() == other.to_string() && self.residual() == other.residual())
    }
}

impl Eq for WhenFound<'_> {}

/// How many nodes `cond` has: the index of its next sibling is its own plus this.
pub fn nodes(cond: &Cond) -> usize {
    match cond {
        Cond::Not(inner) => 1 + nodes(inner),
        Cond::And(parts) | Cond::Or(parts) => 1 + parts.iter().map(nodes).sum::<usize>(),
        _ => 1,
    }
}

/// Where the values of a condition's tests are: per node in pre-order, the index of its
/// value among `answers` (two bits: 0b11 true, 0b10 unknown, 0b00 false).
#[derive(Clone, Copy, Debug)]
pub struct Tests<'a> {
    pub leaves: &'a [u32],
    pub answers: &'a [u8],
}

struct Walk<'a> {
    ctx: &'a Context,
    env: &'a Env,
    tests: Option<Tests<'a>>,
    /// The values recorded so far, and the index of the next node.
    bits: u64,
    next: usize,
}

impl Walk<'_> {
    /// Every part is evaluated (no short cut), since an explanation shows the parts that
    /// decide.
    fn node(&mut self, cond: &Cond) -> Tri {
        let index = self.next;
        self.next += 1;
        let value = match cond {
            Cond::Not(inner) => !self.node(inner),
            Cond::And(parts) => parts.iter().fold(Tri::True, |acc, p| acc.and(self.node(p))),
            Cond::Or(parts) => parts.iter().fold(Tri::False, |acc, p| acc.or(self.node(p))),
            test => self.test(test, index),
        };
        if index < PACKED {
            let code = match value {
                Tri::False => 0,
                Tri::Unknown => 1,
                Tri::True => 2,
            };
            self.bits |= code << (2 * index);
        }
        value
    }

    fn test(&self, test: &Cond, index: usize) -> Tri {
        let answer = self.tests.and_then(|t| {
            let at = *t.leaves.get(index)?;
            t.answers.get(at as usize).copied()
        });
        match answer {
            Some(0b11) => Tri::True,
            Some(0b10) => Tri::Unknown,
            Some(_) => Tri::False,
            None => eval(test, self.ctx, self.env).0,
        }
    }
}
