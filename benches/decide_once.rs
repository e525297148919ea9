//! One pass of the shared workload's customer loop, for counting instructions per
//! (customer, offer) pair with callgrind (counts do not depend on the machine's load):
//!
//! ```text
//! cargo bench --bench decide_once --no-run
//! valgrind --tool=callgrind --toggle-collect='*customer_loop*' --callgrind-out-file=cg.out \
//!     target/release/deps/decide_once-<hash> statuses 10000
//! ```
//!
//! The first argument is `statuses` (decide-only), `decide` (decide + explain) or `json`
//! (decide + explain, then the decision written as JSON, as the service answers), the second
//! how many customers to decide (all 10,000 by default). Only `customer_loop` is counted:
//! the loop parses nothing, it turns each parsed record into a context and decides every
//! offer, as the criterion benchmark `engine` does. Instructions per pair are the total
//! divided by customers × 200; `benches/instructions.sh` runs both paths and prints that.
//! Run without valgrind, it prints the loop's time per pair. `decide_once write DIR` writes
//! the workload as honor reads it, `DIR/bench.offer` and `DIR/contexts.jsonl`, for timing
//! `honor batch`.

mod workload;

use std::hint::black_box;

use honor::{Context, Document as Doc, Format, RuleSet, Scratch, Status};

/// What the loop does with each customer.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Path {
    /// `RuleSet::statuses`: decide-only.
    Statuses,
    /// `RuleSet::decide`: the full decision, explained.
    Decide,
    /// The full decision written as JSON, as the service answers.
    Json,
}

#[inline(never)]
fn customer_loop(
    rules: &RuleSet,
    docs: &[Doc],
    path: Path,
    channel: usize,
    at: chrono::DateTime<chrono::Utc>,
) -> usize {
    let mut eligible = 0;
    if path != Path::Statuses {
        let mut json = Vec::new();
        let mut ctx = Context::default();
        for doc in docs {
            if rules.refill_context(&mut ctx, doc).is_err() {
                continue;
            }
            let out = (path == Path::Json).then_some(&mut json);
            eligible += workload::decide_explained(rules, &ctx, channel, at, out);
            black_box(&json);
        }
    } else {
        let mut scratch = Scratch::default();
        let mut statuses = Vec::new();
        let mut ctx = Context::default();
        for doc in docs {
            if rules.refill_context(&mut ctx, doc).is_err() {
                continue;
            }
            rules.statuses(&ctx, channel, at, &mut scratch, &mut statuses);
            eligible += statuses.iter().filter(|s| **s == Status::Eligible).count();
        }
    }
    eligible
}

fn write(dir: &std::path::Path) {
    let data = workload::folder();
    let offers: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(data.join("offers.json")).expect("offers.json"),
    )
    .expect("JSON");
    std::fs::create_dir_all(dir).expect("the folder");
    std::fs::write(dir.join("bench.offer"), workload::rules_text(&offers, 1)).expect("written");
    let lines = std::fs::read_to_string(data.join("customers.jsonl")).expect("customers.jsonl");
    let contexts: String = lines
        .lines()
        .map(|l| {
            let c: serde_json::Value = serde_json::from_str(l).expect("JSON");
            workload::context_json(&c) + "\n"
        })
        .collect();
    std::fs::write(dir.join("contexts.jsonl"), contexts).expect("written");
}

fn main() {
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    let first = args.next();
    if first.as_deref() == Some("write") {
        write(std::path::Path::new(&args.next().expect("a folder")));
        return;
    }
    let path = match first.as_deref() {
        Some("decide") => Path::Decide,
        Some("json") => Path::Json,
        Some("statuses") | None => Path::Statuses,
        Some(other) => panic!("the path is `statuses`, `decide` or `json`, not `{other}`"),
    };
    let n: usize = args.next().map_or(10_000, |n| n.parse().expect("a count"));
    let dir = workload::folder();
    let offers: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("offers.json")).expect("offers.json"),
    )
    .expect("JSON");
    let at = honor::parse_instant(workload::INSTANT).expect("the instant");
    let rules = RuleSet::from_texts(
        vec![(
            "bench.offer".into(),
            "bench.offer".into(),
            workload::rules_text(&offers, 1),
        )],
        at,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let channel = rules.channel(workload::CHANNEL).expect("the channel");
    let lines = std::fs::read_to_string(dir.join("customers.jsonl")).expect("customers.jsonl");
    let docs: Vec<Doc> = lines
        .lines()
        .take(n)
        .map(|l| {
            let c: serde_json::Value = serde_json::from_str(l).expect("JSON");
            Doc::parse(&workload::context_json(&c), Some(Format::Json)).expect("a context")
        })
        .collect();
    let start = std::time::Instant::now();
    let eligible = customer_loop(&rules, black_box(&docs), path, channel, at);
    let elapsed = start.elapsed();
    if docs.len() == 10_000 {
        assert_eq!(
            eligible,
            workload::ELIGIBLE_PAIRS,
            "the workload's checksum"
        );
    }
    let pairs = docs.len() * rules.offer_ids().count();
    println!(
        "{} customers, {pairs} pairs, {eligible} eligible; {:.1} ns per pair",
        docs.len(),
        elapsed.as_nanos() as f64 / pairs.max(1) as f64
    );
}
