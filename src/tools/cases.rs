//! Case files (`*.test.yaml`, README.md, "Testing rule changes in CI"): customers with the answers marketing expects
//! for them, read and checked against the rule set.

use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::engine::decision::Status;
use crate::engine::ruleset::RuleSet;
use crate::escape::excerpt;
use crate::files;
use crate::input::context::Context;
use crate::input::document::{Doc, Format, Step};
use crate::language::diagnostic::did_you_mean;
use crate::value::money::Money;
use crate::value::time::parse_instant;

/// A case file, checked.
#[derive(Debug)]
pub struct CaseFile {
    pub path: PathBuf,
    pub shown: String,
    pub text: String,
    pub cases: Vec<Case>,
    /// Context fields that look like typos of schema fields: shown, never failing a case.
    pub warnings: Vec<CaseError>,
}

impl CaseFile {
    /// The line a case starts on, found when a failure is reported (finding it means reading
    /// the file again).
    pub fn line_of(&self, case: &Case) -> Option<usize> {
        crate::input::read::locate(&self.text, &[key("cases"), Step::Index(case.index)])
            .map(|(l, _)| l)
    }
}

#[derive(Debug)]
pub struct Case {
    pub name: String,
    /// Its place in the file's `cases`.
    pub index: usize,
    pub context: Context,
    /// The channels to run on, as indices; `all_channels` when the case said `all`.
    pub channels: Vec<usize>,
    pub all_channels: bool,
    pub at: DateTime<Utc>,
    pub expect: Vec<Expect>,
    /// `Some(None)` expects no quote (no price), `Some(Some(final))` a final price.
    pub quote: Option<Option<String>>,
}

/// What one offer should come to; each part is checked only when given.
#[derive(Debug)]
pub struct Expect {
    pub offer: usize,
    pub status: Option<Status>,
    pub price: Option<Option<String>>,
    pub missing: Option<Vec<String>>,
    /// The decision's `needs`, as written (numbers compare by value).
    pub needs: Option<Doc>,
    /// `Some(None)` expects no instant.
    pub eligible_from: Option<Option<DateTime<Utc>>>,
}

/// Something wrong with a case file, at a line when it is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseError {
    pub line: Option<usize>,
    pub message: String,
}

const FILE_KEYS: [&str; 2] = ["at", "cases"];
const CASE_KEYS: [&str; 6] = ["name", "context", "channel", "at", "expect", "ledger"];
const EXPECT_KEYS: [&str; 5] = ["status", "price", "missing", "needs", "eligible_from"];
const STATUS_WORDS: [&str; 4] = ["eligible", "ineligible", "unknown", "not_honored"];

/// Reads and checks a case file; every problem found is returned, with its line.
/// Context files a case names must lie inside `folder`, the rule set's folder.
pub fn load(
    path: &Path,
    shown: &str,
    rules: &RuleSet,
    folder: &Path,
) -> Result<CaseFile, Vec<CaseError>> {
    let text = files::read_text(path, files::MAX_CASE_FILE).map_err(|e| {
        vec![CaseError {
            line: None,
            message: e.to_string(),
        }]
    })?;
    let doc = Doc::parse(&text, Some(Format::Yaml)).map_err(|e| {
        vec![CaseError {
            line: e.line,
            message: e.message,
        }]
    })?;
    let mut reader = Reader {
        text: &text,
        dir: path.parent().unwrap_or(Path::new(".")),
        folder,
        rules,
        errors: Vec::new(),
        warnings: Vec::new(),
    };
    let cases = reader.file(&doc);
    let warnings = std::mem::take(&mut reader.warnings);
    if reader.errors.is_empty() {
        Ok(CaseFile {
            path: path.to_path_buf(),
            shown: shown.to_string(),
            text,
            cases,
            warnings,
        })
    } else {
        Err(reader.errors)
    }
}

struct Reader<'a> {
    text: &'a str,
    dir: &'a Path,
    folder: &'a Path,
    rules: &'a RuleSet,
    errors: Vec<CaseError>,
    warnings: Vec<CaseError>,
}

fn key(k: &str) -> Step {
    Step::Key(k.to_string())
}

impl Reader<'_> {
    fn error(&mut self, at: &[Step], message: String) {
        // Each place is found by reading the file again: past a few dozen, lines are left out.
        let line = if self.errors.len() < 50 {
            crate::input::read::locate(self.text, at).map(|(l, _)| l)
        } else {
            None
        };
        self.errors.push(CaseError { line, message });
    }

    fn unknown_keys(&mut self, doc: &Doc, allowed: &[&str], at: &[Step], what: &str) {
        let Doc::Map(entries) = doc else { return };
        for (k, _) in entries {
            if !allowed.contains(&k.as_str()) {
                let hint = did_you_mean(k, allowed.iter().copied())
                    .map(|c| format!(" (did you mean `{c}`?)"))
                    .unwrap_or_default();
                let mut path = at.to_vec();
                path.push(key(k));
                self.error(
                    &path,
                    format!(
                        "unknown key `{}` in {what}{hint}; the keys are {}",
                        excerpt(k),
                        allowed.join(", ")
                    ),
                );
            }
        }
    }

    fn instant(&mut self, doc: Option<&Doc>, at: &[Step]) -> Option<DateTime<Utc>> {
        let doc = doc?;
        match doc.as_str().and_then(parse_instant) {
            Some(t) => Some(t),
            None => {
                self.error(
                    at,
                    format!(
                        "`at` should be an RFC 3339 instant like 2016-05-10T10:00:00-05:00, found {}",
                        doc.describe()
                    ),
                );
                None
            }
        }
    }

    fn file(&mut self, doc: &Doc) -> Vec<Case> {
        if !matches!(doc, Doc::Map(_)) {
            self.error(
                &[],
                String::from("a case file is a map with `at` and `cases`"),
            );
            return Vec::new();
        }
        self.unknown_keys(doc, &FILE_KEYS, &[], "the case file");
        let file_at = self.instant(doc.get("at"), &[key("at")]);
        let file_has_at = doc.get("at").is_some();
        let Some(Doc::List(items)) = doc.get("cases") else {
            self.error(
                &[],
                String::from("a case file needs `cases:`, a list of cases"),
            );
            return Vec::new();
        };
        if items.is_empty() {
            self.error(
                &[key("cases")],
                String::from("`cases` is empty: a case file holds at least one case"),
            );
            return Vec::new();
        }
        let mut names: Vec<String> = Vec::new();
        let mut cases = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let at = [key("cases"), Step::Index(i)];
            if let Some(case) = self.case(item, &at, file_at, file_has_at) {
                if names.contains(&case.name) {
                    self.error(
                        &at,
                        format!(
                            "two cases are named `{}`; give each case its own name",
                            excerpt(&case.name)
                        ),
                    );
                }
                names.push(case.name.clone());
                cases.push(case);
            }
        }
        cases
    }

    fn case(
        &mut self,
        doc: &Doc,
        at: &[Step],
        file_at: Option<DateTime<Utc>>,
        file_has_at: bool,
    ) -> Option<Case> {
        if !matches!(doc, Doc::Map(_)) {
            self.error(
                at,
                format!(
                    "a case is a map with `name`, `context` and `expect`, found {}",
                    doc.describe()
                ),
            );
            return None;
        }
        let errors_before = self.errors.len();
        self.unknown_keys(doc, &CASE_KEYS, at, "a case");
        let path = |k: &str| {
            let mut p = at.to_vec();
            p.push(key(k));
            p
        };
        let name = match doc.get("name") {
            Some(Doc::Text(n)) if !n.trim().is_empty() && !n.contains('\n') => n.clone(),
            _ => {
                self.error(at, String::from("a case needs a `name`: one line of text"));
                String::new()
            }
        };
        let index = match at.last() {
            Some(Step::Index(i)) => *i,
            _ => 0,
        };
        let case_at = match doc.get("at") {
            Some(d) => self.instant(Some(d), &path("at")),
            None => file_at,
        };
        if doc.get("at").is_none() && !file_has_at {
            self.error(
                at,
                format!("case `{}` has no instant: give the file or the case an `at:` so that it decides the same every day", excerpt(&name)),
            );
        }
        let channels = self.channels(doc.get("channel"), &path("channel"));
        let mut context = self.context(doc.get("context"), &path("context"));
        if let (Some(ctx), Some(ledger)) = (&mut context, doc.get("ledger"))
            && let Some(used) = self.ledger(ledger, &path("ledger"))
        {
            ctx.set_budget_use(used);
        }
        let (expect, quote) = self.expect(doc.get("expect"), &path("expect"));
        if self.errors.len() > errors_before {
            return None;
        }
        let (channels, all_channels) = channels?;
        Some(Case {
            name,
            index,
            context: context?,
            channels,
            all_channels,
            at: case_at?,
            expect,
            quote,
        })
    }

    fn channels(&mut self, doc: Option<&Doc>, at: &[Step]) -> Option<(Vec<usize>, bool)> {
        let all = (0..self.rules.model.channels.len()).collect();
        let names: Vec<&Doc> = match doc {
            None => return Some((all, true)),
            Some(Doc::Text(t)) if t == "all" => return Some((all, true)),
            Some(d @ Doc::Text(_)) => vec![d],
            Some(Doc::List(items)) if items.is_empty() => {
                self.error(
                    at,
                    String::from(
                        "`channel` is an empty list, so the case would run nowhere: name a channel, or leave `channel` out for all",
                    ),
                );
                return None;
            }
            Some(Doc::List(items)) => items.iter().collect(),
            Some(other) => {
                self.error(
                    at,
                    format!(
                        "`channel` should be `all`, a channel or a list of channels, found {}",
                        other.describe()
                    ),
                );
                return None;
            }
        };
        let mut found = Vec::new();
        for name in names {
            match name.as_str().map(|n| self.rules.channel(n)) {
                Some(Ok(c)) => found.push(c),
                Some(Err(message)) => self.error(at, message),
                None => self.error(
                    at,
                    format!("a channel is a name, found {}", name.describe()),
                ),
            }
        }
        Some((found, false))
    }

    fn context(&mut self, doc: Option<&Doc>, at: &[Step]) -> Option<Context> {
        let schema = &self.rules.model.schema;
        let owned;
        let mut from_file = None;
        let doc = match doc {
            None => return Some(Context::empty(schema)),
            // A string names a context file, relative to the case file.
            Some(Doc::Text(file)) => {
                let shown = excerpt(file);
                let text = match self.context_file(file) {
                    Ok(t) => t,
                    Err(why) => {
                        self.error(at, format!("the context file `{shown}`: {why}"));
                        return None;
                    }
                };
                owned = match Doc::parse(&text, Format::of_path(Path::new(file))) {
                    Ok(d) => d,
                    Err(e) => {
                        self.error(at, format!("the context file `{shown}`: {e}"));
                        return None;
                    }
                };
                from_file = Some(file);
                &owned
            }
            Some(d) => d,
        };
        match Context::from_doc(doc, schema) {
            Ok(c) => {
                for miss in Context::near_misses(doc, schema) {
                    let (place, message) = match from_file {
                        Some(file) => (at.to_vec(), format!("the context file `{file}`: {miss}")),
                        None => {
                            let mut place = at.to_vec();
                            place.extend(miss.found.split('.').map(key));
                            (place, miss.to_string())
                        }
                    };
                    let line = crate::input::read::locate(self.text, &place)
                        .or_else(|| crate::input::read::locate(self.text, at))
                        .map(|(l, _)| l);
                    self.warnings.push(CaseError { line, message });
                }
                Some(c)
            }
            Err(e) => {
                let mut path = at.to_vec();
                if matches!(doc, Doc::Map(_)) {
                    path.extend(
                        e.path
                            .split('.')
                            .map(|p| key(p.split('[').next().unwrap_or(p))),
                    );
                }
                let line_known = crate::input::read::locate(self.text, &path).is_some();
                self.error(if line_known { &path } else { at }, e.to_string());
                None
            }
        }
    }

    /// The text of a context file named in a case: a relative path that stays inside the
    /// rule set's folder once links are resolved, so that a case file cannot have honor read
    /// (and print in an error) a file from elsewhere, such as a key or a CI secret.
    fn context_file(&self, file: &str) -> Result<String, String> {
        let named = Path::new(file);
        let outside = || {
            format!(
                "context files must lie inside the rule set's folder `{}`; give a path relative to the case file",
                excerpt(&self.folder.display().to_string())
            )
        };
        if named.is_absolute() || file.starts_with('~') {
            return Err(outside());
        }
        let path = self.dir.join(named);
        let real = path
            .canonicalize()
            .map_err(|e| format!("cannot read this file: {}", files::io_words(&e)))?;
        let folder = self
            .folder
            .canonicalize()
            .map_err(|e| format!("cannot read the rule set's folder: {}", files::io_words(&e)))?;
        if !real.starts_with(&folder) {
            return Err(outside());
        }
        files::read_text(&real, files::MAX_CONTEXT).map_err(|e| e.to_string())
    }

    fn expect(&mut self, doc: Option<&Doc>, at: &[Step]) -> (Vec<Expect>, Option<Option<String>>) {
        let mut expects = Vec::new();
        let mut quote = None;
        let entries = match doc {
            None | Some(Doc::Null) => return (expects, quote),
            Some(Doc::Map(entries)) => entries,
            Some(other) => {
                self.error(
                    at,
                    format!(
                        "`expect` should map offer ids to statuses, found {}",
                        other.describe()
                    ),
                );
                return (expects, quote);
            }
        };
        for (k, v) in entries {
            let mut path = at.to_vec();
            path.push(key(k));
            if k == "quote" {
                quote = Some(match v {
                    Doc::Null => None,
                    other => self.money(other, &path, "the quote's final price"),
                });
                continue;
            }
            let offer = match self.rules.offer_index(k) {
                Ok(i) => i,
                Err(message) => {
                    self.error(
                        &path,
                        format!(
                            "{message}; `expect` names offer ids, and `quote` for the final price"
                        ),
                    );
                    continue;
                }
            };
            let mut expect = Expect {
                offer,
                status: None,
                price: None,
                missing: None,
                needs: None,
                eligible_from: None,
            };
            match v {
                Doc::Text(_) => expect.status = self.status(v, &path),
                Doc::Map(_) => {
                    self.unknown_keys(v, &EXPECT_KEYS, &path, "an offer's expectation");
                    let sub = |name: &str| {
                        let mut p = path.clone();
                        p.push(key(name));
                        p
                    };
                    if let Some(s) = v.get("status") {
                        expect.status = self.status(s, &sub("status"));
                    }
                    match v.get("price") {
                        None => {}
                        Some(Doc::Null) => expect.price = Some(None),
                        Some(p) => expect.price = Some(self.money(p, &sub("price"), "the offer's price")),
                    }
                    expect.needs = v.get("needs").cloned();
                    match v.get("eligible_from") {
                        None => {}
                        Some(Doc::Null) => expect.eligible_from = Some(None),
                        Some(d) => {
                            expect.eligible_from =
                                self.instant(Some(d), &sub("eligible_from")).map(Some)
                        }
                    }
                    match v.get("missing") {
                        None => {}
                        Some(Doc::List(items)) if items.iter().all(|i| matches!(i, Doc::Text(_))) => {
                            let mut paths: Vec<String> = items.iter().filter_map(|i| i.as_str().map(String::from)).collect();
                            paths.sort();
                            paths.dedup();
                            expect.missing = Some(paths);
                        }
                        Some(other) => self.error(
                            &sub("missing"),
                            format!("`missing` should be a list of field paths, found {}", other.describe()),
                        ),
                    }
                }
                other => self.error(
                    &path,
                    format!(
                        "expected a status ({}) or a map of `status`, `price` and `missing`, found {}",
                        STATUS_WORDS.join(", "),
                        other.describe()
                    ),
                ),
            }
            expects.push(expect);
        }
        (expects, quote)
    }

    /// `ledger: {offer_id: used}`: the redemptions a ledger would count for `budget` clauses.
    fn ledger(&mut self, doc: &Doc, at: &[Step]) -> Option<BTreeMap<String, u64>> {
        let Doc::Map(entries) = doc else {
            self.error(
                at,
                format!(
                    "`ledger` should map offer ids to the redemptions counted, found {}",
                    doc.describe()
                ),
            );
            return None;
        };
        let mut used = BTreeMap::new();
        for (offer, count) in entries {
            let mut path = at.to_vec();
            path.push(key(offer));
            if let Err(message) = self.rules.offer_index(offer) {
                self.error(&path, message);
                continue;
            }
            match count {
                Doc::Number(n) if n.parse::<u64>().is_ok() => {
                    used.insert(offer.clone(), n.parse().unwrap_or(0));
                }
                other => self.error(
                    &path,
                    format!(
                        "the redemptions counted should be a whole number, found {}",
                        other.describe()
                    ),
                ),
            }
        }
        Some(used)
    }

    fn status(&mut self, doc: &Doc, at: &[Step]) -> Option<Status> {
        let word = doc.as_str().unwrap_or_default();
        let status = match word {
            "eligible" => Status::Eligible,
            "ineligible" => Status::Ineligible,
            "unknown" => Status::Unknown,
            "not_honored" => Status::NotHonored,
            _ => {
                let hint = did_you_mean(word, STATUS_WORDS)
                    .map(|c| format!(" (did you mean `{c}`?)"))
                    .unwrap_or_default();
                self.error(
                    at,
                    format!(
                        "unknown status {}{hint}; a status is one of {}",
                        doc.describe(),
                        STATUS_WORDS.join(", ")
                    ),
                );
                return None;
            }
        };
        Some(status)
    }

    /// A money value written in a case, in the form decisions print it (`0 USD` is `0.00 USD`).
    fn money(&mut self, doc: &Doc, at: &[Step], what: &str) -> Option<String> {
        match doc.as_str().map(Money::parse) {
            Some(Ok(m)) => Some(m.to_string()),
            Some(Err(e)) => {
                self.error(
                    at,
                    format!("{what} should be money like \"130.00 USD\": {e}"),
                );
                None
            }
            None => {
                self.error(
                    at,
                    format!(
                        "{what} should be money like \"130.00 USD\", found {}",
                        doc.describe()
                    ),
                );
                None
            }
        }
    }
}
