//! Errors and warnings about a rule set, with the place they point at.

use serde::Serialize;
use std::fmt::Write as _;

use crate::escape::{bounded_quotes, escape_control};
use crate::language::source::{Sources, Span};

/// Whether a finding stops the rule set from loading.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The rule set does not load.
    Error,
    /// The rule set loads; the finding is worth a look.
    Warning,
}

/// One finding. `message` starts lowercase, has no final period and puts the user's own
/// words in backticks; `kind` is a stable name that scripts can match on.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub(crate) severity: Severity,
    pub(crate) kind: &'static str,
    pub(crate) message: String,
    pub(crate) span: Option<Span>,
    /// For findings about a whole file (unreadable, too large) that have no span.
    pub(crate) file: Option<String>,
    pub(crate) help: Option<String>,
}

impl Diagnostic {
    pub(crate) fn error(kind: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            kind,
            message: message.into(),
            span: None,
            file: None,
            help: None,
        }
    }

    pub(crate) fn warning(kind: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(kind, message)
        }
    }

    pub(crate) fn at(mut self, span: Span) -> Diagnostic {
        self.span = Some(span);
        self
    }

    pub(crate) fn in_file(mut self, file: impl Into<String>) -> Diagnostic {
        self.file = Some(file.into());
        self
    }

    pub(crate) fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Whether this stops the rule set from loading.
    pub fn severity(&self) -> Severity {
        self.severity
    }

    /// A stable name scripts can match on, such as `unknown-field` or `always-beaten`.
    pub fn kind(&self) -> &'static str {
        self.kind
    }

    /// What is wrong, in words: lowercase, no final period, the rule file's words in
    /// backticks.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// What to do about it, when there is a suggestion.
    pub fn help(&self) -> Option<&str> {
        self.help.as_deref()
    }

    /// Whether this is an error (rather than a warning).
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `file:line:col: error: message`, the source line with a caret under the span, and
    /// the help line if there is one.
    pub(crate) fn render(&self, sources: &Sources) -> String {
        let word = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut out = String::new();
        // The message may quote the rule file: long names are cut to an excerpt.
        let message = bounded_quotes(&self.message);
        let file = self.span.and_then(|s| sources.get(s.file).map(|f| (s, f)));
        match (file, &self.file) {
            (Some((span, f)), _) => {
                let (line, col) = f.line_col(span.start as usize);
                let _ = writeln!(out, "{}:{line}:{col}: {word}: {message}", f.name);
                let text = f.line(line);
                let (end_line, end_col) = f.line_col(span.end as usize);
                let width = if end_line == line && end_col > col {
                    end_col - col
                } else {
                    1
                };
                let gutter = line.to_string().len();
                // Long lines are cut to a window around the span.
                let (text, col) = clip(text, col, width);
                let width = width.min(WIDE);
                let pad: String = text
                    .chars()
                    .take(col - 1)
                    .map(|c| if c == '\t' { '\t' } else { ' ' })
                    .collect();
                let _ = writeln!(out, "{:gutter$} |", "");
                let _ = writeln!(out, "{line} | {}", escape_control(&text));
                let _ = writeln!(out, "{:gutter$} | {pad}{}", "", "^".repeat(width));
            }
            (None, Some(name)) => {
                let _ = writeln!(out, "{name}: {word}: {message}");
            }
            (None, None) => {
                let _ = writeln!(out, "{word}: {message}");
            }
        }
        if let Some(help) = &self.help {
            let _ = writeln!(out, "  help: {}", bounded_quotes(help));
        }
        out
    }

    pub(crate) fn to_json(&self, sources: &Sources) -> DiagnosticJson {
        let mut json = DiagnosticJson {
            severity: self.severity,
            kind: self.kind,
            message: bounded_quotes(&self.message),
            file: self.file.clone(),
            line: None,
            column: None,
            end_line: None,
            end_column: None,
            help: self.help.clone(),
        };
        if let Some(span) = self.span
            && let Some(f) = sources.get(span.file)
        {
            let (line, col) = f.line_col(span.start as usize);
            let (end_line, end_col) = f.line_col(span.end as usize);
            json.file = Some(f.name.clone());
            json.line = Some(line);
            json.column = Some(col);
            json.end_line = Some(end_line);
            json.end_column = Some(end_col);
        }
        json
    }
}

/// A diagnostic as `honor lint --format json` prints it.
#[derive(Serialize)]
pub struct DiagnosticJson {
    pub severity: Severity,
    pub kind: &'static str,
    pub message: String,
    pub file: Option<String>,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub end_line: Option<usize>,
    pub end_column: Option<usize>,
    pub help: Option<String>,
}

/// Widest source line shown whole.
const WIDE: usize = 100;

/// The part of a long line around column `col`, and the column in that part.
fn clip(line: &str, col: usize, width: usize) -> (String, usize) {
    let chars: Vec<char> = line.chars().collect();
    if chars.len() <= WIDE {
        return (line.to_string(), col);
    }
    let start = col.saturating_sub(WIDE / 2).min(chars.len());
    let end = (col + width.min(WIDE / 2) + WIDE / 2).min(chars.len());
    let mut shown = String::new();
    let mut new_col = col - start;
    if start > 0 {
        shown.push('…');
        new_col += 1;
    }
    shown.extend(&chars[start..end]);
    if end < chars.len() {
        shown.push('…');
    }
    (shown, new_col.max(1))
}

/// `web`, `web and store`, `web, store and phone`.
pub fn and_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// Names longer than this get no "did you mean": nobody mistypes a name that long, and
/// comparing it would cost the product of the lengths for every candidate.
const MAX_COMPARED: usize = 64;

/// The closest of `candidates` to `word`, when it is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let length = word.chars().count();
    let limit = (length / 3).max(1);
    let word = word.to_lowercase();
    candidates
        .into_iter()
        .filter(|c| *c != word)
        .filter_map(|c| {
            let lower = c.to_lowercase();
            // A word that begins another (`age` for `age_years`) is as likely meant.
            let prefix = word.len() >= 3 && lower.starts_with(&word);
            if prefix {
                return Some((0, c));
            }
            // The distance costs the product of the lengths: it is only worth working out
            // for names of ordinary length whose lengths differ by no more than the limit.
            let other = lower.chars().count();
            if length > MAX_COMPARED || other > MAX_COMPARED || length.abs_diff(other) > limit {
                return None;
            }
            let d = edit_distance(&word, &lower);
            (d <= limit).then_some((d, c))
        })
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c)
}

/// Edits from `a` to `b`: insertions, deletions, substitutions, and swaps of two
/// neighbouring letters (`wehn` is one edit from `when`), each counted once.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // three rows: two back (for swaps), one back, and the current one
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut row: Vec<usize> = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        row[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(row[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(before[j - 2] + 1);
            }
            row[j] = d;
        }
        std::mem::swap(&mut before, &mut prev);
        std::mem::swap(&mut prev, &mut row);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::language::source::SourceFile;

    #[test]
    fn renders_location_line_and_caret() {
        let mut sources = Sources::default();
        let id = sources.add(SourceFile::new("r.offer", "offer a {\n  when x >= 1\n}\n"));
        let d =
            Diagnostic::error("undeclared-field", "`x` is not declared").at(Span::new(id, 17, 18));
        assert_eq!(
            d.render(&sources),
            "r.offer:2:8: error: `x` is not declared\n  |\n2 |   when x >= 1\n  |        ^\n"
        );
    }

    #[test]
    fn suggests_close_names_only() {
        let names = ["customer.tenure_months", "customer.plan"];
        assert_eq!(
            did_you_mean("customer.tenure_month", names),
            Some("customer.tenure_months")
        );
        assert_eq!(did_you_mean("basket", names), None);
    }

    #[test]
    fn a_swap_of_two_letters_is_one_edit() {
        assert_eq!(edit_distance("wehn", "when"), 1);
        assert_eq!(edit_distance("studnet", "student"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(did_you_mean("wehn", ["when", "title"]), Some("when"));
        assert_eq!(did_you_mean("emial", ["email", "sms"]), Some("email"));
    }
}
