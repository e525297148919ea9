//! Syntax trees to a checked model of the rule set: declarations merged across files, names
//! resolved, windows placed in time, conditions type-checked; every error and warning of
//! docs/language.md ("Lints") as a diagnostic.

pub mod analysis;
pub mod condition;
mod lints;
pub mod schema;
mod types;
mod windows;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use std::collections::HashMap;

use crate::language::ast::{self, Benefit, ClauseKind, Declaration, Moment};
use crate::language::diagnostic::{Diagnostic, did_you_mean};
use crate::language::source::{Sources, Span};
use crate::value::money::{Currency, Money};
use crate::value::time::{local_instant, start_of_day, zone};
pub use schema::Schema;

pub use lints::lint;

/// The most channels a rule set may declare.
pub const MAX_CHANNELS: usize = 64;
/// The most offers a rule set may hold.
pub const MAX_OFFERS: usize = 100_000;

const DEFAULT_CHANNELS: [&str; 3] = ["web", "store", "phone"];

/// A rule set that has passed every check.
#[derive(Clone, Debug)]
pub struct Model {
    pub zone: Tz,
    pub zone_name: String,
    pub channels: Vec<String>,
    /// `currency EUR`: every amount of the rule set is in it, and so is a context's `price`.
    pub currency: Option<Currency>,
    pub schema: Schema,
    pub offers: Vec<OfferModel>,
}

#[derive(Clone, Debug)]
pub struct OfferModel {
    pub id: String,
    pub span: Span,
    pub title: String,
    pub announce: Vec<ast::Name>,
    /// Indices into `Model::channels`, in the rule set's order.
    pub honored_on: Vec<usize>,
    pub honor_span: Option<Span>,
    pub elsewhere: Option<String>,
    pub window: Option<WindowModel>,
    pub code: Option<ast::Str>,
    /// The evidence to see, in file order.
    pub proofs: Vec<ast::Str>,
    pub whens: Vec<When>,
    pub benefit: Option<Benefit>,
    pub limit: Option<ast::Count>,
    pub budget: Option<ast::Count>,
    pub priority: i64,
    pub stackable: bool,
    pub exclusive: bool,
    pub note: Option<String>,
    pub on: Vec<OnChannel>,
    /// The clauses that explanations list, in file order.
    pub listed: Vec<ClauseRef>,
}

#[derive(Clone, Debug)]
pub struct When {
    pub label: Option<String>,
    pub expr: ast::Expr,
    /// The expression resolved against the schema, for the compiler.
    pub cond: condition::Cond,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClauseRef {
    Valid,
    Code,
    /// The offer's `proofs[i]`.
    Proof(usize),
    Limit,
    Budget,
    When(usize),
    Benefit,
}

/// A window with its ends as written (local) and as instants. The window holds the instants
/// `start <= t < end`.
#[derive(Clone, Debug)]
pub struct WindowModel {
    pub start: Option<(Moment, DateTime<Utc>)>,
    pub end: Option<(Moment, DateTime<Utc>)>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct OnChannel {
    pub channel: usize,
    pub note: Option<String>,
    pub fee: Option<Money>,
    pub span: Span,
}

/// Checks the parsed files of one rule set. Returns the model when there is no error, and
/// every diagnostic found (errors and warnings) either way.
pub fn check(
    files: &[ast::File],
    sources: &Sources,
    at: DateTime<Utc>,
) -> (Option<Model>, Vec<Diagnostic>) {
    let mut c = Checker {
        sources,
        diagnostics: Vec::new(),
    };
    let (zone, zone_name) = c.timezone(files);
    let channels = c.channels(files);
    let currency = c.currency(files);
    let mut schema = c.schema(files);
    schema.set_currency(currency.map(|(code, _)| code));
    let mut offers = Vec::new();
    let mut seen: HashMap<&str, Span> = HashMap::new();
    for offer in files
        .iter()
        .flat_map(|f| &f.declarations)
        .filter_map(|d| match d {
            Declaration::Offer(o) => Some(o),
            _ => None,
        })
    {
        if let Some(first) = seen.get(offer.id.text.as_str()) {
            c.diagnostics.push(
                Diagnostic::error(
                    "duplicate-id",
                    format!("offer id `{}` is used twice", offer.id.text),
                )
                .at(offer.id.span)
                .with_help(format!(
                    "the first is at {}; every offer needs its own id",
                    sources.location(*first)
                )),
            );
            continue;
        }
        seen.insert(&offer.id.text, offer.id.span);
        if let Some((code, declared)) = currency {
            c.one_currency(offer, code, declared);
        }
        if let Some(model) = c.offer(offer, &channels, zone, &schema) {
            offers.push(model);
        }
    }
    if offers.len() > MAX_OFFERS {
        c.diagnostics.push(Diagnostic::error(
            "too-large",
            format!(
                "the rule set has {} offers; at most {MAX_OFFERS} are allowed",
                offers.len()
            ),
        ));
    }
    let model = Model {
        zone,
        zone_name,
        channels,
        currency: currency.map(|(code, _)| code),
        schema,
        offers,
    };
    if c.diagnostics.iter().any(Diagnostic::is_error) {
        return (None, c.diagnostics);
    }
    c.diagnostics.extend(lint(&model, at));
    (Some(model), c.diagnostics)
}

struct Checker<'a> {
    sources: &'a Sources,
    diagnostics: Vec<Diagnostic>,
}

fn declarations(files: &[ast::File]) -> impl Iterator<Item = &Declaration> {
    files.iter().flat_map(|f| &f.declarations)
}

impl Checker<'_> {
    fn error(&mut self, kind: &'static str, message: String, span: Span) -> &mut Diagnostic {
        self.diagnostics
            .push(Diagnostic::error(kind, message).at(span));
        let last = self.diagnostics.len() - 1;
        &mut self.diagnostics[last]
    }

    fn twice(&mut self, what: &str, span: Span, first: Span) {
        let help = format!(
            "it is first declared at {}; a rule set declares it once",
            self.sources.location(first)
        );
        let d = self.error(
            "duplicate-declaration",
            format!("`{what}` is declared twice in this rule set"),
            span,
        );
        d.help = Some(help);
    }

    fn timezone(&mut self, files: &[ast::File]) -> (Tz, String) {
        let mut found: Option<(Tz, String, Span)> = None;
        for d in declarations(files) {
            let Declaration::Timezone { name, span } = d else {
                continue;
            };
            if let Some((_, _, first)) = &found {
                let first = *first;
                self.twice("timezone", *span, first);
                continue;
            }
            match zone(&name.value) {
                Ok(tz) => found = Some((tz, name.value.clone(), *span)),
                Err(message) => {
                    self.error("unknown-zone", message, name.span);
                }
            }
        }
        match found {
            Some((tz, name, _)) => (tz, name),
            None => (Tz::UTC, String::from("UTC")),
        }
    }

    fn channels(&mut self, files: &[ast::File]) -> Vec<String> {
        let mut first_decl: Option<Span> = None;
        let mut channels: Vec<String> = Vec::new();
        for d in declarations(files) {
            let Declaration::Channels { names, span } = d else {
                continue;
            };
            if let Some(first) = first_decl {
                self.twice("channels", *span, first);
                continue;
            }
            first_decl = Some(*span);
            for name in names {
                if name.text == "all" {
                    self.error(
                        "bad-channel",
                        String::from(
                            "a channel cannot be named `all`: `honor all` means every channel",
                        ),
                        name.span,
                    );
                } else if channels.contains(&name.text) {
                    self.error(
                        "bad-channel",
                        format!("channel `{}` is listed twice", name.text),
                        name.span,
                    );
                } else {
                    channels.push(name.text.clone());
                }
            }
            if channels.len() > MAX_CHANNELS {
                self.error(
                    "too-large",
                    format!(
                        "{} channels are declared; at most {MAX_CHANNELS} are allowed",
                        channels.len()
                    ),
                    *span,
                );
                channels.truncate(MAX_CHANNELS);
            }
        }
        if first_decl.is_none() {
            channels = DEFAULT_CHANNELS.iter().map(|c| c.to_string()).collect();
        }
        channels
    }

    fn currency(&mut self, files: &[ast::File]) -> Option<(Currency, Span)> {
        let mut found: Option<(Currency, Span)> = None;
        for d in declarations(files) {
            let Declaration::Currency { code, span, .. } = d else {
                continue;
            };
            match found {
                Some((_, first)) => self.twice("currency", *span, first),
                None => found = Some((*code, *span)),
            }
        }
        found
    }

    /// With `currency` declared, every amount an offer writes is in that currency.
    fn one_currency(&mut self, offer: &ast::Offer, code: Currency, declared: Span) {
        let mut amounts: Vec<(&'static str, Money, Span)> = Vec::new();
        for clause in &offer.clauses {
            match &clause.kind {
                ClauseKind::Benefit(Benefit::Price(m) | Benefit::Off(m)) => {
                    amounts.push(("benefit", m.value, m.span))
                }
                ClauseKind::Benefit(Benefit::Percent { cap: Some(m), .. }) => {
                    amounts.push(("cap", m.value, m.span))
                }
                ClauseKind::On { fee: Some(m), .. } => amounts.push(("fee", m.value, m.span)),
                ClauseKind::When { expr, .. } => money_in(expr, &mut amounts),
                _ => {}
            }
        }
        let where_declared = self.sources.location(declared);
        for (place, money, span) in amounts {
            if money.currency == code {
                continue;
            }
            let message = format!(
                "the {place} of offer `{}` is `{money}`, but the rule set's currency is {}",
                offer.id.text,
                code.code()
            );
            let shown = money.to_string();
            let amount = shown.rsplit_once(' ').map_or(shown.as_str(), |(a, _)| a);
            let help = format!(
                "write it in {0}, like `{amount} {0}`: `currency {0}` is declared at {where_declared}",
                code.code(),
            );
            self.error("other-currency", message, span).help = Some(help);
        }
    }

    fn schema(&mut self, files: &[ast::File]) -> Schema {
        let mut schema = Schema::default();
        for d in declarations(files) {
            let Declaration::Context { fields, .. } = d else {
                continue;
            };
            for field in fields {
                match schema.declare(&field.path.text, field.ty.clone(), field.path.span) {
                    Ok(()) => {}
                    Err(schema::Conflict::Type(first)) => {
                        let where_first = match first.span {
                            Some(s) => format!("at {}", self.sources.location(s)),
                            None => String::from("by honor itself"),
                        };
                        let message = format!(
                            "`{}` is declared as {} here and as {} {where_first}",
                            field.path.text, field.ty, first.ty
                        );
                        self.error("schema-conflict", message, field.ty_span);
                    }
                    Err(schema::Conflict::Nesting(other)) => {
                        let message = format!(
                            "`{}` and `{}` cannot both be fields: one would be a map holding the other",
                            field.path.text, other.path
                        );
                        self.error("schema-conflict", message, field.path.span);
                    }
                }
            }
        }
        schema
    }

    fn channel_index(&mut self, name: &ast::Name, channels: &[String]) -> Option<usize> {
        let found = channels.iter().position(|c| *c == name.text);
        if found.is_none() {
            let mut message = format!(
                "unknown channel `{}`; the channels are {}",
                name.text,
                channels.join(", ")
            );
            if name.text == "all" {
                message =
                    String::from("`all` stands alone: write `honor all`, or list the channels");
            }
            let hint = did_you_mean(&name.text, channels.iter().map(String::as_str));
            let d = self.error("unknown-channel", message, name.span);
            if let Some(close) = hint {
                d.help = Some(format!("did you mean `{close}`?"));
            }
        }
        found
    }

    fn offer(
        &mut self,
        offer: &ast::Offer,
        channels: &[String],
        tz: Tz,
        schema: &Schema,
    ) -> Option<OfferModel> {
        let errors_before = self.diagnostics.iter().filter(|d| d.is_error()).count();
        let id = &offer.id.text;
        let mut model = OfferModel {
            id: id.clone(),
            span: offer.id.span,
            title: String::new(),
            announce: Vec::new(),
            honored_on: (0..channels.len()).collect(),
            honor_span: None,
            elsewhere: None,
            window: None,
            code: None,
            proofs: Vec::new(),
            whens: Vec::new(),
            benefit: None,
            limit: None,
            budget: None,
            priority: 0,
            stackable: false,
            exclusive: false,
            note: None,
            on: Vec::new(),
            listed: Vec::new(),
        };
        let mut seen: HashMap<&'static str, Span> = HashMap::new();
        let mut has_title = false;
        let mut stackable_span = None;
        let mut announce_names: Vec<ast::Name> = Vec::new();
        for clause in &offer.clauses {
            let keyword = clause.kind.keyword();
            if !matches!(
                clause.kind,
                ClauseKind::When { .. } | ClauseKind::On { .. } | ClauseKind::Proof(_)
            ) {
                if let Some(first) = seen.get(keyword) {
                    let help = format!("the first is at {}", self.sources.location(*first));
                    let d = self.error(
                        "repeated-clause",
                        format!("`{keyword}` appears twice in offer `{id}`"),
                        clause.span,
                    );
                    d.help = Some(help);
                    continue;
                }
                seen.insert(keyword, clause.span);
            }
            match &clause.kind {
                ClauseKind::Title(t) => {
                    has_title = true;
                    model.title = t.value.clone();
                }
                ClauseKind::Announce(names) => announce_names = names.clone(),
                ClauseKind::Honor(names) => {
                    model.honor_span = Some(clause.span);
                    if let Some(names) = names {
                        let mut set = Vec::new();
                        for name in names {
                            if let Some(i) = self.channel_index(name, channels) {
                                set.push(i);
                            }
                        }
                        set.sort_unstable();
                        set.dedup();
                        model.honored_on = set;
                    }
                }
                ClauseKind::Elsewhere(s) => model.elsewhere = Some(s.value.clone()),
                ClauseKind::Valid(w) => {
                    model.window = self.window(w, clause.span, id, tz);
                    model.listed.push(ClauseRef::Valid);
                }
                ClauseKind::Code(s) => {
                    if s.value.trim().is_empty() {
                        self.error("bad-code", String::from("the code is empty"), s.span);
                    }
                    model.code = Some(s.clone());
                    model.listed.push(ClauseRef::Code);
                }
                ClauseKind::Proof(s) => {
                    if s.value.trim().is_empty() {
                        self.error("bad-code", String::from("the proof is empty"), s.span)
                            .help = Some(String::from(
                            "name the evidence the agent must see, like `proof \"student ID\"`",
                        ));
                    }
                    model.listed.push(ClauseRef::Proof(model.proofs.len()));
                    model.proofs.push(s.clone());
                }
                ClauseKind::When { label, expr } => {
                    let resolved = types::check_condition(expr, schema)
                        .and_then(|()| condition::resolve(expr, schema));
                    match resolved {
                        Ok(cond) => {
                            model.listed.push(ClauseRef::When(model.whens.len()));
                            model.whens.push(When {
                                label: label.as_ref().map(|l| l.value.clone()),
                                expr: expr.clone(),
                                cond,
                            });
                        }
                        Err(d) => self.diagnostics.push(d),
                    }
                }
                ClauseKind::Benefit(b) => {
                    model.benefit = Some(b.clone());
                    model.listed.push(ClauseRef::Benefit);
                }
                ClauseKind::Limit(n) => {
                    model.limit = Some(n.clone());
                    model.listed.push(ClauseRef::Limit);
                }
                ClauseKind::Budget(n) => {
                    model.budget = Some(n.clone());
                    model.listed.push(ClauseRef::Budget);
                }
                ClauseKind::Priority(n) => model.priority = n.value,
                ClauseKind::Stackable => {
                    model.stackable = true;
                    stackable_span = Some(clause.span);
                }
                ClauseKind::Exclusive => model.exclusive = true,
                ClauseKind::Note(s) => model.note = Some(s.value.clone()),
                ClauseKind::On { channel, note, fee } => {
                    let Some(index) = self.channel_index(channel, channels) else {
                        continue;
                    };
                    if model.on.iter().any(|o| o.channel == index) {
                        self.error(
                            "repeated-clause",
                            format!("`on {}` appears twice in offer `{id}`", channel.text),
                            clause.span,
                        );
                        continue;
                    }
                    model.on.push(OnChannel {
                        channel: index,
                        note: note.as_ref().map(|n| n.value.clone()),
                        fee: fee.as_ref().map(|f| f.value),
                        span: clause.span,
                    });
                }
            }
        }
        if !has_title && !offer.incomplete {
            self.error(
                "missing-title",
                format!("offer `{id}` has no `title`"),
                offer.id.span,
            )
            .help = Some(String::from(
                "add a line like `title \"Free phone upgrade\"`: agents and customers see it",
            ));
        }
        if model.exclusive && model.stackable {
            self.error(
                "exclusive-stackable",
                format!("offer `{id}` cannot be both `exclusive` and `stackable`"),
                stackable_span.unwrap_or(offer.id.span),
            )
            .help = Some(String::from(
                "`exclusive` means it is never combined with other offers; `stackable` means it is always added to them",
            ));
        }
        for name in &announce_names {
            if let Some(ch) = channels.iter().position(|c| *c == name.text)
                && !model.honored_on.contains(&ch)
            {
                self.error(
                    "announced-not-honored",
                    format!(
                        "offer `{id}` is announced on {0} but not honored on {0}",
                        name.text
                    ),
                    name.span,
                )
                .help = Some(format!(
                    "add {} to its `honor` list, or do not announce it there",
                    name.text
                ));
            }
        }
        model.announce = announce_names;
        let errors_after = self.diagnostics.iter().filter(|d| d.is_error()).count();
        (errors_after == errors_before && !offer.incomplete).then_some(model)
    }

    fn window(&mut self, w: &ast::Window, span: Span, id: &str, tz: Tz) -> Option<WindowModel> {
        let instant = |m: &Moment, is_end: bool| match (m.time, is_end) {
            (Some((h, mi)), _) => {
                local_instant(tz, m.date.and_hms_opt(h, mi, 0).unwrap_or_default())
            }
            (None, false) => start_of_day(tz, m.date),
            // a date end means the end of that day: 00:00 of the next
            (None, true) => start_of_day(tz, m.date.succ_opt().unwrap_or(m.date)),
        };
        let start = w.start.as_ref().map(|m| (m.clone(), instant(m, false)));
        let end = w.end.as_ref().map(|m| (m.clone(), instant(m, true)));
        if let (Some((s, a)), Some((e, b))) = (&start, &end)
            && b <= a
        {
            let message = if b == a {
                format!("the window of offer `{id}` is empty: it ends at {e} when it starts")
            } else {
                format!("the window of offer `{id}` ends ({e}) before it starts ({s})")
            };
            self.error("empty-window", message, e.span);
            return None;
        }
        Some(WindowModel { start, end, span })
    }
}

/// The money literals of a condition, with their places.
fn money_in(expr: &ast::Expr, found: &mut Vec<(&'static str, Money, Span)>) {
    use ast::ExprKind;
    match &expr.kind {
        ExprKind::Literal(ast::Literal::Money(m)) => found.push(("condition", *m, expr.span)),
        ExprKind::Literal(_) | ExprKind::Path(_) => {}
        ExprKind::List(items) | ExprKind::And(items) | ExprKind::Or(items) => {
            for item in items {
                money_in(item, found);
            }
        }
        ExprKind::Call { arg, .. } => money_in(arg, found),
        ExprKind::Not(inner) => money_in(inner, found),
        ExprKind::Compare { lhs, rhs, .. } | ExprKind::In { lhs, rhs, .. } => {
            money_in(lhs, found);
            money_in(rhs, found);
        }
    }
}
