//! `honor fmt`: every rule file in one canonical layout. Clauses in the order of
//! docs/language.md's table of clauses, keywords in a column, one `when` a line, long conditions broken before `and` and
//! `or`, literals written one way (`130.00 USD`), comments kept beside what they were beside.
//! Formatting twice changes nothing, and the formatted file reads back as the same rules.

use std::fmt::Write as _;

use crate::language::ast::{
    self, Benefit, Clause, ClauseKind, Declaration, Expr, ExprKind, Offer, Window,
};
use crate::language::diagnostic::Diagnostic;
use crate::language::parse::parse_file;
use crate::value::quoted;

/// Lines longer than this are broken where they can be.
const WIDTH: usize = 100;
/// Clause keywords are padded to this width, so that what follows them lines up.
const KEYWORD: usize = 10;
const INDENT: &str = "  ";

/// The canonical text of a rule file, or its errors (then the file is to be left as it is).
pub fn format(text: &str) -> Result<String, Vec<Diagnostic>> {
    let (original, diagnostics) = parse_file(text, 0);
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(diagnostics);
    }
    // The output ends lines with LF; reading the input the same way keeps the layout from
    // mistaking a CR-only file for one long line (and its first comment for the rest of it).
    let lf = lf_line_ends(text);
    // only a file with CRs needs reading again, for the places of its LF version
    let file = if lf == text {
        original.clone()
    } else {
        parse_file(&lf, 0).0
    };
    let comments = comments(&lf);
    let mut p = Printer {
        src: &lf,
        comments: &comments,
        out: String::new(),
    };
    p.file(&file);
    // What a careful formatter promises, checked rather than hoped: the canonical text reads
    // back as the same declarations as the file as given. A file it would change is left as
    // it is.
    let (again, _) = parse_file(&p.out, 0);
    if canonical(original) != canonical(again) {
        return Err(vec![Diagnostic::error(
            "format-changes-meaning",
            "formatting would change what this file means, so it was left as it is",
        )]);
    }
    Ok(p.out)
}

/// The text with every line ending in LF: CR LF and a CR alone become LF outside string
/// literals (a CR inside one is part of its text).
fn lf_line_ends(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        match c {
            '"' => in_string = !in_string,
            '\\' if in_string => {
                out.push(c);
                if let Some(escaped) = chars.next() {
                    out.push(escaped);
                }
                continue;
            }
            '#' if !in_string => {
                // a comment runs to the line's end; a quote in it opens no string
                out.push(c);
                while let Some(&next) = chars.peek() {
                    if next == '\n' || next == '\r' {
                        break;
                    }
                    out.push(next);
                    chars.next();
                }
                continue;
            }
            '\r' if !in_string => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push('\n');
                continue;
            }
            _ => {}
        }
        out.push(c);
    }
    out
}

/// A file's meaning: its declarations, with each offer's clauses in canonical order (spans
/// are not part of an AST's equality).
fn canonical(mut file: ast::File) -> ast::File {
    for d in &mut file.declarations {
        if let Declaration::Offer(o) = d {
            o.clauses.sort_by_key(|c| c.kind.rank());
        }
    }
    file
}

/// The clauses of an offer in canonical order; `when`s and `on`s keep their own order.
pub fn canonical_order(clauses: &[Clause]) -> Vec<&Clause> {
    let mut sorted: Vec<&Clause> = clauses.iter().collect();
    sorted.sort_by_key(|c| c.kind.rank());
    sorted
}

/// A comment of the source: where it is, its text from `#`, and whether it has a line of
/// its own.
struct Comment {
    start: usize,
    text: String,
    own_line: bool,
}

fn comments(text: &str) -> Vec<Comment> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'#' => {
                let start = i;
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                let line_start = text[..start].rfind('\n').map_or(0, |n| n + 1);
                found.push(Comment {
                    start,
                    text: text[start..i].trim_end().to_string(),
                    own_line: text[line_start..start].trim().is_empty(),
                });
            }
            _ => i += 1,
        }
    }
    found
}

/// The comments that go with one element of a block.
#[derive(Default)]
struct Attached {
    leading: Vec<usize>,
    trailing: Option<usize>,
}

/// Assigns the comments between `open` and `close` to the elements (given by their spans, in
/// source order): a comment on the line where an element ends is its trailing comment, any
/// other goes before the next element; those after the last element close the block.
fn attach(
    comments: &[Comment],
    src: &str,
    spans: &[(usize, usize)],
    open: usize,
    close: usize,
) -> (Vec<Attached>, Vec<usize>) {
    let mut attached: Vec<Attached> = spans.iter().map(|_| Attached::default()).collect();
    let mut footer = Vec::new();
    let same_line = |a: usize, b: usize| !src[a.min(b)..a.max(b)].contains('\n');
    for (ci, c) in comments.iter().enumerate() {
        if c.start < open || c.start >= close {
            continue;
        }
        // inside an element: it stays with that element
        if let Some(e) = spans.iter().position(|&(s, e)| s <= c.start && c.start < e) {
            attached[e].leading.push(ci);
            continue;
        }
        let before = spans.iter().rposition(|&(_, e)| e <= c.start);
        match before {
            Some(b)
                if !c.own_line
                    && same_line(spans[b].1, c.start)
                    && attached[b].trailing.is_none() =>
            {
                attached[b].trailing = Some(ci);
            }
            _ => match spans.iter().position(|&(s, _)| s > c.start) {
                Some(next) => attached[next].leading.push(ci),
                None => footer.push(ci),
            },
        }
    }
    (attached, footer)
}

struct Printer<'a> {
    src: &'a str,
    comments: &'a [Comment],
    out: String,
}

fn declaration_span(d: &Declaration) -> (usize, usize) {
    let span = match d {
        Declaration::Timezone { span, .. }
        | Declaration::Channels { span, .. }
        | Declaration::Currency { span, .. }
        | Declaration::Context { span, .. } => *span,
        Declaration::Offer(o) => o.span,
    };
    (span.start as usize, span.end as usize)
}

impl Printer<'_> {
    fn comment_lines(&mut self, indices: &[usize], indent: &str) {
        for &i in indices {
            let _ = writeln!(self.out, "{indent}{}", self.comments[i].text);
        }
    }

    fn trailing(&self, index: Option<usize>) -> String {
        index
            .map(|i| format!("  {}", self.comments[i].text))
            .unwrap_or_default()
    }

    fn file(&mut self, file: &ast::File) {
        let spans: Vec<(usize, usize)> = file.declarations.iter().map(declaration_span).collect();
        let (attached, footer) = attach(self.comments, self.src, &spans, 0, self.src.len() + 1);
        let one_line = |d: &Declaration| {
            matches!(
                d,
                Declaration::Timezone { .. }
                    | Declaration::Channels { .. }
                    | Declaration::Currency { .. }
            )
        };
        for (i, (decl, att)) in file.declarations.iter().zip(&attached).enumerate() {
            // a blank line around blocks; `timezone`, `channels` and `currency` stay together
            if i > 0 && !(one_line(decl) && one_line(&file.declarations[i - 1])) {
                self.out.push('\n');
            }
            // comments inside a block are placed by the block itself
            let (start, end) = spans[i];
            let outside: Vec<usize> = att
                .leading
                .iter()
                .copied()
                .filter(|&c| !(start <= self.comments[c].start && self.comments[c].start < end))
                .collect();
            self.comment_lines(&outside, "");
            // a comment block set apart by a blank line (a file's heading) stays apart
            if let Some(&last) = outside.last() {
                let gap = &self.src[self.comments[last].start..start];
                if gap.matches('\n').count() > 1 {
                    self.out.push('\n');
                }
            }
            let trailing = self.trailing(att.trailing);
            match decl {
                Declaration::Timezone { name, .. } => {
                    let _ = writeln!(self.out, "timezone {}{trailing}", quoted(&name.value));
                }
                Declaration::Channels { names, .. } => {
                    let _ = writeln!(self.out, "channels {}{trailing}", names_list(names));
                }
                Declaration::Currency { code, .. } => {
                    let _ = writeln!(self.out, "currency {}{trailing}", code.code());
                }
                Declaration::Context { fields, .. } => self.context(fields, start, end, &trailing),
                Declaration::Offer(offer) => self.offer(offer, &trailing),
            }
        }
        if !footer.is_empty() {
            if !file.declarations.is_empty() {
                self.out.push('\n');
            }
            self.comment_lines(&footer, "");
        }
    }

    fn context(&mut self, fields: &[ast::FieldDecl], start: usize, end: usize, trailing: &str) {
        let spans: Vec<(usize, usize)> = fields
            .iter()
            .map(|f| (f.path.span.start as usize, f.ty_span.end as usize))
            .collect();
        let (attached, footer) = attach(self.comments, self.src, &spans, start, end);
        // Types line up after the longest path of ordinary length; a longer path is simply
        // followed by two spaces (and a formatter's width could not hold it anyway).
        let width = fields
            .iter()
            .map(|f| f.path.text.chars().count())
            .filter(|n| *n <= ALIGNED_PATH)
            .max()
            .unwrap_or(0)
            + 2;
        let _ = writeln!(self.out, "context {{");
        for (field, att) in fields.iter().zip(&attached) {
            self.comment_lines(&att.leading, INDENT);
            let path = &field.path.text;
            let gap = width.saturating_sub(path.chars().count()).max(2);
            let line = format!("{INDENT}{path}{}{}", " ".repeat(gap), field.ty);
            let _ = writeln!(
                self.out,
                "{}{}",
                line.trim_end(),
                self.trailing(att.trailing)
            );
        }
        self.comment_lines(&footer, INDENT);
        let _ = writeln!(self.out, "}}{trailing}");
    }

    fn offer(&mut self, offer: &Offer, trailing: &str) {
        let open = offer.id.span.end as usize;
        let close = offer.span.end as usize;
        let spans: Vec<(usize, usize)> = offer
            .clauses
            .iter()
            .map(|c| (c.span.start as usize, c.span.end as usize))
            .collect();
        // a comment on the line of `offer id {` stays there
        let first = spans.iter().map(|s| s.0).min().unwrap_or(close);
        let header = self.comments.iter().position(|c| {
            c.start > open && c.start < first && !self.src[open..c.start].contains('\n')
        });
        let (attached, footer) = attach(self.comments, self.src, &spans, open, close);
        let header_text = self.trailing(header);
        let _ = writeln!(self.out, "offer {} {{{header_text}", offer.id.text);
        let mut order: Vec<usize> = (0..offer.clauses.len()).collect();
        order.sort_by_key(|&i| offer.clauses[i].kind.rank());
        for i in order {
            let att = &attached[i];
            let leading: Vec<usize> = att
                .leading
                .iter()
                .copied()
                .filter(|c| Some(*c) != header)
                .collect();
            self.comment_lines(&leading, INDENT);
            let text = clause(&offer.clauses[i].kind);
            let _ = writeln!(self.out, "{text}{}", self.trailing(att.trailing));
        }
        self.comment_lines(&footer, INDENT);
        let _ = writeln!(self.out, "}}{trailing}");
    }
}

fn names_list(names: &[ast::Name]) -> String {
    names
        .iter()
        .map(|n| n.text.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Longest context path the types of a `context` block line up after.
const ALIGNED_PATH: usize = 48;

/// `  keyword   rest`.
fn keyed(keyword: &str, rest: &str) -> String {
    if rest.is_empty() {
        return format!("{INDENT}{keyword}");
    }
    format!("{INDENT}{keyword:KEYWORD$}{rest}")
}

/// One clause as `honor fmt` prints it, without the offer's indentation: what a review of a
/// change shows as the old and the new clause.
pub fn clause_text(kind: &ClauseKind) -> String {
    clause(kind)
        .lines()
        .map(|line| line.strip_prefix(INDENT).unwrap_or(line))
        .collect::<Vec<_>>()
        .join("\n")
}

fn clause(kind: &ClauseKind) -> String {
    let keyword = kind.keyword();
    match kind {
        ClauseKind::Title(s)
        | ClauseKind::Elsewhere(s)
        | ClauseKind::Code(s)
        | ClauseKind::Proof(s)
        | ClauseKind::Note(s) => keyed(keyword, &quoted(&s.value)),
        ClauseKind::Announce(names) => keyed(keyword, &names_list(names)),
        ClauseKind::Honor(None) => keyed(keyword, "all"),
        ClauseKind::Honor(Some(names)) => keyed(keyword, &names_list(names)),
        ClauseKind::Valid(w) => keyed(keyword, &window(w)),
        ClauseKind::When { label, expr } => {
            let label = label
                .as_ref()
                .map(|l| format!("{}: ", quoted(&l.value)))
                .unwrap_or_default();
            let column = INDENT.len() + KEYWORD + label.chars().count();
            keyed(keyword, &format!("{label}{}", condition(expr, column)))
        }
        ClauseKind::Benefit(b) => keyed(keyword, &benefit(b)),
        ClauseKind::Limit(n) => keyed(keyword, &format!("{} per customer", n.value)),
        ClauseKind::Budget(n) => keyed(keyword, &format!("{} redemptions", n.value)),
        ClauseKind::Priority(n) => keyed(keyword, &n.value.to_string()),
        ClauseKind::Stackable | ClauseKind::Exclusive => keyed(keyword, ""),
        ClauseKind::On { channel, note, fee } => {
            let mut parts = Vec::new();
            if let Some(note) = note {
                parts.push(format!("note {}", quoted(&note.value)));
            }
            if let Some(fee) = fee {
                parts.push(format!("fee {}", fee.value));
            }
            let one_line = if parts.is_empty() {
                format!("{INDENT}on {} {{ }}", channel.text)
            } else {
                format!("{INDENT}on {} {{ {} }}", channel.text, parts.join("  "))
            };
            if one_line.chars().count() <= WIDTH {
                one_line
            } else {
                let inner: Vec<String> = parts
                    .iter()
                    .map(|p| format!("{INDENT}{INDENT}{p}"))
                    .collect();
                format!(
                    "{INDENT}on {} {{\n{}\n{INDENT}}}",
                    channel.text,
                    inner.join("\n")
                )
            }
        }
    }
}

fn window(w: &Window) -> String {
    match (&w.start, &w.end) {
        (Some(s), Some(e)) => format!("{s} to {e}"),
        (Some(s), None) => format!("from {s}"),
        (None, Some(e)) => format!("until {e}"),
        (None, None) => String::new(),
    }
}

fn benefit(b: &Benefit) -> String {
    match b {
        Benefit::Price(m) => format!("price {}", m.value),
        Benefit::Percent {
            percent, cap: None, ..
        } => format!("{percent}% off"),
        Benefit::Percent {
            percent,
            cap: Some(cap),
            ..
        } => format!("{percent}% off up to {}", cap.value),
        Benefit::Off(m) => format!("{} off", m.value),
        Benefit::Free(s) => format!("free {}", quoted(&s.value)),
    }
}

/// A condition on one line when it fits, else broken before each top-level `and` or `or`,
/// the continuation lines indented to `column`.
fn condition(expr: &Expr, column: usize) -> String {
    let one_line = expr.to_string();
    if column + one_line.chars().count() <= WIDTH {
        return one_line;
    }
    let (parts, word, precedence) = match &expr.kind {
        ExprKind::And(parts) => (parts, "and", 2),
        ExprKind::Or(parts) => (parts, "or", 1),
        _ => return one_line,
    };
    let pad = " ".repeat(column);
    parts
        .iter()
        .enumerate()
        .map(|(i, part)| {
            let text = if part_needs_parens(part, precedence) {
                format!("({part})")
            } else {
                part.to_string()
            };
            if i == 0 {
                text
            } else {
                format!("\n{pad}{word} {text}")
            }
        })
        .collect()
}

/// Whether a part of an `and` (precedence 2) or `or` (1) needs parentheses, as `Display`
/// would give it.
fn part_needs_parens(part: &Expr, precedence: u8) -> bool {
    match part.kind {
        ExprKind::Or(_) => true,
        // an `and` inside an `or` keeps its parentheses
        ExprKind::And(_) => precedence <= 2,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::format;

    /// A file whose lines end with CR alone formats like one ending with LF: its comments
    /// end at the line's end, and what follows them is kept.
    #[test]
    fn cr_line_ends_end_comments() {
        let lf = format("# heading\noffer l{title\"\"}\n").unwrap();
        assert_eq!(format("# heading\roffer l{title\"\"}").unwrap(), lf);
        assert_eq!(format("# heading\r\noffer l{title\"\"}\r\n").unwrap(), lf);
        assert!(lf.contains("offer l {"), "{lf}");
        // a CR inside a text is part of it, and a quote in a comment opens no text
        let inside = format("offer e{title\"a\rb\"}\r# it's \"x\r").unwrap();
        assert_eq!(inside, "offer e {\n  title     \"a\rb\"\n}\n\n# it's \"x\n");
        assert_eq!(format(&inside).unwrap(), inside);
    }

    /// Formatting never returns a text that reads back as other rules: the check that
    /// refuses one compares declarations, not spans or clause order.
    #[test]
    fn a_change_of_meaning_is_caught() {
        use super::{canonical, parse_file};
        let (a, _) = parse_file("offer a { title \"A\" note \"n\" }", 0);
        let (b, _) = parse_file("offer a {\n  note \"n\"\n  title \"A\"\n}\n", 0);
        let (c, _) = parse_file("offer a { title \"B\" note \"n\" }", 0);
        assert!(canonical(a.clone()) == canonical(b));
        assert!(canonical(a) != canonical(c));
    }

    #[test]
    fn lays_out_an_offer() {
        let text = "offer a{note \"n\" when x.y>=12 title \"A\"  # the title\n benefit 130 USD off   valid 2016-05-01 to 2016-05-31 18:00}";
        let formatted = format(text).unwrap();
        assert_eq!(
            formatted,
            "offer a {\n  title     \"A\"  # the title\n  valid     2016-05-01 to 2016-05-31 18:00\n  when      x.y >= 12\n  benefit   130.00 USD off\n  note      \"n\"\n}\n"
        );
        assert_eq!(format(&formatted).unwrap(), formatted);
    }

    #[test]
    fn breaks_long_conditions_before_and() {
        let text = "offer a { title \"A\" when customer.plan in [\"unlimited\", \"family\", \"premium\"] and not (\"fraud_hold\" in customer.flags) and customer.tenure_months >= 12 }";
        let formatted = format(text).unwrap();
        assert_eq!(
            formatted,
            "offer a {\n  title     \"A\"\n  when      customer.plan in [\"unlimited\", \"family\", \"premium\"]\n            and not (\"fraud_hold\" in customer.flags)\n            and customer.tenure_months >= 12\n}\n"
        );
    }

    #[test]
    fn keeps_comments_with_what_they_describe() {
        let text = "# the shop\ntimezone \"UTC\" # zone\n\n# customers\ncontext {\n  # how long\n  c.n number\n  c.longer_name text # plan\n  # end of fields\n}\n# last words\n";
        let formatted = format(text).unwrap();
        assert_eq!(
            formatted,
            "# the shop\ntimezone \"UTC\"  # zone\n\n# customers\ncontext {\n  # how long\n  c.n            number\n  c.longer_name  text  # plan\n  # end of fields\n}\n\n# last words\n"
        );
        assert_eq!(format(&formatted).unwrap(), formatted);
    }

    #[test]
    fn refuses_files_with_errors() {
        assert!(format("offer a { title }").is_err());
    }
}
