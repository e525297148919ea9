//! A customer's context: a document checked against the schema and laid out by slot, so
//! evaluation finds each field by index.

use std::collections::BTreeMap;

use crate::input::document::Doc;
use crate::language::check::Schema;
use crate::language::check::schema::{Branch, Tree};
use crate::language::check::schema::{PRICE, REDEEMED};
use crate::value::money::{Money, MoneyError};
use crate::value::number::{Decimal, NumberError};
use crate::value::time::{parse_date, parse_instant};
use crate::value::{Type, Value};

/// The values of one context, one slot per schema field; `None` is missing.
#[derive(Clone, Debug, PartialEq)]
pub struct Context {
    values: Vec<Option<Value>>,
    /// Unreversed redemptions per offer id, all customers together, as a ledger counts them
    /// for `budget` clauses; `None` when no ledger is attached.
    budget_use: Option<BTreeMap<String, u64>>,
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
            budget_use: None,
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
        let mut values = vec![None; schema.len()];
        if let Doc::Map(entries) = doc {
            fill(entries, schema.tree(), schema, &mut values, 0)?;
        }
        if let Some(Value::Money(m)) = &values[PRICE]
            && m.minor < 0
        {
            return Err(ContextError {
                path: String::from("price"),
                message: format!("cannot be negative, found \"{m}\""),
            });
        }
        Ok(Context {
            values,
            budget_use: None,
        })
    }

    pub fn get(&self, slot: usize) -> Option<&Value> {
        self.values.get(slot).and_then(Option::as_ref)
    }

    /// Whether the document gave `redeemed` (a service that reads it from its ledger refuses
    /// a context that also carries it).
    pub fn has_redeemed(&self) -> bool {
        self.get(REDEEMED).is_some()
    }

    /// Sets `redeemed`: the ids of the offers this customer redeemed, one entry per
    /// redemption, as a ledger knows them.
    pub fn set_redeemed(&mut self, offer_ids: Vec<String>) {
        self.values[REDEEMED] = Some(Value::List(
            offer_ids.into_iter().map(Value::Text).collect(),
        ));
    }

    /// Attaches a ledger's counts for `budget` clauses: unreversed redemptions per offer id,
    /// all customers together (offers not named have none).
    pub fn set_budget_use(&mut self, used: BTreeMap<String, u64>) {
        self.budget_use = Some(used);
    }

    /// A ledger's count of an offer's redemptions, when a ledger is attached.
    pub fn budget_use(&self, offer: &str) -> Option<u64> {
        self.budget_use
            .as_ref()
            .map(|used| used.get(offer).copied().unwrap_or(0))
    }
}

/// Reads the entries of one map of the document into the slots of the fields below `tree`;
/// `depth` is how deep the map lies.
fn fill(
    entries: &[(String, Doc)],
    tree: &Tree,
    schema: &Schema,
    values: &mut [Option<Value>],
    depth: usize,
) -> Result<(), ContextError> {
    for (key, value) in entries {
        let Some(branch) = tree.children.get(key.as_str()) else {
            continue;
        };
        match (branch, value) {
            (_, Doc::Null) => {}
            (Branch::Field(slot), value) => {
                let field = schema.field(*slot);
                values[*slot] = Some(convert(value, &field.ty).map_err(|w| w.at(&field.path))?);
            }
            (Branch::Map { tree, .. }, Doc::Map(inner)) => {
                fill(inner, tree, schema, values, depth + 1)?
            }
            (Branch::Map { first, .. }, other) => {
                let field = schema.field(*first);
                return Err(ContextError {
                    path: field.segments[..=depth].join("."),
                    message: format!(
                        "should be a map of fields (it holds `{}`), found {}",
                        field.path,
                        other.describe()
                    ),
                });
            }
        }
    }
    Ok(())
}

/// What is wrong with a value, and in which entry of a list.
struct Wrong {
    index: Vec<usize>,
    message: String,
}

impl Wrong {
    fn at(self, path: &str) -> ContextError {
        let mut path = path.to_string();
        for i in self.index.iter().rev() {
            path.push_str(&format!("[{i}]"));
        }
        ContextError {
            path,
            message: self.message,
        }
    }
}

fn wrong(expected: &str, found: &Doc) -> Wrong {
    Wrong {
        index: Vec::new(),
        message: format!("should be {expected}, found {}", found.describe()),
    }
}

/// The value of `doc` as type `ty`; the path is only made when something is wrong.
fn convert(doc: &Doc, ty: &Type) -> Result<Value, Wrong> {
    Ok(match (ty, doc) {
        (Type::List(element), Doc::List(items)) => {
            let mut values = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                values.push(convert(item, element).map_err(|mut w| {
                    w.index.push(i);
                    w
                })?);
            }
            Value::List(values)
        }
        (Type::List(element), _) => return Err(wrong(&format!("a list of {element}"), doc)),
        (Type::Number, Doc::Number(text)) => {
            Value::Number(Decimal::parse(text).map_err(|e| match e {
                NumberError::Malformed => {
                    wrong("a number written as a plain decimal, like 12 or 59.99", doc)
                }
                other => Wrong {
                    index: Vec::new(),
                    message: format!("{}: {other}", doc.describe()),
                },
            })?)
        }
        (Type::Number, _) => return Err(wrong("a number", doc)),
        (Type::Text, Doc::Text(s)) => Value::Text(s.clone()),
        (Type::Text, _) => return Err(wrong("text", doc)),
        (Type::Bool, Doc::Bool(b)) => Value::Bool(*b),
        (Type::Bool, _) => return Err(wrong("true or false", doc)),
        (Type::Money, Doc::Text(s)) => Value::Money(Money::parse(s).map_err(|e| match e {
            MoneyError::Malformed => wrong("money like \"130.00 USD\"", doc),
            other => Wrong {
                index: Vec::new(),
                message: format!("should be money, but in {}: {other}", doc.describe()),
            },
        })?),
        (Type::Money, _) => return Err(wrong("money like \"130.00 USD\"", doc)),
        (Type::Date, Doc::Text(s)) => Value::Date(
            parse_date(s.trim()).ok_or_else(|| wrong("a date like \"2016-05-10\"", doc))?,
        ),
        (Type::Date, _) => return Err(wrong("a date like \"2016-05-10\"", doc)),
        (Type::DateTime, Doc::Text(s)) => Value::DateTime(
            parse_instant(s)
                .ok_or_else(|| wrong("a date-time like \"2016-05-10T10:00:00Z\"", doc))?,
        ),
        (Type::DateTime, _) => return Err(wrong("a date-time like \"2016-05-10T10:00:00Z\"", doc)),
        (Type::Nothing, _) => return Err(wrong("nothing", doc)),
    })
}
