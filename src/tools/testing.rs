//! `honor test`: runs case files against the rule set, and with snapshots compares every
//! case's full decision with the one stored beside its case file.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::engine::decision::{Decision, OfferDecision, Status};
use crate::engine::ruleset::RuleSet;
use crate::escape::{bounded_message, excerpt};
use crate::files::{self, FileError};
use crate::input::document::Doc;
use crate::render;
use crate::tools::cases::{Case, CaseFile};
use crate::tools::line_diff;
use crate::value::time::format_instant;

#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Run only cases whose name contains this.
    pub case: Option<String>,
    /// Run only on this channel.
    pub channel: Option<usize>,
    pub snapshot: bool,
    pub update: bool,
    /// Show each snapshot difference in full, not only its summary.
    pub verbose: bool,
}

/// One case on one channel.
#[derive(Debug)]
pub struct Run {
    pub channel: String,
    /// The expectations that do not hold, each with its explanation.
    pub problems: Vec<String>,
    /// Whether the decision differs from its snapshot (said in the case's `drift`).
    pub drifted: bool,
}

impl Run {
    pub fn passed(&self) -> bool {
        self.problems.is_empty() && !self.drifted
    }
}

/// A case's runs, reported as soon as the case is done: nothing of it is kept after.
#[derive(Debug)]
pub struct CaseReport {
    pub file: String,
    /// The line the case starts on, looked up only when a run failed.
    pub line: Option<usize>,
    pub case: String,
    pub runs: Vec<Run>,
    /// How the decisions differ from the snapshot, one line per offer and change, with the
    /// channels it holds for: `free_upgrade on web, store: title "A" → "B"`.
    pub drift: Vec<String>,
    /// With `--verbose`: each channel's full line difference.
    pub diffs: Vec<(String, String)>,
}

/// What a run reports, in the order it happens.
#[derive(Debug)]
pub enum Event {
    Case(CaseReport),
    /// Something wrong with a file as a whole (a snapshot that cannot be read, a snapshot
    /// case the file no longer has); it counts as a failure.
    FileProblem {
        file: String,
        message: String,
    },
    /// A snapshot rewritten by `--update`: `file: case [channel]`.
    Updated(String),
    /// Every case of the file has been reported.
    FileDone {
        file: String,
    },
}

/// Why a run stopped: a snapshot could not be written, or the report could not.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("{0}")]
    Snapshot(FileError),
    #[error("{0}")]
    Output(#[from] std::io::Error),
}

/// Counts for the closing line.
#[derive(Debug, Default, Clone, Copy)]
pub struct Totals {
    pub passed: usize,
    pub failed: usize,
    /// Cases the filters selected, whether they passed or not.
    pub selected: usize,
}

/// One case's decisions as stored in a snapshot file.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
struct Snapshot {
    name: String,
    at: String,
    /// By channel, in the rule set's order, without the rule set's fingerprint.
    decisions: serde_json::Map<String, Value>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    parity: Option<Value>,
}

#[derive(Serialize, Deserialize, Default)]
struct SnapshotFile {
    #[serde(rename = "case file")]
    case_file: String,
    cases: Vec<Snapshot>,
}

/// `winter.test.yaml` → `winter.snap.json`, beside it.
pub fn snapshot_path(case_file: &Path) -> PathBuf {
    let name = case_file
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("cases");
    let stem = name.strip_suffix(".test.yaml").unwrap_or(name);
    case_file.with_file_name(format!("{stem}.snap.json"))
}

/// Runs the selected cases of one file, handing each case's report to `report` as soon as
/// it is done; with `--update` the snapshot file is rewritten at the end.
pub fn run_file(
    rules: &RuleSet,
    file: &CaseFile,
    opts: &Options,
    totals: &mut Totals,
    report: &mut dyn FnMut(Event) -> std::io::Result<()>,
) -> Result<(), RunError> {
    let snap_path = snapshot_path(&file.path);
    let shown_snap = snap_path.display().to_string();
    let problem = |totals: &mut Totals,
                   report: &mut dyn FnMut(Event) -> std::io::Result<()>,
                   message: String| {
        totals.failed += 1;
        report(Event::FileProblem {
            file: file.shown.clone(),
            message,
        })
    };
    // `None` when there is no snapshot to compare with (none yet, or not asked for).
    let stored: Option<SnapshotFile> = if opts.snapshot {
        let exists = std::fs::symlink_metadata(&snap_path).is_ok();
        match files::read_text(&snap_path, files::MAX_SNAPSHOT) {
            Ok(text) => match serde_json::from_str(&text) {
                Ok(s) => Some(s),
                Err(e) => {
                    problem(
                        totals,
                        report,
                        format!(
                            "the snapshot file `{shown_snap}` cannot be read ({}); `honor test --snapshot --update` writes it anew",
                            bounded_message(&e.to_string())
                        ),
                    )?;
                    None
                }
            },
            Err(_) if !exists => {
                if !opts.update {
                    problem(
                        totals,
                        report,
                        format!(
                            "there is no snapshot file `{shown_snap}`; `honor test --snapshot --update` records it"
                        ),
                    )?;
                }
                None
            }
            // Never replace what could not be read.
            Err(e) if opts.update => return Err(RunError::Snapshot(e)),
            Err(e) => {
                problem(
                    totals,
                    report,
                    format!(
                        "the snapshot file `{shown_snap}` cannot be read: {e}; remove it, and `honor test --snapshot --update` writes it anew"
                    ),
                )?;
                None
            }
        }
    } else {
        None
    };
    // The new snapshot, kept only when it is to be written.
    let mut fresh: Vec<Snapshot> = Vec::new();
    for case in &file.cases {
        let old = stored
            .as_ref()
            .and_then(|s| s.cases.iter().find(|c| c.name == case.name));
        let selected = opts
            .case
            .as_ref()
            .is_none_or(|c| case.name.contains(c.as_str()));
        let channels: Vec<usize> = case
            .channels
            .iter()
            .copied()
            .filter(|c| opts.channel.is_none_or(|o| o == *c))
            .collect();
        if !selected || channels.is_empty() {
            if opts.update {
                fresh.extend(old.cloned());
            }
            continue;
        }
        totals.selected += 1;
        let (case_report, snap) =
            run_case(rules, file, case, &channels, old, &stored, opts, report)?;
        for run in &case_report.runs {
            if run.passed() {
                totals.passed += 1;
            } else {
                totals.failed += 1;
            }
        }
        report(Event::Case(case_report))?;
        if opts.update {
            fresh.push(snap);
        }
    }
    if let Some(stored) = &stored {
        for gone in stored
            .cases
            .iter()
            .filter(|s| !file.cases.iter().any(|c| c.name == s.name))
        {
            if opts.update {
                report(Event::Updated(format!(
                    "{}: {} [removed]",
                    file.shown, gone.name
                )))?;
            } else {
                problem(
                    totals,
                    report,
                    format!(
                        "`{}`: the snapshot holds a case the file no longer has; `--update` removes it",
                        excerpt(&gone.name)
                    ),
                )?;
            }
        }
    }
    if opts.snapshot && opts.update {
        let content = SnapshotFile {
            case_file: file
                .path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            cases: fresh,
        };
        let mut text = serde_json::to_string_pretty(&content).unwrap_or_default();
        text.push('\n');
        let unchanged = files::read_text(&snap_path, files::MAX_SNAPSHOT)
            .ok()
            .as_deref()
            == Some(text.as_str());
        if !unchanged {
            files::write_atomic(&snap_path, text.as_bytes()).map_err(RunError::Snapshot)?;
        }
    }
    report(Event::FileDone {
        file: file.shown.clone(),
    })?;
    Ok(())
}

/// One case on its selected channels: its report, and its new snapshot entry (filled only
/// when snapshots are compared).
#[allow(clippy::too_many_arguments)]
fn run_case(
    rules: &RuleSet,
    file: &CaseFile,
    case: &Case,
    channels: &[usize],
    old: Option<&Snapshot>,
    stored: &Option<SnapshotFile>,
    opts: &Options,
    report: &mut dyn FnMut(Event) -> std::io::Result<()>,
) -> Result<(CaseReport, Snapshot), RunError> {
    let mut snap = Snapshot {
        name: case.name.clone(),
        at: format_instant(case.at),
        decisions: serde_json::Map::new(),
        parity: None,
    };
    let mut out = CaseReport {
        file: file.shown.clone(),
        line: None,
        case: case.name.clone(),
        runs: Vec::new(),
        drift: Vec::new(),
        diffs: Vec::new(),
    };
    // How each channel's decision drifted, grouped across channels at the end.
    let mut drifts: Vec<(String, Vec<(String, String)>)> = Vec::new();
    let mut parity_drift: Option<Vec<(String, String)>> = None;
    let mut parity_updated = false;
    if case.all_channels && opts.snapshot {
        let all = rules.decide_all(&case.context, case.at, None);
        let parity = serde_json::to_value(&all.parity).unwrap_or(Value::Null);
        let before = old.and_then(|o| o.parity.as_ref());
        if opts.channel.is_none() && before != Some(&parity) {
            if opts.update {
                parity_updated = true;
            } else if stored.is_some() {
                parity_drift = Some(match before {
                    Some(before) => {
                        if opts.verbose {
                            out.diffs
                                .push((String::from("parity"), full_diff(before, &parity)));
                        }
                        changes(before, &parity)
                    }
                    None => Vec::new(),
                });
            }
        }
        snap.parity = Some(match (opts.channel, before) {
            (Some(_), Some(before)) => before.clone(),
            _ => parity,
        });
    }
    for &channel in &case.channels {
        let name = rules.model.channels[channel].clone();
        if !channels.contains(&channel) {
            // Filtered out: keep what was stored.
            if let Some(v) = old.and_then(|o| o.decisions.get(&name)) {
                snap.decisions.insert(name, v.clone());
            }
            continue;
        }
        let decision = rules.decide(&case.context, channel, case.at, None);
        let mut run = Run {
            channel: name.clone(),
            problems: expectations(rules, case, &decision),
            drifted: false,
        };
        if opts.snapshot {
            let current = stored_form(&decision);
            let before = old.and_then(|o| o.decisions.get(&name));
            if before != Some(&current) {
                if opts.update {
                    report(Event::Updated(format!(
                        "{}: {} [{name}]",
                        file.shown, case.name
                    )))?;
                } else if let Some(before) = before {
                    run.drifted = true;
                    if opts.verbose {
                        out.diffs.push((name.clone(), full_diff(before, &current)));
                    }
                    drifts.push((name.clone(), changes(before, &current)));
                } else if stored.is_some() {
                    run.problems.push(String::from(
                        "this decision has no snapshot yet; `honor test --snapshot --update` records it",
                    ));
                }
            }
            snap.decisions.insert(name, current);
        }
        out.runs.push(run);
    }
    if parity_updated {
        report(Event::Updated(format!(
            "{}: {} [parity]",
            file.shown, case.name
        )))?;
    }
    out.drift = group_drift(&drifts);
    if let Some(changes) = parity_drift {
        if let Some(last) = out.runs.last_mut() {
            last.drifted = true;
        }
        if changes.is_empty() {
            out.drift.push(String::from("parity has no snapshot yet"));
        }
        out.drift.extend(
            changes
                .into_iter()
                .map(|(what, change)| format!("parity {what}: {change}")),
        );
    }
    if out.runs.iter().any(|r| !r.passed()) {
        out.line = file.line_of(case);
    }
    Ok((out, snap))
}

/// Most changes listed for one offer; the rest are counted.
const MOST_CHANGES: usize = 4;

/// What changed between two decisions, as `(offer or part, change)`, like `("free_upgrade",
/// "title \"A\" → \"B\"")`. Offers are matched by id.
fn changes(before: &Value, now: &Value) -> Vec<(String, String)> {
    let (Value::Object(b), Value::Object(n)) = (before, now) else {
        let mut all = Vec::new();
        leaf_changes("", before, now, &mut all);
        return vec![(String::from("decision"), join_changes(all))];
    };
    let mut out = Vec::new();
    for (key, after) in n {
        if key == "offers" {
            continue;
        }
        let mut found = Vec::new();
        leaf_changes("", b.get(key).unwrap_or(&Value::Null), after, &mut found);
        if !found.is_empty() {
            out.push((key.clone(), join_changes(found)));
        }
    }
    let empty = Vec::new();
    let offers = |v: Option<&Value>| v.and_then(Value::as_array).unwrap_or(&empty).clone();
    let (old_offers, new_offers) = (offers(b.get("offers")), offers(n.get("offers")));
    let id = |o: &Value| {
        o.get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    for offer in &new_offers {
        let name = id(offer);
        match old_offers.iter().find(|o| id(o) == name) {
            None => out.push((name, String::from("not in the snapshot"))),
            Some(old) => {
                let mut found = Vec::new();
                leaf_changes("", old, offer, &mut found);
                if !found.is_empty() {
                    out.push((name, join_changes(found)));
                }
            }
        }
    }
    for old in &old_offers {
        let name = id(old);
        if !new_offers.iter().any(|o| id(o) == name) {
            out.push((name, String::from("no longer decided")));
        }
    }
    out
}

/// The changed values below `path`, each as `clauses[1].detail "…" → "…"`.
fn leaf_changes(path: &str, before: &Value, now: &Value, out: &mut Vec<String>) {
    if before == now {
        return;
    }
    let below = |key: &str| {
        if path.is_empty() {
            key.to_string()
        } else {
            format!("{path}.{key}")
        }
    };
    match (before, now) {
        (Value::Object(b), Value::Object(n)) => {
            for (key, after) in n {
                leaf_changes(&below(key), b.get(key).unwrap_or(&Value::Null), after, out);
            }
            for (key, gone) in b {
                if !n.contains_key(key) {
                    leaf_changes(&below(key), gone, &Value::Null, out);
                }
            }
        }
        (Value::Array(b), Value::Array(n)) if b.len() == n.len() => {
            for (i, (x, y)) in b.iter().zip(n).enumerate() {
                leaf_changes(&format!("{path}[{i}]"), x, y, out);
            }
        }
        _ => {
            let change = format!("{} → {}", short_json(before), short_json(now));
            out.push(if path.is_empty() {
                change
            } else {
                format!("{path} {change}")
            });
        }
    }
}

fn join_changes(found: Vec<String>) -> String {
    let more = found.len().saturating_sub(MOST_CHANGES);
    let mut text = found
        .into_iter()
        .take(MOST_CHANGES)
        .collect::<Vec<_>>()
        .join("; ");
    if more > 0 {
        let _ = write!(text, "; and {more} more");
    }
    text
}

fn short_json(v: &Value) -> String {
    excerpt(&serde_json::to_string(v).unwrap_or_default())
}

/// The channels' changes grouped: one line per offer and change, naming every channel it
/// holds for, in the rule set's order.
fn group_drift(drifts: &[(String, Vec<(String, String)>)]) -> Vec<String> {
    let mut groups: Vec<(&str, &str, Vec<&str>)> = Vec::new();
    for (channel, changes) in drifts {
        for (what, change) in changes {
            match groups
                .iter_mut()
                .find(|(w, c, _)| *w == what.as_str() && *c == change.as_str())
            {
                Some((_, _, channels)) => channels.push(channel),
                None => groups.push((what, change, vec![channel])),
            }
        }
    }
    groups
        .into_iter()
        .map(|(what, change, channels)| format!("{what} on {}: {change}", channels.join(", ")))
        .collect()
}

fn full_diff(before: &Value, now: &Value) -> String {
    let before_text = serde_json::to_string_pretty(before).unwrap_or_default();
    let now_text = serde_json::to_string_pretty(now).unwrap_or_default();
    line_diff::unified(&before_text, &now_text, 3)
}

/// A decision as snapshots keep it: JSON without the rule set's fingerprint, which changes
/// with every edit even when no answer does.
fn stored_form(decision: &Decision) -> Value {
    let mut value = serde_json::to_value(decision).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut value {
        map.shift_remove("rules");
    }
    value
}

/// The expectations of a case on one channel that do not hold, each with the explanation
/// of that offer's decision.
fn expectations(rules: &RuleSet, case: &Case, decision: &Decision) -> Vec<String> {
    let mut problems = Vec::new();
    for e in &case.expect {
        let offer = &decision.offers[e.offer];
        let id = &rules.model.offers[e.offer].id;
        let mut wrong = Vec::new();
        if let Some(status) = e.status
            && status != offer.status
        {
            wrong.push(format!(
                "expected {}, got {}",
                status.word(),
                offer.status.word()
            ));
        }
        let got_price = offer.price.map(|p| p.to_string());
        if let Some(price) = &e.price
            && *price != got_price
        {
            wrong.push(format!(
                "price expected {}, got {}",
                shown(price.as_deref()),
                shown(got_price.as_deref())
            ));
        }
        if let Some(missing) = &e.missing
            && *missing != offer.missing
        {
            wrong.push(format!(
                "missing expected [{}], got [{}]",
                missing.join(", "),
                offer.missing.join(", ")
            ));
        }
        if let Some(expected) = &e.needs {
            let got = serde_json::to_string(&offer.needs().collect::<Vec<_>>()).unwrap_or_default();
            let got = crate::input::json::parse(&got).unwrap_or(Doc::Null);
            if !same_doc(expected, &got) {
                wrong.push(format!(
                    "needs expected {}, got {}",
                    doc_text(expected),
                    doc_text(&got)
                ));
            }
        }
        if let Some(expected) = &e.eligible_from {
            let got = offer.eligible_from;
            if *expected != got {
                wrong.push(format!(
                    "eligible_from expected {}, got {}",
                    expected.map_or(String::from("none"), format_instant),
                    got.map_or(String::from("none"), format_instant)
                ));
            }
        }
        if !wrong.is_empty() {
            problems.push(format!(
                "{id}: {}\n{}",
                wrong.join("; "),
                explanation(offer)
            ));
        }
    }
    if let Some(expected) = &case.quote {
        let got = decision.quote.as_ref().map(|q| q.final_price.clone());
        if *expected != got {
            let mut text = format!(
                "quote expected {}, got {}\n",
                shown(expected.as_deref()),
                shown(got.as_deref())
            );
            if let Some(q) = &decision.quote {
                for step in &q.explanation {
                    let _ = writeln!(text, "    {step}");
                }
            }
            problems.push(text);
        }
    }
    problems
}

/// Two documents alike, numbers compared by value (`6` and `6.0` are the same).
fn same_doc(a: &Doc, b: &Doc) -> bool {
    use crate::value::number::Decimal;
    match (a, b) {
        (Doc::Number(x), Doc::Number(y)) => {
            matches!((Decimal::parse(x), Decimal::parse(y)), (Ok(x), Ok(y)) if x == y)
        }
        (Doc::List(x), Doc::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_doc(x, y))
        }
        (Doc::Map(x), Doc::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| b.get(k).is_some_and(|w| same_doc(v, w)))
        }
        _ => a == b,
    }
}

/// A document on one line, for a failure report.
fn doc_text(doc: &Doc) -> String {
    match doc {
        Doc::Null => String::from("null"),
        Doc::Bool(b) => b.to_string(),
        Doc::Number(n) => n.clone(),
        Doc::Text(t) => crate::value::quoted(t),
        Doc::List(items) => {
            let items: Vec<String> = items.iter().map(doc_text).collect();
            format!("[{}]", items.join(", "))
        }
        Doc::Map(entries) => {
            let entries: Vec<String> = entries
                .iter()
                .map(|(k, v)| format!("{k}: {}", doc_text(v)))
                .collect();
            format!("{{{}}}", entries.join(", "))
        }
    }
}

fn shown(v: Option<&str>) -> &str {
    v.unwrap_or("none")
}

/// An offer's decision clause by clause, indented under the failure line.
fn explanation(offer: &OfferDecision) -> String {
    let mut out = render::text::clause_lines(offer, "    ");
    if offer.status == Status::NotHonored {
        let honored = offer.honored_on.as_deref().unwrap_or_default().join(", ");
        let _ = writeln!(out, "    not honored on this channel; honored on {honored}");
    }
    if !offer.missing.is_empty() {
        let _ = writeln!(out, "    missing: {}", offer.missing.join(", "));
    }
    out
}
