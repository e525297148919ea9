//! The one place that knows the YAML library. It reads a document twice: once to learn its
//! shape, then again asking for the raw text of every number, because the library would
//! otherwise turn `59.99` into a binary float and `0x1F` into 31.

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::cell::Cell;
use std::fmt;

use crate::escape::bounded_message;
use crate::input::document::{Doc, DocError, Step};

pub fn parse(text: &str) -> Result<Doc, DocError> {
    flow_nesting(text)?;
    let budget = Budget::for_text(text);
    let shape: Doc = Shape(&budget)
        .deserialize(serde_yaml::Deserializer::from_str(text))
        .map_err(error)?;
    let doc = Exact(&shape)
        .deserialize(serde_yaml::Deserializer::from_str(text))
        .map_err(error)?;
    match first_repeat(&doc, &mut Vec::new()) {
        None => Ok(doc),
        Some(path) => Err(repeated(text, &path)),
    }
}

/// How much a document may grow while it is read. Aliases (`*name`) repeat what an anchor
/// holds, so a small file can ask for gigabytes; without aliases a document never comes
/// near these bounds, since each value takes at least a byte of the text.
struct Budget {
    bytes: Cell<usize>,
    values: Cell<usize>,
}

/// What any document may hold once its aliases are expanded, however small its text.
const MIN_EXPANDED_BYTES: usize = 64 * 1024 * 1024;
const MIN_EXPANDED_VALUES: usize = 1_000_000;

impl Budget {
    fn for_text(text: &str) -> Budget {
        Budget {
            bytes: Cell::new(MIN_EXPANDED_BYTES.max(2 * text.len())),
            values: Cell::new(MIN_EXPANDED_VALUES.max(text.len())),
        }
    }

    /// Counts one value of `bytes` bytes of text, or refuses once the budget is spent.
    fn spend<E: de::Error>(&self, bytes: usize) -> Result<(), E> {
        let (left_bytes, left_values) = (self.bytes.get(), self.values.get());
        if bytes > left_bytes || left_values == 0 {
            return Err(E::custom(format!(
                "its aliases (`*name`) repeat so much that it would hold more than {} MiB or {} values; write the values out, or repeat less",
                MIN_EXPANDED_BYTES.max(left_bytes) / (1024 * 1024),
                MIN_EXPANDED_VALUES
            )));
        }
        self.bytes.set(left_bytes - bytes);
        self.values.set(left_values - 1);
        Ok(())
    }
}

/// The path of the first key given twice in one map, the repeated key last.
fn first_repeat(doc: &Doc, path: &mut Vec<Step>) -> Option<Vec<Step>> {
    match doc {
        Doc::Map(entries) => {
            let mut seen = std::collections::HashSet::new();
            for (key, _) in entries {
                if !seen.insert(key.as_str()) {
                    let mut found = path.clone();
                    found.push(Step::Key(key.clone()));
                    return Some(found);
                }
            }
            for (key, value) in entries {
                path.push(Step::Key(key.clone()));
                let found = first_repeat(value, path);
                path.pop();
                if found.is_some() {
                    return found;
                }
            }
            None
        }
        Doc::List(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(Step::Index(i));
                let found = first_repeat(item, path);
                path.pop();
                if found.is_some() {
                    return found;
                }
            }
            None
        }
        _ => None,
    }
}

/// A field given twice in one map, with both places: the YAML library would keep the last
/// silently, and a price of 1.00 then 900.00 would be 900.00.
fn repeated(text: &str, path: &[Step]) -> DocError {
    let first = locate(text, path);
    let second = locate_nth(text, path, 1);
    let field: Vec<String> = path
        .iter()
        .filter_map(|s| match s {
            Step::Key(k) => Some(k.clone()),
            Step::Index(_) => None,
        })
        .collect();
    let lines = match (first, second) {
        (Some((a, _)), Some((b, _))) => format!(", on line {a} and on line {b}"),
        _ => String::new(),
    };
    DocError {
        line: second.or(first).map(|(l, _)| l),
        column: second.or(first).map(|(_, c)| c),
        message: format!(
            "the field `{}` is given twice{lines}; give each field once",
            crate::escape::excerpt(&field.join("."))
        ),
    }
}

/// Brackets and braces nested deeper than this are refused before the YAML library sees
/// them: it takes time quadratic in their depth (100,000 took 34 s). Its own limit of 128
/// nested values still applies below this.
const MAX_FLOW_NESTING: usize = 1_000;

fn flow_nesting(text: &str) -> Result<(), DocError> {
    let (mut depth, mut line, mut column) = (0usize, 1, 0);
    let mut chars = text.chars().peekable();
    let mut previous = '\n';
    while let Some(c) = chars.next() {
        column += 1;
        match c {
            '\n' => {
                line += 1;
                column = 0;
            }
            // a comment starts at `#` after white space, and runs to the end of the line
            '#' if previous.is_whitespace() => {
                while chars.peek().is_some_and(|c| *c != '\n') {
                    chars.next();
                }
            }
            // quoted text: brackets inside do not count
            '"' | '\'' => {
                while let Some(q) = chars.next() {
                    if q == '\n' {
                        line += 1;
                        column = 0;
                    }
                    if q == '\\' && c == '"' {
                        chars.next();
                    } else if q == c {
                        break;
                    }
                }
            }
            '[' | '{' => {
                depth += 1;
                if depth > MAX_FLOW_NESTING {
                    return Err(DocError {
                        line: Some(line),
                        column: Some(column),
                        message: format!(
                            "this is not valid YAML: lists and maps nested more than {MAX_FLOW_NESTING} deep"
                        ),
                    });
                }
            }
            ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        previous = c;
    }
    Ok(())
}

/// The line and column where the node at `path` starts, found by reading the document
/// once more and stopping there: the library tells the place of an error, not of a node.
pub fn locate(text: &str, path: &[Step]) -> Option<(usize, usize)> {
    locate_nth(text, path, 0)
}

/// As [`locate`], for the `nth` (from 0) of the keys the path's last step names in its map.
fn locate_nth(text: &str, path: &[Step], nth: usize) -> Option<(usize, usize)> {
    let result = serde_yaml::Deserializer::from_str(text).deserialize_any(Locate(path, nth));
    let error = result.err()?;
    error.location().map(|l| (l.line(), l.column()))
}

/// The path sought, and how many matches of its last key to pass over.
struct Locate<'a>(&'a [Step], usize);

impl<'de> DeserializeSeed<'de> for Locate<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Locate<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.found()
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.found()
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.found()
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.found()
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        self.found()
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.found()
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        match self.0.split_first() {
            None => self.found(),
            Some((Step::Index(i), rest)) => {
                for _ in 0..*i {
                    if seq.next_element::<IgnoredAny>()?.is_none() {
                        return Ok(());
                    }
                }
                seq.next_element_seed(Locate(rest, self.1)).map(|_| ())
            }
            Some(_) => Ok(()),
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Some((Step::Key(wanted), rest)) = self.0.split_first() else {
            return self.found();
        };
        let mut pass = if rest.is_empty() { self.1 } else { 0 };
        let budget = Budget::for_text("");
        while let Some(key) = map.next_key_seed(Key(&budget))? {
            if key == *wanted {
                if pass == 0 {
                    return map.next_value_seed(Locate(rest, self.1));
                }
                pass -= 1;
            }
            map.next_value::<IgnoredAny>()?;
        }
        Ok(())
    }
}

impl Locate<'_> {
    /// Stops the reading at the node sought; the error carries its place.
    fn found<E: de::Error>(&self) -> Result<(), E> {
        if self.0.is_empty() {
            Err(E::custom("found"))
        } else {
            Ok(())
        }
    }
}

fn error(e: serde_yaml::Error) -> DocError {
    let text = e.to_string();
    let message = match text.find(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    };
    if message.contains("more than one document") {
        return DocError {
            line: None,
            column: None,
            message: String::from(
                "this holds more than one YAML document (a `---` or `...` line starts another); give one",
            ),
        };
    }
    DocError {
        line: e.location().map(|l| l.line()),
        column: e.location().map(|l| l.column()),
        // The library quotes whole values in its messages: only an excerpt is shown.
        message: format!("this is not valid YAML: {}", bounded_message(&message)),
    }
}

/// First reading: the tree, with numbers still empty, counted against the budget.
struct ShapeVisitor<'b>(&'b Budget);

impl<'de> Visitor<'de> for ShapeVisitor<'_> {
    type Value = Doc;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a YAML value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Doc, E> {
        self.0.spend(0)?;
        Ok(Doc::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Doc, E> {
        self.0.spend(0)?;
        Ok(Doc::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Doc, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Doc, E> {
        self.0.spend(0)?;
        Ok(Doc::Bool(b))
    }

    fn visit_i64<E>(self, _: i64) -> Result<Doc, E> {
        Ok(Doc::Number(String::new()))
    }

    fn visit_u64<E>(self, _: u64) -> Result<Doc, E> {
        Ok(Doc::Number(String::new()))
    }

    fn visit_i128<E>(self, _: i128) -> Result<Doc, E> {
        Ok(Doc::Number(String::new()))
    }

    fn visit_u128<E>(self, _: u128) -> Result<Doc, E> {
        Ok(Doc::Number(String::new()))
    }

    fn visit_f64<E>(self, _: f64) -> Result<Doc, E> {
        Ok(Doc::Number(String::new()))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Doc, E> {
        self.0.spend(s.len())?;
        Ok(Doc::Text(s.to_string()))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Doc, A::Error> {
        self.0.spend::<A::Error>(0)?;
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(Shape(self.0))? {
            items.push(item);
        }
        Ok(Doc::List(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Doc, A::Error> {
        self.0.spend::<A::Error>(0)?;
        let mut entries = Vec::new();
        while let Some(key) = map.next_key_seed(Key(self.0))? {
            entries.push((key, map.next_value_seed(Shape(self.0))?));
        }
        Ok(Doc::Map(entries))
    }

    fn visit_enum<A: de::EnumAccess<'de>>(self, _: A) -> Result<Doc, A::Error> {
        Err(de::Error::custom("tags like `!name` are not supported"))
    }
}

struct Shape<'b>(&'b Budget);

impl<'de> DeserializeSeed<'de> for Shape<'_> {
    type Value = Doc;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Doc, D::Error> {
        d.deserialize_any(ShapeVisitor(self.0))
    }
}

/// A map key as text, whatever scalar it is.
struct Key<'b>(&'b Budget);

impl<'de> DeserializeSeed<'de> for Key<'_> {
    type Value = String;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        d.deserialize_str(KeyVisitor(self.0))
    }
}

struct KeyVisitor<'b>(&'b Budget);

impl Visitor<'_> for KeyVisitor<'_> {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<String, E> {
        self.0.spend(s.len())?;
        Ok(s.to_string())
    }
}

/// Second reading, guided by the shape: numbers are read as their raw text.
struct Exact<'a>(&'a Doc);

impl<'de> DeserializeSeed<'de> for Exact<'_> {
    type Value = Doc;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Doc, D::Error> {
        match self.0 {
            Doc::Number(_) => d.deserialize_str(RawNumber),
            Doc::List(_) | Doc::Map(_) => d.deserialize_any(self),
            // a scalar the shape already counted
            _ => d.deserialize_any(ShapeVisitor(&Budget::for_text(""))),
        }
    }
}

impl<'de> Visitor<'de> for Exact<'_> {
    type Value = Doc;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("the same document as before")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Doc, A::Error> {
        let Doc::List(shape) = self.0 else {
            return Err(de::Error::custom("the document changed while it was read"));
        };
        let mut items = Vec::with_capacity(shape.len());
        for item in shape {
            match seq.next_element_seed(Exact(item))? {
                Some(doc) => items.push(doc),
                None => return Err(de::Error::custom("the document changed while it was read")),
            }
        }
        Ok(Doc::List(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Doc, A::Error> {
        let Doc::Map(shape) = self.0 else {
            return Err(de::Error::custom("the document changed while it was read"));
        };
        let mut entries = Vec::with_capacity(shape.len());
        for (key, value) in shape {
            if map.next_key_seed(IgnoredKey)?.is_none() {
                return Err(de::Error::custom("the document changed while it was read"));
            }
            entries.push((key.clone(), map.next_value_seed(Exact(value))?));
        }
        Ok(Doc::Map(entries))
    }
}

struct IgnoredKey;

impl<'de> DeserializeSeed<'de> for IgnoredKey {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_ignored_any(IgnoredAny).map(|_| ())
    }
}

struct RawNumber;

impl Visitor<'_> for RawNumber {
    type Value = Doc;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a number")
    }

    fn visit_str<E>(self, s: &str) -> Result<Doc, E> {
        Ok(Doc::Number(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_their_digits() {
        let doc = parse("a: 59.99\nb: 12.000\nc: 0x1F\nd: .inf\ne: '12'\nf: [1.10, x]\n").unwrap();
        assert_eq!(doc.get("a"), Some(&Doc::Number("59.99".into())));
        assert_eq!(doc.get("b"), Some(&Doc::Number("12.000".into())));
        assert_eq!(doc.get("c"), Some(&Doc::Number("0x1F".into())));
        assert_eq!(doc.get("d"), Some(&Doc::Number(".inf".into())));
        assert_eq!(doc.get("e"), Some(&Doc::Text("12".into())));
        assert_eq!(
            doc.get("f"),
            Some(&Doc::List(vec![
                Doc::Number("1.10".into()),
                Doc::Text("x".into())
            ]))
        );
    }

    #[test]
    fn nulls_dates_and_aliases() {
        let doc =
            parse("a: ~\nb: null\nc:\nd: 2016-05-10\nbase: &b {x: 1.50}\ncopy: *b\n").unwrap();
        assert_eq!(doc.get("a"), Some(&Doc::Null));
        assert_eq!(doc.get("b"), Some(&Doc::Null));
        assert_eq!(doc.get("c"), Some(&Doc::Null));
        assert_eq!(doc.get("d"), Some(&Doc::Text("2016-05-10".into())));
        assert_eq!(
            doc.get("copy").and_then(|c| c.get("x")),
            Some(&Doc::Number("1.50".into()))
        );
    }

    #[test]
    fn locates_nodes() {
        let text = "at: 2016-05-10\ncases:\n  - name: a\n    expect:\n      x: eligible\n  - name: b\n    expect: {y: unknown}\n";
        let key = |k: &str| Step::Key(k.to_string());
        assert_eq!(locate(text, &[key("at")]), Some((1, 5)));
        assert_eq!(
            locate(
                text,
                &[key("cases"), Step::Index(0), key("expect"), key("x")]
            ),
            Some((5, 10))
        );
        assert_eq!(
            locate(
                text,
                &[key("cases"), Step::Index(1), key("expect"), key("y")]
            ),
            Some((7, 17))
        );
        assert_eq!(locate(text, &[key("cases"), Step::Index(1)]), Some((6, 5)));
        assert_eq!(locate(text, &[key("nothing")]), None);
    }

    #[test]
    fn errors_have_a_place() {
        let e = parse("a: [1, 2\nb: 3\n").unwrap_err();
        assert!(e.line.is_some());
        assert!(
            e.message.starts_with("this is not valid YAML"),
            "{}",
            e.message
        );
    }
}
