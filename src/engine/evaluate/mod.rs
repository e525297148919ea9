//! Three-valued evaluation of conditions against a context (docs/language.md, "Three values"): `false and
//! unknown` is false, `true or unknown` is true, `not unknown` is unknown, and a comparison
//! with a missing operand is unknown.

pub mod eligible_from;
mod explain;
mod fast;
pub mod outcome;
mod record;
pub mod residual;

use chrono::{DateTime, NaiveDate, Utc};
use std::cmp::Ordering;

use crate::engine::compile::{Cond, Operand};
use crate::input::context::Context;
use crate::language::ast::CompareOp;
use crate::value::Value;
use crate::value::number::Decimal;
use crate::value::time::{age_years, days_since, local_date};

pub use explain::{WindowWords, window_words};
pub use fast::{Scratch, answer_all, statuses};
pub use record::{Tests, WhenFound};

/// A test's value in three-valued logic: a missing value makes it unknown, and unknown
/// spreads only where it could change the answer (`false and unknown` is false).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tri {
    /// Surely false.
    False,
    /// A value it reads is missing.
    Unknown,
    /// Surely true.
    True,
}

impl Tri {
    /// `true` or `false`, surely.
    pub fn from_bool(b: bool) -> Tri {
        if b { Tri::True } else { Tri::False }
    }

    /// Kleene's `and`: false if either is false.
    pub fn and(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::False, _) | (_, Tri::False) => Tri::False,
            (Tri::True, Tri::True) => Tri::True,
            _ => Tri::Unknown,
        }
    }

    /// Kleene's `or`: true if either is true.
    pub fn or(self, other: Tri) -> Tri {
        !(!self).and(!other)
    }
}

impl std::ops::Not for Tri {
    type Output = Tri;

    fn not(self) -> Tri {
        match self {
            Tri::False => Tri::True,
            Tri::Unknown => Tri::Unknown,
            Tri::True => Tri::False,
        }
    }
}

/// The instant of evaluation and its calendar date in the rule set's zone.
#[derive(Clone, Copy, Debug)]
pub struct Env {
    pub at: DateTime<Utc>,
    pub today: NaiveDate,
    pub zone: chrono_tz::Tz,
}

impl Env {
    /// A leap second is read as the last instant of its minute (`outcome::effective`).
    pub fn new(at: DateTime<Utc>, zone: chrono_tz::Tz) -> Env {
        let at = outcome::effective(at);
        Env {
            at,
            today: local_date(zone, at),
            zone,
        }
    }
}

/// An operand's value: borrowed from the context or a literal, or computed.
#[derive(Clone, Copy, Debug)]
pub enum Val<'a> {
    Ref(&'a Value),
    Num(Decimal),
    Bool(bool),
}

/// The slots whose absence leaves a condition undecided, sorted, without repeats.
pub type Missing = Vec<usize>;

fn union(mut a: Missing, b: Missing) -> Missing {
    a.extend(b);
    a.sort_unstable();
    a.dedup();
    a
}

/// The value of a condition and, when it is unknown, the missing fields that could still
/// change it (docs/language.md, "Three values"): in `(x > 1 and y) or z` with `x` and `z` absent and `y` false,
/// only `z`.
pub fn eval(cond: &Cond, ctx: &Context, env: &Env) -> (Tri, Missing) {
    match cond {
        Cond::Const(b) => (Tri::from_bool(*b), Vec::new()),
        Cond::Field(slot) => match ctx.get(*slot) {
            Some(Value::Bool(b)) => (Tri::from_bool(*b), Vec::new()),
            _ => (Tri::Unknown, vec![*slot]),
        },
        Cond::Has(slot) => (Tri::from_bool(ctx.get(*slot).is_some()), Vec::new()),
        Cond::Not(inner) => {
            let (t, missing) = eval(inner, ctx, env);
            (!t, missing)
        }
        Cond::And(parts) => combine(parts, ctx, env, Tri::False),
        Cond::Or(parts) => combine(parts, ctx, env, Tri::True),
        Cond::Compare { op, lhs, rhs } => {
            let (l, r) = (operand(lhs, ctx, env), operand(rhs, ctx, env));
            match (l, r) {
                (Ok(a), Ok(b)) => (compare(*op, a, b), Vec::new()),
                (l, r) => (
                    Tri::Unknown,
                    union(l.err().unwrap_or_default(), r.err().unwrap_or_default()),
                ),
            }
        }
        Cond::In { negated, lhs, rhs } => {
            let (l, r) = (operand(lhs, ctx, env), operand(rhs, ctx, env));
            match (l, r) {
                (Ok(a), Ok(b)) => {
                    let found = contains(b, a);
                    (if *negated { !found } else { found }, Vec::new())
                }
                (l, r) => (
                    Tri::Unknown,
                    union(l.err().unwrap_or_default(), r.err().unwrap_or_default()),
                ),
            }
        }
        Cond::InTextSet { negated, lhs, set } => match operand(lhs, ctx, env) {
            Ok(Val::Ref(Value::Text(s))) => {
                let found = Tri::from_bool(set.contains(s));
                (if *negated { !found } else { found }, Vec::new())
            }
            Ok(_) => (Tri::Unknown, Vec::new()),
            Err(missing) => (Tri::Unknown, missing),
        },
    }
}

/// `and` (decisive value false) or `or` (decisive value true) over all parts.
fn combine(parts: &[Cond], ctx: &Context, env: &Env, decisive: Tri) -> (Tri, Missing) {
    let mut missing = Vec::new();
    let mut unknown = false;
    for part in parts {
        let (t, m) = eval(part, ctx, env);
        if t == decisive {
            return (decisive, Vec::new());
        }
        if t == Tri::Unknown {
            unknown = true;
            missing = union(missing, m);
        }
    }
    if unknown {
        (Tri::Unknown, missing)
    } else {
        (!decisive, Vec::new())
    }
}

/// An operand's value, or the missing slots that keep it from having one.
pub fn operand<'a>(op: &'a Operand, ctx: &'a Context, env: &Env) -> Result<Val<'a>, Missing> {
    match op {
        Operand::Field(slot) => ctx.get(*slot).map(Val::Ref).ok_or_else(|| vec![*slot]),
        Operand::Value(v) => Ok(Val::Ref(v)),
        Operand::Len(inner) => match operand(inner, ctx, env)? {
            Val::Ref(Value::List(items)) => Ok(Val::Num(Decimal::from_int(items.len() as i64))),
            _ => Err(Vec::new()),
        },
        Operand::AgeYears(inner) => day_of(operand(inner, ctx, env)?, env)
            .map(|d| Val::Num(Decimal::from_int(age_years(d, env.today))))
            .ok_or_else(Vec::new),
        Operand::DaysSince(inner) => day_of(operand(inner, ctx, env)?, env)
            .map(|d| Val::Num(Decimal::from_int(days_since(d, env.today))))
            .ok_or_else(Vec::new),
        Operand::Cond(c) => match eval(c, ctx, env) {
            (Tri::True, _) => Ok(Val::Bool(true)),
            (Tri::False, _) => Ok(Val::Bool(false)),
            (Tri::Unknown, missing) => Err(missing),
        },
    }
}

/// The calendar date of a date, or of a date-time in the rule set's zone.
fn day_of(v: Val, env: &Env) -> Option<NaiveDate> {
    match v {
        Val::Ref(Value::Date(d)) => Some(*d),
        Val::Ref(Value::DateTime(t)) => Some(local_date(env.zone, *t)),
        _ => None,
    }
}

/// Orders two values of one type; `None` for money in two currencies.
pub fn order(a: Val, b: Val) -> Option<Ordering> {
    Some(match (a, b) {
        (Val::Num(x), Val::Num(y)) => x.cmp(&y),
        (Val::Num(x), Val::Ref(Value::Number(y))) => x.cmp(y),
        (Val::Ref(Value::Number(x)), Val::Num(y)) => x.cmp(&y),
        (Val::Bool(x), Val::Bool(y)) => x.cmp(&y),
        (Val::Bool(x), Val::Ref(Value::Bool(y))) => x.cmp(y),
        (Val::Ref(Value::Bool(x)), Val::Bool(y)) => x.cmp(&y),
        (Val::Ref(x), Val::Ref(y)) => match (x, y) {
            (Value::Number(x), Value::Number(y)) => x.cmp(y),
            (Value::Text(x), Value::Text(y)) => x.as_str().cmp(y.as_str()),
            (Value::Money(x), Value::Money(y)) => {
                if x.currency != y.currency {
                    return None;
                }
                x.minor.cmp(&y.minor)
            }
            (Value::Date(x), Value::Date(y)) => x.cmp(y),
            (Value::DateTime(x), Value::DateTime(y)) => x.cmp(y),
            (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
            _ => return None,
        },
        _ => return None,
    })
}

pub fn compare(op: CompareOp, a: Val, b: Val) -> Tri {
    match order(a, b) {
        Some(ord) => Tri::from_bool(op.holds(ord)),
        None => Tri::Unknown,
    }
}

/// Whether `list` holds `item`: true if some entry equals it, unknown if none does but
/// some cannot be compared (money in another currency).
pub fn contains(list: Val, item: Val) -> Tri {
    let Val::Ref(Value::List(items)) = list else {
        return Tri::Unknown;
    };
    let mut result = Tri::False;
    for entry in items {
        match compare(CompareOp::Eq, item, Val::Ref(entry)) {
            Tri::True => return Tri::True,
            Tri::Unknown => result = Tri::Unknown,
            Tri::False => {}
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::Tri::{self, *};

    #[test]
    fn three_valued_truth_tables() {
        let all = [False, Unknown, True];
        for a in all {
            for b in all {
                let and = a.and(b);
                let or = a.or(b);
                let expected_and = if a == False || b == False {
                    False
                } else if a == True && b == True {
                    True
                } else {
                    Unknown
                };
                let expected_or = if a == True || b == True {
                    True
                } else if a == False && b == False {
                    False
                } else {
                    Unknown
                };
                assert_eq!(and, expected_and, "{a:?} and {b:?}");
                assert_eq!(or, expected_or, "{a:?} or {b:?}");
                // De Morgan holds in three values
                assert_eq!(!a.and(b), (!a).or(!b));
            }
        }
        assert_eq!(!Unknown, Unknown);
        assert_eq!(Tri::from_bool(true), True);
    }
}
