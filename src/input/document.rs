//! Context documents and case files as a plain tree, read from JSON or YAML with every
//! number kept exactly as written.

/// A JSON/YAML value. Numbers keep their text, so `59.99` stays 59.99 and `0x1F` can be
/// refused by whoever expects a number.
#[derive(Clone, Debug, PartialEq)]
pub enum Doc {
    /// `null`, `~` or nothing.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as written.
    Number(String),
    /// A string.
    Text(String),
    /// A list.
    List(Vec<Doc>),
    /// A map, its keys in the order written.
    Map(Vec<(String, Doc)>),
}

impl Doc {
    /// The value of `key` in a map; `None` for a missing key or a value that is not a map.
    pub fn get(&self, key: &str) -> Option<&Doc> {
        match self {
            Doc::Map(entries) => entries.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The text of a string value.
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
            Doc::Number(n) => format!("`{}`", crate::escape::excerpt(n)),
            Doc::Text(s) => format!("\"{}\"", crate::escape::excerpt(s)),
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
    /// A map's key.
    Key(String),
    /// A list's position, from 0.
    Index(usize),
}

/// A document that could not be read, with the place when the reader knows it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}{message}", place(*line, *column))]
pub struct DocError {
    /// The line, from 1, when known.
    pub line: Option<usize>,
    /// The column, from 1, when known.
    pub column: Option<usize>,
    /// What is wrong, in words.
    pub message: String,
}

fn place(line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!("{l}:{c}: "),
        (Some(l), None) => format!("{l}: "),
        _ => String::new(),
    }
}

/// How a document is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// JSON.
    Json,
    /// YAML 1.2 (which also reads JSON).
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
