//! A customer's context: a document checked against the schema and laid out by slot, so
//! evaluation finds each field by index.

use std::collections::BTreeMap;

use crate::input::document::Doc;
use crate::language::check::Schema;
use crate::language::check::schema::{Branch, Tree};
use crate::language::check::schema::{PRICE, REDEEMED};
use crate::language::diagnostic::edit_distance;
use crate::value::money::{Currency, Money, MoneyError};
use crate::value::number::{Decimal, NumberError};
use crate::value::time::{parse_date, parse_instant};
use crate::value::{Type, Value};

/// The values of one context, one slot per schema field; `None` is missing. Made by
/// [`RuleSet::context`](crate::RuleSet::context); `Context::default()` holds nothing, for
/// [`RuleSet::refill_context`](crate::RuleSet::refill_context) to read customers into.
#[derive(Clone, Default)]
pub struct Context {
    values: Vec<Option<Value>>,
    /// Unreversed redemptions per offer id, all customers together, as a ledger counts them
    /// for `budget` clauses; `None` when no ledger is attached.
    budget_use: Option<BTreeMap<String, u64>>,
    /// Values of the previous document read into this context (`refill`), kept for their
    /// buffers: reading the next customer's texts and lists into them allocates nothing.
    spare: Spare,
}

#[derive(Clone, Default)]
struct Spare {
    values: Vec<Option<Value>>,
    texts: Vec<String>,
    /// The last currency code read, and its currency.
    currency: Option<([u8; 3], Currency)>,
}

impl PartialEq for Context {
    fn eq(&self, other: &Context) -> bool {
        self.values == other.values && self.budget_use == other.budget_use
    }
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("values", &self.values)
            .field("budget_use", &self.budget_use)
            .finish()
    }
}

/// A value of the wrong type: the path, what was expected and what was found.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("context field `{path}` {message}")]
pub struct ContextError {
    /// The field's path, as the schema declares it (`customer.tier`).
    pub path: String,
    /// What is wrong with its value, in words.
    pub message: String,
}

impl Context {
    /// An empty context: every field missing.
    pub(crate) fn empty(schema: &Schema) -> Context {
        Context {
            values: vec![None; schema.len()],
            ..Context::default()
        }
    }

    /// Checks `doc` against the schema. Fields the schema does not declare are ignored; a
    /// `null` counts as missing.
    pub(crate) fn from_doc(doc: &Doc, schema: &Schema) -> Result<Context, ContextError> {
        let mut ctx = Context::default();
        ctx.refill(doc, schema)?;
        Ok(ctx)
    }

    /// `from_doc` into this context, which then holds `doc`'s values only (and no ledger
    /// counts); the texts and lists of the previous document are reused, so that reading
    /// customer after customer into one context allocates nothing in the steady state. When
    /// `doc` is refused, the context is left with some of its values.
    pub(crate) fn refill(&mut self, doc: &Doc, schema: &Schema) -> Result<(), ContextError> {
        let root_ok = matches!(doc, Doc::Map(_) | Doc::Null);
        if !root_ok {
            return Err(ContextError {
                path: String::from("(the whole document)"),
                message: format!("should be a map of fields, found {}", doc.describe()),
            });
        }
        self.budget_use = None;
        let spare = &mut self.spare;
        spare.values.resize(schema.len(), None);
        self.values.resize(schema.len(), None);
        for (value, old) in self.values.iter_mut().zip(spare.values.iter_mut()) {
            if value.is_some() {
                if let Some(Value::List(items)) = old {
                    spare.texts.extend(items.drain(..).filter_map(|v| match v {
                        Value::Text(t) => Some(t),
                        _ => None,
                    }));
                }
                *old = value.take();
            }
        }
        if let Doc::Map(entries) = doc {
            fill(entries, schema.tree(), schema, &mut self.values, spare, 0)?;
        }
        if let Some(Value::Money(m)) = &self.values[PRICE] {
            if m.minor < 0 {
                return Err(ContextError {
                    path: String::from("price"),
                    message: format!("cannot be negative, found \"{m}\""),
                });
            }
            if let Some(currency) = schema.currency()
                && m.currency != currency
            {
                return Err(ContextError {
                    path: String::from("price"),
                    message: format!(
                        "is in {} (\"{m}\"), but the rule set's currency is {}",
                        m.currency.code(),
                        currency.code()
                    ),
                });
            }
        }
        Ok(())
    }

    /// The value of the field in `slot` (the schema's numbering), `None` when missing.
    pub(crate) fn get(&self, slot: usize) -> Option<&Value> {
        self.values.get(slot).and_then(Option::as_ref)
    }

    /// The list price the customer record gives (`price`), when it gives one.
    pub fn price(&self) -> Option<Money> {
        match self.get(PRICE) {
            Some(Value::Money(m)) => Some(*m),
            _ => None,
        }
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

    /// The fields of `doc` that the schema does not declare but that are one edit (a letter
    /// added, left out, changed, or two swapped; case aside) from a field or map it does:
    /// likely typos, which would otherwise be ignored and leave the field missing. They never
    /// change a decision; the caller shows them as warnings.
    pub(crate) fn near_misses(doc: &Doc, schema: &Schema) -> Vec<NearMiss> {
        let mut found = Vec::new();
        if let Doc::Map(entries) = doc {
            near(entries, schema.tree(), "", &mut found);
        }
        found
    }
}

/// A document field that is likely a typo of a schema field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NearMiss {
    /// The path as the document writes it.
    pub found: String,
    /// The declared path one edit away.
    pub meant: String,
}

impl std::fmt::Display for NearMiss {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(
            f,
            "`{}` is not in the schema; did you mean `{}`?",
            self.found, self.meant
        )
    }
}

fn near(entries: &[(String, Doc)], tree: &Tree, prefix: &str, found: &mut Vec<NearMiss>) {
    for (key, value) in entries {
        let path = |name: &str| {
            if prefix.is_empty() {
                name.to_string()
            } else {
                format!("{prefix}.{name}")
            }
        };
        match tree.children.get(key.as_str()) {
            Some(Branch::Map { tree: inner, .. }) => {
                if let Doc::Map(inner_entries) = value {
                    near(inner_entries, inner, &path(key), found);
                }
            }
            Some(Branch::Field(_)) => {}
            None => {
                let lower = key.to_lowercase();
                let mut names: Vec<&String> = tree
                    .children
                    .keys()
                    .filter(|name| edit_distance(&lower, &name.to_lowercase()) <= 1)
                    .collect();
                names.sort();
                if let Some(meant) = names.first() {
                    found.push(NearMiss {
                        found: path(key),
                        meant: path(meant),
                    });
                }
            }
        }
    }
}

/// Reads the entries of one map of the document into the slots of the fields below `tree`;
/// `depth` is how deep the map lies.
fn fill(
    entries: &[(String, Doc)],
    tree: &Tree,
    schema: &Schema,
    values: &mut [Option<Value>],
    spare: &mut Spare,
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
                let old = spare.values[*slot].take();
                values[*slot] = Some(
                    convert_reusing(value, &field.ty, old, spare).map_err(|w| w.at(&field.path))?,
                );
            }
            (Branch::Map { tree, .. }, Doc::Map(inner)) => {
                fill(inner, tree, schema, values, spare, depth + 1)?
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

/// `convert`, writing texts into the buffers of `old` (a previous value of the field) and
/// of spare texts rather than new ones; plain whole numbers and money written as
/// `amount CODE` read directly.
fn convert_reusing(
    doc: &Doc,
    ty: &Type,
    old: Option<Value>,
    spare: &mut Spare,
) -> Result<Value, Wrong> {
    let texts = &mut spare.texts;
    let reuse = |texts: &mut Vec<String>, new: &str| {
        let mut t = texts.pop().unwrap_or_default();
        t.clear();
        t.push_str(new);
        t
    };
    match (ty, doc, old) {
        (Type::Text, Doc::Text(new), Some(Value::Text(mut t))) => {
            t.clear();
            t.push_str(new);
            Ok(Value::Text(t))
        }
        (Type::Text, Doc::Text(new), _) => Ok(Value::Text(reuse(texts, new))),
        (Type::List(element), Doc::List(items), old)
            if **element == Type::Text && items.iter().all(|i| matches!(i, Doc::Text(_))) =>
        {
            let mut list = match old {
                Some(Value::List(mut list)) => {
                    texts.extend(list.drain(..).filter_map(|v| match v {
                        Value::Text(t) => Some(t),
                        _ => None,
                    }));
                    list
                }
                _ => Vec::with_capacity(items.len()),
            };
            list.extend(items.iter().filter_map(|item| match item {
                Doc::Text(new) => Some(Value::Text(reuse(texts, new))),
                _ => None,
            }));
            Ok(Value::List(list))
        }
        (Type::Number, Doc::Number(text), _) if whole_number(text).is_some() => Ok(Value::Number(
            Decimal::from_int(whole_number(text).unwrap_or_default()),
        )),
        (Type::Money, Doc::Text(text), _) => match plain_money(text, &mut spare.currency) {
            Some(m) => Ok(Value::Money(m)),
            None => convert(doc, ty),
        },
        _ => convert(doc, ty),
    }
}

/// Up to 18 digits, nothing else: the number they write (`Decimal::parse` gives the same).
fn whole_number(text: &str) -> Option<i64> {
    if !(1..=18).contains(&text.len()) || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(text.bytes().fold(0i64, |n, b| n * 10 + i64::from(b - b'0')))
}

/// Money written as digits, points and minus signs, one space and a three-letter code (what
/// `Money::parse` splits it into), with the last code's currency remembered; `None` for
/// anything else, which `Money::parse` then reads or refuses.
fn plain_money(text: &str, last: &mut Option<([u8; 3], Currency)>) -> Option<Money> {
    let bytes = text.as_bytes();
    let space = bytes.len().checked_sub(4).filter(|&i| i > 0)?;
    let (amount, code) = (&bytes[..space], &bytes[space + 1..]);
    if bytes[space] != b' '
        || !code.iter().all(u8::is_ascii_uppercase)
        || !amount
            .iter()
            .all(|b| b.is_ascii_digit() || *b == b'.' || *b == b'-')
    {
        return None;
    }
    let code: [u8; 3] = code.try_into().ok()?;
    let currency = match *last {
        Some((known, currency)) if known == code => currency,
        _ => {
            let currency = Currency::from_code(text.get(space + 1..)?)?;
            *last = Some((code, currency));
            currency
        }
    };
    let amount = Decimal::parse(text.get(..space)?).ok()?;
    Money::new(amount, currency).ok()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::language::source::Span;

    fn schema() -> Schema {
        let mut schema = Schema::default();
        let span = Span::new(0, 0, 0);
        let _ = schema.declare("customer.student", Type::Bool, span);
        let _ = schema.declare("customer.plan", Type::Text, span);
        schema
    }

    fn doc(entries: Vec<(&str, Doc)>) -> Doc {
        Doc::Map(
            entries
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        )
    }

    #[test]
    fn a_field_one_edit_from_a_declared_one_is_a_near_miss() {
        let d = doc(vec![
            (
                "customer",
                doc(vec![
                    ("studnet", Doc::Bool(true)),
                    ("Plan", Doc::Text("gold".into())),
                    ("nickname", Doc::Text("Al".into())),
                ]),
            ),
            ("code", Doc::List(vec![])),
            ("id", Doc::Text("c-1".into())),
        ]);
        let found: Vec<String> = Context::near_misses(&d, &schema())
            .iter()
            .map(|m| m.to_string())
            .collect();
        assert_eq!(
            found,
            [
                "`customer.studnet` is not in the schema; did you mean `customer.student`?",
                "`customer.Plan` is not in the schema; did you mean `customer.plan`?",
                "`code` is not in the schema; did you mean `codes`?",
            ]
        );
        // the decision never changes: the typo is read as missing
        let ctx = Context::from_doc(&d, &schema()).unwrap();
        assert_eq!(ctx.get(3), None);
    }

    /// The direct readings of whole numbers and money give what the general ones give.
    #[test]
    fn plain_numbers_and_money_read_as_the_parsers_read_them() {
        for text in ["0", "7", "041", "123456789012345678", "18"] {
            assert_eq!(
                whole_number(text).map(Decimal::from_int),
                Decimal::parse(text).ok(),
                "{text}"
            );
        }
        assert_eq!(whole_number("1234567890123456789"), None);
        assert_eq!(whole_number("-1"), None);
        let mut last = None;
        for text in [
            "64.98 USD",
            "64.98 USD",
            "10 EUR",
            "0.5 JPY",
            "1.005 USD",
            "-3.00 USD",
            "12 XXQ",
            "1..2 USD",
            " 1.00 USD",
            "1.00  USD",
            "1.00 usd",
            "99999999999999999999999.00 USD",
        ] {
            let direct = plain_money(text, &mut last);
            match Money::parse(text) {
                Ok(m) => assert!(direct.is_none() || direct == Some(m), "{text}"),
                Err(_) => assert_eq!(direct, None, "{text}"),
            }
        }
        assert_eq!(
            plain_money("64.98 USD", &mut last),
            Money::parse("64.98 USD").ok()
        );
    }

    #[test]
    fn a_misspelt_map_is_named_not_entered() {
        let d = doc(vec![("custmer", doc(vec![("student", Doc::Bool(true))]))]);
        assert_eq!(
            Context::near_misses(&d, &schema()),
            [NearMiss {
                found: "custmer".into(),
                meant: "customer".into()
            }]
        );
    }
}
