//! Pest's "expected rule_x, rule_y" turned into words a marketer understands: what could
//! come at that place, after which word, and what was found instead.

use pest::error::{ErrorVariant, InputLocation};

use super::Rule;
use crate::language::diagnostic::{Diagnostic, did_you_mean};
use crate::language::source::Span;
use crate::value::money::Money;

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
            Want::Clause => &CLAUSES,
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

const CLAUSES: [&str; 16] = [
    "title",
    "announce",
    "honor",
    "elsewhere",
    "valid",
    "code",
    "proof",
    "when",
    "benefit",
    "limit",
    "budget",
    "priority",
    "stackable",
    "exclusive",
    "note",
    "on",
];

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
    if let Some(Mistake {
        message,
        help: advice,
        len,
    }) = common_mistake(text, pos, &tokens, &found, &wants)
    {
        let width = len.unwrap_or(found.len).max(1);
        let end = (pos + width).min(text.len()).max(pos);
        let mut d = Diagnostic::error("syntax", message).at(Span::new(file, pos, end));
        if let Some(h) = advice {
            d = d.help(h);
        }
        return d;
    }
    let keywords: Vec<&str> = wants.iter().flat_map(|w| w.keywords()).copied().collect();
    let message = if let Some(word) = &found.word {
        if let Some(close) = did_you_mean(word, keywords.iter().copied()) {
            help = Some(format!("did you mean `{close}`?"));
        } else if wants.contains(&Want::Clause) && !wants.contains(&Want::AndOr) {
            help = Some(format!("an offer's clauses are {}", CLAUSES.join(", ")));
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
        d = d.help(h);
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

/// A mistake told in its own words, and how many bytes the caret covers when that is not
/// the token found.
struct Mistake {
    message: String,
    help: Option<String>,
    len: Option<usize>,
}

/// Mistakes newcomers make often enough to deserve their own words, or `None` to describe
/// the error from what the grammar expected.
fn common_mistake(
    text: &str,
    pos: usize,
    tokens: &Tokens,
    found: &Found,
    wants: &[Want],
) -> Option<Mistake> {
    let said = |message: String, help: Option<String>| {
        Some(Mistake {
            message,
            help,
            len: None,
        })
    };
    let rest = &text[pos.min(text.len())..];
    let token = |back: usize| -> Option<&str> {
        let n = tokens.words.len();
        (back < n).then(|| &text[tokens.words[n - 1 - back].0..tokens.words[n - 1 - back].1])
    };
    let last = token(0).unwrap_or("");

    // `limit once per customer`: a limit counts redemptions
    if last == "limit" && wants.contains(&Want::Money) {
        let shown = found.words();
        let count = match found.word.as_deref() {
            Some("once") => Some(1),
            Some("twice") => Some(2),
            _ => None,
        };
        let help = match count {
            Some(n) => format!("write `limit {n} per customer`"),
            None => String::from(
                "a limit is written `limit 1 per customer`: the number of times one customer may have the offer",
            ),
        };
        return said(
            format!(
                "expected the number of times a customer may have the offer, like `limit 1 per customer`, found {shown}"
            ),
            Some(help),
        );
    }
    if last == "budget" && wants.contains(&Want::Money) {
        return said(
            format!(
                "expected the number of redemptions the offer allows, all customers together, like `budget 1000 redemptions`, found {}",
                found.words()
            ),
            None,
        );
    }
    if last == "priority" && wants.contains(&Want::Money) {
        return said(
            format!(
                "expected a whole number after `priority`, like `priority 10`, found {}",
                found.words()
            ),
            None,
        );
    }

    // `customer.student = true`
    if wants.contains(&Want::Comparison) && rest.starts_with('=') && !rest.starts_with("==") {
        let (wrong, right) = if rest.starts_with("=>") {
            ("=>", ">=")
        } else if rest.starts_with("=<") {
            ("=<", "<=")
        } else {
            ("=", "==")
        };
        let after = rest[wrong.len()..].trim_start();
        let value_len = Found::at(after, 0).len;
        let value = if value_len > 0 && !after.starts_with('\n') {
            &after[..value_len]
        } else {
            "…"
        };
        return Some(Mistake {
            message: format!("`{wrong}` is not a comparison: use `{right}` to compare"),
            help: Some(format!("write `{last} {right} {value}`")),
            len: Some(wrong.len()),
        });
    }

    // `€100`, `$5`, `100 €`
    if let Some((symbol, code, amount)) = money_with_symbol(rest, last) {
        let written = Money::parse(&format!("{amount} {code}"))
            .map_or_else(|_| format!("100.00 {code}"), |m| m.to_string());
        let after = rest.starts_with(symbol) && !amount.is_empty() && !is_number(last);
        let (shown, len) = if after {
            (format!("{symbol}{amount}"), symbol.len() + amount.len())
        } else {
            (symbol.to_string(), symbol.len())
        };
        return Some(Mistake {
            message: format!(
                "money is written as an amount and a currency code, like `{written}`, not `{shown}`"
            ),
            help: Some(String::from(
                "write the amount, a space and the ISO 4217 code: `5.00 USD`, `100.00 EUR`",
            )),
            len: Some(len),
        });
    }

    // `> 2 years`: durations are measured with functions of a date
    if let Some(unit) = found.word.as_deref()
        && let Some(unit) = duration_unit(unit)
        && is_number(last)
    {
        let n = last;
        let op = token(1).filter(|o| CompareOpText::is(o));
        let field = token(2).filter(|f| f.contains('.'));
        let example = match (unit, op, field) {
            ("years", Some(op), Some(field)) => format!("age_years({field}) {op} {n}"),
            ("days", Some(op), Some(field)) => format!("days_since({field}) {op} {n}"),
            ("weeks", Some(op), Some(field)) => {
                match n.parse::<i64>().ok().and_then(|w| w.checked_mul(7)) {
                    Some(days) => format!("days_since({field}) {op} {days}"),
                    None => format!("days_since({field}) {op} …"),
                }
            }
            (_, _, Some(field)) => format!("age_years({field}) >= 1` or `days_since({field}) > 30"),
            _ => String::from(
                "age_years(customer.birth_date) >= 18` or `days_since(customer.joined) > 30",
            ),
        };
        return said(
            format!(
                "`{n} {}` is not a value: durations are written with `age_years(…)` or `days_since(…)` of a date",
                found.word.as_deref().unwrap_or(unit)
            ),
            Some(format!("write `{example}`")),
        );
    }
    None
}

/// Comparison operators as written.
struct CompareOpText;

impl CompareOpText {
    fn is(text: &str) -> bool {
        matches!(text, "==" | "!=" | "<" | "<=" | ">" | ">=")
    }
}

fn is_number(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
}

/// A duration unit, singular or plural, as its plural.
fn duration_unit(word: &str) -> Option<&'static str> {
    Some(match word.to_lowercase().as_str() {
        "year" | "years" | "yr" | "yrs" => "years",
        "month" | "months" => "months",
        "week" | "weeks" => "weeks",
        "day" | "days" => "days",
        "hour" | "hours" => "hours",
        _ => return None,
    })
}

/// A currency symbol at the error, before an amount (`€100`) or after one (`100 €`): the
/// currency code and the amount as written.
fn money_with_symbol<'t>(
    rest: &'t str,
    last: &'t str,
) -> Option<(&'static str, &'static str, &'t str)> {
    const SYMBOLS: [(&str, &str); 7] = [
        ("€", "EUR"),
        ("$", "USD"),
        ("£", "GBP"),
        ("¥", "JPY"),
        ("₹", "INR"),
        ("₩", "KRW"),
        ("₽", "RUB"),
    ];
    let (symbol, code) = SYMBOLS.iter().find(|(s, _)| rest.starts_with(s))?;
    let after = &rest[symbol.len()..];
    let amount_len = after
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(after.len());
    let amount = if amount_len > 0 {
        &after[..amount_len]
    } else if is_number(last) {
        last
    } else {
        ""
    };
    Some((symbol, code, amount))
}
