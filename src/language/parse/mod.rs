//! Text to syntax tree: the pest grammar in `grammar/offer.pest`, then one `parse_<rule>`
//! function per grammar rule that turns pairs into `ast` nodes with spans.

mod prescan;
mod syntax_error;

use pest::Parser as _;
use pest::iterators::Pair;

use crate::language::ast::*;
use crate::language::diagnostic::{Diagnostic, did_you_mean};
use crate::language::source::Span;
use crate::value::Type;
use crate::value::money::{Currency, MAX_PERCENT_SCALE, Money};
use crate::value::number::Decimal;
use crate::value::time::parse_date;

pub use prescan::MAX_NESTING;

/// The largest `limit`, `budget` or `priority` (and the smallest priority is its negative).
pub const MAX_COUNT: i64 = 1_000_000_000_000;

#[derive(pest_derive::Parser)]
#[grammar = "grammar/offer.pest"]
pub(crate) struct OfferParser;

/// Reads one rule file. A syntax error stops the file; the other mistakes the grammar lets
/// through (bad dates, unknown currencies, functions or types…) are all reported and the
/// clause that holds them is left out.
pub fn parse_file(text: &str, file: u32) -> (File, Vec<Diagnostic>) {
    let empty = File {
        file,
        declarations: Vec::new(),
    };
    let scan = match prescan::prescan(text, file) {
        Ok(scan) => scan,
        Err(d) => return (empty, vec![d]),
    };
    let pairs = match OfferParser::parse(Rule::file, text) {
        Ok(pairs) => pairs,
        Err(e) => {
            return (
                empty,
                vec![syntax_error::describe(
                    &e,
                    text,
                    file,
                    &scan.multi_line_strings,
                )],
            );
        }
    };
    let mut builder = Builder {
        file,
        diagnostics: Vec::new(),
    };
    let mut declarations = Vec::new();
    for pair in pairs
        .flatten()
        .filter(|p| p.as_rule() == Rule::file)
        .take(1)
    {
        for decl in pair.into_inner() {
            if let Some(d) = builder.parse_declaration(decl) {
                declarations.push(d);
            }
        }
    }
    (File { file, declarations }, builder.diagnostics)
}

struct Builder {
    file: u32,
    diagnostics: Vec<Diagnostic>,
}

type Built<T> = Result<T, Diagnostic>;

/// The inner pairs of a pair, without keywords and punctuation.
fn children(pair: Pair<Rule>) -> impl Iterator<Item = Pair<Rule>> {
    pair.into_inner().filter(|p| !is_token(p.as_rule()))
}

fn is_token(rule: Rule) -> bool {
    use Rule::*;
    matches!(
        rule,
        open_brace
            | close_brace
            | close_paren
            | close_bracket
            | comma
            | colon
            | percent
            | kw_timezone
            | kw_channels
            | kw_currency
            | kw_context
            | kw_offer
            | kw_list
            | kw_of
            | kw_title
            | kw_announce
            | kw_honor
            | kw_all
            | kw_elsewhere
            | kw_valid
            | kw_from
            | kw_until
            | kw_to
            | kw_code
            | kw_proof
            | kw_when
            | kw_benefit
            | kw_price
            | kw_free
            | kw_off
            | kw_up
            | kw_limit
            | kw_per
            | kw_customer
            | kw_budget
            | kw_redemptions
            | kw_priority
            | kw_stackable
            | kw_exclusive
            | kw_note
            | kw_on
            | kw_fee
            | kw_or
            | kw_and
            | kw_not
            | kw_in
    )
}

impl Builder {
    /// The span of a pair, ending at its last token: pest counts the white space and
    /// comments it skipped before an optional part that did not match.
    fn span(&self, pair: &Pair<Rule>) -> Span {
        fn end(pair: Pair<Rule>) -> usize {
            let outer = pair.as_span().end();
            pair.into_inner().next_back().map_or(outer, end)
        }
        Span::new(self.file, pair.as_span().start(), end(pair.clone()))
    }

    fn error(&self, kind: &'static str, message: impl Into<String>, span: Span) -> Diagnostic {
        Diagnostic::error(kind, message).at(span)
    }

    fn parse_declaration(&mut self, pair: Pair<Rule>) -> Option<Declaration> {
        let span = self.span(&pair);
        let result = match pair.as_rule() {
            Rule::timezone_decl => self.parse_timezone_decl(pair, span),
            Rule::channels_decl => Ok(Declaration::Channels {
                names: children(pair).map(|p| self.parse_name(p)).collect(),
                span,
            }),
            Rule::currency_decl => self.parse_currency_decl(pair, span),
            Rule::context_decl => self.parse_context_decl(pair, span),
            Rule::offer_decl => Ok(self.parse_offer_decl(pair, span)),
            _ => return None,
        };
        result.map_err(|d| self.diagnostics.push(d)).ok()
    }

    fn parse_timezone_decl(&mut self, pair: Pair<Rule>, span: Span) -> Built<Declaration> {
        let name = self.parse_string(first(pair)?)?;
        Ok(Declaration::Timezone { name, span })
    }

    fn parse_currency_decl(&mut self, pair: Pair<Rule>, span: Span) -> Built<Declaration> {
        let code_pair = first(pair)?;
        let code_span = self.span(&code_pair);
        let text = code_pair.as_str();
        let code = Currency::from_code(text).ok_or_else(|| {
            self.error(
                "unknown-currency",
                Currency::unknown_message(text),
                code_span,
            )
        })?;
        Ok(Declaration::Currency { code, span })
    }

    fn parse_context_decl(&mut self, pair: Pair<Rule>, span: Span) -> Built<Declaration> {
        let mut fields = Vec::new();
        for field in children(pair) {
            match self.parse_field_decl(field) {
                Ok(f) => fields.push(f),
                Err(d) => self.diagnostics.push(d),
            }
        }
        Ok(Declaration::Context { fields, span })
    }

    fn parse_field_decl(&mut self, pair: Pair<Rule>) -> Built<FieldDecl> {
        let mut inner = pair.into_inner();
        let path = self.parse_name(next(&mut inner)?);
        let ty_pair = next(&mut inner)?;
        let ty_span = self.span(&ty_pair);
        let ty = self.parse_field_type(ty_pair)?;
        Ok(FieldDecl { path, ty, ty_span })
    }

    /// `list of list of text`: the `list of`s are counted, not nested, so that no depth
    /// of them can exhaust the stack.
    fn parse_field_type(&mut self, pair: Pair<Rule>) -> Built<Type> {
        let span = self.span(&pair);
        let mut lists = 0;
        let mut name = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::list_of => lists += 1,
                _ => name = Some(p),
            }
        }
        let name = name.ok_or_else(internal)?;
        let text = name.as_str();
        let mut ty = Type::from_name(text).ok_or_else(|| {
            let mut d = self.error(
                "unknown-type",
                format!("unknown type `{text}`; the types are text, number, money, date, datetime, bool and list of …"),
                self.span(&name),
            );
            if let Some(close) = did_you_mean(text, Type::NAMES) {
                d = d.with_help(format!("did you mean `{close}`?"));
            }
            d
        })?;
        if lists > MAX_NESTING {
            return Err(self.error(
                "too-deep",
                format!("this type nests more than {MAX_NESTING} lists"),
                span,
            ));
        }
        for _ in 0..lists {
            ty = Type::List(Box::new(ty));
        }
        Ok(ty)
    }

    fn parse_offer_decl(&mut self, pair: Pair<Rule>, span: Span) -> Declaration {
        let mut inner = children(pair);
        let id_pair = inner.next();
        let id = match id_pair {
            Some(p) => self.parse_name(p),
            None => Name {
                text: String::new(),
                span,
            },
        };
        let mut incomplete = false;
        if !is_offer_id(&id.text) {
            incomplete = true;
            let suggestion: String = id.text.to_lowercase();
            let mut d = self.error(
                "bad-id",
                format!(
                    "offer id `{}` must start with a lowercase letter and hold only lowercase letters, digits, `_` and `-`",
                    id.text
                ),
                id.span,
            );
            if is_offer_id(&suggestion) {
                d = d.with_help(format!("write `{suggestion}`"));
            }
            self.diagnostics.push(d);
        }
        let mut clauses = Vec::new();
        for clause in inner {
            match self.parse_clause(clause) {
                Ok(c) => clauses.push(c),
                Err(d) => {
                    incomplete = true;
                    self.diagnostics.push(d);
                }
            }
        }
        Declaration::Offer(Offer {
            id,
            clauses,
            span,
            incomplete,
        })
    }

    fn parse_clause(&mut self, pair: Pair<Rule>) -> Built<Clause> {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let kind = match rule {
            Rule::title => ClauseKind::Title(self.parse_string(first(pair)?)?),
            Rule::announce => {
                ClauseKind::Announce(children(pair).map(|p| self.parse_name(p)).collect())
            }
            Rule::honor => {
                let names: Vec<Name> = children(pair).map(|p| self.parse_name(p)).collect();
                ClauseKind::Honor(if names.is_empty() { None } else { Some(names) })
            }
            Rule::elsewhere => ClauseKind::Elsewhere(self.parse_string(first(pair)?)?),
            Rule::valid => ClauseKind::Valid(self.parse_valid(first(pair)?)?),
            Rule::code => ClauseKind::Code(self.parse_string(first(pair)?)?),
            Rule::proof => ClauseKind::Proof(self.parse_string(first(pair)?)?),
            Rule::when => self.parse_when(pair)?,
            Rule::benefit => ClauseKind::Benefit(self.parse_benefit(first(pair)?)?),
            Rule::limit => ClauseKind::Limit(self.parse_count(first(pair)?, "limit", 0)?),
            Rule::budget => ClauseKind::Budget(self.parse_count(first(pair)?, "budget", 0)?),
            Rule::priority => {
                ClauseKind::Priority(self.parse_count(first(pair)?, "priority", -MAX_COUNT)?)
            }
            Rule::stackable => ClauseKind::Stackable,
            Rule::exclusive => ClauseKind::Exclusive,
            Rule::note => ClauseKind::Note(self.parse_string(first(pair)?)?),
            Rule::on_channel => self.parse_on_channel(pair)?,
            _ => return Err(internal()),
        };
        Ok(Clause { kind, span })
    }

    fn parse_when(&mut self, pair: Pair<Rule>) -> Built<ClauseKind> {
        let mut label = None;
        let mut expr = None;
        for p in children(pair) {
            match p.as_rule() {
                Rule::label => label = Some(self.parse_string(first(p)?)?),
                _ => expr = Some(self.parse_expr(p, 0)?),
            }
        }
        Ok(ClauseKind::When {
            label,
            expr: expr.ok_or_else(internal)?,
        })
    }

    fn parse_on_channel(&mut self, pair: Pair<Rule>) -> Built<ClauseKind> {
        let mut inner = children(pair);
        let channel = self.parse_name(inner.next().ok_or_else(internal)?);
        let (mut note, mut fee) = (None, None);
        for item in inner {
            let span = self.span(&item);
            let is_note = item.as_rule() == Rule::on_note;
            let already = if is_note {
                note.is_some()
            } else {
                fee.is_some()
            };
            if already {
                let word = if is_note { "note" } else { "fee" };
                return Err(self.error(
                    "repeated-clause",
                    format!("`{word}` appears twice in `on {}`", channel.text),
                    span,
                ));
            }
            if is_note {
                note = Some(self.parse_string(first(item)?)?);
            } else {
                fee = Some(self.parse_amount_given(first(item)?, "a fee")?);
            }
        }
        Ok(ClauseKind::On { channel, note, fee })
    }

    fn parse_valid(&mut self, pair: Pair<Rule>) -> Built<Window> {
        let rule = pair.as_rule();
        let moments = children(pair)
            .map(|m| self.parse_moment(m))
            .collect::<Built<Vec<_>>>()?;
        let mut moments = moments.into_iter();
        Ok(match rule {
            Rule::valid_from => Window {
                start: moments.next(),
                end: None,
            },
            Rule::valid_until => Window {
                start: None,
                end: moments.next(),
            },
            _ => Window {
                start: moments.next(),
                end: moments.next(),
            },
        })
    }

    fn parse_moment(&mut self, pair: Pair<Rule>) -> Built<Moment> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let date = self.parse_date(next(&mut inner)?)?;
        let time = match inner.next() {
            Some(t) => Some(self.parse_time(t)?),
            None => None,
        };
        Ok(Moment { date, time, span })
    }

    fn parse_date(&self, pair: Pair<Rule>) -> Built<chrono::NaiveDate> {
        parse_date(pair.as_str()).ok_or_else(|| {
            self.error(
                "bad-date",
                format!("`{}` is not a date on the calendar", pair.as_str()),
                self.span(&pair),
            )
            .with_help("dates are written YYYY-MM-DD, like 2016-05-31")
        })
    }

    fn parse_time(&self, pair: Pair<Rule>) -> Built<(u32, u32)> {
        let text = pair.as_str();
        let h: u32 = text[..2].parse().unwrap_or(99);
        let m: u32 = text[3..].parse().unwrap_or(99);
        if h > 23 || m > 59 {
            return Err(self
                .error(
                    "bad-date",
                    format!("`{text}` is not a time of day"),
                    self.span(&pair),
                )
                .with_help("times are written HH:MM on a 24-hour clock, from 00:00 to 23:59"));
        }
        Ok((h, m))
    }

    fn parse_benefit(&mut self, pair: Pair<Rule>) -> Built<Benefit> {
        let rule = pair.as_rule();
        let mut inner = children(pair);
        let first = inner.next().ok_or_else(internal)?;
        Ok(match rule {
            Rule::benefit_price => Benefit::Price(self.parse_amount_given(first, "a price")?),
            Rule::benefit_free => Benefit::Free(self.parse_string(first)?),
            Rule::benefit_off => Benefit::Off(self.parse_amount_given(first, "an amount off")?),
            _ => {
                let span = self.span(&first);
                let text = first.as_str();
                let percent = Decimal::parse(text)
                    .map_err(|e| self.error("bad-number", format!("`{text}` {e}"), span))?;
                if percent < Decimal::ZERO || percent > Decimal::from_int(100) {
                    return Err(self
                        .error("bad-percent", format!("`{text}%` is outside 0–100%"), span)
                        .with_help("a percentage off is between 0% and 100%"));
                }
                if percent.scale() > MAX_PERCENT_SCALE {
                    return Err(self.error(
                        "bad-percent",
                        format!("`{text}%` has more than {MAX_PERCENT_SCALE} decimal places"),
                        span,
                    ));
                }
                let cap = match inner.next() {
                    Some(m) => Some(self.parse_amount_given(m, "the cap")?),
                    None => None,
                };
                Benefit::Percent { percent, cap }
            }
        })
    }

    /// A whole number between `min` and [`MAX_COUNT`].
    fn parse_count(&self, pair: Pair<Rule>, what: &str, min: i64) -> Built<Count> {
        let span = self.span(&pair);
        let text = pair.as_str();
        let number = Decimal::parse(text)
            .ok()
            .filter(|d| d.scale() == 0)
            .ok_or_else(|| {
                self.error(
                    "bad-number",
                    format!("the {what} must be a whole number, not `{text}`"),
                    span,
                )
            })?;
        let value = number
            .to_i64()
            .filter(|v| (min..=MAX_COUNT).contains(v))
            .ok_or_else(|| {
                self.error(
                    "bad-number",
                    format!("the {what} must be between {min} and {MAX_COUNT}, not `{text}`"),
                    span,
                )
            })?;
        Ok(Count { value, span })
    }

    /// Money in a benefit, a cap or a fee: never negative.
    fn parse_amount_given(&self, pair: Pair<Rule>, what: &str) -> Built<MoneyLit> {
        let money = self.parse_money(pair)?;
        if money.value.minor < 0 {
            return Err(self
                .error(
                    "bad-money",
                    format!("{what} cannot be negative, but it is `{}`", money.value),
                    money.span,
                )
                .with_help(
                    "write the amount without `-`: a benefit takes money off, a fee adds it",
                ));
        }
        Ok(money)
    }

    fn parse_money(&self, pair: Pair<Rule>) -> Built<MoneyLit> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let amount_pair = next(&mut inner)?;
        let currency_pair = next(&mut inner)?;
        let code = currency_pair.as_str();
        let currency = Currency::from_code(code).ok_or_else(|| {
            self.error(
                "unknown-currency",
                Currency::unknown_message(code),
                self.span(&currency_pair),
            )
        })?;
        let amount_span = self.span(&amount_pair);
        let amount = Decimal::parse(amount_pair.as_str()).map_err(|e| {
            self.error(
                "bad-number",
                format!("`{}` {e}", amount_pair.as_str()),
                amount_span,
            )
        })?;
        let value = Money::new(amount, currency).map_err(|e| {
            self.error(
                "bad-money",
                format!("`{}`: {e}", pair_text(&amount_pair, code)),
                amount_span,
            )
        })?;
        Ok(MoneyLit { value, span })
    }

    fn parse_name(&self, pair: Pair<Rule>) -> Name {
        Name {
            text: pair.as_str().to_string(),
            span: self.span(&pair),
        }
    }

    /// A string literal: the text between the quotes with its escapes resolved.
    fn parse_string(&self, pair: Pair<Rule>) -> Built<Str> {
        let span = self.span(&pair);
        let body = pair.into_inner().next();
        let (raw, body_start) = match &body {
            Some(b) => (b.as_str(), b.as_span().start()),
            None => ("", span.start as usize + 1),
        };
        let mut value = String::with_capacity(raw.len());
        let mut chars = raw.char_indices();
        while let Some((i, c)) = chars.next() {
            if c != '\\' {
                value.push(c);
                continue;
            }
            match chars.next() {
                Some((_, '"')) => value.push('"'),
                Some((_, '\\')) => value.push('\\'),
                Some((_, 'n')) => value.push('\n'),
                other => {
                    let end = other.map_or(i + 1, |(j, c)| j + c.len_utf8());
                    let at = Span::new(self.file, body_start + i, body_start + end);
                    return Err(self
                        .error(
                            "bad-escape",
                            format!("unknown escape `{}` in text", &raw[i..end]),
                            at,
                        )
                        .with_help("inside text write `\\\"` for a quote, `\\\\` for a backslash and `\\n` for a new line"));
                }
            }
        }
        Ok(Str { value, span })
    }

    // ------------------------------------------------------------------ expressions

    fn too_deep(&self, span: Span) -> Diagnostic {
        self.error(
            "too-deep",
            format!("this expression is nested too deeply (more than {MAX_NESTING} levels)"),
            span,
        )
        .with_help("split the condition into several `when` clauses")
    }

    /// `a or b or c`; `depth` counts the parentheses and `not`s around this expression.
    fn parse_expr(&mut self, pair: Pair<Rule>, depth: usize) -> Built<Expr> {
        let span = self.span(&pair);
        let parts = children(pair)
            .map(|p| self.parse_conjunction(p, depth))
            .collect::<Built<Vec<_>>>()?;
        Ok(join(parts, span, ExprKind::Or))
    }

    fn parse_conjunction(&mut self, pair: Pair<Rule>, depth: usize) -> Built<Expr> {
        let span = self.span(&pair);
        let parts = children(pair)
            .map(|p| self.parse_negation(p, depth))
            .collect::<Built<Vec<_>>>()?;
        Ok(join(parts, span, ExprKind::And))
    }

    fn parse_negation(&mut self, pair: Pair<Rule>, depth: usize) -> Built<Expr> {
        let span = self.span(&pair);
        let mut nots = Vec::new();
        let mut comparison = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::kw_not => nots.push(self.span(&p)),
                _ => comparison = Some(p),
            }
        }
        if depth + nots.len() > MAX_NESTING {
            return Err(self.too_deep(span));
        }
        let mut expr =
            self.parse_comparison(comparison.ok_or_else(internal)?, depth + nots.len())?;
        for not_span in nots.into_iter().rev() {
            let span = not_span.to(expr.span);
            expr = Expr {
                kind: ExprKind::Not(Box::new(expr)),
                span,
                parens: false,
            };
        }
        Ok(expr)
    }

    fn parse_comparison(&mut self, pair: Pair<Rule>, depth: usize) -> Built<Expr> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let lhs = self.parse_operand(next(&mut inner)?, depth)?;
        let Some(op) = inner.next() else {
            return Ok(lhs);
        };
        let rhs = self.parse_operand(next(&mut inner)?, depth)?;
        if let Some(chained) = inner.next() {
            let op_text = chained
                .clone()
                .into_inner()
                .next()
                .map_or("", |p| p.as_str())
                .to_string();
            return Err(self
                .error(
                    "syntax",
                    format!(
                        "comparisons cannot be chained: `{op_text}` follows a complete comparison"
                    ),
                    self.span(&chained),
                )
                .with_help("join two comparisons with `and`, like `1 < x and x < 5`"));
        }
        let kind = match op.as_rule() {
            Rule::compare_op => ExprKind::Compare {
                op: CompareOp::from_symbol(op.as_str()).ok_or_else(internal)?,
                lhs: Box::new(lhs),
                rhs: Box::new(rhs),
            },
            _ => ExprKind::In {
                negated: op.into_inner().next().map(|p| p.as_rule()) == Some(Rule::not_in),
                lhs: Box::new(lhs),
                rhs: Box::new(rhs),
            },
        };
        Ok(Expr {
            kind,
            span,
            parens: false,
        })
    }

    fn parse_operand(&mut self, pair: Pair<Rule>, depth: usize) -> Built<Expr> {
        let span = self.span(&pair);
        let kind = match pair.as_rule() {
            Rule::group => {
                if depth + 1 > MAX_NESTING {
                    return Err(self.too_deep(span));
                }
                let mut inner = self.parse_expr(first(pair)?, depth + 1)?;
                inner.span = span;
                inner.parens = true;
                return Ok(inner);
            }
            Rule::call => {
                let mut inner = pair.into_inner();
                let name = next(&mut inner)?;
                let func = Func::from_name(name.as_str()).ok_or_else(|| {
                    let mut d = self.error(
                        "unknown-function",
                        format!(
                            "unknown function `{}`; the functions are has, len, age_years and days_since",
                            name.as_str()
                        ),
                        self.span(&name),
                    );
                    if let Some(close) = did_you_mean(name.as_str(), Func::NAMES) {
                        d = d.with_help(format!("did you mean `{close}`?"));
                    }
                    d
                })?;
                if depth + 1 > MAX_NESTING {
                    return Err(self.too_deep(span));
                }
                let arg = self.parse_expr(next(&mut inner)?, depth + 1)?;
                ExprKind::Call {
                    func,
                    arg: Box::new(arg),
                }
            }
            Rule::path => ExprKind::Path(pair.as_str().to_string()),
            Rule::list => ExprKind::List(
                children(pair)
                    .map(|p| self.parse_operand(p, depth))
                    .collect::<Built<Vec<_>>>()?,
            ),
            Rule::number => {
                let text = pair.as_str();
                let n = Decimal::parse(text)
                    .map_err(|e| self.error("bad-number", format!("`{text}` {e}"), span))?;
                ExprKind::Literal(Literal::Number(n))
            }
            Rule::money => ExprKind::Literal(Literal::Money(self.parse_money(pair)?.value)),
            Rule::string => ExprKind::Literal(Literal::Text(self.parse_string(pair)?.value)),
            Rule::boolean => ExprKind::Literal(Literal::Bool(pair.as_str() == "true")),
            Rule::date => ExprKind::Literal(Literal::Date(self.parse_date(pair)?)),
            _ => return Err(internal()),
        };
        Ok(Expr {
            kind,
            span,
            parens: false,
        })
    }
}

fn join(mut parts: Vec<Expr>, span: Span, make: fn(Vec<Expr>) -> ExprKind) -> Expr {
    if parts.len() == 1
        && let Some(only) = parts.pop()
    {
        return only;
    }
    Expr {
        kind: make(parts),
        span,
        parens: false,
    }
}

fn pair_text(amount: &Pair<Rule>, code: &str) -> String {
    format!("{} {code}", amount.as_str())
}

pub fn is_offer_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

fn first(pair: Pair<Rule>) -> Built<Pair<Rule>> {
    children(pair).next().ok_or_else(internal)
}

fn next<'i>(inner: &mut pest::iterators::Pairs<'i, Rule>) -> Built<Pair<'i, Rule>> {
    inner.next().ok_or_else(internal)
}

/// The grammar guarantees the shape of every pair; this is what a broken guarantee reports
/// instead of a panic.
fn internal() -> Diagnostic {
    Diagnostic::error(
        "internal",
        "the parser met a shape the grammar should not produce; please report this rule file",
    )
}
