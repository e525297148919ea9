//! Pest's "expected rule_x, rule_y" turned into words a marketer understands: what could
//! come at that place, after which word, and what was found instead.

use pest::error::{ErrorVariant, InputLocation};

mod mistakes;

use super::Rule;
use crate::language::ast::CLAUSE_KEYWORDS;
use crate::language::diagnostic::{Diagnostic, did_you_mean};
use crate::language::source::Span;

/// What could have come at the place of a syntax error, most telling first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Want {
    Comparison,
    Value,
    CloseParen,
    CloseBracket,
    AndOr,
    Comma,
    Colon,
    Percent,
    Text,
    OfferId,
    FieldPath,
    Type,
    Of,
    Name,
    All,
    Window,
    Date,
    To,
    Time,
    Benefit,
    Money,
    Currency,
    Off,
    UpTo,
    PerCustomer,
    Redemptions,
    OnItem,
    OpenBrace,
    Clause,
    CloseBrace,
    Declaration,
    End,
}

impl Want {
    /// The keywords this expectation stands for, to suggest one close to a misspelling.
    fn keywords(self) -> &'static [&'static str] {
        match self {
            Want::Clause => &CLAUSE_KEYWORDS,
            Want::Declaration => &["offer", "context", "timezone", "channels", "currency"],
            Want::AndOr => &["and", "or"],
            Want::Off => &["off"],
            Want::To => &["to"],
            Want::Of => &["of"],
            Want::All => &["all"],
            Want::PerCustomer => &["per", "customer"],
            Want::Redemptions => &["redemptions"],
            Want::Window => &["from", "until"],
            Want::Benefit => &["price", "free"],
            Want::OnItem => &["note", "fee"],
            Want::Comparison => &["in"],
            _ => &[],
        }
    }

    fn words(self) -> &'static str {
        match self {
            Want::Comparison => "a comparison like `>=` or `in`",
            Want::Value => "a value (`12`, `\"gold\"`, `customer.plan`…)",
            Want::AndOr => "`and`/`or`",
            Want::CloseParen => "`)`",
            Want::CloseBracket => "`]` to end the list",
            Want::Comma => "`,`",
            Want::Colon => "`:`",
            Want::Percent => "`%`",
            Want::Text => "text in double quotes",
            Want::OfferId => "an offer id like `free_upgrade`",
            Want::FieldPath => "a field like `customer.plan`",
            Want::Type => "a type (text, number, money, date, datetime, bool, list of …)",
            Want::Of => "`of`",
            Want::Name => "a name",
            Want::All => "`all`",
            Want::Window => "a window (`2016-05-01 to 2016-05-31`, `from …`, `until …`)",
            Want::Date => "a date like 2016-05-31",
            Want::To => "`to`",
            Want::Time => "a time like 18:00",
            Want::Benefit => {
                "a benefit (`price 0.00 USD`, `20% off`, `5.00 USD off`, `free \"…\"`)"
            }
            Want::Money => "an amount and a currency, like `5.00 USD`",
            Want::Currency => "a currency code like USD",
            Want::Off => "`off`",
            Want::UpTo => "`up to`",
            Want::PerCustomer => "`per customer`",
            Want::Redemptions => "`redemptions`",
            Want::OnItem => "`note \"…\"`/`fee 5.00 USD`",
            Want::OpenBrace => "`{`",
            Want::Clause => "a clause (`title`, `when`, `benefit`…)",
            Want::CloseBrace => "`}`",
            Want::Declaration => {
                "a declaration (`offer`, `context`, `timezone`, `channels`, `currency`)"
            }
            Want::End => "the end of the file",
        }
    }
}

fn want_of_rule(rule: Rule) -> Option<Want> {
    use Rule::*;
    Some(match rule {
        file | kw_timezone | kw_channels | kw_currency | kw_context | kw_offer => Want::Declaration,
        open_brace => Want::OpenBrace,
        close_brace => Want::CloseBrace,
        close_paren => Want::CloseParen,
        close_bracket => Want::CloseBracket,
        comma => Want::Comma,
        colon => Want::Colon,
        percent => Want::Percent,
        EOI => Want::End,
        kw_title | kw_announce | kw_honor | kw_elsewhere | kw_valid | kw_code | kw_proof
        | kw_when | kw_benefit | kw_limit | kw_budget | kw_priority | kw_stackable
        | kw_exclusive | kw_note | kw_on => Want::Clause,
        compare_op | in_op | kw_in | not_in => Want::Comparison,
        kw_and | kw_or => Want::AndOr,
        kw_not | group | call | path | number | boolean | list | expr | conjunction | negation
        | comparison => Want::Value,
        string | label => Want::Text,
        name => Want::Name,
        offer_id => Want::OfferId,
        field_path => Want::FieldPath,
        field_type | type_name | list_of | kw_list => Want::Type,
        kw_of => Want::Of,
        valid_from | valid_until | valid_range | kw_from | kw_until => Want::Window,
        moment | date => Want::Date,
        time => Want::Time,
        kw_to => Want::To,
        benefit_price | benefit_free | benefit_percent | benefit_off | kw_price | kw_free => {
            Want::Benefit
        }
        money => Want::Money,
        amount => Want::Money,
        currency => Want::Currency,
        kw_off => Want::Off,
        kw_up => Want::UpTo,
        kw_per | kw_customer => Want::PerCustomer,
        kw_redemptions => Want::Redemptions,
        on_note | on_fee | kw_fee => Want::OnItem,
        kw_all => Want::All,
        _ => return None,
    })
}

/// Describes the place where pest gave up, from the rules it tried there.
pub fn describe(
    error: &pest::error::Error<Rule>,
    text: &str,
    file: u32,
    multi_line_strings: &[usize],
) -> Diagnostic {
    let pos = match error.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let mut wants: Vec<Want> = Vec::new();
    if let ErrorVariant::ParsingError { positives, .. } = &error.variant {
        wants.extend(positives.iter().filter_map(|r| want_of_rule(*r)));
    }
    let tokens = Tokens::before(text, pos);
    let found = Found::at(text, pos);
    wants.sort();
    wants.dedup();
    simplify(&mut wants, &found);

    let after = tokens
        .last
        .map(|(s, e)| format!(" after `{}`", &text[s..e]))
        .unwrap_or_default();
    let found_words = found.words();
    let mut help = None;
    if let Some(mistakes::Mistake {
        message,
        help: advice,
        span,
    }) = mistakes::common_mistake(text, pos, &tokens, &found, &wants)
    {
        let (start, end) = span.unwrap_or((pos, pos + found.len.max(1)));
        let end = end.min(text.len()).max(start);
        let mut d = Diagnostic::error("syntax", message).at(Span::new(file, start, end));
        if let Some(h) = advice {
            d = d.with_help(h);
        }
        return d;
    }
    let keywords: Vec<&str> = wants.iter().flat_map(|w| w.keywords()).copied().collect();
    let message = if let Some(word) = &found.word {
        if let Some(close) = did_you_mean(word, keywords.iter().copied()) {
            help = Some(format!("did you mean `{close}`?"));
        } else if wants.contains(&Want::Clause) && !wants.contains(&Want::AndOr) {
            help = Some(format!(
                "an offer's clauses are {}",
                CLAUSE_KEYWORDS.join(", ")
            ));
        }
        format!("expected {}{after}, found {found_words}", list(&wants))
    } else if found.is_end() && wants.contains(&Want::CloseBrace) {
        help = Some(String::from("add `}` after its last line"));
        match &tokens.open_block {
            Some(block) => format!("the file ends before {block} is closed with `}}`"),
            None => String::from("the file ends before the closing `}`"),
        }
    } else {
        format!("expected {}{after}, found {found_words}", list(&wants))
    };
    if let Some(&start) = multi_line_strings.iter().rev().find(|&&s| s < pos) {
        let line = text[..start].matches('\n').count() + 1;
        help = Some(format!(
            "the text that starts on line {line} runs over several lines: is its closing quote missing?"
        ));
    }
    let width = found.len.max(1);
    let end = (pos + width).min(text.len()).max(pos);
    let mut d = Diagnostic::error("syntax", message).at(Span::new(file, pos, end));
    if let Some(h) = help {
        d = d.with_help(h);
    }
    d
}

/// Drops expectations that say less than another one present.
fn simplify(wants: &mut Vec<Want>, found: &Found) {
    if wants.contains(&Want::Declaration) {
        wants.retain(|w| *w != Want::End);
    }
    if wants.contains(&Want::Value) {
        wants.retain(|w| !matches!(w, Want::Text | Want::Date | Want::Money | Want::Name));
    }
    if wants.contains(&Want::Benefit) {
        wants.retain(|w| !matches!(w, Want::Money));
    }
    if wants.contains(&Want::Window) {
        wants.retain(|w| !matches!(w, Want::Date));
    }
    if wants.contains(&Want::OnItem) {
        wants.retain(|w| !matches!(w, Want::Clause));
    }
    // A value where a comparison was due: the comparison is what is missing.
    if wants.contains(&Want::Comparison) && found.is_value {
        wants.retain(|w| *w == Want::Comparison);
    }
    if wants.is_empty() {
        wants.push(Want::Value);
    }
}

fn list(wants: &[Want]) -> String {
    let words: Vec<&str> = wants.iter().map(|w| w.words()).collect();
    match words.as_slice() {
        [] => String::from("something else"),
        [one] => one.to_string(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

/// The token at the error.
struct Found {
    len: usize,
    text: Option<String>,
    word: Option<String>,
    is_value: bool,
}

impl Found {
    fn at(text: &str, pos: usize) -> Found {
        let rest = &text[pos.min(text.len())..];
        let Some(c) = rest.chars().next() else {
            return Found {
                len: 0,
                text: None,
                word: None,
                is_value: false,
            };
        };
        let word_len = rest
            .char_indices()
            .find(|(_, c)| !(c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ':')))
            .map_or(rest.len(), |(i, _)| i);
        let (len, is_value) = if c == '"' {
            let close = rest[1..].find('"').map_or(rest.len(), |i| i + 2);
            (close, true)
        } else if word_len > 0 {
            (word_len, c.is_ascii_digit() || c == '-')
        } else {
            (c.len_utf8(), c == '[')
        };
        let shown: String = rest[..len].chars().take(30).collect();
        let is_word = c.is_alphabetic() || c == '_';
        Found {
            len,
            word: is_word.then(|| shown.clone()),
            text: Some(shown),
            is_value: is_value || (is_word && matches!(&rest[..len], "true" | "false")),
        }
    }

    fn is_end(&self) -> bool {
        self.text.is_none()
    }

    fn words(&self) -> String {
        match &self.text {
            None => String::from("the end of the file"),
            Some(t) if t.chars().all(char::is_whitespace) => String::from("white space"),
            Some(t) if t.starts_with(|c: char| c.is_control()) => {
                format!("the character {:?}", t.chars().next().unwrap_or(' '))
            }
            Some(t) => format!("`{}`", t.replace('\n', "\\n")),
        }
    }
}

/// What came before the error: its last token, and the innermost block still open.
struct Tokens {
    last: Option<(usize, usize)>,
    /// The tokens before the error, last one last.
    words: Vec<(usize, usize)>,
    open_block: Option<String>,
}

impl Tokens {
    fn before(text: &str, pos: usize) -> Tokens {
        let bytes = text.as_bytes();
        let mut last = None;
        let mut words: Vec<(usize, usize)> = Vec::new();
        let mut blocks: Vec<String> = Vec::new();
        let mut i = 0;
        while i < pos.min(bytes.len()) {
            let c = bytes[i];
            let start = i;
            if c.is_ascii_whitespace() {
                i += 1;
                continue;
            }
            if c == b'#' {
                while i < bytes.len() && !matches!(bytes[i], b'\n' | b'\r') {
                    i += 1;
                }
                continue;
            }
            if c == b'"' {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i = (i + 1).min(bytes.len());
            } else if c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80 {
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric()
                        || matches!(bytes[i], b'_' | b'-' | b'.' | b':')
                        || bytes[i] >= 0x80)
                {
                    i += 1;
                }
            } else if text[i..].starts_with(['=', '!', '<', '>']) && text[i + 1..].starts_with('=')
            {
                i += 2;
            } else {
                i += 1;
                if c == b'{' {
                    let name = match words.as_slice() {
                        [.., (a, b), (c, d)] if &text[*a..*b] == "offer" => {
                            format!("offer `{}`", &text[*c..*d])
                        }
                        [.., (a, b), (c, d)] if &text[*a..*b] == "on" => {
                            format!("`on {}`", &text[*c..*d])
                        }
                        [.., (a, b)] if &text[*a..*b] == "context" => {
                            String::from("the `context` block")
                        }
                        _ => String::from("the block"),
                    };
                    blocks.push(name);
                } else if c == b'}' {
                    blocks.pop();
                }
            }
            let end = i.min(bytes.len());
            while !text.is_char_boundary(i.min(text.len())) {
                i += 1;
            }
            last = Some((start, end.min(text.len())));
            words.push((start, end.min(text.len())));
        }
        let last = last.filter(|(s, e)| text.is_char_boundary(*s) && text.is_char_boundary(*e));
        words.retain(|(s, e)| text.is_char_boundary(*s) && text.is_char_boundary(*e));
        Tokens {
            last,
            words,
            open_block: blocks.pop(),
        }
    }
}
