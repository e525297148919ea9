//! The syntax tree of rule files. Every node keeps the span it was read from; equality leaves
//! the spans out, field by field, so two trees are equal when they mean the same.

use chrono::NaiveDate;

use crate::language::source::Span;
use crate::value::money::{Currency, Money};
use crate::value::number::Decimal;
use crate::value::{Type, write_separated};

#[derive(Clone, Debug, PartialEq)]
pub struct File {
    pub file: u32,
    pub declarations: Vec<Declaration>,
}

#[derive(Clone, Debug)]
pub enum Declaration {
    Timezone {
        name: Str,
        span: Span,
    },
    Channels {
        names: Vec<Name>,
        span: Span,
    },
    /// `currency EUR`: the one currency of the rule set's money.
    Currency {
        code: Currency,
        span: Span,
    },
    Context {
        fields: Vec<FieldDecl>,
        span: Span,
    },
    Offer(Offer),
}

/// An identifier as written: channel, medium, offer id, field path.
#[derive(Clone, Debug)]
pub struct Name {
    pub text: String,
    pub span: Span,
}

/// A string literal, unescaped.
#[derive(Clone, Debug)]
pub struct Str {
    pub value: String,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct FieldDecl {
    pub path: Name,
    pub ty: Type,
    pub ty_span: Span,
}

#[derive(Clone, Debug)]
pub struct Offer {
    pub id: Name,
    pub clauses: Vec<Clause>,
    pub span: Span,
    /// Some clause could not be read; checks that need the whole offer are skipped.
    pub incomplete: bool,
}

#[derive(Clone, Debug)]
pub struct Clause {
    pub kind: ClauseKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ClauseKind {
    Title(Str),
    Announce(Vec<Name>),
    /// `None` is `honor all`.
    Honor(Option<Vec<Name>>),
    Elsewhere(Str),
    Valid(Window),
    Code(Str),
    /// Evidence an agent must have seen (`proof "student ID"`); repeatable.
    Proof(Str),
    When {
        label: Option<Str>,
        expr: Expr,
    },
    Benefit(Benefit),
    Limit(Count),
    /// `budget N redemptions`: all customers together, as the ledger counts them.
    Budget(Count),
    Priority(Count),
    Stackable,
    Exclusive,
    Note(Str),
    On {
        channel: Name,
        note: Option<Str>,
        fee: Option<MoneyLit>,
    },
}

/// Every clause keyword, in the canonical order.
pub const CLAUSE_KEYWORDS: [&str; 16] = [
    "title",
    "announce",
    "honor",
    "elsewhere",
    "valid",
    "code",
    "proof",
    "when",
    "benefit",
    "limit",
    "budget",
    "priority",
    "stackable",
    "exclusive",
    "note",
    "on",
];

impl ClauseKind {
    /// The keyword that starts the clause.
    /// The clause's place in the canonical order (docs/language.md's table of clauses), in
    /// which `honor fmt` writes them and reports list them.
    pub fn rank(&self) -> usize {
        let keyword = self.keyword();
        CLAUSE_KEYWORDS
            .iter()
            .position(|k| *k == keyword)
            .unwrap_or(CLAUSE_KEYWORDS.len())
    }

    pub fn keyword(&self) -> &'static str {
        match self {
            ClauseKind::Title(_) => "title",
            ClauseKind::Announce(_) => "announce",
            ClauseKind::Honor(_) => "honor",
            ClauseKind::Elsewhere(_) => "elsewhere",
            ClauseKind::Valid(_) => "valid",
            ClauseKind::Code(_) => "code",
            ClauseKind::Proof(_) => "proof",
            ClauseKind::When { .. } => "when",
            ClauseKind::Benefit(_) => "benefit",
            ClauseKind::Limit(_) => "limit",
            ClauseKind::Budget(_) => "budget",
            ClauseKind::Priority(_) => "priority",
            ClauseKind::Stackable => "stackable",
            ClauseKind::Exclusive => "exclusive",
            ClauseKind::Note(_) => "note",
            ClauseKind::On { .. } => "on",
        }
    }
}

/// A validity window; a missing side is open.
#[derive(Clone, Debug, PartialEq)]
pub struct Window {
    pub start: Option<Moment>,
    pub end: Option<Moment>,
}

/// A local date, or a local date and time (hours, minutes), in the rule set's zone.
#[derive(Clone, Debug)]
pub struct Moment {
    pub date: NaiveDate,
    pub time: Option<(u32, u32)>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Benefit {
    Price(MoneyLit),
    Percent {
        percent: Decimal,
        cap: Option<MoneyLit>,
    },
    Off(MoneyLit),
    Free(Str),
}

#[derive(Clone, Debug)]
pub struct MoneyLit {
    pub value: Money,
    pub span: Span,
}

/// A whole number of a `limit`, `budget` or `priority`.
#[derive(Clone, Debug)]
pub struct Count {
    pub value: i64,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
    /// Written in parentheses. Like the span, it takes no part in equality: `a or (b and c)`
    /// and `a or b and c` mean the same, but only the first says so (a lint tells the second
    /// how it groups).
    pub parens: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Literal(Literal),
    Path(String),
    /// A list of literals.
    List(Vec<Expr>),
    Call {
        func: Func,
        arg: Box<Expr>,
    },
    Not(Box<Expr>),
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Compare {
        op: CompareOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    In {
        negated: bool,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    Number(Decimal),
    Text(String),
    Bool(bool),
    Date(NaiveDate),
    Money(Money),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Func {
    Has,
    Len,
    AgeYears,
    DaysSince,
}

impl Func {
    pub const NAMES: [&'static str; 4] = ["has", "len", "age_years", "days_since"];

    pub fn from_name(name: &str) -> Option<Func> {
        Some(match name {
            "has" => Func::Has,
            "len" => Func::Len,
            "age_years" => Func::AgeYears,
            "days_since" => Func::DaysSince,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Func::Has => "has",
            Func::Len => "len",
            Func::AgeYears => "age_years",
            Func::DaysSince => "days_since",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CompareOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CompareOp {
    pub fn from_symbol(s: &str) -> Option<CompareOp> {
        Some(match s {
            "==" => CompareOp::Eq,
            "!=" => CompareOp::Ne,
            "<" => CompareOp::Lt,
            "<=" => CompareOp::Le,
            ">" => CompareOp::Gt,
            ">=" => CompareOp::Ge,
            _ => return None,
        })
    }

    pub fn symbol(self) -> &'static str {
        match self {
            CompareOp::Eq => "==",
            CompareOp::Ne => "!=",
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
        }
    }

    /// The operator with its sides swapped: `12 <= x` is `x >= 12`.
    pub fn flipped(self) -> CompareOp {
        match self {
            CompareOp::Lt => CompareOp::Gt,
            CompareOp::Le => CompareOp::Ge,
            CompareOp::Gt => CompareOp::Lt,
            CompareOp::Ge => CompareOp::Le,
            op => op,
        }
    }

    /// The operator that holds exactly when this one does not.
    pub fn negated(self) -> CompareOp {
        match self {
            CompareOp::Eq => CompareOp::Ne,
            CompareOp::Ne => CompareOp::Eq,
            CompareOp::Lt => CompareOp::Ge,
            CompareOp::Le => CompareOp::Gt,
            CompareOp::Gt => CompareOp::Le,
            CompareOp::Ge => CompareOp::Lt,
        }
    }

    pub fn holds(self, ord: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::*;
        match self {
            CompareOp::Eq => ord == Equal,
            CompareOp::Ne => ord != Equal,
            CompareOp::Lt => ord == Less,
            CompareOp::Le => ord != Greater,
            CompareOp::Gt => ord == Greater,
            CompareOp::Ge => ord != Less,
        }
    }
}

// ---------------------------------------------------------------------- equality

/// Equality by meaning: the named fields compare, the spans do not.
macro_rules! eq_without_spans {
    ($($ty:ident { $($field:ident),* })*) => {
        $(impl PartialEq for $ty {
            fn eq(&self, other: &Self) -> bool {
                true $(&& self.$field == other.$field)*
            }
        })*
    };
}

eq_without_spans! {
    Name { text }
    Str { value }
    FieldDecl { path, ty }
    Offer { id, clauses, incomplete }
    Clause { kind }
    Moment { date, time }
    MoneyLit { value }
    Count { value }
    Expr { kind }
}

impl PartialEq for Declaration {
    fn eq(&self, other: &Self) -> bool {
        use Declaration::*;
        match (self, other) {
            (Timezone { name: a, .. }, Timezone { name: b, .. }) => a == b,
            (Channels { names: a, .. }, Channels { names: b, .. }) => a == b,
            (Currency { code: a, .. }, Currency { code: b, .. }) => a == b,
            (Context { fields: a, .. }, Context { fields: b, .. }) => a == b,
            (Offer(a), Offer(b)) => a == b,
            _ => false,
        }
    }
}

// ---------------------------------------------------------------------- printing

use std::fmt;

impl Expr {
    /// How tightly the expression binds: `or` 1, `and` 2, `not` 3, comparisons 4, atoms 5.
    fn precedence(&self) -> u8 {
        match self.kind {
            ExprKind::Or(_) => 1,
            ExprKind::And(_) => 2,
            ExprKind::Not(_) => 3,
            ExprKind::Compare { .. } | ExprKind::In { .. } => 4,
            _ => 5,
        }
    }

    /// Writes `self`, in parentheses when it binds no tighter than `above`.
    fn write_within(&self, f: &mut fmt::Formatter, above: u8) -> fmt::Result {
        if self.precedence() <= above {
            write!(f, "({self})")
        } else {
            write!(f, "{self}")
        }
    }
}

/// The expression on one line with the fewest parentheses that keep its structure, and
/// those around an `and` inside an `or`.
impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match &self.kind {
            ExprKind::Literal(lit) => write!(f, "{lit}"),
            ExprKind::Path(p) => f.write_str(p),
            ExprKind::List(items) => {
                f.write_str("[")?;
                write_separated(f, items, ", ", |f, item| write!(f, "{item}"))?;
                f.write_str("]")
            }
            ExprKind::Call { func, arg } => write!(f, "{}({arg})", func.name()),
            ExprKind::Not(inner) => {
                // `not (x in y)` rather than `not x in y`, which reads as if `not` took `x`
                f.write_str("not ")?;
                inner.write_within(f, 4)
            }
            ExprKind::And(parts) | ExprKind::Or(parts) => {
                let (word, prec) = if matches!(self.kind, ExprKind::And(_)) {
                    (" and ", 2)
                } else {
                    (" or ", 1)
                };
                write_separated(f, parts, word, |f, part| {
                    // an `and` inside an `or` is written in parentheses, though it binds
                    // tighter anyway: a reader need not know which binds tighter
                    let above = if prec == 1 && matches!(part.kind, ExprKind::And(_)) {
                        2
                    } else {
                        prec
                    };
                    part.write_within(f, above)
                })
            }
            ExprKind::Compare { op, lhs, rhs } => {
                lhs.write_within(f, 4)?;
                write!(f, " {} ", op.symbol())?;
                rhs.write_within(f, 4)
            }
            ExprKind::In { negated, lhs, rhs } => {
                lhs.write_within(f, 4)?;
                f.write_str(if *negated { " not in " } else { " in " })?;
                rhs.write_within(f, 4)
            }
        }
    }
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Literal::Number(n) => write!(f, "{n}"),
            Literal::Text(s) => crate::value::write_quoted(f, s),
            Literal::Bool(b) => write!(f, "{b}"),
            Literal::Date(d) => write!(f, "{d}"),
            Literal::Money(m) => write!(f, "{m}"),
        }
    }
}

impl fmt::Display for Moment {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{}", self.date)?;
        if let Some((h, m)) = self.time {
            write!(f, " {h:02}:{m:02}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::language::parse::parse_file;

    /// The syntax tree compares by meaning: the currency counts, where it was written does not.
    #[test]
    fn currency_declarations_compare_by_currency() {
        let (euro, d1) = parse_file("currency EUR\n", 0);
        let (euro_again, d2) = parse_file("\n\n  currency    EUR  # the shop's\n", 0);
        let (dollar, d3) = parse_file("currency USD\n", 0);
        assert!(d1.is_empty() && d2.is_empty() && d3.is_empty());
        assert_eq!(euro, euro_again);
        assert_ne!(euro, dollar);
        let (bad, errors) = parse_file("currency EUU\n", 0);
        assert!(bad.declarations.is_empty());
        assert_eq!(errors[0].kind, "unknown-currency");
    }
}
