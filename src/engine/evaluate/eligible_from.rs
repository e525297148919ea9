//! When an offer that is not eligible now would become eligible with the context unchanged
//! (docs/language.md, "What would it take"). Its answer can only change at the window's start and at the local midnights on
//! which an `age_years` or `days_since` test crosses its bound, so those instants are the
//! candidates, tried in order within 150 calendar years.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use std::collections::BTreeMap;

use super::{Env, Val, operand};
use crate::engine::compile::{CompiledOffer, Cond, Operand};
use crate::input::context::Context;
use crate::value::Value;
use crate::value::number::Decimal;
use crate::value::time::{local_date, start_of_day};

/// How far ahead an answer is looked for.
pub const HORIZON_YEARS: i32 = 150;

/// Why a candidate instant can change the answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Because {
    /// The window opens.
    Starts,
    /// `age_years(arg)` becomes `n`.
    Turns { n: i64 },
    /// `days_since(arg)` becomes `n`.
    DaysSince { n: i64 },
}

/// The instants after `at` (and up to the horizon) at which the offer's answer can change, in
/// order, each with why.
pub fn candidates(
    offer: &CompiledOffer,
    ctx: &Context,
    env: &Env,
) -> Vec<(DateTime<Utc>, Because)> {
    let at = env.at;
    // most offers have neither: nothing to look for
    let starts_later = offer.start.is_some_and(|start| at < start);
    if !starts_later && !offer.counts_days {
        return Vec::new();
    }
    let horizon = add_years(at, HORIZON_YEARS);
    let mut found: BTreeMap<DateTime<Utc>, Because> = BTreeMap::new();
    if let Some(start) = offer.start
        && at < start
        && start <= horizon
    {
        found.insert(start, Because::Starts);
    }
    let mut dates: BTreeMap<NaiveDate, Because> = BTreeMap::new();
    let years = (env.today.year() - 1, horizon.year() + 1);
    for when in &offer.whens {
        crossings(when, ctx, env, years, &mut dates);
    }
    for (day, because) in dates {
        let t = start_of_day(env.zone, day);
        if at < t && t <= horizon {
            found.entry(t).or_insert(because);
        }
    }
    found.into_iter().collect()
}

/// The same month, day and time `years` later in UTC; 29 February becomes 1 March.
fn add_years(t: DateTime<Utc>, years: i32) -> DateTime<Utc> {
    let later = t.year() + years;
    t.with_year(later)
        .or_else(|| {
            t.with_day(1)
                .and_then(|t| t.with_month(3))
                .and_then(|t| t.with_year(later))
        })
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// The date in `year` on which someone born on `born` turns a year older: 1 March for a
/// 29 February birthday in a common year.
fn birthday(born: NaiveDate, year: i32) -> Option<NaiveDate> {
    if !(1..=9999).contains(&year) {
        return None;
    }
    NaiveDate::from_ymd_opt(year, born.month(), born.day())
        .or_else(|| NaiveDate::from_ymd_opt(year, 3, 1))
}

/// The local date on which `age_years(d)` or `days_since(d)` first has the value `n`.
fn reach(age: bool, d: NaiveDate, n: i64) -> Option<NaiveDate> {
    if n.abs() > 4_000_000 {
        return None;
    }
    if age {
        birthday(d, d.year().checked_add(i32::try_from(n).ok()?)?)
    } else {
        d.checked_add_signed(Duration::try_days(n)?)
    }
}

/// The date argument of a time function, when the context has it.
fn date_of(arg: &Operand, ctx: &Context, env: &Env) -> Option<NaiveDate> {
    match operand(arg, ctx, env).ok()? {
        Val::Ref(Value::Date(d)) => Some(*d),
        Val::Ref(Value::DateTime(t)) => Some(local_date(env.zone, *t)),
        _ => None,
    }
}

/// A time function: whether it counts years, and its argument.
fn time_call(op: &Operand) -> Option<(bool, &Operand)> {
    match op {
        Operand::AgeYears(arg) => Some((true, arg)),
        Operand::DaysSince(arg) => Some((false, arg)),
        _ => None,
    }
}

fn crossings(
    cond: &Cond,
    ctx: &Context,
    env: &Env,
    years: (i32, i32),
    dates: &mut BTreeMap<NaiveDate, Because>,
) {
    match cond {
        Cond::Not(inner) => crossings(inner, ctx, env, years, dates),
        Cond::And(parts) | Cond::Or(parts) => {
            for p in parts.iter() {
                crossings(p, ctx, env, years, dates);
            }
        }
        Cond::Compare { lhs, rhs, .. } | Cond::In { lhs, rhs, .. } => {
            for side in [lhs, rhs] {
                if let Operand::Cond(inner) = side {
                    crossings(inner, ctx, env, years, dates);
                }
            }
            match (time_call(lhs), time_call(rhs)) {
                (Some(a), Some(b)) => both_sides(a, b, ctx, env, years, dates),
                (Some((age, arg)), None) => one_side(age, arg, rhs, ctx, env, dates),
                (None, Some((age, arg))) => one_side(age, arg, lhs, ctx, env, dates),
                (None, None) => {}
            }
        }
        Cond::InTextSet { .. } | Cond::Const(_) | Cond::Field(_) | Cond::Has(_) => {}
    }
}

/// A time function against a bound that does not move (a literal, a field, `len(…)`): the
/// days on which its value reaches the bound, or passes it.
fn one_side(
    age: bool,
    arg: &Operand,
    other: &Operand,
    ctx: &Context,
    env: &Env,
    dates: &mut BTreeMap<NaiveDate, Because>,
) {
    let Some(d) = date_of(arg, ctx, env) else {
        return;
    };
    let bounds: Vec<Decimal> = match operand(other, ctx, env) {
        Ok(Val::Num(n)) => vec![n],
        Ok(Val::Ref(Value::Number(n))) => vec![*n],
        Ok(Val::Ref(Value::List(items))) => items
            .iter()
            .filter_map(|v| match v {
                Value::Number(n) => Some(*n),
                _ => None,
            })
            .collect(),
        _ => return,
    };
    for b in bounds {
        // the value becomes >= ceil(b), and > b (floor(b) + 1), on these days
        for n in [b.ceil(), b.floor() + 1] {
            let Ok(n) = i64::try_from(n) else { continue };
            if let Some(day) = reach(age, d, n) {
                let because = if age {
                    Because::Turns { n }
                } else {
                    Because::DaysSince { n }
                };
                dates.entry(day).or_insert(because);
            }
        }
    }
}

/// Two time functions compared: the answer changes where either changes — every birthday of
/// an `age_years`, and the days on which a `days_since` reaches each age. Two `days_since`
/// move together and never change their comparison.
fn both_sides(
    a: (bool, &Operand),
    b: (bool, &Operand),
    ctx: &Context,
    env: &Env,
    (first, last): (i32, i32),
    dates: &mut BTreeMap<NaiveDate, Because>,
) {
    let (Some(da), Some(db)) = (date_of(a.1, ctx, env), date_of(b.1, ctx, env)) else {
        return;
    };
    let sides = [(a.0, da), (b.0, db)];
    if sides.iter().all(|(age, _)| !age) {
        return;
    }
    for (age, born) in sides {
        if age {
            for year in first..=last {
                if let Some(day) = birthday(born, year) {
                    let n = i64::from(year - born.year());
                    dates.entry(day).or_insert(Because::Turns { n });
                }
            }
        }
    }
    if let (Some((_, born)), Some((_, days))) = (
        sides.iter().find(|(age, _)| *age),
        sides.iter().find(|(age, _)| !*age),
    ) {
        for n in i64::from(first - born.year() - 1)..=i64::from(last - born.year() + 1) {
            if let Some(day) = reach(false, *days, n) {
                dates.entry(day).or_insert(Because::DaysSince { n });
            }
        }
    }
}
