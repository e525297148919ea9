//! A customer's context: a document checked against the schema and laid out by slot, so
//! evaluation finds each field by index.

use crate::check::Schema;
use crate::check::schema::PRICE;
use crate::document::Doc;
use crate::money::{Money, MoneyError};
use crate::number::{Decimal, NumberError};
use crate::time::{parse_date, parse_instant};
use crate::value::{Type, Value};

/// The values of one context, one slot per schema field; `None` is missing.
#[derive(Clone, Debug, PartialEq)]
pub struct Context {
    values: Vec<Option<Value>>,
}

/// A value of the wrong type: the path, what was expected and what was found.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("context field `{path}` {message}")]
pub struct ContextError {
    pub path: String,
    pub message: String,
}

impl Context {
    /// An empty context: every field missing.
    pub fn empty(schema: &Schema) -> Context {
        Context {
            values: vec![None; schema.len()],
        }
    }

    /// Checks `doc` against the schema. Fields the schema does not declare are ignored; a
    /// `null` counts as missing.
    pub fn from_doc(doc: &Doc, schema: &Schema) -> Result<Context, ContextError> {
        let root_ok = matches!(doc, Doc::Map(_) | Doc::Null);
        if !root_ok {
            return Err(ContextError {
                path: String::from("(the whole document)"),
                message: format!("should be a map of fields, found {}", doc.describe()),
            });
        }
        let mut values = Vec::with_capacity(schema.len());
        for (slot, field) in schema.fields().iter().enumerate() {
            let mut node = doc;
            let mut found = true;
            for (depth, part) in field.path.split('.').enumerate() {
                match node {
                    Doc::Map(_) => match node.get(part) {
                        Some(next) => node = next,
                        None => {
                            found = false;
                            break;
                        }
                    },
                    Doc::Null => {
                        found = false;
                        break;
                    }
                    other => {
                        let outer: Vec<&str> = field.path.split('.').take(depth).collect();
                        return Err(ContextError {
                            path: outer.join("."),
                            message: format!(
                                "should be a map of fields (it holds `{}`), found {}",
                                field.path,
                                other.describe()
                            ),
                        });
                    }
                }
            }
            let value = if found && *node != Doc::Null {
                Some(convert(node, &field.ty, &field.path)?)
            } else {
                None
            };
            if slot == PRICE
                && let Some(Value::Money(m)) = &value
                && m.minor < 0
            {
                return Err(ContextError {
                    path: field.path.clone(),
                    message: format!("cannot be negative, found {}", node.describe()),
                });
            }
            values.push(value);
        }
        Ok(Context { values })
    }

    pub fn get(&self, slot: usize) -> Option<&Value> {
        self.values.get(slot).and_then(Option::as_ref)
    }

    pub fn set(&mut self, slot: usize, value: Option<Value>) {
        if let Some(v) = self.values.get_mut(slot) {
            *v = value;
        }
    }
}

fn wrong(path: &str, expected: &str, found: &Doc) -> ContextError {
    ContextError {
        path: path.to_string(),
        message: format!("should be {expected}, found {}", found.describe()),
    }
}

fn convert(doc: &Doc, ty: &Type, path: &str) -> Result<Value, ContextError> {
    Ok(match (ty, doc) {
        (Type::List(element), Doc::List(items)) => Value::List(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| convert(item, element, &format!("{path}[{i}]")))
                .collect::<Result<_, _>>()?,
        ),
        (Type::List(element), _) => return Err(wrong(path, &format!("a list of {element}"), doc)),
        (Type::Number, Doc::Number(text)) => {
            Value::Number(Decimal::parse(text).map_err(|e| match e {
                NumberError::Malformed => wrong(
                    path,
                    "a number written as a plain decimal, like 12 or 59.99",
                    doc,
                ),
                other => ContextError {
                    path: path.to_string(),
                    message: format!("{}: {other}", doc.describe()),
                },
            })?)
        }
        (Type::Number, _) => return Err(wrong(path, "a number", doc)),
        (Type::Text, Doc::Text(s)) => Value::Text(s.clone()),
        (Type::Text, _) => return Err(wrong(path, "text", doc)),
        (Type::Bool, Doc::Bool(b)) => Value::Bool(*b),
        (Type::Bool, _) => return Err(wrong(path, "true or false", doc)),
        (Type::Money, Doc::Text(s)) => Value::Money(Money::parse(s).map_err(|e| match e {
            MoneyError::Malformed => wrong(path, "money like \"130.00 USD\"", doc),
            other => ContextError {
                path: path.to_string(),
                message: format!("should be money, but in {}: {other}", doc.describe()),
            },
        })?),
        (Type::Money, _) => return Err(wrong(path, "money like \"130.00 USD\"", doc)),
        (Type::Date, Doc::Text(s)) => Value::Date(
            parse_date(s.trim()).ok_or_else(|| wrong(path, "a date like \"2016-05-10\"", doc))?,
        ),
        (Type::Date, _) => return Err(wrong(path, "a date like \"2016-05-10\"", doc)),
        (Type::DateTime, Doc::Text(s)) => Value::DateTime(
            parse_instant(s)
                .ok_or_else(|| wrong(path, "a date-time like \"2016-05-10T10:00:00Z\"", doc))?,
        ),
        (Type::DateTime, _) => {
            return Err(wrong(
                path,
                "a date-time like \"2016-05-10T10:00:00Z\"",
                doc,
            ));
        }
        (Type::Nothing, _) => return Err(wrong(path, "nothing", doc)),
    })
}
