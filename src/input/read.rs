//! Reading a document in either format: JSON by the JSON reader, YAML by the YAML one.

use crate::input::document::{Doc, DocError, Format, Step};
use crate::input::{json, yaml};

impl Doc {
    /// Reads a document. JSON when the format says so; otherwise YAML, which also reads JSON,
    /// except that text that looks like JSON is tried as JSON first.
    pub fn parse(text: &str, format: Option<Format>) -> Result<Doc, DocError> {
        match format {
            Some(Format::Json) => json::parse(text),
            Some(Format::Yaml) => yaml::parse(text),
            None => {
                if text.trim_start().starts_with(['{', '['])
                    && let Ok(doc) = json::parse(text)
                {
                    return Ok(doc);
                }
                yaml::parse(text)
            }
        }
    }
}

/// Line and column where the node at `path` starts, for YAML documents.
pub fn locate(text: &str, path: &[Step]) -> Option<(usize, usize)> {
    yaml::locate(text, path)
}
