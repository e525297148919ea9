//! Context documents and case files as a plain tree, read from JSON or YAML with every
//! number kept exactly as written.

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

pub fn parse_json(text: &str) -> Result<Doc, DocError> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| DocError {
        line: Some(e.line()),
        column: Some(e.column()),
        message: json_message(&e),
    })?;
    from_json(value, 0)
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

fn from_json(value: serde_json::Value, depth: usize) -> Result<Doc, DocError> {
    use serde_json::Value;
    if depth > MAX_DEPTH {
        return Err(DocError {
            line: None,
            column: None,
            message: format!("the document is nested more than {MAX_DEPTH} levels deep"),
        });
    }
    Ok(match value {
        Value::Null => Doc::Null,
        Value::Bool(b) => Doc::Bool(b),
        // serde_json keeps the digits as written (the `arbitrary_precision` feature).
        Value::Number(n) => Doc::Number(n.as_str().to_string()),
        Value::String(s) => Doc::Text(s),
        Value::Array(items) => Doc::List(
            items
                .into_iter()
                .map(|v| from_json(v, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(map) => Doc::Map(
            map.into_iter()
                .map(|(k, v)| Ok((k, from_json(v, depth + 1)?)))
                .collect::<Result<_, DocError>>()?,
        ),
    })
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
        assert_eq!(doc.get("c"), Some(&Doc::Number("1e+2".into())));
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
