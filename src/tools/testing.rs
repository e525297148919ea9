//! `honor test`: runs case files against the rule set, and with snapshots compares every
//! case's full decision with the one stored beside its case file.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::engine::decision::{Decision, OfferDecision, Status};
use crate::engine::ruleset::RuleSet;
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
}

/// What a run found: counts, a report block per failure, a line per snapshot written.
#[derive(Debug, Default)]
pub struct Report {
    pub passed: usize,
    pub failed: usize,
    pub failures: Vec<String>,
    pub updated: Vec<String>,
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

pub fn run_file(
    rules: &RuleSet,
    file: &CaseFile,
    opts: &Options,
    report: &mut Report,
) -> Result<(), FileError> {
    let snap_path = snapshot_path(&file.path);
    let stored: Option<SnapshotFile> = if opts.snapshot {
        match std::fs::read_to_string(&snap_path) {
            Ok(text) => match serde_json::from_str(&text) {
                Ok(s) => Some(s),
                Err(e) => {
                    report.failed += 1;
                    report.failures.push(format!(
                        "{}: the snapshot file cannot be read ({e}); `honor test --snapshot --update` writes it anew\n",
                        snap_path.display()
                    ));
                    None
                }
            },
            Err(_) => None,
        }
    } else {
        None
    };
    if opts.snapshot && !opts.update && stored.is_none() && !snap_path.exists() {
        report.failures.push(format!(
            "{}: there is no snapshot file `{}`; `honor test --snapshot --update` records it\n",
            file.shown,
            snap_path.display()
        ));
    }
    let mut fresh: Vec<Snapshot> = Vec::new();
    for case in &file.cases {
        let selected = opts
            .case
            .as_ref()
            .is_none_or(|c| case.name.contains(c.as_str()));
        let old = stored
            .as_ref()
            .and_then(|s| s.cases.iter().find(|c| c.name == case.name));
        if !selected {
            fresh.extend(old.cloned());
            continue;
        }
        let mut snap = Snapshot {
            name: case.name.clone(),
            at: format_instant(case.at),
            decisions: serde_json::Map::new(),
            parity: None,
        };
        // Parity belongs to the case as a whole; its drift is reported with the last channel.
        let mut parity_problem = None;
        let mut parity_updated = None;
        if case.all_channels {
            let all = rules.decide_all(&case.context, case.at, None);
            let parity = serde_json::to_value(&all.parity).unwrap_or(Value::Null);
            let before = old.and_then(|o| o.parity.as_ref());
            if opts.snapshot && opts.channel.is_none() && before != Some(&parity) {
                if opts.update {
                    parity_updated = Some(format!("{}: {} [parity]", file.shown, case.name));
                } else if stored.is_some() {
                    parity_problem = Some(format!("parity {}", snapshot_drift(before, &parity)));
                }
            }
            snap.parity = Some(match (opts.channel, before) {
                (Some(_), Some(before)) => before.clone(),
                _ => parity,
            });
        }
        let selected_channels: Vec<usize> = case
            .channels
            .iter()
            .copied()
            .filter(|c| opts.channel.is_none_or(|o| o == *c))
            .collect();
        for &channel in &case.channels {
            let name = rules.model.channels[channel].clone();
            if !selected_channels.contains(&channel) {
                // Filtered out: keep what was stored.
                if let Some(v) = old.and_then(|o| o.decisions.get(&name)) {
                    snap.decisions.insert(name, v.clone());
                }
                continue;
            }
            let decision = rules.decide(&case.context, channel, case.at, None);
            let mut problems = expectations(rules, case, &decision);
            let current = stored_form(&decision);
            if opts.snapshot {
                let before = old.and_then(|o| o.decisions.get(&name));
                if before != Some(&current) {
                    if opts.update {
                        report
                            .updated
                            .push(format!("{}: {} [{name}]", file.shown, case.name));
                    } else if stored.is_some() {
                        problems.push(snapshot_drift(before, &current));
                    } else {
                        // No snapshot file at all: said once for the file above.
                        problems.push(String::from("no snapshot"));
                    }
                }
            }
            if selected_channels.last() == Some(&channel) {
                problems.extend(parity_problem.take());
            }
            snap.decisions.insert(name.clone(), current);
            record(
                report,
                file,
                case,
                &name,
                problems,
                stored.is_some() || !opts.snapshot,
            );
        }
        report.updated.extend(parity_updated);
        fresh.push(snap);
    }
    if let Some(stored) = &stored {
        for gone in stored
            .cases
            .iter()
            .filter(|s| !file.cases.iter().any(|c| c.name == s.name))
        {
            if opts.update {
                report
                    .updated
                    .push(format!("{}: {} [removed]", file.shown, gone.name));
            } else {
                report.failed += 1;
                report.failures.push(format!(
                    "{}: `{}`: the snapshot holds a case the file no longer has; `--update` removes it\n",
                    file.shown, gone.name
                ));
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
        if files::read_text(&snap_path, files::MAX_SNAPSHOT)
            .ok()
            .as_deref()
            != Some(text.as_str())
        {
            files::write_atomic(&snap_path, text.as_bytes())?;
        }
    }
    Ok(())
}

/// Counts one run of a case on a channel, and reports its problems (`show` is false when
/// the only problem, a missing snapshot file, was already said).
fn record(
    report: &mut Report,
    file: &CaseFile,
    case: &Case,
    channel: &str,
    problems: Vec<String>,
    show: bool,
) {
    if problems.is_empty() {
        report.passed += 1;
        return;
    }
    report.failed += 1;
    let problems: Vec<String> = problems
        .into_iter()
        .filter(|p| show || p != "no snapshot")
        .collect();
    if problems.is_empty() {
        return;
    }
    let place = match file.line_of(case) {
        Some(line) => format!("{}:{line}", file.shown),
        None => file.shown.clone(),
    };
    let mut block = String::new();
    for problem in problems {
        let _ = writeln!(
            block,
            "{place}: {} [{channel}]: {}",
            case.name,
            problem.trim_end()
        );
    }
    report.failures.push(block);
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

fn snapshot_drift(before: Option<&Value>, now: &Value) -> String {
    let now_text = serde_json::to_string_pretty(now).unwrap_or_default();
    match before {
        None => String::from(
            "this decision has no snapshot yet; `honor test --snapshot --update` records it",
        ),
        Some(before) => {
            let before_text = serde_json::to_string_pretty(before).unwrap_or_default();
            let diff = line_diff::unified(&before_text, &now_text, 3);
            let mut out =
                String::from("the decision differs from its snapshot (- snapshot, + now):\n");
            for line in diff.lines() {
                let _ = writeln!(out, "    {line}");
            }
            out
        }
    }
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
        if let Some(price) = &e.price
            && *price != offer.price
        {
            wrong.push(format!(
                "price expected {}, got {}",
                shown(price.as_deref()),
                shown(offer.price.as_deref())
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
            let got = serde_json::to_string(&offer.needs).unwrap_or_default();
            let got = crate::input::document::parse_json(&got).unwrap_or(Doc::Null);
            if !same_doc(expected, &got) {
                wrong.push(format!(
                    "needs expected {}, got {}",
                    doc_text(expected),
                    doc_text(&got)
                ));
            }
        }
        if let Some(expected) = &e.eligible_from {
            let got = offer
                .eligible_from
                .as_deref()
                .and_then(crate::value::time::parse_instant);
            if *expected != got {
                wrong.push(format!(
                    "eligible_from expected {}, got {}",
                    expected.map_or(String::from("none"), format_instant),
                    offer.eligible_from.as_deref().unwrap_or("none")
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
