//! `honor diff` as a reviewer of a marketing pull request meets it: the structural report in
//! text, JSON and markdown for the usual kinds of change, impact counts that agree with
//! deciding every customer with `honor check`, and a base read out of git.

mod common;

use common::scratch;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const AT: &str = "2026-12-05T12:00:00Z";
const SHOP: &str = include_str!("review/shop.offer");
const CUSTOMERS: &str = include_str!("review/customers.jsonl");

fn honor(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_honor"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("the honor binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Replaces `from` (which must be there) with `to`.
fn edit(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "`{from}` is in the rules");
    text.replacen(from, to, 1)
}

fn offer_block(text: &str, id: &str) -> String {
    let start = text.find(&format!("offer {id} {{")).unwrap();
    let end = start + text[start..].find("\n}\n").unwrap() + 3;
    text[start..end].to_string()
}

/// The changes a marketing team makes, by name.
fn variant(name: &str) -> String {
    match name {
        "threshold" => edit(
            SHOP,
            "customer.tenure_months >= 12",
            "customer.tenure_months >= 6",
        ),
        "window" => edit(
            SHOP,
            "valid     2026-11-01 to 2026-11-30",
            "valid     2026-11-01 to 2026-12-31",
        ),
        "benefit" => edit(SHOP, "benefit   price 0.00 USD", "benefit   price 5.00 USD"),
        "removed" => SHOP.replace(&offer_block(SHOP, "tv_bundle"), ""),
        "comments" => {
            let t = edit(
                SHOP,
                "offer loyal_upgrade {\n",
                "# loyal customers come first\noffer loyal_upgrade {   # the upgrade\n",
            );
            let t = edit(
                &t,
                "  benefit   price 0.00 USD\n",
                "      benefit price 0 USD    # free\n",
            );
            edit(
                &t,
                "customer.tenure_months >= 12",
                "customer.tenure_months>=12.0",
            )
        }
        "reordered" => {
            let tv = offer_block(SHOP, "tv_bundle");
            let t = SHOP.replace(&tv, "");
            let t = edit(
                &t,
                "offer loyal_upgrade {",
                &format!("{tv}\noffer loyal_upgrade {{"),
            );
            // clauses in another order, and the channels listed the other way round
            let t = edit(
                &t,
                "  honor     web, store\n",
                "  note      \"Family plan discount.\"\n  honor store, web\n",
            );
            edit(&t, "  note      \"Family plan discount.\"\n}", "}")
        }
        other => panic!("no variant {other}"),
    }
}

/// A folder with the rules before (`base/`) and after (`head/`), and the customers.
fn setup(name: &str, test: &str) -> PathBuf {
    let dir = scratch(&format!("{test}-{name}"));
    write(&dir.join("base/shop.offer"), SHOP);
    write(&dir.join("head/shop.offer"), &variant(name));
    write(&dir.join("customers.jsonl"), CUSTOMERS);
    dir
}

fn diff(dir: &Path, format: &str) -> (i32, String, String) {
    let out = honor(
        dir,
        &[
            "--rules",
            "head",
            "diff",
            "--base",
            "base",
            "--contexts",
            "customers.jsonl",
            "--at",
            AT,
            "--format",
            format,
            "--fail-on-change",
        ],
    );
    (
        out.status.code().unwrap_or(-1),
        text(&out.stdout),
        text(&out.stderr),
    )
}

#[test]
fn reports_in_text_json_and_markdown() {
    for (name, changes) in [
        ("threshold", true),
        ("window", true),
        ("removed", true),
        ("benefit", true),
        ("comments", false),
        ("reordered", false),
    ] {
        let dir = setup(name, "report");
        for format in ["text", "json", "markdown"] {
            let (code, stdout, stderr) = diff(&dir, format);
            assert_eq!(stderr, "", "{name} {format}");
            assert_eq!(
                code,
                if changes { 1 } else { 0 },
                "{name} {format}: exit code"
            );
            insta::assert_snapshot!(format!("{name}-{format}"), stdout);
        }
    }
}

#[test]
fn without_fail_on_change_a_change_exits_0() {
    let dir = setup("threshold", "exit");
    let out = honor(&dir, &["--rules", "head", "diff", "--base", "base"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("1 offer changed"));
}

/// Every offer's status and price on every channel, and each quote, as `honor check` gives
/// them for one customer.
type Decided = BTreeMap<(String, String), (String, Option<String>)>;

fn check(dir: &Path, rules: &str, context: &Path) -> (Decided, BTreeMap<String, String>) {
    let out = honor(
        dir,
        &[
            "--rules",
            rules,
            "check",
            "--context",
            context.to_str().unwrap(),
            "--at",
            AT,
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut offers = Decided::new();
    let mut quotes = BTreeMap::new();
    for (channel, decision) in json["decisions"].as_object().unwrap() {
        for offer in decision["offers"].as_array().unwrap() {
            offers.insert(
                (offer["id"].as_str().unwrap().into(), channel.clone()),
                (
                    offer["status"].as_str().unwrap().into(),
                    offer["price"].as_str().map(String::from),
                ),
            );
        }
        if let Some(q) = decision["quote"]["final"].as_str() {
            quotes.insert(channel.clone(), q.to_string());
        }
    }
    (offers, quotes)
}

fn minor(money: &str) -> i64 {
    let amount = money.split(' ').next().unwrap();
    amount.replace('.', "").parse().unwrap()
}

#[test]
fn impact_counts_match_deciding_each_customer_with_check() {
    for name in ["threshold", "window", "removed", "benefit"] {
        let dir = setup(name, "impact");
        let mut moves: BTreeMap<(String, String, String, String), usize> = BTreeMap::new();
        let mut prices: BTreeMap<(String, String), usize> = BTreeMap::new();
        let (mut up, mut down, mut compared) = (0, 0, 0);
        let mut changed = 0;
        for (n, line) in CUSTOMERS.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let file = dir.join(format!("customer-{n}.json"));
            write(&file, line);
            let (old, old_quotes) = check(&dir, "base", &file);
            let (new, new_quotes) = check(&dir, "head", &file);
            let mut any = false;
            for (key, (status, price)) in &new {
                // offers on one side only are added or removed, not movements
                let Some((old_status, old_price)) = old.get(key) else {
                    continue;
                };
                if old_status != status {
                    any = true;
                    *moves
                        .entry((
                            key.0.clone(),
                            key.1.clone(),
                            old_status.clone(),
                            status.clone(),
                        ))
                        .or_default() += 1;
                } else if old_price != price {
                    any = true;
                    *prices.entry(key.clone()).or_default() += 1;
                }
            }
            for (channel, q) in &new_quotes {
                compared += 1;
                let before = minor(&old_quotes[channel]);
                let after = minor(q);
                if after > before {
                    up += 1;
                    any = true;
                } else if after < before {
                    down += 1;
                    any = true;
                }
            }
            changed += any as usize;
        }
        let (_, stdout, stderr) = diff(&dir, "json");
        assert_eq!(stderr, "");
        let json: Value = serde_json::from_str(&stdout).unwrap();
        let impact = &json["impact"];
        let mut reported_moves = BTreeMap::new();
        let mut reported_prices = BTreeMap::new();
        for offer in impact["offers"].as_array().unwrap() {
            let id = offer["id"].as_str().unwrap().to_string();
            for m in offer["moves"].as_array().unwrap() {
                reported_moves.insert(
                    (
                        id.clone(),
                        m["channel"].as_str().unwrap().into(),
                        m["from"].as_str().unwrap().into(),
                        m["to"].as_str().unwrap().into(),
                    ),
                    m["customers"].as_u64().unwrap() as usize,
                );
                assert!(m["examples"].as_array().unwrap().len() <= 3);
            }
            for p in offer["prices"].as_array().unwrap() {
                reported_prices.insert(
                    (id.clone(), p["channel"].as_str().unwrap().into()),
                    p["customers"].as_u64().unwrap() as usize,
                );
            }
        }
        assert_eq!(reported_moves, moves, "{name}: movements");
        assert_eq!(reported_prices, prices, "{name}: prices");
        assert_eq!(impact["quotes"]["compared"], compared, "{name}");
        assert_eq!(impact["quotes"]["up"], up, "{name}");
        assert_eq!(impact["quotes"]["down"], down, "{name}");
        assert_eq!(impact["changed_customers"], changed, "{name}");
        assert_eq!(impact["customers"], 7, "{name}");
        assert!(
            !moves.is_empty() || !prices.is_empty() || up + down > 0,
            "{name}: the sample sees the change"
        );
    }
}

#[test]
fn bad_input_exits_2_with_a_message() {
    let dir = setup("threshold", "bad");
    write(
        &dir.join("bad.jsonl"),
        "{\"customer\": {\"id\": \"a\"}}\n{\"customer\": {\"tenure_months\": \"abc\"}}\n",
    );
    let out = honor(
        &dir,
        &[
            "--rules",
            "head",
            "diff",
            "--base",
            "base",
            "--contexts",
            "bad.jsonl",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.starts_with("bad.jsonl:2: error: "), "{err}");
    assert!(err.contains("customer.tenure_months"), "{err}");

    let out = honor(
        &dir,
        &[
            "--rules",
            "head",
            "diff",
            "--base",
            "base",
            "--channel",
            "webb",
            "--contexts",
            "customers.jsonl",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("did you mean `web`"),
        "{}",
        text(&out.stderr)
    );

    write(&dir.join("broken/shop.offer"), "offer x {");
    let out = honor(&dir, &["--rules", "head", "diff", "--base", "broken"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("the base rule set does not load"));
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", text(&out.stderr));
    text(&out.stdout)
}

#[test]
fn base_from_a_git_revision_without_touching_the_work_tree() {
    let dir = scratch("git");
    git(&dir, &["init", "-q", "-b", "main"]);
    write(&dir.join("rules/shop.offer"), SHOP);
    write(
        &dir.join("rules/more/extra.offer"),
        "offer extra { title \"Extra\" valid 2026-01-01 to 2026-12-31 }\n",
    );
    write(&dir.join("customers.jsonl"), CUSTOMERS);
    git(&dir, &["add", "."]);
    git(&dir, &["commit", "-q", "-m", "winter offers"]);
    write(&dir.join("rules/shop.offer"), &variant("threshold"));

    // the same report as against a copy of the committed rules
    write(&dir.join("copy/shop.offer"), SHOP);
    write(
        &dir.join("copy/more/extra.offer"),
        "offer extra { title \"Extra\" valid 2026-01-01 to 2026-12-31 }\n",
    );
    let status_before = git(&dir, &["status", "--porcelain"]);
    let args = |base: &str| {
        vec![
            "--rules".to_string(),
            "rules".into(),
            "diff".into(),
            "--base".into(),
            base.into(),
            "--contexts".into(),
            "customers.jsonl".into(),
            "--at".into(),
            AT.into(),
            "--format".into(),
            "json".into(),
        ]
    };
    let run = |base: &str| {
        let a = args(base);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        let out = honor(&dir, &a);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let mut json: Value = serde_json::from_slice(&out.stdout).unwrap();
        json["base"] = Value::Null;
        json
    };
    let from_git = run("main");
    assert_eq!(from_git, run("copy"));
    assert_eq!(from_git["changed"][0]["id"], "loyal_upgrade");
    assert_eq!(run("HEAD"), from_git);
    // the work tree and the index are as they were
    assert_eq!(git(&dir, &["status", "--porcelain"]), status_before);
    assert_eq!(
        std::fs::read_to_string(dir.join("rules/shop.offer")).unwrap(),
        variant("threshold")
    );

    // a later commit: HEAD~1 is the first one
    git(&dir, &["commit", "-q", "-am", "lower the threshold"]);
    let out = honor(
        &dir,
        &[
            "--rules",
            "rules",
            "diff",
            "--base",
            "HEAD~1",
            "--fail-on-change",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("customer.tenure_months >= 6"));
    let out = honor(
        &dir,
        &[
            "--rules",
            "rules",
            "diff",
            "--base",
            "HEAD",
            "--fail-on-change",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));

    // one file of the rule set
    let out = honor(
        &dir,
        &["--rules", "rules/shop.offer", "diff", "--base", "HEAD~1"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("1 offer changed"));

    let out = honor(&dir, &["--rules", "rules", "diff", "--base", "mainn"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("`mainn` is neither a rule-set path nor a branch, tag or commit"),
        "{err}"
    );
    assert!(err.contains("did you mean `main`?"), "{err}");

    // a folder that is not in the revision
    write(
        &dir.join("drafts/new.offer"),
        "offer draft { title \"Draft\" valid 2026-01-01 to 2026-12-31 }\n",
    );
    let out = honor(&dir, &["--rules", "drafts", "diff", "--base", "HEAD"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("there are no `*.offer` files in `drafts` at `HEAD`"),
        "{}",
        text(&out.stderr)
    );

    // outside any repository (the system's temporary folder, not the build folder)
    let outside = std::env::temp_dir().join(format!("honor-diff-{}-no-git", std::process::id()));
    let _ = std::fs::remove_dir_all(&outside);
    write(&outside.join("rules/shop.offer"), SHOP);
    let out = honor(&outside, &["--rules", "rules", "diff", "--base", "main"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("not in a git repository"),
        "{}",
        text(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(&outside);
}
