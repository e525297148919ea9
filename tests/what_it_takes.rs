//! What would it take (SPEC 9): `proof` clauses, the residual of each clause that keeps an
//! offer from a customer (`needs`, `final`), and the first instant it would be eligible
//! (`eligible_from`), in JSON and in the lines an agent reads out.

use honor::{Context, Decision, RuleSet, Status};
use proptest::prelude::*;

fn rules(text: &str) -> RuleSet {
    let at = honor::parse_instant("2026-01-01T00:00:00Z").unwrap();
    RuleSet::from_texts(vec![("t.offer".into(), "t.offer".into(), text.into())], at)
        .unwrap_or_else(|e| panic!("rules do not load:\n{e}"))
}

fn context(rules: &RuleSet, doc: &str) -> Context {
    let doc = honor::Document::parse(doc, None).expect("the context parses");
    rules.context(&doc).expect("the context fits the schema")
}

/// A decision borrows the context it was made from: each one made here keeps its context
/// for the rest of the test.
fn decide<'a>(rules: &'a RuleSet, doc: &str, at: &str) -> Decision<'a> {
    let ctx: &'a Context = Box::leak(Box::new(context(rules, doc)));
    let channel = rules.channel("web").unwrap();
    rules.decide(ctx, channel, honor::parse_instant(at).unwrap(), None)
}

fn needs_json(d: &Decision) -> serde_json::Value {
    let v = serde_json::to_value(&d.offers[0]).unwrap();
    serde_json::json!({
        "status": v["status"],
        "needs": v["needs"],
        "final": v["final"],
        "eligible_from": v["eligible_from"],
    })
}

/// JSON as decisions print it (numbers exactly as written).
fn pretty(v: &impl serde::Serialize) -> String {
    serde_json::to_string_pretty(v).unwrap()
}

/// The offer's line and what follows it in `honor check` text.
fn lines(d: &Decision) -> String {
    let text = honor::text::decision(d, false);
    text.lines()
        .skip(1)
        .take_while(|l| !l.trim_start().starts_with("quote:"))
        .map(|l| format!("{}\n", l.trim_end()))
        .collect()
}

const SCHEMA: &str = r#"timezone "America/Chicago"
context {
  c.tenure   number
  c.spend    money
  c.plan     text
  c.born     date
  c.since    date
  c.student  bool
}
"#;

const AT: &str = "2026-06-15T12:00:00Z";

#[test]
fn proofs_are_asked_for_until_the_agent_has_checked() {
    let r = rules(&format!(
        "{SCHEMA}offer s {{ title \"Student price\" proof \"student ID\" proof \"enrolment letter\" benefit 20% off }}"
    ));
    let unknown = decide(&r, "{}", AT);
    assert_eq!(unknown.offers[0].status, Status::Unknown);
    assert_eq!(unknown.offers[0].missing, vec!["proofs"]);
    let seen_one = decide(&r, r#"{"proofs": ["  Student ID "]}"#, AT);
    assert_eq!(seen_one.offers[0].status, Status::Ineligible);
    let seen_both = decide(
        &r,
        r#"{"proofs": ["student id", "ENROLMENT LETTER\u3000"]}"#,
        AT,
    );
    assert_eq!(seen_both.offers[0].status, Status::Eligible);
    insta::assert_snapshot!(
        "proof-needs",
        pretty(&[needs_json(&unknown), needs_json(&seen_one)])
    );
    insta::assert_snapshot!("proof-lines", lines(&unknown) + &lines(&seen_one));
    let clause = serde_json::to_value(&seen_one.offers[0].clauses[0]).unwrap();
    assert_eq!(clause["clause"], "proof");
    assert_eq!(clause["label"], "student ID");
}

#[test]
fn each_kind_of_residual_reads_out_in_one_line() {
    let offers = [
        r#"offer short { title "T" when c.tenure >= 12.5 }"#,
        r#"offer over { title "T" when c.spend <= 50.00 USD }"#,
        r#"offer folded { title "T" when not (c.tenure < 12 or c.plan in ["basic"]) }"#,
        r#"offer either { title "T" when c.plan in ["unlimited", "family"] or c.student }"#,
        r#"offer missing { title "T" when has(c.plan) and age_years(c.born) >= 18 }"#,
        r#"offer coded { title "T" code "UPGRADE-WINTER26" limit 1 per customer }"#,
        r#"offer later { title "T" valid from 2026-08-01 }"#,
        r#"offer over_now { title "T" valid until 2026-05-31 when c.tenure >= 12 }"#,
        r#"offer used { title "T" limit 1 per customer }"#,
        r#"offer budgeted { title "T" budget 1000 redemptions }"#,
    ];
    let r = rules(&format!("{SCHEMA}{}", offers.join("\n")));
    let ctx = r#"{"c": {"tenure": 6, "spend": "80.00 USD", "plan": "basic", "student": false}, "codes": [], "redeemed": ["used"]}"#;
    let d = decide(&r, ctx, AT);
    let json: Vec<serde_json::Value> = d
        .offers
        .iter()
        .map(|o| {
            let v = serde_json::to_value(o).unwrap();
            serde_json::json!({"id": v["id"], "status": v["status"], "needs": v["needs"], "final": v["final"], "eligible_from": v["eligible_from"]})
        })
        .collect();
    insta::assert_snapshot!("residuals", pretty(&json));
    insta::assert_snapshot!("residual-lines", lines(&d));
}

#[test]
fn an_eligible_offer_needs_nothing() {
    let r = rules(&format!(
        "{SCHEMA}offer a {{ title \"A\" when c.tenure >= 12 }}"
    ));
    let d = decide(&r, r#"{"c": {"tenure": 12}}"#, AT);
    let v = serde_json::to_value(&d.offers[0]).unwrap();
    assert_eq!(v["needs"], serde_json::json!([]));
    assert_eq!(v["final"], false);
    assert_eq!(v["eligible_from"], serde_json::Value::Null);
}

#[test]
fn eligible_from_is_the_birthday_the_day_count_or_the_window() {
    let r = rules(&format!(
        "{SCHEMA}offer adult {{ title \"A\" when age_years(c.born) >= 18 }}\n\
         offer leap {{ title \"L\" when age_years(c.born) >= 18 }}\n\
         offer settled {{ title \"S\" when days_since(c.since) >= 30 }}\n\
         offer later {{ title \"W\" valid from 2026-08-01 when c.tenure >= 12 }}\n\
         offer never {{ title \"N\" when c.tenure >= 12 }}"
    ));
    let decision = |doc: &str| decide(&r, doc, AT);
    let from = |d: &Decision, i: usize| d.offers[i].eligible_from.map(honor::format_instant);
    // turns 18 on 1 August 2026, at local midnight in Chicago (CDT, −05:00)
    let d = decision(r#"{"c": {"born": "2008-08-01", "since": "2026-06-01", "tenure": 12}}"#);
    assert_eq!(from(&d, 0).as_deref(), Some("2026-08-01T05:00:00Z"));
    // 30 days after 1 June is 1 July
    assert_eq!(from(&d, 2).as_deref(), Some("2026-07-01T05:00:00Z"));
    // the window opens on 1 August
    assert_eq!(from(&d, 3).as_deref(), Some("2026-08-01T05:00:00Z"));
    // born on 29 February 2008: 18 on 1 March 2026 (already), and 2012 turns 18 in 2030
    let d = decision(r#"{"c": {"born": "2012-02-29", "tenure": 1}}"#);
    assert_eq!(from(&d, 1).as_deref(), Some("2030-03-01T06:00:00Z"));
    // nothing changes with time: no instant
    assert_eq!(from(&d, 4), None);
    insta::assert_snapshot!(
        "eligible-from-lines",
        lines(&decision(
            r#"{"c": {"born": "2008-08-01", "since": "2026-06-01", "tenure": 12}}"#
        ))
    );
}

#[test]
fn no_eligible_from_past_a_final_clause_or_150_years() {
    let r = rules(&format!(
        "{SCHEMA}offer a {{ title \"A\" valid until 2026-06-30 when age_years(c.born) >= 18 }}\n\
         offer b {{ title \"B\" when age_years(c.born) >= 200 }}"
    ));
    let d = decide(&r, r#"{"c": {"born": "2010-01-01"}}"#, AT);
    assert_eq!(d.offers[0].eligible_from, None);
    assert_eq!(d.offers[1].eligible_from, None);
}

fn run_with(r: &RuleSet, doc: &str, at: chrono::DateTime<chrono::Utc>) -> Status {
    let ctx = context(r, doc);
    r.decide(&ctx, r.channel("web").unwrap(), at, None).offers[0].status
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Deciding at `eligible_from` gives eligible, and a nanosecond before does not.
    #[test]
    fn eligible_from_is_the_first_eligible_instant(
        zone in prop::sample::select(vec!["UTC", "America/Chicago", "Europe/Berlin", "Australia/Sydney"]),
        born in (1990i32..2030, 1u32..13, 1u32..29),
        age in 0i64..40,
        days in -400i64..400,
        since in (2020i32..2030, 1u32..13, 1u32..29),
        start in prop::option::of((2026i32..2040, 1u32..13, 1u32..29)),
    ) {
        let window = start
            .map(|(y, m, d)| format!("valid from {y:04}-{m:02}-{d:02}"))
            .unwrap_or_default();
        let r = rules(&format!(
            "timezone \"{zone}\"\ncontext {{ c.born date\n c.since date }}\n\
             offer a {{ title \"A\" {window} when age_years(c.born) >= {age} and days_since(c.since) >= {days} }}"
        ));
        let doc = format!(
            r#"{{"c": {{"born": "{:04}-{:02}-{:02}", "since": "{:04}-{:02}-{:02}"}}}}"#,
            born.0, born.1, born.2, since.0, since.1, since.2
        );
        let at = honor::parse_instant(AT).unwrap();
        let ctx = context(&r, &doc);
        let d = r.decide(&ctx, r.channel("web").unwrap(), at, None);
        let o = &d.offers[0];
        if o.status == Status::Eligible {
            prop_assert!(o.eligible_from.is_none());
            prop_assert!(o.needs().next().is_none());
        } else if let Some(from) = &o.eligible_from {
            let t = *from;
            prop_assert!(t > at);
            prop_assert_eq!(run_with(&r, &doc, t), Status::Eligible);
            let before = t - chrono::Duration::nanoseconds(1);
            prop_assert_ne!(run_with(&r, &doc, before), Status::Eligible);
        }
    }

    /// Raising a failing threshold's value by `short_by` (by a little more for `>`) makes
    /// it hold; lowering by `over_by` likewise.
    #[test]
    fn short_by_and_over_by_close_the_gap(
        x in -100_000i64..100_000,
        k in -100_000i64..100_000,
        op in prop::sample::select(vec![">=", ">", "<=", "<"]),
        money in any::<bool>(),
    ) {
        let ty = if money { "money" } else { "number" };
        let unit = if money { " USD" } else { "" };
        let lit = format!("{}{unit}", decimal(k));
        let val = |v: i64| if money { format!("\"{} USD\"", decimal(v)) } else { decimal(v) };
        let r = rules(&format!(
            "context {{ c.x {ty} }}\noffer a {{ title \"A\" when c.x {op} {lit} }}"
        ));
        let doc = |v: i64| format!(r#"{{"c": {{"x": {}}}}}"#, val(v));
        let at = honor::parse_instant(AT).unwrap();
        let ctx = context(&r, &doc(x));
        let d = r.decide(&ctx, r.channel("web").unwrap(), at, None);
        let o = serde_json::to_value(&d.offers[0]).unwrap();
        if o["status"] == "ineligible" {
            let leaf = &o["needs"][0]["residual"];
            let gap = leaf.get("short_by").or(leaf.get("over_by")).expect("a threshold has a gap");
            let text = match gap {
                serde_json::Value::String(s) => s.trim_end_matches(" USD").to_string(),
                other => other.to_string(),
            };
            let cents = cents_of(&text);
            let strict = op == ">" || op == "<";
            let moved = if op.starts_with('>') { x + cents + strict as i64 } else { x - cents - strict as i64 };
            prop_assert_eq!(run_with(&r, &doc(moved), at), Status::Eligible);
        }
    }
}

/// `12.5` or `-0.07` as whole cents.
fn cents_of(text: &str) -> i64 {
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    let negative = whole.starts_with('-');
    let whole: i64 = whole.trim_start_matches('-').parse().unwrap();
    let frac: i64 = format!("{frac:0<2}")[..2].parse().unwrap();
    let cents = whole * 100 + frac;
    if negative { -cents } else { cents }
}

/// Cents as an exact decimal: `-1234` is `-12.34`.
fn decimal(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", (cents / 100).abs(), (cents % 100).abs())
}

#[test]
fn a_budget_counts_every_customer_and_needs_a_ledger() {
    let r = rules("offer b { title \"First thousand\" budget 1000 redemptions }");
    let at = honor::parse_instant(AT).unwrap();
    let with = |used: Option<u64>| {
        let mut ctx = context(&r, "{}");
        if let Some(used) = used {
            ctx.set_budget_use([(String::from("b"), used)].into_iter().collect());
        }
        ctx
    };
    let (none, left, spent) = (with(None), with(Some(588)), with(Some(1000)));
    let decide_with = |ctx| r.decide(ctx, r.channel("web").unwrap(), at, None);
    let none = decide_with(&none);
    assert_eq!(none.offers[0].status, Status::Unknown);
    assert_eq!(none.offers[0].missing, vec!["ledger"]);
    let left = decide_with(&left);
    assert_eq!(left.offers[0].status, Status::Eligible);
    assert_eq!(left.offers[0].clauses[0].detail, "412 of 1000 left");
    let spent = decide_with(&spent);
    assert_eq!(spent.offers[0].status, Status::Ineligible);
    assert!(spent.offers[0].is_final);
    // the fast path reads the same counts
    let mut ctx = context(&r, "{}");
    ctx.set_budget_use([(String::from("b"), 1000)].into_iter().collect());
    let mut scratch = honor::Scratch::default();
    let mut statuses = Vec::new();
    r.statuses(&ctx, 0, at, &mut scratch, &mut statuses);
    assert_eq!(statuses, vec![Status::Ineligible]);
}

#[test]
fn case_files_expect_needs_eligible_from_and_pin_ledger_counts() {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("honor-needs-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("r.offer"),
        "timezone \"America/Chicago\"\ncontext { c.born date }\n\
         offer adult { title \"A\" when age_years(c.born) >= 18 }\n\
         offer b { title \"B\" budget 10 redemptions }\n",
    )
    .unwrap();
    let case = |ledger: &str, from: &str| {
        format!(
            "at: 2026-06-15T12:00:00Z\ncases:\n  - name: teen\n    channel: web\n{ledger}    context: {{ c: {{ born: 2008-08-01 }} }}\n    expect:\n      adult:\n        status: ineligible\n        eligible_from: {from}\n        needs: [{{ clause: when, residual: {{ test: age_years(c.born) >= 18, result: fail, now: {{ age_years(c.born): 17.0 }}, short_by: 1 }} }}]\n      b: eligible\n"
        )
    };
    let run = |text: String| {
        std::fs::write(dir.join("c.test.yaml"), text).unwrap();
        std::process::Command::new(env!("CARGO_BIN_EXE_honor"))
            .arg("--rules")
            .arg(&dir)
            .arg("test")
            .output()
            .unwrap()
    };
    let ok = run(case("    ledger: { b: 9 }\n", "2026-08-01T05:00:00Z"));
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
    let wrong = run(case("    ledger: { b: 10 }\n", "2026-08-02T05:00:00Z"));
    let out = String::from_utf8_lossy(&wrong.stdout);
    assert_eq!(wrong.status.code(), Some(1), "{out}");
    assert!(
        out.contains("eligible_from expected 2026-08-02T05:00:00Z, got 2026-08-01T05:00:00Z"),
        "{out}"
    );
    assert!(
        out.contains("b: expected eligible, got ineligible"),
        "{out}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A window that starts at a wall time the clocks skip opens at the first instant after the
/// gap; the agent's line says why the time differs from the one written.
#[test]
fn a_start_in_a_dst_gap_says_the_clocks_skip_it() {
    let gap = rules(
        "timezone \"America/Chicago\"\noffer spring { title \"Spring\" valid 2016-03-13 02:30 to 2016-04-01 }\n",
    );
    let d = decide(&gap, "{}", "2016-03-01T00:00:00Z");
    assert_eq!(
        d.offers[0]
            .eligible_from
            .map(honor::format_instant)
            .as_deref(),
        Some("2016-03-13T08:30:00Z"),
        "03:30 CDT, the first instant after the gap"
    );
    let text = lines(&d);
    assert!(
        text.contains(
            "eligible from Sun 13 Mar 2016, 03:30 America/Chicago (the offer starts; 02:30 does not exist that night, the clocks go forward)"
        ),
        "{text}"
    );
    // a start the clocks do not skip says nothing of the kind
    let plain = rules(
        "timezone \"America/Chicago\"\noffer spring { title \"Spring\" valid 2016-03-13 01:30 to 2016-04-01 }\n",
    );
    let text = lines(&decide(&plain, "{}", "2016-03-01T00:00:00Z"));
    assert!(
        text.contains("eligible from Sun 13 Mar 2016, 01:30 America/Chicago (the offer starts)"),
        "{text}"
    );
}

/// A condition of more than 32 parts keeps no values from its evaluation and evaluates a part
/// again when its explanation asks: the words and the residual are the same as for a short
/// one.
#[test]
fn a_condition_of_many_parts_is_explained_in_full() {
    let parts: Vec<String> = (1..=40).map(|n| format!("c.x == {n}")).collect();
    let r = rules(&format!(
        "context {{ c.x number }}\noffer many {{ title \"M\" when {} }}",
        parts.join(" or ")
    ));
    let d = decide(&r, r#"{"c": {"x": 0}}"#, AT);
    let o = &d.offers[0];
    assert_eq!(o.status, Status::Ineligible);
    let expected: Vec<String> = (1..=40)
        .map(|n| format!("c.x is 0, needs == {n}"))
        .collect();
    assert_eq!(o.clauses[0].detail, expected.join("; or ").as_str());
    let needs = serde_json::to_value(o.needs().collect::<Vec<_>>()).unwrap();
    let any = needs[0]["residual"]["any"]
        .as_array()
        .expect("one of the forty");
    assert_eq!(any.len(), 40);
    assert_eq!(any[39]["test"], "c.x == 40");
    assert_eq!(any[39]["now"]["c.x"], 0);
    // one part holds: the offer is eligible and needs nothing
    let d = decide(&r, r#"{"c": {"x": 33}}"#, AT);
    assert_eq!(d.offers[0].status, Status::Eligible);
    assert_eq!(d.offers[0].clauses[0].detail, "c.x is 33, needs == 33");
    assert!(d.offers[0].needs().next().is_none());
}
