//! Eligibility on the shared workload: decide-only, decide+explain, and decide+explain written
//! as JSON (what the service answers), per (customer, offer) pair, counting the conversion of
//! each parsed customer record into a context; and the load time of 200 and 10,000 offers.

mod workload;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use honor::Scratch;
use honor::{Context, RuleSet, Status};

fn setup() -> (
    RuleSet,
    Vec<honor::Document>,
    Vec<serde_json::Value>,
    serde_json::Value,
) {
    let dir = workload::folder();
    let offers: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("offers.json")).expect("offers.json"),
    )
    .expect("JSON");
    let text = workload::rules_text(&offers, 1);
    let at = honor::parse_instant(workload::INSTANT).unwrap();
    let rules = RuleSet::from_texts(vec![("bench.offer".into(), "bench.offer".into(), text)], at)
        .unwrap_or_else(|e| panic!("{e}"));
    let lines = std::fs::read_to_string(dir.join("customers.jsonl")).expect("customers.jsonl");
    let customers: Vec<serde_json::Value> = lines
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .collect();
    let docs = customers
        .iter()
        .map(|c| {
            honor::Document::parse(&workload::context_json(c), Some(honor::Format::Json))
                .expect("a context")
        })
        .collect();
    (rules, docs, customers, offers)
}

fn verify(rules: &RuleSet, docs: &[honor::Document]) {
    let at = honor::parse_instant(workload::INSTANT).unwrap();
    let channel = rules.channel(workload::CHANNEL).unwrap();
    let (mut eligible, mut weighted) = (0usize, 0u64);
    for (ci, doc) in docs.iter().enumerate() {
        let ctx = rules.context(doc).unwrap();
        let d = rules.decide(&ctx, channel, at, None);
        for (oi, o) in d.offers.iter().enumerate() {
            if o.status == Status::Eligible {
                eligible += 1;
                weighted += (ci as u64 + 1) * (oi as u64 + 1);
            }
        }
    }
    assert_eq!(
        (eligible, weighted),
        (workload::ELIGIBLE_PAIRS, workload::WEIGHTED),
        "the workload's checksums"
    );
}

fn bench(c: &mut Criterion) {
    let (rules, docs, customers, offers) = setup();
    verify(&rules, &docs);
    let at = honor::parse_instant(workload::INSTANT).unwrap();
    let channel = rules.channel(workload::CHANNEL).unwrap();
    let pairs = (docs.len() * rules.offer_ids().count()) as u64;

    let mut group = c.benchmark_group("eligibility");
    group.sample_size(10);
    group.throughput(Throughput::Elements(pairs));
    group.bench_function("decide-only", |b| {
        let mut scratch = Scratch::default();
        let mut statuses = Vec::new();
        let mut ctx = Context::default();
        b.iter(|| {
            let mut eligible = 0usize;
            for doc in &docs {
                rules.refill_context(&mut ctx, doc).unwrap();
                rules.statuses(&ctx, channel, at, &mut scratch, &mut statuses);
                eligible += statuses.iter().filter(|s| **s == Status::Eligible).count();
            }
            assert_eq!(eligible, workload::ELIGIBLE_PAIRS);
        })
    });
    group.bench_function("decide+explain", |b| {
        let mut ctx = Context::default();
        b.iter(|| {
            let mut eligible = 0usize;
            for doc in &docs {
                rules.refill_context(&mut ctx, doc).unwrap();
                eligible += workload::decide_explained(&rules, &ctx, channel, at, None);
            }
            assert_eq!(eligible, workload::ELIGIBLE_PAIRS);
        })
    });
    group.bench_function("decide+explain+JSON", |b| {
        let mut json = Vec::new();
        let mut ctx = Context::default();
        b.iter(|| {
            let (mut eligible, mut bytes) = (0usize, 0usize);
            for doc in &docs {
                rules.refill_context(&mut ctx, doc).unwrap();
                eligible += workload::decide_explained(&rules, &ctx, channel, at, Some(&mut json));
                bytes += json.len();
            }
            assert_eq!(eligible, workload::ELIGIBLE_PAIRS);
            bytes
        })
    });
    group.finish();

    // `honor batch` on the customers as JSON Lines (the release binary, as a pipeline runs
    // it), writing the decisions to nowhere.
    let folder = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("honor-bench-{}", std::process::id()));
    std::fs::create_dir_all(&folder).expect("a scratch folder");
    let rules_file = folder.join("bench.offer");
    std::fs::write(&rules_file, workload::rules_text(&offers, 1)).expect("the rule file");
    let contexts = folder.join("customers.jsonl");
    let lines: String = customers
        .iter()
        .map(|c| workload::context_json(c) + "\n")
        .collect();
    std::fs::write(&contexts, lines).expect("the contexts");
    let mut group = c.benchmark_group("batch");
    group.sample_size(10);
    group.throughput(Throughput::Elements(customers.len() as u64));
    for threads in [1, 2] {
        group.bench_function(
            format!("{threads} thread{}", if threads == 1 { "" } else { "s" }),
            |b| {
                b.iter(|| {
                    let status = std::process::Command::new(env!("CARGO_BIN_EXE_honor"))
                        .arg("batch")
                        .arg("--rules")
                        .arg(&rules_file)
                        .arg("--contexts")
                        .arg(&contexts)
                        .args(["--channel", workload::CHANNEL, "--at", workload::INSTANT])
                        .args(["--jobs", &threads.to_string()])
                        .stdout(std::process::Stdio::null())
                        .status()
                        .expect("honor batch runs");
                    assert!(status.success());
                })
            },
        );
    }
    group.finish();
    let _ = std::fs::remove_dir_all(&folder);

    let mut group = c.benchmark_group("load");
    group.sample_size(10);
    for copies in [1, 50] {
        let text = workload::rules_text(&offers, copies);
        group.bench_function(format!("{} offers", copies * 200), |b| {
            b.iter_batched(
                || {
                    vec![(
                        "bench.offer".to_string(),
                        "bench.offer".to_string(),
                        text.clone(),
                    )]
                },
                |files| RuleSet::from_texts(files, at).unwrap_or_else(|e| panic!("{e}")),
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
