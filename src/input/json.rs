//! JSON documents with every number kept exactly as written.

use serde::Deserializer as _;
use serde_json::value::RawValue;

use crate::input::document::{Doc, DocError};

/// Most JSON nesting accepted; deeper documents are refused rather than risk the stack.
const MAX_DEPTH: usize = 128;

/// Reads JSON with every number kept as written. The JSON library would turn `59.99` into a
/// binary float, so each value is taken as its raw text and looked at by its first
/// character: containers are read the same way, one level at a time; scalars are converted.
pub fn parse(text: &str) -> Result<Doc, DocError> {
    // One pass for the syntax, so that errors carry their place in the whole text.
    serde_json::from_str::<serde::de::IgnoredAny>(text).map_err(|e| DocError {
        line: Some(e.line()),
        column: Some(e.column()),
        message: json_message(&e),
    })?;
    let raw: &RawValue = serde_json::from_str(text).map_err(|e| DocError {
        line: Some(e.line()),
        column: Some(e.column()),
        message: json_message(&e),
    })?;
    json_node(text, raw.get(), &mut Vec::new())
}

fn json_message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    // serde_json appends " at line L column C", which the caller shows its own way.
    let text = match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    };
    format!(
        "this is not valid JSON: {}",
        crate::escape::bounded_message(&text)
    )
}

/// One value of `whole` (a slice of it), below the map keys in `path`.
fn json_node(whole: &str, raw: &str, path: &mut Vec<String>) -> Result<Doc, DocError> {
    if path.len() >= MAX_DEPTH {
        let (line, column) = place_of(whole, raw);
        return Err(DocError {
            line: Some(line),
            column: Some(column),
            message: format!("the document is nested more than {MAX_DEPTH} levels deep"),
        });
    }
    // The syntax was checked as a whole: reading a part again cannot fail, but if it did
    // the message says so rather than panicking.
    let again = |e: serde_json::Error| DocError {
        line: None,
        column: None,
        message: json_message(&e),
    };
    Ok(match raw.as_bytes().first() {
        Some(b'{') => {
            let entries = serde_json::Deserializer::from_str(raw)
                .deserialize_map(Entries)
                .map_err(again)?;
            let mut seen: std::collections::HashMap<&str, &str> = Default::default();
            for (key, value) in &entries {
                if let Some(first) = seen.insert(key.as_str(), value.get()) {
                    return Err(twice(whole, path, key, first, value.get()));
                }
            }
            let mut out = Vec::with_capacity(entries.len());
            for (key, value) in &entries {
                path.push(key.clone());
                let doc = json_node(whole, value.get(), path)?;
                path.pop();
                out.push((key.clone(), doc));
            }
            Doc::Map(out)
        }
        Some(b'[') => {
            let items: Vec<&RawValue> = serde_json::from_str(raw).map_err(again)?;
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                path.push(String::new());
                out.push(json_node(whole, item.get(), path)?);
                path.pop();
            }
            Doc::List(out)
        }
        Some(b'"') => Doc::Text(serde_json::from_str(raw).map_err(again)?),
        Some(b't') => Doc::Bool(true),
        Some(b'f') => Doc::Bool(false),
        Some(b'n') => Doc::Null,
        _ => Doc::Number(raw.trim().to_string()),
    })
}

/// A field given twice in one map: the JSON library would keep the last silently, and a
/// price of 1.00 then 900.00 would be 900.00.
fn twice(whole: &str, path: &[String], key: &str, first: &str, second: &str) -> DocError {
    let (line1, _) = place_of(whole, first);
    let (line2, column2) = place_of(whole, second);
    let mut field: Vec<&str> = path
        .iter()
        .filter(|k| !k.is_empty())
        .map(String::as_str)
        .collect();
    field.push(key);
    DocError {
        line: Some(line2),
        column: Some(column2),
        message: format!(
            "the field `{}` is given twice, on line {line1} and on line {line2}; give each field once",
            crate::escape::excerpt(&field.join("."))
        ),
    }
}

/// Line and column of `part`, a slice of `whole`.
fn place_of(whole: &str, part: &str) -> (usize, usize) {
    let offset = (part.as_ptr() as usize)
        .saturating_sub(whole.as_ptr() as usize)
        .min(whole.len());
    let before = whole.get(..offset).unwrap_or_default();
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// The entries of a JSON map in order, repeats included, each value as its raw text.
struct Entries;

impl<'de> serde::de::Visitor<'de> for Entries {
    type Value = Vec<(String, &'de RawValue)>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a map")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            entries.push((key, map.next_value::<&'de RawValue>()?));
        }
        Ok(entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_numbers_keep_their_digits() {
        let doc =
            parse(r#"{"a": 59.99, "b": 12.000, "c": 1e2, "d": 123456789012345678901234567890}"#)
                .unwrap();
        assert_eq!(doc.get("a"), Some(&Doc::Number("59.99".into())));
        assert_eq!(doc.get("b"), Some(&Doc::Number("12.000".into())));
        assert_eq!(doc.get("c"), Some(&Doc::Number("1e2".into())));
        assert_eq!(
            doc.get("d"),
            Some(&Doc::Number("123456789012345678901234567890".into()))
        );
    }

    #[test]
    fn json_errors_have_a_place() {
        let e = parse("{\n  \"a\": ,\n}").unwrap_err();
        assert_eq!(e.line, Some(2));
        assert!(
            e.message.starts_with("this is not valid JSON"),
            "{}",
            e.message
        );
    }

    #[test]
    fn guesses_json_or_yaml() {
        assert_eq!(
            Doc::parse("{\"a\": 1}", None).unwrap().get("a"),
            Some(&Doc::Number("1".into()))
        );
        assert_eq!(
            Doc::parse("a: 1\n", None).unwrap().get("a"),
            Some(&Doc::Number("1".into()))
        );
        assert_eq!(
            Doc::parse("{a: 1}", None).unwrap().get("a"),
            Some(&Doc::Number("1".into()))
        );
    }
}
