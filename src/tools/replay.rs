//! `honor replay`: decide recorded requests again, with the rule set of their fingerprint
//! at their instant, and list every outcome that is not what was answered then.

use std::collections::HashMap;
use std::io::BufReader;

use crate::files::{open_regular, text_line};
use std::path::Path;

use crate::engine::ruleset::{RuleSet, files_below};
use crate::input::context::Context;
use crate::tools::record::{self, Record};
use crate::value::time::parse_instant;

/// Which records to replay.
pub struct Filter<'a> {
    pub id: Option<&'a str>,
    pub customer: Option<&'a str>,
}

/// What replaying found.
pub struct Report {
    pub replayed: usize,
    /// Each record that differs, with its differences in words.
    pub differing: Vec<(Record, Vec<String>)>,
}

/// Every record below `dir` (the `decisions-*.jsonl` files, in date order) that `filter`
/// selects, and what is wrong with each line that is not a record (a line cut short by a
/// crash, say): those are reported and left out, the rest are still replayed.
pub fn read(dir: &Path, filter: &Filter) -> Result<(Vec<Record>, Vec<String>), String> {
    let files = files_below(dir, ".jsonl").map_err(|d| d.message.clone())?;
    let mut found = Vec::new();
    let mut bad = Vec::new();
    let mut bytes = Vec::new();
    for path in files.iter().filter(|p| {
        p.parent() == Some(dir)
            && p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("decisions-"))
    }) {
        let shown = path.display();
        let file = open_regular(path).map_err(|e| format!("`{shown}`: {e}"))?;
        let mut input = BufReader::new(file);
        let mut n = 0;
        while let Some(line) =
            text_line(&mut input, &mut bytes).map_err(|e| format!("cannot read `{shown}`: {e}"))?
        {
            n += 1;
            let line = match line {
                Ok(line) => line,
                Err(e) => {
                    bad.push(format!("{shown}:{n}: {e}"));
                    continue;
                }
            };
            if line.trim().is_empty() {
                continue;
            }
            let record: Record = match serde_json::from_str(line) {
                Ok(record) => record,
                Err(e) => {
                    bad.push(format!(
                        "{shown}:{n}: this line is not a decision record: {e}"
                    ));
                    continue;
                }
            };
            let wanted = filter.id.is_none_or(|id| record.id == id)
                && filter
                    .customer
                    .is_none_or(|c| record.customer.as_deref() == Some(c));
            if wanted {
                found.push(record);
            }
        }
    }
    let filtered = filter.id.is_some() || filter.customer.is_some();
    if found.is_empty() && (filtered || bad.is_empty()) {
        return Err(match (filter.id, filter.customer) {
            (Some(id), _) => format!("no record in `{}` has the id `{id}`", dir.display()),
            (None, Some(c)) => format!("no record in `{}` is of the customer `{c}`", dir.display()),
            (None, None) => format!("there are no decision records in `{}`", dir.display()),
        });
    }
    Ok((found, bad))
}

/// Re-decides each record with the rule set kept for its fingerprint.
pub fn replay(dir: &Path, records: Vec<Record>) -> Result<Report, String> {
    let mut rule_sets: HashMap<String, RuleSet> = HashMap::new();
    let mut report = Report {
        replayed: 0,
        differing: Vec::new(),
    };
    for record in records {
        let at = parse_instant(&record.at).ok_or_else(|| {
            format!(
                "record `{}`: `at` `{}` is not an instant",
                record.id, record.at
            )
        })?;
        if !rule_sets.contains_key(&record.rules) {
            let kept = dir.join("rulesets").join(&record.rules);
            if !kept.is_dir() {
                return Err(format!(
                    "record `{}`: the rule set {} is not kept in `{}`",
                    record.id,
                    record.rules,
                    kept.display()
                ));
            }
            let rules = RuleSet::load(&kept, at).map_err(|e| {
                format!(
                    "the kept rule set {} does not load:\n{}",
                    record.rules,
                    e.render()
                )
            })?;
            if rules.fingerprint != record.rules {
                return Err(format!(
                    "the files in `{}` have the fingerprint {}, not {}: they were changed",
                    kept.display(),
                    rules.fingerprint,
                    record.rules
                ));
            }
            rule_sets.insert(record.rules.clone(), rules);
        }
        let rules = &rule_sets[&record.rules];
        let now = decide(rules, &record, at)?;
        let found = record::differences(&record.outcomes, &now);
        report.replayed += 1;
        if !found.is_empty() {
            report.differing.push((record, found));
        }
    }
    Ok(report)
}

fn decide(
    rules: &RuleSet,
    record: &Record,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<std::collections::BTreeMap<String, record::Outcome>, String> {
    let bad = |what: String| format!("record `{}`: {what}", record.id);
    let doc = crate::input::json::parse(record.context.0.get()).map_err(|e| bad(e.to_string()))?;
    let mut ctx = Context::from_doc(&doc, &rules.model.schema).map_err(|e| bad(e.to_string()))?;
    if let Some(used) = &record.budget_use {
        ctx.set_budget_use(used.clone());
    }
    let only = record
        .offer
        .as_deref()
        .map(|id| rules.offer_index(id))
        .transpose()
        .map_err(bad)?;
    Ok(match record.channel.as_str() {
        "all" => record::outcomes_all(&rules.decide_all(&ctx, at, only)),
        name => {
            let channel = rules.channel(name).map_err(bad)?;
            record::outcomes_one(&rules.decide(&ctx, channel, at, only))
        }
    })
}
