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
    pub fn json(&self) -> ValueJson<'_> {
        ValueJson(self)
    }
}

/// A [`Value`] serialised as a JSON value (see [`Value::json`]).
pub struct ValueJson<'a>(&'a Value);

impl serde::Serialize for ValueJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        match self.0 {
            Value::Text(t) => s.serialize_str(t),
            Value::Number(n) => serialize_number(n, s),
            Value::Money(m) => s.collect_str(m),
            Value::Date(d) => s.collect_str(d),
            Value::DateTime(t) => s.serialize_str(&format_instant(*t)),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::List(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(&item.json())?;
                }
                seq.end()
            }
        }
    }
}

/// A number as a JSON number with the decimal's own digits, never through a binary float;
/// a whole number is written as the integer it is.
pub fn serialize_number<S: serde::Serializer>(n: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    use serde::Serialize;
    match n.to_i64() {
        Some(whole) => s.serialize_i64(whole),
        None => match serde_json::value::RawValue::from_string(n.to_string()) {
            Ok(raw) => raw.serialize(s),
            Err(_) => s.serialize_str(&n.to_string()),
        },
    }
}

/// Something written as a JSON string in its words (money as `"117.00 USD"`), straight into
/// the output.
pub struct Words<T>(pub T);

impl<T: fmt::Display> serde::Serialize for Words<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
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
                write_separated(f, items, ", ", |f, item| write!(f, "{item}"))?;
                f.write_str("]")
            }
        }
    }
}

/// `items` written one after another with `separator` between them.
pub fn write_separated<W: fmt::Write, T>(
    f: &mut W,
    items: &[T],
    separator: &str,
    mut write: impl FnMut(&mut W, &T) -> fmt::Result,
) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(separator)?;
        }
        write(f, item)?;
    }
    Ok(())
}

/// Text in double quotes with `\"`, `\\` and `\n` escaped, as the rule language writes it.
pub fn write_quoted(f: &mut impl fmt::Write, s: &str) -> fmt::Result {
    f.write_char('"')?;
    let mut rest = s;
    // the three are ASCII: a byte position is a character boundary
    while let Some(i) = rest.bytes().position(|b| matches!(b, b'"' | b'\\' | b'\n')) {
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
        let json = |v: &Value| serde_json::to_string(&v.json()).unwrap();
        let n = |t: &str| Value::Number(Decimal::parse(t).unwrap());
        let list = Value::List(vec![
            Value::Text("  blackfriday ".into()),
            Value::Text("a\"b".into()),
        ]);
        assert_eq!(json(&list), r#"["  blackfriday ","a\"b"]"#);
        assert_eq!(json(&n("59.99")), "59.99");
        assert_eq!(
            json(&n("12345678901234567890.123456789")),
            "12345678901234567890.123456789"
        );
        assert_eq!(json(&n("-12")), "-12");
        assert_eq!(json(&Value::Bool(false)), "false");
        assert_eq!(
            json(&Value::Money(Money::parse("130.00 USD").unwrap())),
            r#""130.00 USD""#
        );
        let day = Value::Date(NaiveDate::from_ymd_opt(2016, 5, 10).unwrap());
        assert_eq!(json(&day), r#""2016-05-10""#);
    }
}
