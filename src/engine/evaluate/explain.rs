//! Explanations of `when` clauses in plain words, with the actual values: what each deciding
//! part of the condition found and what it needs, e.g.
//! `customer.tenure_months is 6, needs >= 12`. They are written from the node values the
//! decision itself recorded (`record`), so the two cannot disagree, and only when a decision
//! is rendered.

use std::borrow::Cow;
use std::fmt;

use super::record::{WhenFound, nodes};
use super::{Tri, Val, operand};
use crate::engine::compile::{Cond, Operand};
use crate::language::ast::Moment;
use crate::language::check::WindowModel;
use crate::value::{Value, write_quoted};

/// A validity window in words: the `valid` clause's explanation for an instant inside, before
/// and after it, and the window alone for the knowledge base.
#[derive(Clone, Debug, Default)]
pub struct WindowWords {
    pub inside: String,
    pub before: String,
    pub after: String,
    /// `2026-11-15 to 2027-01-31 (America/Chicago)`.
    pub range: String,
}

pub fn window_words(window: Option<&WindowModel>, zone: &str) -> WindowWords {
    let Some(w) = window else {
        return WindowWords {
            inside: String::from("always valid"),
            range: String::from("always"),
            ..WindowWords::default()
        };
    };
    let bound = |m: &Moment| match m.time {
        Some((h, mi)) => format!("{} at {h:02}:{mi:02}", m.date),
        None => m.date.to_string(),
    };
    let start = w.start.as_ref().map(|(m, _)| bound(m));
    let end = w.end.as_ref().map(|(m, _)| bound(m));
    let range = match (&start, &end) {
        (Some(s), Some(e)) => format!("{s} to {e} ({zone})"),
        (Some(s), None) => format!("from {s} ({zone}), no end"),
        (None, Some(e)) => format!("until {e} ({zone})"),
        (None, None) => String::from("always"),
    };
    WindowWords {
        inside: match (&start, &end) {
            (Some(_), Some(_)) => format!("within {range}"),
            (Some(s), None) => format!("valid from {s} ({zone}), with no end"),
            (None, Some(_)) => format!("valid {range}"),
            (None, None) => String::from("always valid"),
        },
        before: start
            .map(|s| format!("starts on {s} ({zone})"))
            .unwrap_or_default(),
        after: end
            .map(|e| format!("ended on {e} ({zone})"))
            .unwrap_or_default(),
        range,
    }
}

/// The parts of `cond` that decide its value, described.
impl fmt::Display for WhenFound<'_> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        self.reason(self.cond, 0, false, f)
    }
}

impl WhenFound<'_> {
    /// The parts of an `and` or `or` (node `index`) that its explanation shows: an `and` that
    /// holds shows every part, one that fails the failing parts; an `or` the other way
    /// round; an unknown result shows the unknown parts. Each with its node index.
    fn shown<'c>(
        &self,
        cond: &'c Cond,
        index: usize,
        negated: bool,
    ) -> impl Iterator<Item = (&'c Cond, usize)> + use<'c, '_> {
        let (parts, is_and) = match cond {
            Cond::And(parts) => (&parts[..], !negated),
            Cond::Or(parts) => (&parts[..], negated),
            _ => (&[][..], false),
        };
        let value = self.value(index, cond, negated);
        let mut next = index + 1;
        parts
            .iter()
            .map(move |part| {
                let at = next;
                next += nodes(part);
                (part, at)
            })
            .filter(move |(part, at)| match (is_and, value) {
                (true, Tri::True) | (false, Tri::False) => true,
                (_, value) => self.value(*at, part, negated) == value,
            })
    }

    /// The joiner `reason` lists the parts of `cond` with, if it lists several.
    fn joiner(&self, cond: &Cond, index: usize, negated: bool) -> Option<&'static str> {
        match cond {
            Cond::Not(inner) => self.joiner(inner, index + 1, !negated),
            Cond::And(_) | Cond::Or(_) => {
                let is_and = matches!(cond, Cond::And(_)) != negated;
                (self.shown(cond, index, negated).nth(1).is_some()).then_some(if is_and {
                    "; "
                } else {
                    "; or "
                })
            }
            _ => None,
        }
    }

    /// Writes the parts of `cond` (node `index`) that decide its value, described; `negated`
    /// when an odd number of `not`s surround it (then `and` reads as `or` and comparisons
    /// turn around).
    fn reason(
        &self,
        cond: &Cond,
        index: usize,
        negated: bool,
        out: &mut fmt::Formatter,
    ) -> fmt::Result {
        match cond {
            Cond::Not(inner) => self.reason(inner, index + 1, !negated, out),
            Cond::And(_) | Cond::Or(_) => {
                let is_and = matches!(cond, Cond::And(_)) != negated;
                let joiner = if is_and { "; " } else { "; or " };
                for (count, (part, at)) in self.shown(cond, index, negated).enumerate() {
                    if count > 0 {
                        out.write_str(joiner)?;
                    }
                    // a part that lists its own parts with the other joiner is in parentheses
                    if self.joiner(part, at, negated).is_some_and(|j| j != joiner) {
                        out.write_str("(")?;
                        self.reason(part, at, negated, out)?;
                        out.write_str(")")?;
                    } else {
                        self.reason(part, at, negated, out)?;
                    }
                }
                Ok(())
            }
            Cond::Const(b) => out.write_str(if *b != negated {
                "always holds"
            } else {
                "never holds"
            }),
            Cond::Field(slot) => {
                let name = &self.schema.field(*slot).path;
                match self.ctx.get(*slot) {
                    Some(v) => write!(out, "{name} is {v}, needs {}", !negated),
                    None => write!(out, "{name} is missing, needs {}", !negated),
                }
            }
            Cond::Has(slot) => {
                let name = &self.schema.field(*slot).path;
                let present = self.ctx.get(*slot).is_some();
                match (present, negated) {
                    (true, false) => write!(out, "{name} is present"),
                    (false, false) => write!(out, "{name} is missing, needs to be present"),
                    (false, true) => write!(out, "{name} is missing"),
                    (true, true) => write!(out, "{name} is present, needs to be missing"),
                }
            }
            Cond::Compare { op, lhs, rhs } => {
                let op = if negated { op.negated() } else { *op };
                let note = self.currency_note(lhs, rhs);
                let (found, name) = (|o| Found(self, o), |o| Name(self, o));
                match (self.is_fixed(lhs), self.is_fixed(rhs)) {
                    (false, true) => {
                        write!(
                            out,
                            "{}, needs {} {}{note}",
                            found(lhs),
                            op.symbol(),
                            name(rhs)
                        )
                    }
                    (true, false) => write!(
                        out,
                        "{}, needs {} {}{note}",
                        found(rhs),
                        op.flipped().symbol(),
                        name(lhs)
                    ),
                    _ => self.both(out, lhs, rhs, op.symbol(), &note),
                }
            }
            Cond::In {
                negated: not_in,
                lhs,
                rhs,
            } => {
                let not_in = *not_in != negated;
                let note = self.list_currency_note(lhs, rhs);
                let (found, name) = (|o| Found(self, o), |o| Name(self, o));
                match (self.is_fixed(lhs), self.is_fixed(rhs)) {
                    (_, true) => {
                        let items = self.name(rhs);
                        let items = items.trim_start_matches('[').trim_end_matches(']');
                        self.one_of(out, found(lhs), items, not_in)?;
                        out.write_str(&note)
                    }
                    (true, false) => write!(
                        out,
                        "{}, needs {} {}{note}",
                        found(rhs),
                        if not_in {
                            "not to contain"
                        } else {
                            "to contain"
                        },
                        name(lhs)
                    ),
                    _ => self.both(out, lhs, rhs, if not_in { "not in" } else { "in" }, &note),
                }
            }
            Cond::InTextSet {
                negated: not_in,
                lhs,
                set,
            } => {
                let found = Found(self, lhs);
                let not_in = *not_in != negated;
                if set.items.is_empty() {
                    write!(out, "{found}, and the list to look in is empty")
                } else {
                    write!(
                        out,
                        "{found}, needs {} {}",
                        if not_in { "none of" } else { "one of" },
                        Quoted(&set.items)
                    )
                }
            }
        }
    }

    fn one_of(
        &self,
        out: &mut fmt::Formatter,
        found: Found,
        items: &str,
        not_in: bool,
    ) -> fmt::Result {
        if items.is_empty() {
            write!(out, "{found}, and the list to look in is empty")
        } else {
            write!(
                out,
                "{found}, needs {} {items}",
                if not_in { "none of" } else { "one of" }
            )
        }
    }

    /// A literal: its value does not depend on the context.
    fn is_fixed(&self, op: &Operand) -> bool {
        matches!(op, Operand::Value(_))
    }

    /// How the operand is written: a field path, a function of one, or a value.
    fn name(&self, op: &Operand) -> Cow<'_, str> {
        match op {
            Operand::Field(slot) => Cow::Borrowed(&self.schema.field(*slot).path),
            Operand::Value(v) => Cow::Owned(v.to_string()),
            Operand::Len(inner) => Cow::Owned(format!("len({})", self.name(inner))),
            Operand::AgeYears(inner) => Cow::Owned(format!("age_years({})", self.name(inner))),
            Operand::DaysSince(inner) => Cow::Owned(format!("days_since({})", self.name(inner))),
            Operand::Cond(c) => Cow::Owned(format!("({})", self.cond_name(c))),
        }
    }

    fn cond_name(&self, cond: &Cond) -> String {
        match cond {
            Cond::Const(b) => b.to_string(),
            Cond::Field(slot) => self.schema.field(*slot).path.clone(),
            Cond::Has(slot) => format!("has({})", self.schema.field(*slot).path),
            Cond::Not(inner) => format!("not ({})", self.cond_name(inner)),
            Cond::And(parts) | Cond::Or(parts) => {
                let word = if matches!(cond, Cond::And(_)) {
                    " and "
                } else {
                    " or "
                };
                let names: Vec<String> = parts
                    .iter()
                    .map(|p| format!("({})", self.cond_name(p)))
                    .collect();
                names.join(word)
            }
            Cond::Compare { op, lhs, rhs } => {
                format!("{} {} {}", self.name(lhs), op.symbol(), self.name(rhs))
            }
            Cond::In { negated, lhs, rhs } => {
                format!(
                    "{} {} {}",
                    self.name(lhs),
                    if *negated { "not in" } else { "in" },
                    self.name(rhs)
                )
            }
            Cond::InTextSet { negated, lhs, set } => {
                format!(
                    "{} {} [{}]",
                    self.name(lhs),
                    if *negated { "not in" } else { "in" },
                    Quoted(&set.items)
                )
            }
        }
    }

    /// What the operand holds in this context: `customer.plan is "basic"`, with the field
    /// behind a function: `age_years(customer.birth_date) is 17 (customer.birth_date is 2009-03-01)`.
    fn write_found(&self, f: &mut fmt::Formatter, op: &Operand) -> fmt::Result {
        let name = self.name(op);
        match operand(op, self.ctx, &self.env) {
            Ok(v) => match op {
                Operand::Len(inner) | Operand::AgeYears(inner) | Operand::DaysSince(inner)
                    if !self.is_fixed(inner) =>
                {
                    write!(f, "{name} is {} ({})", Shown(v), Found(self, inner))
                }
                _ => write!(f, "{name} is {}", Shown(v)),
            },
            Err(missing) if !missing.is_empty() => match op {
                Operand::Field(_) => write!(f, "{name} is missing"),
                _ => {
                    let paths: Vec<&str> = missing
                        .iter()
                        .map(|s| self.schema.field(*s).path.as_str())
                        .collect();
                    write!(f, "{name} is not known ({} is missing)", paths.join(", "))
                }
            },
            Err(_) => write!(f, "{name} is not known"),
        }
    }

    /// For money in two currencies: why the comparison cannot be decided.
    /// A test between two values of the context: both values, and the test they fail.
    fn both(
        &self,
        out: &mut fmt::Formatter,
        lhs: &Operand,
        rhs: &Operand,
        test: &str,
        note: &str,
    ) -> fmt::Result {
        write!(
            out,
            "{} and {}, needs {} {test} {}{note}",
            Found(self, lhs),
            Found(self, rhs),
            Name(self, lhs),
            Name(self, rhs)
        )
    }

    fn currency_note(&self, lhs: &Operand, rhs: &Operand) -> String {
        match (
            operand(lhs, self.ctx, &self.env),
            operand(rhs, self.ctx, &self.env),
        ) {
            (Ok(Val::Ref(Value::Money(a))), Ok(Val::Ref(Value::Money(b))))
                if a.currency != b.currency =>
            {
                format!(
                    " ({} and {} are different currencies, so they cannot be compared)",
                    a.currency.code(),
                    b.currency.code()
                )
            }
            _ => String::new(),
        }
    }

    fn list_currency_note(&self, lhs: &Operand, rhs: &Operand) -> String {
        let (Ok(Val::Ref(Value::Money(a))), Ok(Val::Ref(Value::List(items)))) = (
            operand(lhs, self.ctx, &self.env),
            operand(rhs, self.ctx, &self.env),
        ) else {
            return String::new();
        };
        let mut others: Vec<&str> = items
            .iter()
            .filter_map(|v| match v {
                Value::Money(m) if m.currency != a.currency => Some(m.currency.code()),
                _ => None,
            })
            .collect();
        others.sort_unstable();
        others.dedup();
        if others.is_empty() {
            return String::new();
        }
        format!(
            " ({} cannot be compared with {})",
            a.currency.code(),
            others.join(", ")
        )
    }
}

/// `Found(x, op)` shows what an operand holds; `Name(x, op)` how it is written.
struct Found<'a>(&'a WhenFound<'a>, &'a Operand);

impl fmt::Display for Found<'_> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        self.0.write_found(f, self.1)
    }
}

struct Name<'a>(&'a WhenFound<'a>, &'a Operand);

impl fmt::Display for Name<'_> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self.1 {
            Operand::Field(slot) => f.write_str(&self.0.schema.field(*slot).path),
            Operand::Value(v) => write!(f, "{v}"),
            other => f.write_str(&self.0.name(other)),
        }
    }
}

/// Texts in quotes, separated by commas.
struct Quoted<'a>(&'a [String]);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        for (i, item) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write_quoted(f, item)?;
        }
        Ok(())
    }
}

/// An operand's value as explanations show it.
struct Shown<'a>(Val<'a>);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self.0 {
            Val::Ref(v) => write!(f, "{v}"),
            Val::Num(n) => write!(f, "{n}"),
            Val::Bool(b) => write!(f, "{b}"),
        }
    }
}
