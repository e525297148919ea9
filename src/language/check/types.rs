//! Type checking of `when` expressions against the schema (docs/language.md, "Conditions":
//! types are checked when the rule set loads).

use crate::language::ast::{CompareOp, Expr, ExprKind, Func, Literal};
use crate::language::check::schema::Schema;
use crate::language::diagnostic::{Diagnostic, did_you_mean, edit_distance};
use crate::value::Type;
use crate::value::money::Currency;

/// The type of an expression; for money literals (and lists of them) also their currency,
/// which is known before any context is read.
#[derive(Clone, Debug)]
pub struct Typed {
    pub ty: Type,
    pub currency: Option<Currency>,
}

impl Typed {
    fn of(ty: Type) -> Typed {
        Typed { ty, currency: None }
    }
}

/// Checks a `when`: it must be a yes/no condition.
pub fn check_condition(expr: &Expr, schema: &Schema) -> Result<(), Diagnostic> {
    let typed = type_as(expr, schema, Some(&Type::Bool))?;
    if typed.ty != Type::Bool {
        return Err(Diagnostic::error(
            "type",
            format!(
                "a `when` needs a yes/no condition, but `{expr}` is {}",
                typed.ty.describe()
            ),
        )
        .at(expr.span)
        .with_help(match typed.ty {
            Type::Number => format!("compare it, like `{expr} >= 12`"),
            Type::Text => format!("compare it, like `{expr} == \"gold\"`"),
            _ => String::from("compare it with a value, or test it with `has(…)`"),
        }));
    }
    Ok(())
}

fn mismatch(expr: &Expr, message: String) -> Diagnostic {
    Diagnostic::error("type", message).at(expr.span)
}

fn need_bool(expr: &Expr, schema: &Schema, word: &str) -> Result<(), Diagnostic> {
    let t = type_as(expr, schema, Some(&Type::Bool))?;
    if t.ty != Type::Bool {
        return Err(mismatch(
            expr,
            format!(
                "`{word}` joins yes/no conditions, but `{expr}` is {}",
                t.ty.describe()
            ),
        ));
    }
    Ok(())
}

/// Money literals on both sides must share a currency; `which` names the two sides.
fn one_currency(
    expr: &Expr,
    l: &Typed,
    r: &Typed,
    which: impl Fn(&str, &str) -> String,
) -> Result<(), Diagnostic> {
    match (l.currency, r.currency) {
        (Some(a), Some(b)) if a != b => Err(mismatch(
            expr,
            format!(
                "{}: money in two currencies cannot be compared",
                which(a.code(), b.code())
            ),
        )),
        _ => Ok(()),
    }
}

pub fn type_of(expr: &Expr, schema: &Schema) -> Result<Typed, Diagnostic> {
    Ok(match &expr.kind {
        ExprKind::Literal(lit) => match lit {
            Literal::Number(_) => Typed::of(Type::Number),
            Literal::Text(_) => Typed::of(Type::Text),
            Literal::Bool(_) => Typed::of(Type::Bool),
            Literal::Date(_) => Typed::of(Type::Date),
            Literal::Money(m) => Typed {
                ty: Type::Money,
                currency: Some(m.currency),
            },
        },
        ExprKind::Path(path) => match schema.slot(path) {
            Some(slot) => Typed::of(schema.field(slot).ty.clone()),
            None => return Err(undeclared(expr, path, schema, None)),
        },
        ExprKind::List(items) => {
            let mut element: Option<Typed> = None;
            for item in items {
                let t = type_of(item, schema)?;
                if let Some(first) = &element {
                    if first.ty != t.ty {
                        return Err(mismatch(
                            item,
                            format!(
                                "a list holds values of one type, but `{item}` is {} and the first is {}",
                                t.ty.describe(),
                                first.ty.describe()
                            ),
                        ));
                    }
                    if first.currency != t.currency {
                        return Err(mismatch(
                            item,
                            format!(
                                "a list of money holds one currency, but `{item}` is not in {}",
                                first.currency.map_or("", |c| c.code())
                            ),
                        ));
                    }
                } else {
                    element = Some(t);
                }
            }
            match element {
                Some(e) => Typed {
                    ty: Type::List(Box::new(e.ty)),
                    currency: e.currency,
                },
                None => Typed::of(Type::List(Box::new(Type::Nothing))),
            }
        }
        ExprKind::Call { func, arg } => {
            let needs = match func {
                Func::AgeYears | Func::DaysSince => Some(Type::Date),
                Func::Len => Some(Type::List(Box::new(Type::Text))),
                Func::Has => None,
            };
            let t = type_as(arg, schema, needs.as_ref())?;
            match func {
                Func::Has => {
                    if !matches!(arg.kind, ExprKind::Path(_)) {
                        return Err(mismatch(
                            arg,
                            format!("`has` takes a field, like `has(customer.plan)`, not `{arg}`"),
                        ));
                    }
                    Typed::of(Type::Bool)
                }
                Func::Len => {
                    if t.ty.element().is_none() {
                        return Err(mismatch(
                            arg,
                            format!(
                                "`len` counts the entries of a list, but `{arg}` is {}",
                                t.ty.describe()
                            ),
                        ));
                    }
                    Typed::of(Type::Number)
                }
                Func::AgeYears | Func::DaysSince => {
                    if !matches!(t.ty, Type::Date | Type::DateTime) {
                        return Err(mismatch(
                            arg,
                            format!(
                                "`{}` takes a date, but `{arg}` is {}",
                                func.name(),
                                t.ty.describe()
                            ),
                        ));
                    }
                    Typed::of(Type::Number)
                }
            }
        }
        ExprKind::Not(inner) => {
            need_bool(inner, schema, "not")?;
            Typed::of(Type::Bool)
        }
        ExprKind::And(parts) | ExprKind::Or(parts) => {
            let word = if matches!(expr.kind, ExprKind::And(_)) {
                "and"
            } else {
                "or"
            };
            for part in parts {
                need_bool(part, schema, word)?;
            }
            Typed::of(Type::Bool)
        }
        ExprKind::Compare { op, lhs, rhs } => {
            let (l, r) = both_sides(lhs, rhs, schema, |t| Some(t.clone()), |t| Some(t.clone()))?;
            if l.ty.element().is_some() || r.ty.element().is_some() {
                let list = if l.ty.element().is_some() { lhs } else { rhs };
                return Err(mismatch(
                    expr,
                    format!(
                        "`{list}` is a list and lists cannot be compared with `{}`; test membership with `in`",
                        op.symbol()
                    ),
                ));
            }
            if l.ty != r.ty {
                return Err(mismatch(
                    expr,
                    format!(
                        "`{lhs}` is {} and `{rhs}` is {}: they cannot be compared",
                        l.ty.describe(),
                        r.ty.describe()
                    ),
                ));
            }
            one_currency(expr, &l, &r, |a, b| {
                format!("`{lhs}` is in {a} and `{rhs}` in {b}")
            })?;
            if l.ty == Type::Bool && !matches!(op, CompareOp::Eq | CompareOp::Ne) {
                return Err(mismatch(
                    expr,
                    format!(
                        "yes/no values have no order: use `==` or `!=`, not `{}`",
                        op.symbol()
                    ),
                ));
            }
            Typed::of(Type::Bool)
        }
        ExprKind::In { lhs, rhs, .. } => {
            let (l, r) = both_sides(
                lhs,
                rhs,
                schema,
                |list| list.element().cloned(),
                |t| Some(Type::List(Box::new(t.clone()))),
            )?;
            let Some(element) = r.ty.element() else {
                let hint = if r.ty == Type::Text {
                    "; `in` does not search inside text"
                } else {
                    ""
                };
                return Err(mismatch(
                    rhs,
                    format!(
                        "`in` needs a list on its right, but `{rhs}` is {}{hint}",
                        r.ty.describe()
                    ),
                ));
            };
            if *element != Type::Nothing && *element != l.ty {
                return Err(mismatch(
                    expr,
                    format!(
                        "`{lhs}` is {} and cannot be in `{rhs}`, which is {}",
                        l.ty.describe(),
                        r.ty.describe()
                    ),
                ));
            }
            one_currency(expr, &l, &r, |a, b| {
                format!("`{lhs}` is in {a} but the list holds {b}")
            })?;
            Typed::of(Type::Bool)
        }
    })
}

/// The type of `expr`; when it is a field the schema lacks, `needs` is the type the place
/// calls for, offered in the error as the type to declare.
fn type_as(expr: &Expr, schema: &Schema, needs: Option<&Type>) -> Result<Typed, Diagnostic> {
    match &expr.kind {
        ExprKind::Path(path) if schema.slot(path).is_none() => {
            Err(undeclared(expr, path, schema, needs))
        }
        _ => type_of(expr, schema),
    }
}

/// Both sides of a comparison or `in`. A side that is an undeclared field is suggested the
/// type the other side calls for: `customer.vip == true` wants a `bool`.
fn both_sides(
    lhs: &Expr,
    rhs: &Expr,
    schema: &Schema,
    lhs_from_rhs: impl Fn(&Type) -> Option<Type>,
    rhs_from_lhs: impl Fn(&Type) -> Option<Type>,
) -> Result<(Typed, Typed), Diagnostic> {
    // each side is typed once, whatever the nesting
    if let ExprKind::Path(path) = &lhs.kind
        && schema.slot(path).is_none()
    {
        let needs = type_of(rhs, schema).ok().and_then(|r| lhs_from_rhs(&r.ty));
        return Err(undeclared(lhs, path, schema, needs.as_ref()));
    }
    let l = type_of(lhs, schema)?;
    let r = type_as(rhs, schema, rhs_from_lhs(&l.ty).as_ref())?;
    Ok((l, r))
}

/// A type made of nothing known: the element of `[]`.
fn holds_nothing(ty: &Type) -> bool {
    match ty {
        Type::Nothing => true,
        Type::List(t) => holds_nothing(t),
        _ => false,
    }
}

fn undeclared(expr: &Expr, path: &str, schema: &Schema, needs: Option<&Type>) -> Diagnostic {
    let names = schema.fields().iter().map(|f| f.path.as_str());
    let d = Diagnostic::error(
        "undeclared-field",
        format!("`{path}` is not declared in the context schema"),
    )
    .at(expr.span);
    let ty = match needs {
        Some(t) if !holds_nothing(t) => t.to_string(),
        _ => String::from("text"),
    };
    // close in the whole path and in its last part: `customer.vip` is not `customer.birth`
    let last = path.rsplit('.').next().unwrap_or(path);
    let limit = (last.chars().count() / 3).max(1);
    let close = did_you_mean(path, names).filter(|c| edit_distance(path, c) <= limit);
    if path.eq_ignore_ascii_case("true") || path.eq_ignore_ascii_case("false") {
        return d.with_help(format!(
            "yes/no values are written in lowercase: `{}`",
            path.to_lowercase()
        ));
    }
    if !path.contains('.') && close.is_none() && needs == Some(&Type::Text) {
        return d.with_help(format!("text is written in double quotes: `\"{path}\"`"));
    }
    match close {
        Some(close) => d.with_help(format!("did you mean `{close}`?")),
        None => d.with_help(format!(
            "declare it in a `context {{ … }}` block, like `{path}  {ty}`"
        )),
    }
}
