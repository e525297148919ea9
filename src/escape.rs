//! Text from rule files and customer records on its way to a terminal or a log: control
//! characters could move the cursor, ring the bell or rewrite the line an agent reads, so
//! they are written as escapes (`\u{1b}`); and an error quotes at most a short excerpt of
//! what it read, so that no message prints a whole file.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Most characters of someone's input an error message quotes.
pub const EXCERPT_CHARS: usize = 80;

/// Control characters (C0, DEL, C1, the line and paragraph separators) and the invisible
/// characters that reorder or hide text (the bidirectional embeddings, overrides and
/// isolates such as U+202E, the zero-width space, the word joiner, the byte order mark) as
/// `\u{…}` escapes, so that what an agent reads is what the text holds; everything else as
/// it is (the joiners inside emoji and Persian words, and the direction marks of
/// right-to-left text, stay).
pub fn escape_control(text: &str) -> Cow<'_, str> {
    escape_where(text, is_unsafe)
}

/// As [`escape_control`], but line breaks and tabs stay: for a message of several lines.
pub fn escape_control_keep_lines(text: &str) -> Cow<'_, str> {
    escape_where(text, |c| c != '\n' && c != '\t' && is_unsafe(c))
}

fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200b}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2060}'
                | '\u{2066}'..='\u{2069}'
                | '\u{feff}'
        )
}

fn escape_where(text: &str, unsafe_char: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !text.chars().any(&unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// At most [`EXCERPT_CHARS`] characters of `text`, control characters escaped, and `…`
/// when something was left out.
pub fn excerpt(text: &str) -> String {
    let mut out = String::new();
    let mut shown = 0;
    for (i, c) in text.char_indices() {
        let piece = escape_control(&text[i..i + c.len_utf8()]).into_owned();
        let width = piece.chars().count();
        if shown + width > EXCERPT_CHARS {
            out.push('…');
            return out;
        }
        shown += width;
        out.push_str(&piece);
    }
    out
}

/// A message from a library that may quote the input (the YAML reader quotes whole values):
/// every backticked or quoted part cut to an excerpt, control characters escaped, and the
/// whole kept to a few lines' length.
pub fn bounded_message(message: &str) -> String {
    const MOST: usize = 4 * EXCERPT_CHARS;
    let short = shorten_quoted(&shorten_quoted(message, '`'), '"');
    let mut out = String::new();
    for (n, c) in short.chars().enumerate() {
        if n >= MOST {
            out.push('…');
            break;
        }
        out.push(c);
    }
    escape_control(&out).into_owned()
}

/// A message that quotes someone's input in backticks or double quotes: each quoted part
/// cut to an excerpt, control characters escaped (line breaks stay).
pub fn bounded_quotes(message: &str) -> String {
    let short = shorten_quoted(&shorten_quoted(message, '`'), '"');
    escape_control_keep_lines(&short).into_owned()
}

/// Each part of `text` between two `quote`s cut to an excerpt.
fn shorten_quoted(text: &str, quote: char) -> String {
    let parts: Vec<&str> = text.split(quote).collect();
    let mut out = String::with_capacity(text.len());
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push(quote);
        }
        // Odd parts lie between quotes (when the quote is closed).
        if i % 2 == 1 && i + 1 < parts.len() {
            out.push_str(&excerpt(part));
        } else {
            out.push_str(part);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(
            escape_control("a\u{1b}[2Kb\u{7}\r"),
            "a\\u{1b}[2Kb\\u{7}\\u{d}"
        );
        assert_eq!(escape_control("\u{9b}x"), "\\u{9b}x");
        assert_eq!(escape_control_keep_lines("a\nb\u{1b}"), "a\nb\\u{1b}");
        assert!(matches!(escape_control("plain é"), Cow::Borrowed(_)));
        // text that would show reversed or hide a character is escaped; emoji, Persian and
        // right-to-left text are not
        assert_eq!(escape_control("a\u{202e}cba"), "a\\u{202e}cba");
        assert_eq!(escape_control("x\u{200b}y"), "x\\u{200b}y");
        for kept in ["👨\u{200d}👩", "می\u{200c}خواهم", "שלום\u{200f}"] {
            assert!(matches!(escape_control(kept), Cow::Borrowed(_)), "{kept}");
        }
    }

    #[test]
    fn excerpts_are_short() {
        let long = "x".repeat(1000);
        let e = excerpt(&long);
        assert_eq!(e.chars().count(), EXCERPT_CHARS + 1);
        assert!(e.ends_with('…'));
        assert_eq!(excerpt("short"), "short");
        let escaped = excerpt(&"\u{1b}".repeat(100));
        assert!(escaped.chars().count() <= EXCERPT_CHARS + 1, "{escaped}");
    }

    #[test]
    fn library_messages_are_bounded() {
        let secret = "s".repeat(10_000);
        let m = bounded_message(&format!("invalid value: string \"{secret}\", expected x"));
        assert!(m.len() < 200, "{m}");
        assert!(m.ends_with("expected x"), "{m}");
    }
}
