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

impl Value {
    /// The value as JSON for programs: numbers as numbers (exactly as written), lists as
    /// arrays, text and yes/no as themselves, money (`"130.00 USD"`), dates and date-times
    /// (UTC, `Z`) as text.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as Json;
        match self {
            Value::Text(s) => Json::String(s.clone()),
            Value::Number(n) => {
                let text = n.to_string();
                serde_json::from_str::<serde_json::Number>(&text)
                    .map_or(Json::String(text), Json::Number)
            }
            Value::Money(m) => Json::String(m.to_string()),
            Value::Date(d) => Json::String(d.to_string()),
            Value::DateTime(t) => Json::String(format_instant(*t)),
            Value::Bool(b) => Json::Bool(*b),
            Value::List(items) => Json::Array(items.iter().map(Value::to_json).collect()),
        }
    }
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

#[cfg(test)]
mod json_tests {
    use super::*;

    #[test]
    fn values_are_json_values_not_json_text() {
        let n = |t: &str| Value::Number(Decimal::parse(t).unwrap());
        let list = Value::List(vec![
            Value::Text("  blackfriday ".into()),
            Value::Text("a\"b".into()),
        ]);
        assert_eq!(list.to_json().to_string(), r#"["  blackfriday ","a\"b"]"#);
        assert_eq!(n("59.99").to_json().to_string(), "59.99");
        assert_eq!(n("-12").to_json().to_string(), "-12");
        assert_eq!(Value::Bool(false).to_json(), serde_json::Value::Bool(false));
        let price = Value::Money(Money::parse("130.00 USD").unwrap());
        assert_eq!(price.to_json(), serde_json::json!("130.00 USD"));
        let day = Value::Date(NaiveDate::from_ymd_opt(2016, 5, 10).unwrap());
        assert_eq!(day.to_json(), serde_json::json!("2016-05-10"));
    }
}
