//! `honor batch` gives every customer of a file the same answer `honor check` gives them one
//! by one, whatever the number of threads, and reports bad lines without stopping.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use honor::input::document;
use honor::value::time;
use honor::{Context, RuleSet};

const AT: &str = "2026-12-01T15:00:00Z";
const FILE: &str = "tests/batch/customers.jsonl";

fn honor(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_honor"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the honor binary runs");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn batch(channel: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "batch",
        "--contexts",
        FILE,
        "--channel",
        channel,
        "--at",
        AT,
    ];
    args.extend(extra);
    honor(&args, None)
}

#[test]
fn batch_lines_equal_check_decisions() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let at = time::parse_instant(AT).unwrap();
    let rules = RuleSet::load(&root.join("rules"), at).unwrap();
    let input = std::fs::read_to_string(root.join(FILE)).unwrap();
    for channel in ["web", "store", "phone"] {
        let out = batch(channel, &[]);
        let stdout = String::from_utf8(out.stdout).unwrap();
        let mut decided = stdout
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap());
        for (n, line) in input.lines().enumerate() {
            let Ok(doc) = document::parse_json(line) else {
                continue;
            };
            let Ok(ctx) = Context::from_doc(&doc, &rules.model.schema) else {
                continue;
            };
            let check = rules.decide(&ctx, rules.channel(channel).unwrap(), at, None);
            let got = decided.next().expect("a line per good context");
            assert_eq!(got["line"], n + 1);
            for offer in &check.offers {
                assert_eq!(
                    got["offers"][&offer.id],
                    offer.status.word(),
                    "line {} {channel} {}",
                    n + 1,
                    offer.id
                );
            }
            match &check.quote {
                None => assert!(got["quote"].is_null()),
                Some(q) => {
                    assert_eq!(got["quote"]["final"], q.final_price.as_str());
                    assert_eq!(got["quote"]["list"], q.list.as_str());
                    assert_eq!(got["quote"]["applied"], serde_json::json!(q.applied));
                }
            }
        }
        assert!(decided.next().is_none());
    }
}

#[test]
fn bad_lines_are_reported_and_the_run_goes_on() {
    let out = batch("phone", &[]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains(
            "line 3: context field `customer.tenure_months` should be a number, found \"abc\""
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("line 5, column 12: this is not valid JSON: EOF while parsing a value"),
        "{stderr}"
    );
    assert!(stderr.contains("8 lines: 6 decided, 2 failed"), "{stderr}");
    assert_eq!(String::from_utf8(out.stdout).unwrap().lines().count(), 6);
}

#[test]
fn threads_do_not_change_the_output() {
    let one = batch("store", &["--jobs", "1"]);
    let two = batch("store", &["--jobs", "2"]);
    assert_eq!(one.stdout, two.stdout);
    let text = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(FILE))
        .unwrap();
    let piped = honor(
        &["batch", "--contexts", "-", "--channel", "store", "--at", AT],
        Some(&text),
    );
    assert_eq!(piped.stdout, one.stdout, "standard input reads the same");
}

#[test]
fn eligible_only_csv_and_summary() {
    let out = batch("web", &["--only-eligible"]);
    let first = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_string();
    let line: serde_json::Value = serde_json::from_str(&first).unwrap();
    assert!(
        line["offers"]
            .as_object()
            .unwrap()
            .values()
            .all(|s| s == "eligible"),
        "{first}"
    );
    insta::assert_snapshot!(
        "csv",
        String::from_utf8(batch("web", &["--format", "csv"]).stdout).unwrap()
    );
    insta::assert_snapshot!(
        "csv-eligible",
        String::from_utf8(batch("web", &["--format", "csv", "--only-eligible"]).stdout).unwrap()
    );
    let summary = batch("store", &["--summary"]);
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r"sha256:[0-9a-f]{16}", "sha256:[fingerprint]");
    settings
        .bind(|| insta::assert_snapshot!("summary", String::from_utf8(summary.stdout).unwrap()));
}
