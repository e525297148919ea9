//! The shared benchmark workload (`../shared/bench/generate.py`, described in its
//! WORKLOAD.md): 200 offers over 10,000 customers, translated into honor's rule language and
//! contexts, with the checksums every engine must reproduce.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

pub const CHANNEL: &str = "phone";
pub const INSTANT: &str = "2026-06-15T12:00:00Z";
pub const ELIGIBLE_PAIRS: usize = 349_876;
pub const WEIGHTED: u64 = 163_126_351_575;

/// One customer decided on `channel` with every explanation, as `RuleSet::decide` gives it;
/// with `json`, the decision is also written there as the service answers (compact JSON).
/// Returns how many offers are eligible, for the workload's checksum.
pub fn decide_explained(
    rules: &honor::RuleSet,
    ctx: &honor::Context,
    channel: usize,
    at: chrono::DateTime<chrono::Utc>,
    json: Option<&mut Vec<u8>>,
) -> usize {
    let d = rules.decide(ctx, channel, at, None);
    if let Some(json) = json {
        json.clear();
        serde_json::to_writer(&mut *json, &d).expect("a decision is JSON");
    }
    d.offers
        .iter()
        .filter(|o| o.status == honor::Status::Eligible)
        .count()
}

/// The folder holding `offers.json` and `customers.jsonl`: `HONOR_BENCH_DATA`, or
/// `target/bench-workload`, written there by the generator when missing.
pub fn folder() -> PathBuf {
    if let Ok(dir) = std::env::var("HONOR_BENCH_DATA") {
        return PathBuf::from(dir);
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("target/bench-workload");
    if !dir.join("customers.jsonl").exists() {
        let generator = std::env::var("HONOR_BENCH_GENERATOR")
            .map(PathBuf::from)
            .unwrap_or_else(|_| root.join("../shared/bench/generate.py"));
        let status = Command::new("python3")
            .arg(&generator)
            .arg("--out")
            .arg(&dir)
            .status()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot run {}: {e}; set HONOR_BENCH_DATA to the workload folder",
                    generator.display()
                )
            });
        assert!(status.success(), "the workload generator failed");
    }
    dir
}

/// The offers as honor rule text (dates are UTC, honor's default zone); `copies` repeats
/// them under new ids for larger rule sets.
pub fn rules_text(offers: &Value, copies: usize) -> String {
    let mut text = String::from(
        "context {\n  id text\n  tenure_months number\n  plan text\n  segment text\n  monthly_spend money\n  age number\n  region text\n  flags list of text\n  received_offers list of text\n}\n",
    );
    for copy in 0..copies {
        for offer in offers["offers"].as_array().expect("offers") {
            let id = offer["id"].as_str().expect("id");
            let id = if copy == 0 {
                id.to_string()
            } else {
                format!("{id}-{copy}")
            };
            let honor: Vec<&str> = offer["honor"]
                .as_array()
                .expect("honor")
                .iter()
                .filter_map(Value::as_str)
                .collect();
            text.push_str(&format!(
                "offer {id} {{\n  title \"Offer {id}\"\n  honor {}\n  valid {} to {}\n  when {}\n}}\n",
                honor.join(", "),
                offer["valid_from"].as_str().expect("from"),
                offer["valid_to"].as_str().expect("to"),
                condition(&offer["condition"]),
            ));
        }
    }
    text
}

fn condition(c: &Value) -> String {
    if let Some(parts) = c
        .get("and")
        .or_else(|| c.get("or"))
        .and_then(Value::as_array)
    {
        let word = if c.get("and").is_some() {
            " and "
        } else {
            " or "
        };
        let parts: Vec<String> = parts
            .iter()
            .map(|p| format!("({})", condition(p)))
            .collect();
        return parts.join(word);
    }
    if let Some(inner) = c.get("not") {
        return format!("not ({})", condition(inner));
    }
    let attr = c["attr"].as_str().expect("attr");
    let op = c["op"].as_str().expect("op");
    let value = &c["value"];
    match (attr, op) {
        ("monthly_spend", ">=") => {
            format!("monthly_spend >= {} USD", value.as_str().expect("spend"))
        }
        (_, "in") => {
            let items: Vec<String> = value
                .as_array()
                .expect("list")
                .iter()
                .map(|s| s.to_string())
                .collect();
            format!("{attr} in [{}]", items.join(", "))
        }
        (_, "not_contains") => format!("{value} not in {attr}"),
        (_, "contains") => format!("{value} in {attr}"),
        (_, op) => format!("{attr} {op} {value}"),
    }
}

/// A customer record as an honor context document: the spend becomes money in USD.
pub fn context_json(customer: &Value) -> String {
    let mut c = customer.clone();
    if let Some(spend) = c
        .get("monthly_spend")
        .and_then(Value::as_str)
        .map(|s| format!("{s} USD"))
    {
        c["monthly_spend"] = Value::String(spend);
    }
    serde_json::to_string(&c).expect("a customer serialises")
}
