//! Mistakes newcomers make often enough to deserve their own words: `=` for `==`, `&&`,
//! `limit once`, `> 2 years`, `€100`, single quotes, uppercase keywords…

use super::{Found, Tokens, Want};
use crate::value::money::Money;

/// A mistake told in its own words.
pub(super) struct Mistake {
    pub message: String,
    pub help: Option<String>,
    /// Where the caret goes, in bytes, when not under the token found.
    pub span: Option<(usize, usize)>,
}

/// Mistakes newcomers make often enough to deserve their own words, or `None` to describe
/// the error from what the grammar expected.
pub(super) fn common_mistake(
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
            span: None,
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
            span: Some((pos, pos + wrong.len())),
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
            span: Some((pos, pos + len)),
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
    // `&&`, `||`, `!`: the words are `and`, `or`, `not`
    for (symbol, word) in [
        ("&&", "and"),
        ("||", "or"),
        ("&", "and"),
        ("|", "or"),
        ("!", "not"),
    ] {
        if rest.starts_with(symbol) && !rest.starts_with("!=") {
            return Some(Mistake {
                message: format!("`{symbol}` is not part of the language: write `{word}`"),
                help: Some(String::from(
                    "conditions are joined with the words `and`, `or` and `not`",
                )),
                span: Some((pos, pos + symbol.len())),
            });
        }
    }

    // `AND`, `Or`, `TRUE`: keywords are lowercase
    let upper_keyword = |w: &str| {
        ["and", "or", "not", "in", "true", "false"]
            .into_iter()
            .find(|k| w != *k && w.eq_ignore_ascii_case(k))
    };
    if let Some(word) = found.word.as_deref()
        && let Some(keyword) = upper_keyword(word)
    {
        return said(
            format!(
                "expected {}, found `{word}`: keywords are written in lowercase",
                super::list(wants)
            ),
            Some(format!("write `{keyword}`")),
        );
    }
    // `18 AND x` reads `AND` as a currency code, so the error comes after it
    if let Some(keyword) = upper_keyword(last)
        && let Some((start, end)) = tokens.words.last().copied()
    {
        return Some(Mistake {
            message: format!("`{last}` is not a keyword: keywords are written in lowercase"),
            help: Some(format!("write `{keyword}`")),
            span: Some((start, end)),
        });
    }

    // `customer.plan is "gold"`
    if wants.contains(&Want::Comparison)
        && let Some(word) = found.word.as_deref()
        && matches!(word, "is" | "equals" | "eq" | "ne" | "isnt" | "contains")
    {
        let after = rest[word.len()..].trim_start();
        let value_len = Found::at(after, 0).len;
        let value = match &after[..value_len] {
            "" => "…",
            v if v.contains('\n') => "…",
            v => v,
        };
        let (right, example) = match word {
            "ne" | "isnt" => ("!=", format!("{last} != {value}")),
            "contains" => ("in", format!("{value} in {last}")),
            _ => ("==", format!("{last} == {value}")),
        };
        return said(
            format!("`{word}` is not a comparison: use `{right}`"),
            Some(format!(
                "write `{example}`; the comparisons are `==`, `!=`, `<`, `<=`, `>`, `>=`, `in` and `not in`"
            )),
        );
    }

    // `'gold'`
    if let Some(quoted) = rest.strip_prefix('\'') {
        let inner: String = quoted
            .chars()
            .take_while(|c| *c != '\'' && *c != '\n')
            .collect();
        return said(
            String::from("text is written in double quotes, not single ones"),
            Some(format!("write `\"{inner}\"`")),
        );
    }

    // `title: "…"`: only a `when` label is followed by a colon
    if rest.starts_with(':') && wants.contains(&Want::Text) {
        return said(
            format!("`{}` takes no colon", last.trim_end_matches(':')),
            Some(format!("write `{} \"…\"`", last.trim_end_matches(':'))),
        );
    }

    // `in ("a", "b")`
    if rest.starts_with(',') && wants.contains(&Want::CloseParen) {
        let line_end = rest.find('\n').unwrap_or(rest.len());
        let open = text[..pos].rfind('(');
        let close = rest[..line_end].find(')');
        let help = match (open, close) {
            (Some(open), Some(close)) => {
                format!("write `[{}]`", &text[open + 1..pos + close])
            }
            _ => String::from("write `customer.plan in [\"unlimited\", \"family\"]`"),
        };
        return said(
            String::from("a list is written in square brackets, not parentheses"),
            Some(help),
        );
    }

    // `benefit 5.00 EUR`: an amount off or a fixed price
    if wants.contains(&Want::Off)
        && last.len() == 3
        && last.chars().all(|c| c.is_ascii_uppercase())
        && let Some(amount) = token(1).filter(|a| is_number(a))
    {
        return said(
            format!(
                "expected `off` after `{amount} {last}`, found {}",
                found.words()
            ),
            Some(format!(
                "write `benefit {amount} {last} off` for an amount off, or `benefit price {amount} {last}` for a fixed price"
            )),
        );
    }

    // `limit 1`
    if wants.contains(&Want::PerCustomer) && is_number(last) && token(1) == Some("limit") {
        return said(
            format!(
                "expected `per customer` after `limit {last}`, found {}",
                found.words()
            ),
            Some(format!("write `limit {last} per customer`")),
        );
    }

    // `20 percent off`, `10.00 off`
    if is_number(last) && wants.contains(&Want::Percent) {
        match found.word.as_deref() {
            Some("percent" | "pct") => {
                return said(
                    format!("a percentage is written with `%`: `{last}% off`"),
                    Some(format!("write `benefit {last}% off`")),
                );
            }
            Some("off") => {
                return said(
                    format!("`{last} off` needs a currency or a `%`"),
                    Some(format!(
                        "write `{last} USD off` (an amount, in the price's currency) or `{last}% off`"
                    )),
                );
            }
            _ => {}
        }
    }

    // `valid 2026-05-01 - 2026-05-31`, `… until …`
    if wants.contains(&Want::To)
        && (rest.starts_with('-')
            || found
                .word
                .as_deref()
                .is_some_and(|w| matches!(w, "until" | "till" | "through" | "thru" | "and")))
    {
        let after = rest
            .trim_start_matches(|c: char| c == '-' || c.is_alphabetic())
            .trim_start();
        let end: String = after
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '-')
            .collect();
        let end = if end.len() == 10 {
            end
        } else {
            String::from("2016-05-31")
        };
        return said(
            format!(
                "a window's two ends are joined with `to`, found {}",
                found.words()
            ),
            Some(format!("write `valid {last} to {end}`")),
        );
    }

    // `01/05/2026`, `1.5.2026`
    if (wants.contains(&Want::Window)
        || wants.contains(&Want::Date)
        || wants.contains(&Want::Value))
        && rest.starts_with(|c: char| c.is_ascii_digit())
    {
        let written: String = rest
            .chars()
            .take_while(|c| c.is_ascii_digit() || matches!(c, '/' | '.'))
            .collect();
        let parts: Vec<&str> = written.split(['/', '.']).collect();
        let like_a_date = parts.len() == 3
            && parts.iter().all(|p| (1..=4).contains(&p.len()))
            && parts.iter().any(|p| p.len() == 4 || p.len() == 2);
        if like_a_date {
            return Some(Mistake {
                message: format!(
                    "`{written}` is not a date honor reads: dates are written YYYY-MM-DD"
                ),
                help: Some(String::from(
                    "write the year first, like `2016-05-31` for 31 May 2016",
                )),
                span: Some((pos, pos + written.len())),
            });
        }
    }

    // `limit 1 per person`
    if last == "per" && wants.contains(&Want::PerCustomer) {
        return said(
            format!("a limit counts per customer, found {}", found.words()),
            Some(String::from(
                "write `limit 1 per customer`; for all customers together, use `budget 1000 redemptions`",
            )),
        );
    }

    // `honor web and store`
    if wants.contains(&Want::Comma) && found.word.as_deref() == Some("and") {
        return said(
            String::from("names in a list are separated by commas, not `and`"),
            Some(format!("write `{last}, …`")),
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
