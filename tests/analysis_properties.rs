//! The static analysis never raises a false alarm: over random rule sets, an offer flagged
//! `never-eligible` is eligible for no random context, channel and instant, and an offer
//! flagged `always-beaten` never appears in a random quote's `applied`.

use chrono::{DateTime, TimeZone, Utc};
use proptest::prelude::*;

use honor::Scratch;
use honor::{RuleSet, Status};

const SCHEMA: &str = "context {\n  c.n number\n  c.m money\n  c.t text\n  c.b bool\n  c.d date\n  c.l list of text\n}\n";

/// Tests over few values, so that random contexts meet them often and contradictions are
/// common.
fn atom() -> impl Strategy<Value = String> {
    prop_oneof![
        (
            prop::sample::select(vec!["<", "<=", "==", "!=", ">", ">="]),
            prop::sample::select(vec!["0", "1", "2", "2.5", "3"])
        )
            .prop_map(|(op, n)| format!("c.n {op} {n}")),
        (
            prop::sample::select(vec!["<", "<=", ">", ">="]),
            prop::sample::select(vec!["1.00 USD", "1.01 USD", "2.00 USD", "1.00 EUR"])
        )
            .prop_map(|(op, m)| format!("c.m {op} {m}")),
        prop::sample::select(vec!["a", "b", "c"]).prop_map(|t| format!("c.t == \"{t}\"")),
        prop::sample::select(vec!["a", "b", "c"]).prop_map(|t| format!("c.t != \"{t}\"")),
        (
            any::<bool>(),
            prop::sample::subsequence(vec!["a", "b", "c"], 0..3)
        )
            .prop_map(|(neg, items)| {
                let items: Vec<String> = items.iter().map(|i| format!("\"{i}\"")).collect();
                let word = if neg { "not in" } else { "in" };
                format!("c.t {word} [{}]", items.join(", "))
            }),
        prop::sample::select(vec!["c.n", "c.t", "c.b", "c.l", "c.m"])
            .prop_map(|f| format!("has({f})")),
        Just(String::from("c.b")),
        (prop::sample::select(vec!["<", "==", ">"]), 0..3u32)
            .prop_map(|(op, n)| format!("len(c.l) {op} {n}")),
        prop::sample::select(vec!["a", "b"]).prop_map(|t| format!("\"{t}\" in c.l")),
        (
            prop::sample::select(vec!["<", ">="]),
            prop::sample::select(vec!["2026-03-01", "2026-03-02", "2026-03-03"])
        )
            .prop_map(|(op, d)| format!("c.d {op} {d}")),
        (prop::sample::select(vec!["<", ">", "=="]), 0..3u32)
            .prop_map(|(op, n)| format!("days_since(c.d) {op} {n}")),
    ]
}

fn condition() -> impl Strategy<Value = String> {
    atom().prop_recursive(3, 10, 3, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}) and ({b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}) or ({b})")),
            inner.prop_map(|a| format!("not ({a})")),
        ]
    })
}

/// A pool of conditions the offers of one rule set draw from, so that offers share them
/// (and `always-beaten` and `same-offer` have something to find).
fn offer(i: usize, pool: Vec<String>) -> impl Strategy<Value = String> {
    let most = pool.len().min(3);
    (
        prop::sample::subsequence(pool, 0..=most),
        prop::sample::subsequence(vec!["web", "store", "phone"], 1..=3),
        prop::option::of(prop::sample::select(vec![
            "2026-03-01 to 2026-03-02",
            "2026-03-01 to 2026-03-31",
            "2026-02-01 to 2026-04-30",
        ])),
        prop::sample::select(vec![
            "price 0.00 USD",
            "price 5.00 USD",
            "price 9.00 USD",
            "10% off",
            "20% off",
            "100% off",
            "20% off up to 3.00 USD",
            "3.00 USD off",
            "5.00 USD off",
            "1.00 EUR off",
        ]),
        (0..2i32, 0..6u8, prop::option::of(0..2u32), any::<bool>()),
    )
        .prop_map(
            move |(whens, honor, window, benefit, (priority, combine, limit, code))| {
                let mut clauses = vec![format!("title \"Offer {i}\"")];
                clauses.push(format!("honor {}", honor.join(", ")));
                if let Some(w) = window {
                    clauses.push(format!("valid {w}"));
                }
                for w in whens {
                    clauses.push(format!("when {w}"));
                }
                clauses.push(format!("benefit {benefit}"));
                clauses.push(format!("priority {priority}"));
                if code {
                    clauses.push(String::from("code \"SAVE\""));
                }
                if let Some(n) = limit {
                    clauses.push(format!("limit {n} per customer"));
                }
                // mostly regular offers: they are what `always-beaten` is about
                match combine {
                    0 => clauses.push(String::from("stackable")),
                    1 => clauses.push(String::from("exclusive")),
                    _ => {}
                }
                format!("offer o{i} {{\n  {}\n}}\n", clauses.join("\n  "))
            },
        )
}

fn rule_set() -> impl Strategy<Value = String> {
    (prop::collection::vec(condition(), 1..7), 2..8usize)
        .prop_flat_map(|(pool, n)| (0..n).map(|i| offer(i, pool.clone())).collect::<Vec<_>>())
        .prop_map(|offers| format!("{SCHEMA}{}", offers.concat()))
}

fn context() -> impl Strategy<Value = String> {
    (
        prop::option::of(prop::sample::select(vec![
            "0", "1", "2", "2.5", "2.7", "3", "4",
        ])),
        prop::option::of(prop::sample::select(vec![
            "0.50 USD",
            "1.00 USD",
            "1.005 KWD",
            "1.01 USD",
            "1.50 USD",
            "2.00 USD",
            "3.00 USD",
            "1.00 EUR",
            "0.50 EUR",
        ])),
        prop::option::of(prop::sample::select(vec!["a", "b", "c", "d"])),
        prop::option::of(any::<bool>()),
        prop::option::of(prop::sample::select(vec![
            "2026-02-28",
            "2026-03-01",
            "2026-03-02",
            "2026-03-03",
            "2026-03-04",
        ])),
        prop::option::of(prop::collection::vec(
            prop::sample::select(vec!["a", "b", "c"]),
            0..3,
        )),
        prop::option::of(prop::sample::select(vec![
            vec![],
            vec!["save"],
            vec!["other"],
        ])),
        prop::option::of(prop::sample::select(vec![
            vec![],
            vec!["o0", "o1", "o2", "o3"],
        ])),
        prop::option::of(prop::sample::select(vec![
            "0.00 USD",
            "2.00 USD",
            "4.00 USD",
            "10.00 USD",
            "50.00 USD",
            "130.00 USD",
            "20.00 EUR",
        ])),
    )
        .prop_map(|(n, m, t, b, d, l, codes, redeemed, price)| {
            let mut customer = Vec::new();
            if let Some(n) = n {
                customer.push(format!("\"n\": {n}"));
            }
            if let Some(m) = m {
                customer.push(format!("\"m\": \"{m}\""));
            }
            if let Some(t) = t {
                customer.push(format!("\"t\": \"{t}\""));
            }
            if let Some(b) = b {
                customer.push(format!("\"b\": {b}"));
            }
            if let Some(d) = d {
                customer.push(format!("\"d\": \"{d}\""));
            }
            if let Some(l) = l {
                customer.push(format!("\"l\": {l:?}"));
            }
            let mut doc = vec![format!("\"c\": {{{}}}", customer.join(", "))];
            if let Some(c) = codes {
                doc.push(format!("\"codes\": {c:?}"));
            }
            if let Some(r) = redeemed {
                doc.push(format!("\"redeemed\": {r:?}"));
            }
            if let Some(p) = price {
                doc.push(format!("\"price\": \"{p}\""));
            }
            format!("{{{}}}", doc.join(", "))
        })
}

fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    (0..(24 * 70i64)).prop_map(|h| {
        Utc.with_ymd_and_hms(2026, 1, 31, 0, 0, 0).unwrap() + chrono::Duration::hours(h)
    })
}

fn flagged(rules: &RuleSet, kind: &str) -> Vec<usize> {
    rules
        .warnings()
        .iter()
        .filter(|d| d.kind() == kind)
        .filter_map(|d| rules.offer_index(d.message().split('`').nth(1)?).ok())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn flagged_offers_are_never_eligible_nor_applied(
        text in rule_set(),
        contexts in prop::collection::vec((context(), instant()), 40),
    ) {
        let at = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let rules = RuleSet::from_texts(vec![("t.offer".into(), "t.offer".into(), text.clone())], at)
            .map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        let never = flagged(&rules, "never-eligible");
        let beaten = flagged(&rules, "always-beaten");
        let mut scratch = Scratch::default();
        let mut statuses = Vec::new();
        for (doc, instant) in &contexts {
            let doc = honor::Document::parse(doc, Some(honor::Format::Json)).unwrap();
            let ctx = rules.context(&doc).unwrap();
            for channel in 0..rules.channels().len() {
                rules.statuses(&ctx, channel, *instant, &mut scratch, &mut statuses);
                for &i in &never {
                    prop_assert_ne!(statuses[i], Status::Eligible, "{}\n{:?}", text, doc);
                }
                if let Some(list) = ctx.price() {
                    let quote = rules.quote(&statuses, channel, list);
                    for &i in &beaten {
                        let id = rules.offer_ids().nth(i).unwrap().to_string();
                        prop_assert!(!quote.applied.contains(&id), "{} applied\n{}\n{:?}", id, text, doc);
                    }
                }
            }
        }
    }
}

/// The property above is not vacuous: its rule sets do get these warnings.
#[test]
fn the_random_rule_sets_do_get_flagged() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let at = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let (mut never, mut beaten) = (0, 0);
    for _ in 0..300 {
        let text = rule_set().new_tree(&mut runner).unwrap().current();
        let rules =
            RuleSet::from_texts(vec![("t.offer".into(), "t.offer".into(), text)], at).unwrap();
        never += flagged(&rules, "never-eligible").len();
        beaten += flagged(&rules, "always-beaten").len();
    }
    assert!(
        never >= 10 && beaten >= 10,
        "never-eligible {never}, always-beaten {beaten}"
    );
}
