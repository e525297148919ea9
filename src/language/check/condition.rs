//! A `when` resolved by the checker: every path replaced by its slot in the schema, every
//! literal by its value, `in` on a list of texts by a set. The checker builds it once the
//! types hold and hands it to the compiler, which never looks a path up again.

use crate::language::ast::{CompareOp, Expr, ExprKind, Func, Literal};
use crate::language::check::Schema;
use crate::language::diagnostic::Diagnostic;
use crate::value::Value;

/// A condition over context slots.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Cond {
    Const(bool),
    /// A `bool` field.
    Field(usize),
    Has(usize),
    Not(Box<Cond>),
    And(Box<[Cond]>),
    Or(Box<[Cond]>),
    Compare {
        op: CompareOp,
        lhs: Operand,
        rhs: Operand,
    },
    In {
        negated: bool,
        lhs: Operand,
        rhs: Operand,
    },
    /// `x in ["a", "b"]` on text: a set lookup.
    InTextSet {
        negated: bool,
        lhs: Operand,
        set: TextSet,
    },
}

/// A literal list of text as a set, keeping the written order for explanations.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TextSet {
    pub items: Vec<String>,
    /// The items sorted, without repeats, to look a text up.
    sorted: Vec<String>,
}

impl TextSet {
    pub fn new(items: Vec<String>) -> TextSet {
        let mut sorted = items.clone();
        sorted.sort_unstable();
        sorted.dedup();
        TextSet { items, sorted }
    }

    pub fn contains(&self, text: &str) -> bool {
        self.sorted
            .binary_search_by(|item| item.as_str().cmp(text))
            .is_ok()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Operand {
    Field(usize),
    Value(Value),
    Len(Box<Operand>),
    AgeYears(Box<Operand>),
    DaysSince(Box<Operand>),
    /// A yes/no condition used as a value (`has(x) == false`).
    Cond(Box<Cond>),
}

/// Resolves a type-checked yes/no expression. A path the schema does not hold, or a shape
/// the type checker lets through nowhere, is an internal error, never a silent default.
pub fn resolve(expr: &Expr, schema: &Schema) -> Result<Cond, Diagnostic> {
    Ok(match &expr.kind {
        ExprKind::Literal(Literal::Bool(b)) => Cond::Const(*b),
        ExprKind::Path(p) => Cond::Field(slot(schema, p, expr)?),
        ExprKind::Call {
            func: Func::Has,
            arg,
        } => match &arg.kind {
            ExprKind::Path(p) => Cond::Has(slot(schema, p, arg)?),
            _ => return Err(unexpected(expr)),
        },
        ExprKind::Not(inner) => Cond::Not(Box::new(resolve(inner, schema)?)),
        ExprKind::And(parts) => Cond::And(
            parts
                .iter()
                .map(|p| resolve(p, schema))
                .collect::<Result<_, _>>()?,
        ),
        ExprKind::Or(parts) => Cond::Or(
            parts
                .iter()
                .map(|p| resolve(p, schema))
                .collect::<Result<_, _>>()?,
        ),
        ExprKind::Compare { op, lhs, rhs } => Cond::Compare {
            op: *op,
            lhs: operand(lhs, schema)?,
            rhs: operand(rhs, schema)?,
        },
        ExprKind::In { negated, lhs, rhs } => {
            let lhs = operand(lhs, schema)?;
            match operand(rhs, schema)? {
                Operand::Value(Value::List(items))
                    if !items.is_empty() && items.iter().all(|v| matches!(v, Value::Text(_))) =>
                {
                    let items = items
                        .into_iter()
                        .filter_map(|v| match v {
                            Value::Text(s) => Some(s),
                            _ => None,
                        })
                        .collect();
                    Cond::InTextSet {
                        negated: *negated,
                        lhs,
                        set: TextSet::new(items),
                    }
                }
                rhs => Cond::In {
                    negated: *negated,
                    lhs,
                    rhs,
                },
            }
        }
        _ => return Err(unexpected(expr)),
    })
}

fn operand(expr: &Expr, schema: &Schema) -> Result<Operand, Diagnostic> {
    Ok(match &expr.kind {
        ExprKind::Literal(lit) => Operand::Value(literal(lit)),
        ExprKind::Path(p) => Operand::Field(slot(schema, p, expr)?),
        ExprKind::List(items) => Operand::Value(Value::List(
            items
                .iter()
                .map(|i| match &i.kind {
                    ExprKind::Literal(lit) => Ok(literal(lit)),
                    _ => Err(unexpected(i)),
                })
                .collect::<Result<_, _>>()?,
        )),
        ExprKind::Call { func, arg } => match func {
            Func::Len => Operand::Len(Box::new(operand(arg, schema)?)),
            Func::AgeYears => Operand::AgeYears(Box::new(operand(arg, schema)?)),
            Func::DaysSince => Operand::DaysSince(Box::new(operand(arg, schema)?)),
            Func::Has => Operand::Cond(Box::new(resolve(expr, schema)?)),
        },
        _ => Operand::Cond(Box::new(resolve(expr, schema)?)),
    })
}

fn literal(lit: &Literal) -> Value {
    match lit {
        Literal::Number(n) => Value::Number(*n),
        Literal::Text(s) => Value::Text(s.clone()),
        Literal::Bool(b) => Value::Bool(*b),
        Literal::Date(d) => Value::Date(*d),
        Literal::Money(m) => Value::Money(*m),
    }
}

fn slot(schema: &Schema, path: &str, at: &Expr) -> Result<usize, Diagnostic> {
    schema.slot(path).ok_or_else(|| {
        Diagnostic::error(
            "internal",
            format!("`{path}` passed the type check but is not in the schema; please report this rule file"),
        )
        .at(at.span)
    })
}

fn unexpected(at: &Expr) -> Diagnostic {
    Diagnostic::error(
        "internal",
        format!(
            "`{at}` passed the type check but cannot be evaluated; please report this rule file"
        ),
    )
    .at(at.span)
}
