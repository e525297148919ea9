//! A quick pass over the raw text before the grammar runs: it finds what would otherwise
//! exhaust the parser (parentheses nested thousands deep) or confuse its error messages
//! (text with no closing quote).

use crate::language::diagnostic::Diagnostic;
use crate::language::source::Span;

/// Deepest nesting of parentheses and brackets an expression may use.
pub const MAX_NESTING: usize = 256;

#[derive(Default)]
pub struct Prescan {
    /// Byte offsets of string literals that run over more than one line: a likely missing
    /// closing quote when a syntax error follows.
    pub multi_line_strings: Vec<usize>,
}

pub fn prescan(text: &str, file: u32) -> Result<Prescan, Diagnostic> {
    let bytes = text.as_bytes();
    let mut found = Prescan::default();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                // a comment ends at LF, CR LF or a lone CR
                while i < bytes.len() && !matches!(bytes[i], b'\n' | b'\r') {
                    i += 1;
                }
            }
            b'"' => {
                let start = i;
                let mut multi_line = false;
                i += 1;
                loop {
                    match bytes.get(i) {
                        None => {
                            // A text that ran over lines earlier most likely lost its quote.
                            let culprit =
                                found.multi_line_strings.first().copied().unwrap_or(start);
                            return Err(Diagnostic::error(
                                "syntax",
                                "this text has no closing quote `\"`",
                            )
                            .at(Span::new(file, culprit, culprit + 1))
                            .with_help(
                                "end the text with `\"`; write a quote inside text as `\\\"`",
                            ));
                        }
                        Some(b'"') => break,
                        Some(b'\\') => i += 1,
                        Some(b'\n' | b'\r') => multi_line = true,
                        _ => {}
                    }
                    i += 1;
                }
                if multi_line {
                    found.multi_line_strings.push(start);
                }
            }
            b'(' | b'[' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(Diagnostic::error(
                        "too-deep",
                        format!("this expression is nested too deeply (more than {MAX_NESTING} levels of parentheses)"),
                    )
                    .at(Span::new(file, i, i + 1))
                    .with_help("split the condition into several `when` clauses"));
                }
            }
            b')' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    Ok(found)
}
