//! The types of the context schema and the values that context fields and literals hold:
//! exact decimals ([`number`]), money in minor units ([`money`]), instants and zones ([`time`]).

pub mod money;
pub mod number;
pub mod time;

use chrono::{DateTime, NaiveDate, Utc};
use std::fmt;

use crate::value::money::Money;
use crate::value::number::Decimal;
use crate::value::time::format_instant;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    Text,
    Number,
    Money,
    Date,
    DateTime,
    Bool,
    List(Box<Type>),
    /// The element type of `[]`, which matches any list.
    Nothing,
}

impl Type {
    pub fn element(&self) -> Option<&Type> {
        match self {
            Type::List(t) => Some(t),
            _ => None,
        }
    }

    /// The base type names a schema may use.
    pub fn from_name(name: &str) -> Option<Type> {
        Some(match name {
            "text" => Type::Text,
            "number" => Type::Number,
            "money" => Type::Money,
            "date" => Type::Date,
            "datetime" => Type::DateTime,
            "bool" => Type::Bool,
            _ => return None,
        })
    }

    pub const NAMES: [&'static str; 7] = [
        "text", "number", "money", "date", "datetime", "bool", "list",
    ];

    /// The type in words, with an article: "a number", "a list of text".
    pub fn describe(&self) -> String {
        match self {
            Type::Text => "text".into(),
            Type::Number => "a number".into(),
            Type::Money => "money".into(),
            Type::Date => "a date".into(),
            Type::DateTime => "a date-time".into(),
            Type::Bool => "a yes/no value".into(),
            Type::List(t) => format!("a list of {}", t),
            Type::Nothing => "an empty list".into(),
        }
    }
}

/// The type as the schema spells it: `number`, `list of text`.
impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Type::Text => f.write_str("text"),
            Type::Number => f.write_str("number"),
            Type::Money => f.write_str("money"),
            Type::Date => f.write_str("date"),
            Type::DateTime => f.write_str("datetime"),
            Type::Bool => f.write_str("bool"),
            Type::List(t) => write!(f, "list of {t}"),
            Type::Nothing => f.write_str("nothing"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Value {
    Text(String),
    Number(Decimal),
    Money(Money),
    Date(NaiveDate),
    DateTime(DateTime<Utc>),
    Bool(bool),
    List(Vec<Value>),
}

/// A value as explanations show it: text in quotes, money with its currency.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Value::Text(s) => write_quoted(f, s),
            Value::Number(n) => write!(f, "{n}"),
            Value::Money(m) => write!(f, "{m}"),
            Value::Date(d) => write!(f, "{d}"),
            Value::DateTime(t) => f.write_str(&format_instant(*t)),
            Value::Bool(b) => write!(f, "{b}"),
            Value::List(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
        }
    }
}

/// Text in double quotes with `\"`, `\\` and `\n` escaped, as the rule language writes it.
pub fn write_quoted(f: &mut impl fmt::Write, s: &str) -> fmt::Result {
    f.write_char('"')?;
    let mut rest = s;
    while let Some(i) = rest.find(['"', '\\', '\n']) {
        f.write_str(&rest[..i])?;
        f.write_str(match rest.as_bytes()[i] {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            _ => "\\n",
        })?;
        rest = &rest[i + 1..];
    }
    f.write_str(rest)?;
    f.write_char('"')
}

pub fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    let _ = write_quoted(&mut out, s);
    out
}
