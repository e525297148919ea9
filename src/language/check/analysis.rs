//! Static analysis of the checked offers, for `honor lint`: offers no context can make
//! eligible, offers another offer always beats, and copies. A warning is given only when its
//! claim holds for every context and instant; whatever cannot be decided exactly gets none.
//!
//! Conditions are read as what makes them true: `not` is pushed down to the tests (three-
//! valued logic keeps De Morgan's laws), `or` is spread into a disjunction of conjunctions of
//! tests (up to [`MAX_DISJUNCTS`]; beyond, nothing is claimed), and a conjunction is
//! contradictory when the tests on one field leave it no value: an empty interval of numbers
//! (exact decimals, so `x > 5 and x < 6` holds for 5.5), money (whole minor units, one
//! currency), dates, `len`, `age_years` or `days_since` (whole numbers); no text, number or
//! yes/no value both in every `==`/`in` set and outside every `!=`/`not in` set; a field both
//! present and absent; a list both holding and not holding one value.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::Datelike;

use super::schema::PRICE;
use super::{Model, OfferModel};
use crate::language::ast::{Benefit, CompareOp, Expr, ExprKind, Func, Literal};
use crate::language::diagnostic::Diagnostic;
use crate::value::Type;
use crate::value::money::{Currency, Money};
use crate::value::number::Decimal;

/// Disjuncts kept while spreading `or`; a condition that needs more is not analysed.
pub const MAX_DISJUNCTS: usize = 64;
/// Tests (each value of an `in` list counting as one) in one conjunction; a condition that
/// needs more is not analysed, so that a long chain of `and`s loads in linear time.
const MAX_WEIGHT: usize = 2048;
/// Offer pairs compared for `always-beaten`; a larger rule set is compared up to this many.
const MAX_PAIRS: usize = 1_000_000;
/// Whole-number ranges at most this wide are searched value by value against `!=` tests.
const MAX_SPAN: i128 = 1024;

/// What a test reads: a field's value, or a whole number derived from a field.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Term {
    Value(String),
    Len(String),
    Age(String),
    Days(String),
}

impl Term {
    fn path(&self) -> &str {
        match self {
            Term::Value(p) | Term::Len(p) | Term::Age(p) | Term::Days(p) => p,
        }
    }
}

/// A literal as the analysis compares it: money as minor units, dates as day numbers.
#[derive(Clone, Debug, PartialEq)]
enum Scalar {
    Num(Decimal),
    Text(String),
    Bool(bool),
}

/// One thing a conjunction requires.
#[derive(Clone, Debug)]
enum Fact {
    /// The field is present (`true`) or absent.
    Present(String, bool),
    Cmp(Term, CompareOp, Scalar),
    /// In the set (`true`) or outside it.
    In(Term, Vec<Scalar>, bool),
    /// The money field is in this currency.
    Currency(String, Currency),
    /// The money field, when present, is in this currency (a benefit's currency and `price`).
    CurrencyIfPresent(String, Currency),
    /// The list field holds (`true`) or does not hold the value written so.
    Member(String, String, bool),
}

type Conjunction = Vec<Fact>;

struct Analyser<'a> {
    model: &'a Model,
    /// Fields whose tests were found to contradict each other.
    conflicts: BTreeSet<String>,
}

pub fn warnings(model: &Model) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    let mut never = vec![false; model.offers.len()];
    let mut requirements = vec![None; model.offers.len()];
    for (i, offer) in model.offers.iter().enumerate() {
        // `limit 0` has a warning of its own
        if offer.limit.as_ref().is_some_and(|l| l.value == 0) {
            never[i] = true;
            continue;
        }
        let mut a = Analyser {
            model,
            conflicts: BTreeSet::new(),
        };
        let required = a.eligible(offer);
        if required.as_ref().is_some_and(Vec::is_empty) {
            never[i] = true;
            let fields: Vec<String> = a.conflicts.iter().map(|f| format!("`{f}`")).collect();
            let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
            let why = match fields.len() {
                0 => String::new(),
                1 => format!(" (the tests on {} contradict each other)", fields[0]),
                _ => format!(
                    " (the tests on {} contradict each other)",
                    crate::language::diagnostic::and_list(&fields)
                ),
            };
            found.push(
                Diagnostic::warning(
                    "never-eligible",
                    format!(
                        "offer `{}` can never be eligible: no customer can meet all its conditions at once{why}",
                        offer.id
                    ),
                )
                .at(offer.span)
                .with_help("check the numbers and values in its `when` clauses"),
            );
        }
        requirements[i] = required;
    }
    let (same, groups) = same_offers(model);
    found.extend(same);
    found.extend(always_beaten(model, &never, &requirements, &groups));
    found
}

impl Analyser<'_> {
    fn ty(&self, path: &str) -> Option<&Type> {
        let schema = &self.model.schema;
        schema.slot(path).map(|s| &schema.field(s).ty)
    }

    /// What an offer's eligibility requires, as alternatives of facts; empty when nothing
    /// can make it eligible, `None` when that is not decided.
    fn eligible(&mut self, offer: &OfferModel) -> Option<Vec<Conjunction>> {
        let mut base: Conjunction = Vec::new();
        if offer.limit.is_some() {
            base.push(Fact::Present(self.redeemed_path(), true));
        }
        if offer.code.is_some() {
            let codes = self.model.schema.field(super::schema::CODES).path.clone();
            base.push(Fact::Cmp(
                Term::Len(codes),
                CompareOp::Ge,
                Scalar::Num(Decimal::from_int(1)),
            ));
        }
        let price = self.model.schema.field(PRICE).path.clone();
        for currency in benefit_currencies(offer.benefit.as_ref()) {
            base.push(Fact::CurrencyIfPresent(price.clone(), currency));
        }
        let mut acc = vec![base];
        for when in &offer.whens {
            let d = self.dnf(&when.expr, true)?;
            acc = self.product(&acc, &d)?;
        }
        Some(acc)
    }

    /// Whether `test` is true in every context that meets one of `alternatives`: no
    /// alternative leaves room for it to be false or unknown. Decided for single tests that
    /// are unknown only when a field is missing (not money, which is also unknown across
    /// currencies).
    fn implies(&mut self, alternatives: &[Conjunction], test: &Expr) -> bool {
        let Some(unknown) = self.unknown_when(test) else {
            return false;
        };
        let Some(mut not_true) = self.dnf(test, false) else {
            return false;
        };
        not_true.extend(unknown);
        alternatives.iter().all(|a| {
            not_true.iter().all(|n| {
                let mut joined = a.clone();
                joined.extend(n.iter().cloned());
                !self.satisfiable(&joined)
            })
        })
    }

    /// The ways a single test can be unknown, or `None` when the analysis cannot list them.
    fn unknown_when(&self, test: &Expr) -> Option<Vec<Conjunction>> {
        let absent = |path: &str| Some(vec![vec![Fact::Present(path.to_string(), false)]]);
        let money = |e: &Expr| matches!(literal(e), Some(Literal::Money(_)));
        match &test.kind {
            ExprKind::Call {
                func: Func::Has, ..
            } => Some(Vec::new()),
            ExprKind::Path(p) if self.ty(p) == Some(&Type::Bool) => absent(p),
            ExprKind::Compare { lhs, rhs, .. } => {
                let (t, lit) = match (term(lhs), term(rhs)) {
                    (Some(t), None) => (t, rhs),
                    (None, Some(t)) => (t, lhs),
                    _ => return None,
                };
                if literal(lit).is_none() || money(lit) {
                    return None;
                }
                absent(t.path())
            }
            ExprKind::In { lhs, rhs, .. } => match (term(lhs), &rhs.kind) {
                (Some(t), ExprKind::List(items)) if !items.iter().any(money) => absent(t.path()),
                (None, ExprKind::Path(p)) if literal(lhs).is_some() && !money(lhs) => absent(p),
                _ => None,
            },
            _ => None,
        }
    }

    fn redeemed_path(&self) -> String {
        self.model
            .schema
            .field(super::schema::REDEEMED)
            .path
            .clone()
    }

    /// What makes `expr` true (`positive`) or false, as a disjunction of conjunctions
    /// (satisfiable ones only); `None` when it would take more than [`MAX_DISJUNCTS`].
    fn dnf(&mut self, expr: &Expr, positive: bool) -> Option<Vec<Conjunction>> {
        match &expr.kind {
            ExprKind::Not(inner) => self.dnf(inner, !positive),
            ExprKind::And(parts) | ExprKind::Or(parts) => {
                let all = matches!(expr.kind, ExprKind::And(_)) == positive;
                if all {
                    let mut acc = vec![Vec::new()];
                    for part in parts {
                        let d = self.dnf(part, positive)?;
                        acc = self.product(&acc, &d)?;
                    }
                    Some(acc)
                } else {
                    let mut acc = Vec::new();
                    for part in parts {
                        acc.extend(self.dnf(part, positive)?);
                        if acc.len() > MAX_DISJUNCTS {
                            return None;
                        }
                    }
                    Some(acc)
                }
            }
            ExprKind::Literal(Literal::Bool(b)) => Some(if *b == positive {
                vec![Vec::new()]
            } else {
                Vec::new()
            }),
            _ => {
                let facts = self.atom(expr, positive);
                if weight(&facts) > MAX_WEIGHT {
                    return None;
                }
                Some(if self.satisfiable(&facts) {
                    vec![facts]
                } else {
                    Vec::new()
                })
            }
        }
    }

    /// Every conjunction of one side with every one of the other, the contradictory left out.
    fn product(&mut self, a: &[Conjunction], b: &[Conjunction]) -> Option<Vec<Conjunction>> {
        let mut out = Vec::new();
        for x in a {
            for y in b {
                if weight(x) + weight(y) > MAX_WEIGHT {
                    return None;
                }
                let mut joined = x.clone();
                joined.extend(y.iter().cloned());
                if self.satisfiable(&joined) {
                    out.push(joined);
                    if out.len() > MAX_DISJUNCTS {
                        return None;
                    }
                }
            }
        }
        Some(out)
    }

    /// The facts that make one test true (`positive`) or false. Tests the analysis does not
    /// read require nothing (they might hold).
    fn atom(&self, expr: &Expr, positive: bool) -> Conjunction {
        match &expr.kind {
            ExprKind::Path(p) if self.ty(p) == Some(&Type::Bool) => {
                vec![Fact::Cmp(
                    Term::Value(p.clone()),
                    CompareOp::Eq,
                    Scalar::Bool(positive),
                )]
            }
            ExprKind::Call {
                func: Func::Has,
                arg,
            } => match &arg.kind {
                ExprKind::Path(p) => vec![Fact::Present(p.clone(), positive)],
                _ => Vec::new(),
            },
            ExprKind::Compare { op, lhs, rhs } => {
                let (term, op, lit) = match (term(lhs), literal(rhs), term(rhs), literal(lhs)) {
                    (Some(t), Some(l), _, _) => (t, *op, l),
                    (_, _, Some(t), Some(l)) => (t, op.flipped(), l),
                    _ => return Vec::new(),
                };
                let op = if positive { op } else { op.negated() };
                let Some((scalar, currency)) = scalar(lit) else {
                    return Vec::new();
                };
                let mut facts = Vec::new();
                if let Some(c) = currency {
                    facts.push(Fact::Currency(term.path().to_string(), c));
                }
                facts.push(Fact::Cmp(term, op, scalar));
                facts
            }
            ExprKind::In { negated, lhs, rhs } => {
                let inside = positive != *negated;
                if let (Some(t), ExprKind::List(items)) = (term(lhs), &rhs.kind) {
                    let mut scalars = Vec::new();
                    let mut currency = None;
                    for item in items {
                        let Some((s, c)) = literal(item).and_then(scalar) else {
                            return Vec::new();
                        };
                        currency = currency.or(c);
                        scalars.push(s);
                    }
                    let mut facts = Vec::new();
                    if let Some(c) = currency {
                        facts.push(Fact::Currency(t.path().to_string(), c));
                    }
                    facts.push(Fact::In(t, scalars, inside));
                    return facts;
                }
                match (literal(lhs), &rhs.kind) {
                    (Some(lit), ExprKind::Path(p)) => {
                        vec![Fact::Member(p.clone(), lit.to_string(), inside)]
                    }
                    _ => Vec::new(),
                }
            }
            _ => Vec::new(),
        }
    }

    /// Whether some context meets every fact; a contradiction records the field.
    fn satisfiable(&mut self, facts: &[Fact]) -> bool {
        match self.contradiction(facts) {
            None => true,
            Some(field) => {
                self.conflicts.insert(field);
                false
            }
        }
    }
}

/// How much checking a conjunction costs: a test each, and each value of a list.
fn weight(facts: &[Fact]) -> usize {
    facts
        .iter()
        .map(|f| match f {
            Fact::In(_, items, _) => 1 + items.len(),
            _ => 1,
        })
        .sum()
}

/// Records that `path` must be present (or absent); false when it already must not.
fn need<'f>(path: &'f str, value: bool, present: &mut BTreeMap<&'f str, bool>) -> bool {
    *present.entry(path).or_insert(value) == value
}

impl Analyser<'_> {
    /// The contradiction in `facts`, with the field it is on when there is one.
    fn contradiction(&self, facts: &[Fact]) -> Option<String> {
        let mut present: BTreeMap<&str, bool> = BTreeMap::new();
        let mut currency: BTreeMap<&str, Currency> = BTreeMap::new();
        let mut members: BTreeMap<(&str, &str), bool> = BTreeMap::new();
        let mut terms: BTreeMap<&Term, Vec<&Fact>> = BTreeMap::new();
        for fact in facts {
            let ok = match fact {
                Fact::Present(p, v) => need(p, *v, &mut present),
                Fact::Cmp(t, ..) | Fact::In(t, ..) => {
                    terms.entry(t).or_default().push(fact);
                    need(t.path(), true, &mut present)
                }
                Fact::Currency(p, c) => {
                    *currency.entry(p).or_insert(*c) == *c && need(p, true, &mut present)
                }
                Fact::CurrencyIfPresent(..) => true,
                Fact::Member(p, v, holds) => {
                    *members.entry((p, v)).or_insert(*holds) == *holds
                        && need(p, true, &mut present)
                }
            };
            if !ok {
                return Some(fact_path(fact).to_string());
            }
        }
        for fact in facts {
            if let Fact::CurrencyIfPresent(p, c) = fact
                && present.get(p.as_str()) == Some(&true)
                && *currency.entry(p).or_insert(*c) != *c
            {
                return Some(p.clone());
            }
        }
        for (term, tests) in terms {
            // entries the list must hold: at least that many
            let held = match term {
                Term::Len(p) => members
                    .iter()
                    .filter(|((q, _), holds)| q == p && **holds)
                    .count(),
                _ => 0,
            };
            if !self.term_satisfiable(term, &tests, held) {
                return Some(term.path().to_string());
            }
        }
        None
    }

    /// Whether one value of the term's domain passes every test on it.
    fn term_satisfiable(&self, term: &Term, tests: &[&Fact], held: usize) -> bool {
        let whole = match term {
            Term::Value(p) => match self.ty(p) {
                Some(Type::Money | Type::Date) => true,
                Some(Type::Number) => false,
                Some(Type::Text) => return discrete(tests, None),
                Some(Type::Bool) => {
                    return discrete(tests, Some(vec![Scalar::Bool(false), Scalar::Bool(true)]));
                }
                _ => return true,
            },
            _ => true,
        };
        let mut range = Range {
            low: None,
            high: None,
        };
        if matches!(term, Term::Len(_)) {
            range.raise(Decimal::from_int(held as i64), false);
        }
        let mut allowed: Option<Vec<Decimal>> = None;
        let mut excluded: Vec<Decimal> = Vec::new();
        for test in tests {
            match test {
                Fact::Cmp(_, op, Scalar::Num(n)) => match op {
                    CompareOp::Eq => restrict(&mut allowed, vec![*n]),
                    CompareOp::Ne => excluded.push(*n),
                    CompareOp::Gt => range.raise(*n, true),
                    CompareOp::Ge => range.raise(*n, false),
                    CompareOp::Lt => range.lower(*n, true),
                    CompareOp::Le => range.lower(*n, false),
                },
                Fact::In(_, items, inside) => {
                    let numbers: Vec<Decimal> = items
                        .iter()
                        .filter_map(|s| match s {
                            Scalar::Num(n) => Some(*n),
                            _ => None,
                        })
                        .collect();
                    if numbers.len() != items.len() {
                        return true;
                    }
                    if *inside {
                        restrict(&mut allowed, numbers);
                    } else {
                        excluded.extend(numbers);
                    }
                }
                _ => return true,
            }
        }
        let fits =
            |n: &Decimal| range.holds(n) && !excluded.contains(n) && (!whole || n.scale() == 0);
        if let Some(allowed) = allowed {
            return allowed.iter().any(fits);
        }
        if whole {
            let low = range.low.map(|(n, strict)| {
                let c = ceil(&n);
                if strict && n.scale() == 0 { c + 1 } else { c }
            });
            let high = range.high.map(|(n, strict)| {
                let f = floor(&n);
                if strict && n.scale() == 0 { f - 1 } else { f }
            });
            match (low, high) {
                (Some(l), Some(h)) if l > h => false,
                (Some(l), Some(h)) if h - l < MAX_SPAN => (l..=h).any(|v| {
                    i64::try_from(v).is_ok_and(|v| !excluded.contains(&Decimal::from_int(v)))
                }),
                _ => true,
            }
        } else {
            match (range.low, range.high) {
                (Some((l, ls)), Some((h, hs))) => {
                    l < h || (l == h && !ls && !hs && !excluded.contains(&l))
                }
                _ => true,
            }
        }
    }
}

/// Text and yes/no values: some value in every `==`/`in` set and outside every `!=`/`not in`
/// set (`domain`: every value there is, when there are few).
fn discrete(tests: &[&Fact], domain: Option<Vec<Scalar>>) -> bool {
    let mut allowed: Option<Vec<Scalar>> = domain;
    let mut excluded: Vec<&Scalar> = Vec::new();
    for test in tests {
        match test {
            Fact::Cmp(_, CompareOp::Eq, s) => restrict(&mut allowed, vec![s.clone()]),
            Fact::Cmp(_, CompareOp::Ne, s) => excluded.push(s),
            Fact::In(_, items, true) => restrict(&mut allowed, items.clone()),
            Fact::In(_, items, false) => excluded.extend(items),
            // ordering of text is not analysed: it might hold
            _ => {}
        }
    }
    match allowed {
        Some(values) => values.iter().any(|v| !excluded.contains(&v)),
        None => true,
    }
}

fn restrict<T: PartialEq>(allowed: &mut Option<Vec<T>>, set: Vec<T>) {
    *allowed = Some(match allowed.take() {
        None => set,
        Some(before) => before.into_iter().filter(|v| set.contains(v)).collect(),
    });
}

/// Bounds of a number, each with whether it is strict.
struct Range {
    low: Option<(Decimal, bool)>,
    high: Option<(Decimal, bool)>,
}

impl Range {
    fn raise(&mut self, n: Decimal, strict: bool) {
        let tighter = match self.low {
            None => true,
            Some((l, ls)) => n > l || (n == l && strict && !ls),
        };
        if tighter {
            self.low = Some((n, strict));
        }
    }

    fn lower(&mut self, n: Decimal, strict: bool) {
        let tighter = match self.high {
            None => true,
            Some((h, hs)) => n < h || (n == h && strict && !hs),
        };
        if tighter {
            self.high = Some((n, strict));
        }
    }

    fn holds(&self, n: &Decimal) -> bool {
        self.low
            .is_none_or(|(l, strict)| if strict { *n > l } else { *n >= l })
            && self
                .high
                .is_none_or(|(h, strict)| if strict { *n < h } else { *n <= h })
    }
}

fn floor(n: &Decimal) -> i128 {
    n.mantissa()
        .div_euclid(crate::value::number::pow10(n.scale()))
}

fn ceil(n: &Decimal) -> i128 {
    -(-n.mantissa()).div_euclid(crate::value::number::pow10(n.scale()))
}

fn fact_path(fact: &Fact) -> &str {
    match fact {
        Fact::Present(p, _)
        | Fact::Currency(p, _)
        | Fact::CurrencyIfPresent(p, _)
        | Fact::Member(p, _, _) => p,
        Fact::Cmp(t, ..) | Fact::In(t, ..) => t.path(),
    }
}

fn term(expr: &Expr) -> Option<Term> {
    match &expr.kind {
        ExprKind::Path(p) => Some(Term::Value(p.clone())),
        ExprKind::Call { func, arg } => {
            let ExprKind::Path(p) = &arg.kind else {
                return None;
            };
            match func {
                Func::Len => Some(Term::Len(p.clone())),
                Func::AgeYears => Some(Term::Age(p.clone())),
                Func::DaysSince => Some(Term::Days(p.clone())),
                Func::Has => None,
            }
        }
        _ => None,
    }
}

fn literal(expr: &Expr) -> Option<&Literal> {
    match &expr.kind {
        ExprKind::Literal(l) => Some(l),
        _ => None,
    }
}

fn scalar(lit: &Literal) -> Option<(Scalar, Option<Currency>)> {
    Some(match lit {
        Literal::Number(n) => (Scalar::Num(*n), None),
        Literal::Text(t) => (Scalar::Text(t.clone()), None),
        Literal::Bool(b) => (Scalar::Bool(*b), None),
        Literal::Date(d) => (
            Scalar::Num(Decimal::from_int(i64::from(d.num_days_from_ce()))),
            None,
        ),
        Literal::Money(m) => (
            Scalar::Num(Decimal::from_int(i64::try_from(m.minor).ok()?)),
            Some(m.currency),
        ),
    })
}

fn benefit_currencies(benefit: Option<&Benefit>) -> Vec<Currency> {
    match benefit {
        Some(Benefit::Price(m) | Benefit::Off(m)) => vec![m.value.currency],
        Some(Benefit::Percent { cap: Some(m), .. }) => vec![m.value.currency],
        _ => Vec::new(),
    }
}

// ------------------------------------------------------------------ comparing offers

/// An expression in a normal form: `and`/`or` flattened and sorted, literals on the right,
/// `not` folded into comparisons and `in`, list entries sorted. Equal forms mean the same.
fn normal(expr: &Expr) -> String {
    match &expr.kind {
        ExprKind::And(_) | ExprKind::Or(_) => {
            let and = matches!(expr.kind, ExprKind::And(_));
            let mut items = Vec::new();
            flatten(expr, and, &mut items);
            let mut items: Vec<String> = items.into_iter().map(normal).collect();
            items.sort();
            items.dedup();
            format!("{}({})", if and { "and" } else { "or" }, items.join(", "))
        }
        ExprKind::Not(inner) => match &inner.kind {
            ExprKind::Compare { op, lhs, rhs } => compare_form(op.negated(), lhs, rhs),
            ExprKind::In { negated, lhs, rhs } => in_form(!negated, lhs, rhs),
            ExprKind::Not(twice) => normal(twice),
            _ => format!("not({})", normal(inner)),
        },
        ExprKind::Compare { op, lhs, rhs } => compare_form(*op, lhs, rhs),
        ExprKind::In { negated, lhs, rhs } => in_form(*negated, lhs, rhs),
        ExprKind::List(items) => {
            let mut items: Vec<String> = items.iter().map(normal).collect();
            items.sort();
            items.dedup();
            format!("[{}]", items.join(", "))
        }
        ExprKind::Call { func, arg } => format!("{}({})", func.name(), normal(arg)),
        ExprKind::Literal(_) | ExprKind::Path(_) => expr.to_string(),
    }
}

fn flatten<'e>(expr: &'e Expr, and: bool, out: &mut Vec<&'e Expr>) {
    match &expr.kind {
        ExprKind::And(parts) if and => parts.iter().for_each(|p| flatten(p, and, out)),
        ExprKind::Or(parts) if !and => parts.iter().for_each(|p| flatten(p, and, out)),
        _ => out.push(expr),
    }
}

fn compare_form(op: CompareOp, lhs: &Expr, rhs: &Expr) -> String {
    let (op, lhs, rhs) = if literal(lhs).is_some() && literal(rhs).is_none() {
        (op.flipped(), rhs, lhs)
    } else {
        (op, lhs, rhs)
    };
    format!("{} {} {}", normal(lhs), op.symbol(), normal(rhs))
}

fn in_form(negated: bool, lhs: &Expr, rhs: &Expr) -> String {
    let word = if negated { "not in" } else { "in" };
    format!("{} {word} {}", normal(lhs), normal(rhs))
}

/// The tests that must all hold, each in normal form: every `when`, split at `and`.
fn conjuncts(offer: &OfferModel) -> BTreeSet<String> {
    tests(offer).into_iter().map(|(n, _)| n).collect()
}

/// The tests that must all hold with their normal forms.
fn tests(offer: &OfferModel) -> Vec<(String, &Expr)> {
    let mut parts = Vec::new();
    for when in &offer.whens {
        flatten(&when.expr, true, &mut parts);
    }
    parts
        .into_iter()
        .filter(|p| !matches!(p.kind, ExprKind::Literal(Literal::Bool(true))))
        .map(|p| (normal(p), p))
        .collect()
}

fn code_key(offer: &OfferModel) -> Option<String> {
    offer.code.as_ref().map(|c| c.value.trim().to_lowercase())
}

type WindowKey = (
    Option<chrono::DateTime<chrono::Utc>>,
    Option<chrono::DateTime<chrono::Utc>>,
);

fn window_key(offer: &OfferModel) -> WindowKey {
    offer.window.as_ref().map_or((None, None), |w| {
        (w.start.as_ref().map(|s| s.1), w.end.as_ref().map(|e| e.1))
    })
}

/// Offers with the same channels, window, code, limit and conditions, neither stackable;
/// and for each offer the first offer it is the same as (itself for the first).
fn same_offers(model: &Model) -> (Vec<Diagnostic>, Vec<Option<usize>>) {
    let mut found = Vec::new();
    let mut groups = vec![None; model.offers.len()];
    type Key = (
        Vec<usize>,
        WindowKey,
        Option<String>,
        Option<i64>,
        BTreeSet<String>,
    );
    let mut first: HashMap<Key, usize> = HashMap::new();
    for (i, offer) in model.offers.iter().enumerate() {
        if offer.stackable {
            continue;
        }
        let key = (
            offer.honored_on.clone(),
            window_key(offer),
            code_key(offer),
            offer.limit.as_ref().map(|l| l.value),
            conjuncts(offer),
        );
        match first.get(&key) {
            Some(&e) => {
                groups[i] = Some(e);
                let earlier = &model.offers[e];
                found.push(
                Diagnostic::warning(
                    "same-offer",
                    format!(
                        "offer `{}` is the same offer as `{}`: the same channels, window, code and conditions{}",
                        offer.id,
                        earlier.id,
                        if offer.benefit == earlier.benefit {
                            ""
                        } else {
                            "; only the benefit differs"
                        }
                    ),
                )
                .at(offer.span)
                .with_help("a copy left behind? remove one, or make their conditions differ"),
            )
            }
            None => {
                groups[i] = Some(i);
                first.insert(key, i);
            }
        }
    }
    (found, groups)
}

/// A benefit's result as a function of the list price, reduced to the few shapes whose
/// order can be decided for every price.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Shape {
    /// Leaves the price as it is (`0% off`, `0.00 USD off`).
    Same,
    /// Always zero (`price 0.00 USD`, `100% off`).
    Zero,
    Fixed(Money),
    Off(Money),
    Percent(Decimal, Option<Money>),
}

fn shape(benefit: &Benefit) -> Option<Shape> {
    let hundred = Decimal::from_int(100);
    Some(match benefit {
        Benefit::Price(m) if m.value.minor == 0 => Shape::Zero,
        Benefit::Price(m) => Shape::Fixed(m.value),
        Benefit::Off(m) if m.value.minor == 0 => Shape::Same,
        Benefit::Off(m) => Shape::Off(m.value),
        Benefit::Percent { percent, cap, .. } => {
            let cap = cap.as_ref().map(|c| c.value);
            if *percent == Decimal::ZERO || cap.is_some_and(|c| c.minor == 0) {
                Shape::Same
            } else if *percent == hundred {
                match cap {
                    None => Shape::Zero,
                    Some(c) => Shape::Off(c),
                }
            } else {
                Shape::Percent(*percent, cap)
            }
        }
        Benefit::Free(_) => return None,
    })
}

/// Whether `b` gives a result no higher than `a` for every list price (in the currency both
/// are written in).
fn no_higher(b: Shape, a: Shape) -> bool {
    use Shape::*;
    match (b, a) {
        (_, Same) | (Zero, _) => true,
        (Fixed(mb), Fixed(ma)) => mb.currency == ma.currency && mb.minor <= ma.minor,
        (Off(mb), Off(ma)) => mb.currency == ma.currency && mb.minor >= ma.minor,
        (Percent(nb, cb), Percent(na, ca)) => {
            nb >= na
                && match (cb, ca) {
                    (None, _) => true,
                    (Some(cb), Some(ca)) => cb.currency == ca.currency && cb.minor >= ca.minor,
                    (Some(_), None) => false,
                }
        }
        // a capped percentage takes off at most its cap, and never more than the price
        (Off(mb), Percent(_, Some(ca))) => mb.currency == ca.currency && ca.minor <= mb.minor,
        _ => false,
    }
}

fn regular(o: &OfferModel) -> bool {
    !o.stackable && !o.exclusive
}

/// Regular offers that another regular offer always beats in the quote.
/// An exact copy is reported as `same-offer` only.
fn always_beaten(
    model: &Model,
    never: &[bool],
    requirements: &[Option<Vec<Conjunction>>],
    groups: &[Option<usize>],
) -> Vec<Diagnostic> {
    type Candidate<'m> = (usize, Shape, BTreeSet<String>, Vec<(String, &'m Expr)>);
    let candidates: Vec<Candidate> = model
        .offers
        .iter()
        .enumerate()
        .filter(|(i, o)| regular(o) && !never[*i])
        .filter_map(|(i, o)| {
            let shape = shape(o.benefit.as_ref()?)?;
            let tests = tests(o);
            Some((i, shape, tests.iter().map(|t| t.0.clone()).collect(), tests))
        })
        .collect();
    let mut analyser = Analyser {
        model,
        conflicts: BTreeSet::new(),
    };
    let mut found = Vec::new();
    let mut budget = MAX_PAIRS;
    for (a, a_shape, a_tests, _) in &candidates {
        let loser = &model.offers[*a];
        let winner = candidates.iter().find(|(b, b_shape, _, b_tests)| {
            if b == a || budget == 0 {
                return false;
            }
            budget -= 1;
            let w = &model.offers[*b];
            // each of the winner's tests is one of the loser's, or follows from them
            beats(w, loser)
                && no_higher(*b_shape, *a_shape)
                && b_tests.iter().all(|(text, test)| {
                    a_tests.contains(text)
                        || requirements[*a]
                            .as_ref()
                            .is_some_and(|r| analyser.implies(r, test))
                })
                // an exact copy is reported as `same-offer` only
                && !(groups[*a].is_some() && groups[*a] == groups[*b] && w.benefit == loser.benefit)
        });
        if let Some((b, ..)) = winner {
            let w = &model.offers[*b];
            found.push(
                Diagnostic::warning(
                    "always-beaten",
                    format!(
                        "offer `{}` is never applied: whenever a customer can have it, `{}` can too and gives a price as low or lower, and wins a tie",
                        loser.id, w.id
                    ),
                )
                .at(loser.span)
                .with_help(format!(
                    "make `{}` better, narrow `{}`, or make one of them `stackable`",
                    loser.id, w.id
                )),
            );
        }
    }
    found
}

/// Whether `w` is eligible wherever `a` is (channels, window, code, limit, the currencies of
/// benefits and fees) and wins a tie with it; conditions and benefits are compared apart.
fn beats(w: &OfferModel, a: &OfferModel) -> bool {
    let wins_tie = w.priority > a.priority || (w.priority == a.priority && w.id < a.id);
    if !wins_tie {
        return false;
    }
    let a_currencies = benefit_currencies(a.benefit.as_ref());
    let w_currencies = benefit_currencies(w.benefit.as_ref());
    let (a_start, a_end) = window_key(a);
    let (w_start, w_end) = window_key(w);
    w.limit.is_none()
        && (w.code.is_none() || code_key(w) == code_key(a))
        && a.honored_on.iter().all(|c| w.honored_on.contains(c))
        && w_start.is_none_or(|ws| a_start.is_some_and(|s| ws <= s))
        && w_end.is_none_or(|we| a_end.is_some_and(|e| e <= we))
        // a benefit or fee in another currency than the price makes an offer ineligible
        && w_currencies.iter().all(|c| a_currencies.contains(c))
        && w.on.iter().all(|on| {
            !a.honored_on.contains(&on.channel)
                || on
                    .fee
                    .is_none_or(|f| a_currencies.len() == 1 && a_currencies[0] == f.currency)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pct(n: i64, cap: Option<i128>) -> Shape {
        let usd = Currency::from_code("USD").unwrap();
        Shape::Percent(
            Decimal::from_int(n),
            cap.map(|minor| Money {
                minor,
                currency: usd,
            }),
        )
    }

    #[test]
    fn benefit_orders_hold_for_every_price() {
        let usd = Currency::from_code("USD").unwrap();
        let m = |minor| Money {
            minor,
            currency: usd,
        };
        let shapes = [
            Shape::Same,
            Shape::Zero,
            Shape::Fixed(m(500)),
            Shape::Fixed(m(900)),
            Shape::Off(m(300)),
            Shape::Off(m(1000)),
            pct(10, None),
            pct(25, None),
            pct(25, Some(300)),
            pct(50, Some(1000)),
        ];
        let apply = |s: Shape, p: i128| -> i128 {
            let price = m(p);
            match s {
                Shape::Same => p,
                Shape::Zero => 0,
                Shape::Fixed(f) => price.fixed_price(f).minor,
                Shape::Off(o) => price.minus(o).minor,
                Shape::Percent(n, cap) => price.percent_off(n, cap).minor,
            }
        };
        for b in shapes {
            for a in shapes {
                if no_higher(b, a) {
                    for p in (0..5000).chain([99_999, 1_000_000]) {
                        assert!(apply(b, p) <= apply(a, p), "{b:?} vs {a:?} at {p}");
                    }
                }
            }
        }
        assert!(no_higher(pct(25, None), pct(10, None)));
        assert!(!no_higher(pct(10, None), pct(25, None)));
        assert!(no_higher(Shape::Off(m(1000)), pct(50, Some(1000))));
    }

    #[test]
    fn decimal_bounds_round_outward() {
        let d = |s: &str| Decimal::parse(s).unwrap();
        assert_eq!(floor(&d("5.5")), 5);
        assert_eq!(ceil(&d("5.5")), 6);
        assert_eq!(floor(&d("-5.5")), -6);
        assert_eq!(ceil(&d("-5.5")), -5);
        assert_eq!(ceil(&d("7")), 7);
    }
}
