//! Decisions and diagnostics for people (text) and programs (JSON).

pub mod text;
pub mod words;

/// Pretty JSON with a final newline; serialising these types cannot fail.
pub fn json<T: serde::Serialize>(value: &T) -> String {
    let mut out =
        serde_json::to_string_pretty(value).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    out.push('\n');
    out
}

/// `text` followed by spaces up to `width` characters; longer text is left as it is. Never a
/// formatter width, which cannot hold every length.
pub fn pad(text: &str, width: usize) -> String {
    let n = text.chars().count();
    let mut out = String::with_capacity(text.len() + width.saturating_sub(n));
    out.push_str(text);
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(n)));
    out
}
