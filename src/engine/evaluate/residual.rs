//! What would it take: the residual of a `when` that does not hold, in negation normal form.
//! `not` is pushed down to the tests and folded into them (`not (a >= b)` is `a < b`), the
//! tests that hold are dropped, and each test that fails or is unknown is a leaf with the
//! values it read and, for a threshold, how far off they are. It reads the node values the
//! decision recorded (`record`), so it cannot disagree with it.

use std::fmt;

use super::record::WhenFound;
use super::record::nodes;
use super::{Tri, Val, operand};
use crate::engine::compile::{Cond, Operand};
use crate::language::ast::CompareOp;
use crate::language::check::Schema;
use crate::value::number::Decimal;
use crate::value::time::format_instant;
use crate::value::{Value, Words, serialize_number, write_quoted, write_separated};

/// The part of a condition still to be satisfied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Residual {
    /// Every entry must come to hold.
    All(Vec<Residual>),
    /// One entry would be enough.
    Any(Vec<Residual>),
    /// One test.
    Leaf(Leaf),
}

/// A test that fails or is unknown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Leaf {
    /// The test as `honor fmt` prints it, with a `not` above it folded in.
    pub test: String,
    /// `false` when the test fails, `unknown` when a value is missing.
    pub result: Tri,
    /// Each operand that reads the context, as written, with its value now.
    pub now: Vec<(String, Shown)>,
    /// For a failing threshold test on a number or money: how far off it is.
    pub gap: Option<Gap>,
}

/// How far a failing threshold test is from holding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Gap {
    /// `x >= K` or `x > K`: `K − x` (for `>` the value must rise by more than that).
    ShortBy(Shown),
    /// `x <= K` or `x < K`: `x − K`.
    OverBy(Shown),
}

/// A value as a decision shows it: numbers stay numbers, money, dates and date-times are
/// text, lists are lists, `Missing` where the context has none.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Shown {
    /// The context has no value.
    Missing,
    /// A yes/no value.
    Bool(bool),
    /// A number, exactly as given.
    Number(Decimal),
    /// A text.
    Text(String),
    /// Money, a date or a date-time, as written in decisions (`"130.00 USD"`).
    Written(String),
    /// A list, in order.
    List(Vec<Shown>),
}

impl Shown {
    fn of(v: Val) -> Shown {
        match v {
            Val::Num(n) => Shown::Number(n),
            Val::Bool(b) => Shown::Bool(b),
            Val::Ref(v) => Shown::value(v),
        }
    }

    fn value(v: &Value) -> Shown {
        match v {
            Value::Number(n) => Shown::Number(*n),
            Value::Bool(b) => Shown::Bool(*b),
            Value::Text(t) => Shown::Text(t.clone()),
            Value::Money(m) => Shown::Written(m.to_string()),
            Value::Date(d) => Shown::Written(d.to_string()),
            Value::DateTime(t) => Shown::Written(format_instant(*t)),
            Value::List(items) => Shown::List(items.iter().map(Shown::value).collect()),
        }
    }
}

impl WhenFound<'_> {
    /// What is left of the condition when it does not hold (`None` when it holds).
    pub fn residual(&self) -> Option<Residual> {
        let (_, part) = self.node(self.cond, 0, false);
        part.map(|part| self.owned(&part))
    }

    /// The residual written straight out as JSON, as [`Residual`] serialises, without
    /// building it first; a condition that holds leaves `{"all": []}`.
    pub fn serialize_residual<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.node(self.cond, 0, false).1 {
            Some(part) => Json {
                when: self,
                part: &part,
            }
            .serialize(s),
            None => Residual::All(Vec::new()).serialize(s),
        }
    }
}

/// What is left of a condition as references into it: built into a [`Residual`] or written
/// out as JSON.
enum Part<'c> {
    All(Vec<Part<'c>>),
    Any(Vec<Part<'c>>),
    Leaf {
        cond: &'c Cond,
        negated: bool,
        result: Tri,
    },
}

impl WhenFound<'_> {
    /// The value of `cond` (node `index`) under `negated` `not`s, and what is left of it.
    fn node<'c>(&self, cond: &'c Cond, index: usize, negated: bool) -> (Tri, Option<Part<'c>>) {
        match cond {
            Cond::Not(inner) => self.node(inner, index + 1, !negated),
            Cond::And(_) | Cond::Or(_) => {
                let all = matches!(cond, Cond::And(_)) != negated;
                let mut parts = Vec::new();
                flatten(cond, index, negated, all, &mut parts);
                let mut value = Tri::from_bool(all);
                let mut entries = Vec::new();
                for (part, at, negated) in parts {
                    let (v, r) = self.node(part, at, negated);
                    value = if all { value.and(v) } else { value.or(v) };
                    entries.extend(r);
                }
                if value == Tri::True {
                    return (value, None);
                }
                let residual = if entries.len() == 1 {
                    entries.pop()
                } else if all {
                    Some(Part::All(entries))
                } else {
                    Some(Part::Any(entries))
                };
                (value, residual)
            }
            leaf => {
                let value = self.value(index, leaf, negated);
                if value == Tri::True {
                    return (value, None);
                }
                let part = Part::Leaf {
                    cond: leaf,
                    negated,
                    result: value,
                };
                (value, Some(part))
            }
        }
    }

    fn owned(&self, part: &Part) -> Residual {
        match part {
            Part::All(parts) => Residual::All(parts.iter().map(|p| self.owned(p)).collect()),
            Part::Any(parts) => Residual::Any(parts.iter().map(|p| self.owned(p)).collect()),
            Part::Leaf {
                cond,
                negated,
                result,
            } => Residual::Leaf(self.leaf(cond, *negated, *result)),
        }
    }

    /// What a test reads from the context, as its `now` lists it: each field or operand that
    /// reads the context (each text once), with its value now (`None`: missing).
    fn now<'c>(&'c self, cond: &'c Cond) -> [Option<(Name<'c>, Option<Val<'c>>)>; 2] {
        let schema = self.schema;
        let path = |slot: &usize| Name::Path(schema.field(*slot).path.as_str());
        let read = |op: &'c Operand| {
            reads_context(op).then(|| {
                (
                    Name::Operand(op, schema),
                    operand(op, self.ctx, &self.env).ok(),
                )
            })
        };
        match cond {
            Cond::Field(slot) => [Some((path(slot), self.ctx.get(*slot).map(Val::Ref))), None],
            Cond::Has(slot) => {
                let present = self.ctx.get(*slot).is_some();
                [Some((path(slot), Some(Val::Bool(present)))), None]
            }
            Cond::Compare { lhs, rhs, .. } | Cond::In { lhs, rhs, .. } => {
                match (read(lhs), read(rhs)) {
                    (Some(l), Some(r)) if l.0.to_string() == r.0.to_string() => [Some(l), None],
                    (l, r) => [l, r],
                }
            }
            Cond::InTextSet { lhs, .. } => [read(lhs), None],
            _ => [None, None],
        }
    }

    fn leaf(&self, cond: &Cond, negated: bool, result: Tri) -> Leaf {
        let test = Test {
            cond,
            negated,
            schema: self.schema,
        }
        .to_string();
        let mut leaf = Leaf {
            test,
            result,
            now: Vec::new(),
            gap: None,
        };
        for (name, value) in self.now(cond).into_iter().flatten() {
            leaf.now
                .push((name.to_string(), value.map_or(Shown::Missing, Shown::of)));
        }
        leaf.gap = self.gap_of(cond, negated, result);
        leaf
    }

    /// `short_by`/`over_by` of a failing threshold test.
    fn gap_of(&self, cond: &Cond, negated: bool, result: Tri) -> Option<Gap> {
        match cond {
            Cond::Compare { op, lhs, rhs } if result == Tri::False => {
                let op = if negated { op.negated() } else { *op };
                self.gap(op, lhs, rhs)
            }
            _ => None,
        }
    }

    /// `short_by`/`over_by` for a threshold written with the context on the left and a
    /// number or money literal on the right.
    fn gap(&self, op: CompareOp, lhs: &Operand, rhs: &Operand) -> Option<Gap> {
        if !reads_context(lhs) {
            return None;
        }
        let Operand::Value(k) = rhs else {
            return None;
        };
        let x = operand(lhs, self.ctx, &self.env).ok()?;
        let (rising, k, x) = match op {
            CompareOp::Ge | CompareOp::Gt => (true, k, x),
            CompareOp::Le | CompareOp::Lt => (false, k, x),
            _ => return None,
        };
        let difference = match (k, x) {
            (Value::Number(k), Val::Num(x)) => number_gap(rising, k, &x)?,
            (Value::Number(k), Val::Ref(Value::Number(x))) => number_gap(rising, k, x)?,
            (Value::Money(k), Val::Ref(Value::Money(x))) if k.currency == x.currency => {
                let minor = if rising {
                    k.minor - x.minor
                } else {
                    x.minor - k.minor
                };
                Shown::Written(
                    crate::value::money::Money {
                        minor,
                        currency: k.currency,
                    }
                    .to_string(),
                )
            }
            _ => return None,
        };
        Some(if rising {
            Gap::ShortBy(difference)
        } else {
            Gap::OverBy(difference)
        })
    }
}

/// The parts of an `and` (`all`) or `or` in negation normal form, each with whether a `not`
/// lies above it: an `and` directly inside an `and` (from parentheses, or from De Morgan) is
/// one `all` with it, and an `or` inside an `or` one `any`.
/// Each with its node index.
fn flatten<'c>(
    cond: &'c Cond,
    index: usize,
    negated: bool,
    all: bool,
    out: &mut Vec<(&'c Cond, usize, bool)>,
) {
    match cond {
        Cond::Not(inner) => flatten(inner, index + 1, !negated, all, out),
        Cond::And(parts) | Cond::Or(parts) if (matches!(cond, Cond::And(_)) != negated) == all => {
            let mut at = index + 1;
            for part in parts.iter() {
                flatten(part, at, negated, all, out);
                at += nodes(part);
            }
        }
        other => out.push((other, index, negated)),
    }
}

fn number_gap(rising: bool, k: &Decimal, x: &Decimal) -> Option<Shown> {
    let d = if rising {
        k.checked_sub(x)?
    } else {
        x.checked_sub(k)?
    };
    Some(Shown::Number(d))
}

/// A path, or a function or condition of one: an operand whose value comes from the context.
pub fn reads_context(op: &Operand) -> bool {
    match op {
        Operand::Field(_) => true,
        Operand::Value(_) => false,
        Operand::Len(inner) | Operand::AgeYears(inner) | Operand::DaysSince(inner) => {
            reads_context(inner)
        }
        Operand::Cond(c) => cond_reads_context(c),
    }
}

fn cond_reads_context(cond: &Cond) -> bool {
    match cond {
        Cond::Const(_) => false,
        Cond::Field(_) | Cond::Has(_) => true,
        Cond::Not(inner) => cond_reads_context(inner),
        Cond::And(parts) | Cond::Or(parts) => parts.iter().any(cond_reads_context),
        Cond::Compare { lhs, rhs, .. } | Cond::In { lhs, rhs, .. } => {
            reads_context(lhs) || reads_context(rhs)
        }
        Cond::InTextSet { lhs, .. } => reads_context(lhs),
    }
}

/// A leaf test as `honor fmt` prints it, with a `not` folded in: `not (a >= b)` is `a < b`,
/// `not (x in L)` is `x not in L`, a `bool` field `p` is `p == true`, `not has(p)` stays.
struct Test<'a> {
    cond: &'a Cond,
    negated: bool,
    schema: &'a Schema,
}

impl fmt::Display for Test<'_> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let n = self.negated;
        let path = |slot: &usize| self.schema.field(*slot).path.as_str();
        match self.cond {
            Cond::Const(b) => write!(f, "{}", *b != n),
            Cond::Field(slot) => write!(f, "{} == {}", path(slot), !n),
            Cond::Has(slot) if n => write!(f, "not has({})", path(slot)),
            Cond::Has(slot) => write!(f, "has({})", path(slot)),
            Cond::Compare { op, lhs, rhs } => {
                let op = if n { op.negated() } else { *op };
                write!(f, "{} {} {}", self.side(lhs), op.symbol(), self.side(rhs))
            }
            Cond::In { negated, lhs, rhs } => {
                let word = if *negated != n { "not in" } else { "in" };
                write!(f, "{} {word} {}", self.side(lhs), self.side(rhs))
            }
            Cond::InTextSet { negated, lhs, set } => {
                let word = if *negated != n { "not in" } else { "in" };
                write!(f, "{} {word} [", self.side(lhs))?;
                write_separated(f, &set.items, ", ", |f, item| write_quoted(f, item))?;
                f.write_str("]")
            }
            // `and`, `or` and `not` never reach a leaf
            other => CondText {
                cond: other,
                schema: self.schema,
            }
            .fmt(f),
        }
    }
}

impl Test<'_> {
    /// An operand of a comparison, in parentheses when it is a comparison itself.
    fn side<'b>(&'b self, op: &'b Operand) -> OperandText<'b> {
        OperandText {
            op,
            schema: self.schema,
        }
    }
}

/// An operand as `honor fmt` prints it inside a comparison.
struct OperandText<'a> {
    op: &'a Operand,
    schema: &'a Schema,
}

impl fmt::Display for OperandText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let inner = |op| OperandText {
            op,
            schema: self.schema,
        };
        match self.op {
            Operand::Field(slot) => f.write_str(&self.schema.field(*slot).path),
            Operand::Value(v) => write!(f, "{v}"),
            Operand::Len(a) => write!(f, "len({})", inner(a)),
            Operand::AgeYears(a) => write!(f, "age_years({})", inner(a)),
            Operand::DaysSince(a) => write!(f, "days_since({})", inner(a)),
            Operand::Cond(c) => {
                let text = CondText {
                    cond: c,
                    schema: self.schema,
                };
                // a comparison, `not`, `and` or `or` used as a value is in parentheses
                if matches!(**c, Cond::Field(_) | Cond::Has(_) | Cond::Const(_)) {
                    write!(f, "{text}")
                } else {
                    write!(f, "({text})")
                }
            }
        }
    }
}

/// A condition as `honor fmt` prints it, with the fewest parentheses that keep its structure.
struct CondText<'a> {
    cond: &'a Cond,
    schema: &'a Schema,
}

impl CondText<'_> {
    /// `or` 1, `and` 2, `not` 3, comparisons 4, the rest 5.
    fn precedence(cond: &Cond) -> u8 {
        match cond {
            Cond::Or(_) => 1,
            Cond::And(_) => 2,
            Cond::Not(_) => 3,
            Cond::Compare { .. } | Cond::In { .. } | Cond::InTextSet { .. } => 4,
            _ => 5,
        }
    }

    fn within(&self, f: &mut fmt::Formatter, cond: &Cond, above: u8) -> fmt::Result {
        let text = CondText {
            cond,
            schema: self.schema,
        };
        if Self::precedence(cond) <= above {
            write!(f, "({text})")
        } else {
            write!(f, "{text}")
        }
    }
}

impl fmt::Display for CondText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self.cond {
            Cond::Not(inner) => {
                f.write_str("not ")?;
                self.within(f, inner, 4)
            }
            Cond::And(parts) | Cond::Or(parts) => {
                let (word, prec) = if matches!(self.cond, Cond::And(_)) {
                    (" and ", 2)
                } else {
                    (" or ", 1)
                };
                write_separated(f, parts, word, |f, part| self.within(f, part, prec))
            }
            Cond::Field(slot) => f.write_str(&self.schema.field(*slot).path),
            leaf => Test {
                cond: leaf,
                negated: false,
                schema: self.schema,
            }
            .fmt(f),
        }
    }
}

// ------------------------------------------------------------------------------- JSON

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

/// `{"all": […]}`, `{"any": […]}` or a leaf `{"test", "result", "now", "short_by"|"over_by"}`.
impl Serialize for Residual {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Residual::All(entries) => {
                let mut map = s.serialize_map(Some(1))?;
                map.serialize_entry("all", entries)?;
                map.end()
            }
            Residual::Any(entries) => {
                let mut map = s.serialize_map(Some(1))?;
                map.serialize_entry("any", entries)?;
                map.end()
            }
            Residual::Leaf(leaf) => leaf.serialize(s),
        }
    }
}

impl Serialize for Leaf {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("test", &self.test)?;
        let result = if self.result == Tri::Unknown {
            "unknown"
        } else {
            "fail"
        };
        map.serialize_entry("result", result)?;
        map.serialize_entry("now", &Now(&self.now))?;
        match &self.gap {
            Some(Gap::ShortBy(v)) => map.serialize_entry("short_by", v)?,
            Some(Gap::OverBy(v)) => map.serialize_entry("over_by", v)?,
            None => {}
        }
        map.end()
    }
}

struct Now<'a>(&'a [(String, Shown)]);

impl Serialize for Now<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (name, value) in self.0 {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

/// A part of a residual written out as JSON, as [`Residual`] and [`Leaf`] serialise.
struct Json<'w, 'c> {
    when: &'w WhenFound<'w>,
    part: &'w Part<'c>,
}

impl Serialize for Json<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let when = self.when;
        let list = |parts| Parts { when, parts };
        match self.part {
            Part::All(parts) => {
                let mut map = s.serialize_map(Some(1))?;
                map.serialize_entry("all", &list(parts))?;
                map.end()
            }
            Part::Any(parts) => {
                let mut map = s.serialize_map(Some(1))?;
                map.serialize_entry("any", &list(parts))?;
                map.end()
            }
            Part::Leaf {
                cond,
                negated,
                result,
            } => {
                let mut map = s.serialize_map(None)?;
                let test = Test {
                    cond,
                    negated: *negated,
                    schema: when.schema,
                };
                map.serialize_entry("test", &Words(test))?;
                let word = if *result == Tri::Unknown {
                    "unknown"
                } else {
                    "fail"
                };
                map.serialize_entry("result", word)?;
                map.serialize_entry("now", &NowJson { when, cond })?;
                match when.gap_of(cond, *negated, *result) {
                    Some(Gap::ShortBy(v)) => map.serialize_entry("short_by", &v)?,
                    Some(Gap::OverBy(v)) => map.serialize_entry("over_by", &v)?,
                    None => {}
                }
                map.end()
            }
        }
    }
}

/// The entries of an `all` or `any`, as a JSON list.
struct Parts<'w, 'c> {
    when: &'w WhenFound<'w>,
    parts: &'w [Part<'c>],
}

impl Serialize for Parts<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let when = self.when;
        s.collect_seq(self.parts.iter().map(|part| Json { when, part }))
    }
}

/// A leaf's `now`: what each operand that reads the context holds, under its text.
struct NowJson<'w> {
    when: &'w WhenFound<'w>,
    cond: &'w Cond,
}

impl Serialize for NowJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        for (name, value) in self.when.now(self.cond).into_iter().flatten() {
            let name = Words(name);
            match value {
                Some(Val::Ref(v)) => map.serialize_entry(&name, &v.json())?,
                Some(Val::Num(n)) => map.serialize_entry(&name, &Shown::Number(n))?,
                Some(Val::Bool(b)) => map.serialize_entry(&name, &b)?,
                None => map.serialize_entry(&name, &())?,
            }
        }
        map.end()
    }
}

/// How an entry of `now` is written: a field's path, or an operand as `honor fmt` prints it.
enum Name<'c> {
    Path(&'c str),
    Operand(&'c Operand, &'c Schema),
}

impl fmt::Display for Name<'_> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match *self {
            Name::Path(path) => f.write_str(path),
            Name::Operand(op, schema) => OperandText { op, schema }.fmt(f),
        }
    }
}

/// Numbers are written exactly as the decimal prints, as JSON numbers.
impl Serialize for Shown {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Shown::Missing => s.serialize_none(),
            Shown::Bool(b) => s.serialize_bool(*b),
            Shown::Text(t) | Shown::Written(t) => s.serialize_str(t),
            Shown::List(items) => items.serialize(s),
            Shown::Number(n) => serialize_number(n, s),
        }
    }
}
