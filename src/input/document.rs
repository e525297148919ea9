//! Context documents and case files as a plain tree, read from JSON or YAML with every
//! number kept exactly as written.

use serde::Deserializer as _;
use serde_json::value::RawValue;

/// A JSON/YAML value. Numbers keep their text, so `59.99` stays 59.99 and `0x1F` can be
/// refused by whoever expects a number.
#[derive(Clone, Debug, PartialEq)]
pub enum Doc {
    Null,
    Bool(bool),
    Number(String),
    Text(String),
    List(Vec<Doc>),
    Map(Vec<(String, Doc)>),
}

impl Doc {
    /// Reads a document: JSON, YAML, or (without a format) YAML unless it looks like JSON.
    pub fn parse(text: &str, format: Option<Format>) -> Result<Doc, DocError> {
        parse(text, format)
    }

    pub fn get(&self, key: &str) -> Option<&Doc> {
        match self {
            Doc::Map(entries) => entries.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Doc::Text(s) => Some(s),
            _ => None,
        }
    }

    /// The value in words for error messages: `"abc"`, `12`, `a list`, `a map`; text is
    /// cut to a short excerpt with control characters escaped.
    pub fn describe(&self) -> String {
        match self {
            Doc::Null => String::from("nothing (null)"),
            Doc::Bool(b) => format!("`{b}`"),
            Doc::Number(n) => format!("`{}`", crate::render::excerpt(n)),
            Doc::Text(s) => format!("\"{}\"", crate::render::excerpt(s)),
            Doc::List(_) => String::from("a list"),
            Doc::Map(_) => String::from("a map of fields"),
        }
    }
}

impl Doc {
    /// Compact JSON with every number as it was written.
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        self.write_json(&mut out);
        out
    }

    fn write_json(&self, out: &mut String) {
        let string = |s: &str| serde_json::to_string(s).unwrap_or_else(|_| String::from("\"\""));
        match self {
            Doc::Null => out.push_str("null"),
            Doc::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Doc::Number(n) => out.push_str(n),
            Doc::Text(t) => out.push_str(&string(t)),
            Doc::List(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write_json(out);
                }
                out.push(']');
            }
            Doc::Map(entries) => {
                out.push('{');
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&string(k));
                    out.push(':');
                    v.write_json(out);
                }
                out.push('}');
            }
        }
    }
}

/// One step of a path into a document: a map key or a list index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    Key(String),
    Index(usize),
}

/// Line and column where the node at `path` starts, for YAML documents.
pub fn locate(text: &str, path: &[Step]) -> Option<(usize, usize)> {
    crate::input::yaml::locate(text, path)
}

/// A document that could not be read, with the place when the reader knows it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}{message}", place(*line, *column))]
pub struct DocError {
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

fn place(line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!("{l}:{c}: "),
        (Some(l), None) => format!("{l}: "),
        _ => String::new(),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Json,
    Yaml,
}

impl Format {
    /// By file extension; `None` when the name does not tell.
    pub fn of_path(path: &std::path::Path) -> Option<Format> {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("json") | Some("jsonl") => Some(Format::Json),
            Some("yaml") | Some("yml") => Some(Format::Yaml),
            _ => None,
        }
    }
}

/// Reads a document. JSON when the format says so; otherwise YAML, which also reads JSON,
/// except that text that looks like JSON is tried as JSON first.
pub fn parse(text: &str, format: Option<Format>) -> Result<Doc, DocError> {
    match format {
        Some(Format::Json) => parse_json(text),
        Some(Format::Yaml) => crate::input::yaml::parse(text),
        None => {
            if text.trim_start().starts_with(['{', '['])
                && let Ok(doc) = parse_json(text)
            {
                return Ok(doc);
            }
            crate::input::yaml::parse(text)
        }
    }
}

/// Most JSON nesting accepted; deeper documents are refused rather than risk the stack.
const MAX_DEPTH: usize = 128;

/// Reads JSON with every number kept as written. The JSON library would turn `59.99` into a
/// binary float, so each value is taken as its raw text and looked at by its first
/// character: containers are read the same way, one level at a time; scalars are converted.
pub fn parse_json(text: &str) -> Result<Doc, DocError> {
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
        crate::render::escape::bounded_message(&text)
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
            crate::render::excerpt(&field.join("."))
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
        let doc = parse_json(
            r#"{"a": 59.99, "b": 12.000, "c": 1e2, "d": 123456789012345678901234567890}"#,
        )
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
        let e = parse_json("{\n  \"a\": ,\n}").unwrap_err();
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
            parse("{\"a\": 1}", None).unwrap().get("a"),
            Some(&Doc::Number("1".into()))
        );
        assert_eq!(
            parse("a: 1\n", None).unwrap().get("a"),
            Some(&Doc::Number("1".into()))
        );
        assert_eq!(
            parse("{a: 1}", None).unwrap().get("a"),
            Some(&Doc::Number("1".into()))
        );
    }
}
