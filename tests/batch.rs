//! `honor batch` gives every customer of a file the same answer `honor check` gives them one
//! by one, whatever the number of threads, and reports bad lines without stopping.

use std::io::Write;
use std::process::Output;

mod common;

fn honor(args: &[&str], stdin: Option<&str>) -> Output {
    common::run_in(common::root(), args, stdin.map(str::as_bytes))
}

use honor::RuleSet;

const AT: &str = "2026-12-01T15:00:00Z";
const FILE: &str = "tests/batch/customers.jsonl";

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
    let at = honor::parse_instant(AT).unwrap();
    let rules = RuleSet::load(&root.join("rules"), at).unwrap();
    let input = std::fs::read_to_string(root.join(FILE)).unwrap();
    for channel in ["web", "store", "phone"] {
        let out = batch(channel, &[]);
        let stdout = String::from_utf8(out.stdout).unwrap();
        let mut decided = stdout
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap());
        for (n, line) in input.lines().enumerate() {
            let Ok(doc) = honor::Document::parse(line, Some(honor::Format::Json)) else {
                continue;
            };
            let Ok(ctx) = rules.context(&doc) else {
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
                Some(q) => assert_eq!(got["quote"], q.final_price.as_str()),
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

fn batch_stdin(extra: &[&str], input: &[u8]) -> (i32, String, String) {
    let mut args = vec!["batch", "--contexts", "-", "--channel", "web", "--at", AT];
    args.extend(extra);
    common::honor_with_input(&args, input)
}

#[test]
fn full_prints_the_decision_check_gives_on_one_line() {
    let (code, stdout, _) = batch_stdin(
        &["--full"],
        b"{\"customer\": {\"tenure_months\": 26}, \"price\": \"130.00 USD\"}\n",
    );
    assert_eq!(code, 0);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    let line: serde_json::Value = serde_json::from_str(stdout.trim_end()).unwrap();
    let root = common::root();
    let at = honor::parse_instant(AT).unwrap();
    let rules = RuleSet::load(&root.join("rules"), at).unwrap();
    let doc = honor::Document::parse(
        "{\"customer\": {\"tenure_months\": 26}, \"price\": \"130.00 USD\"}",
        Some(honor::Format::Json),
    )
    .unwrap();
    let ctx = rules.context(&doc).unwrap();
    let check = rules.decide(&ctx, rules.channel("web").unwrap(), at, None);
    assert_eq!(line, serde_json::to_value(&check).unwrap());
}

#[test]
fn a_line_past_the_cap_is_skipped_with_its_number() {
    let mut input = b"{\"customer\": {\"tenure_months\": 26}}\n".to_vec();
    input.extend(b"{\"customer\": {\"plan\": \"");
    input.extend(std::iter::repeat_n(b'x', 3 * 1024 * 1024));
    input.extend(b"\"}}\n{\"customer\": {\"tenure_months\": 3}}\n");
    let (code, stdout, stderr) = batch_stdin(&[], &input);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("line 2: this line is longer than 1048576 bytes; it was skipped"),
        "{stderr}"
    );
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1]["line"], 3);
}

#[test]
fn jobs_are_capped_with_a_message() {
    let (code, _, stderr) = batch_stdin(&["--jobs", "100000"], b"{}\n");
    assert_eq!(code, 2);
    assert!(stderr.contains("--jobs 100000 is more than"), "{stderr}");
    let (code, _, stderr) = batch_stdin(&["--jobs", "0"], b"{}\n");
    assert_eq!(code, 2);
    assert!(stderr.contains("--jobs 0"), "{stderr}");
}

#[test]
fn a_null_line_and_an_empty_document_are_contexts_with_every_field_missing() {
    let (code, stdout, stderr) = batch_stdin(&[], b"null\n{}\n");
    assert_eq!(code, 0, "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2);
    let strip = |l: &str| {
        let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
        v["line"] = serde_json::Value::Null;
        v
    };
    assert_eq!(strip(lines[0]), strip(lines[1]));
    // check reads them the same way
    let dir = common::scratch("null-context");
    for (name, text) in [
        ("null.yaml", "null\n"),
        ("empty.yaml", ""),
        ("comments.yaml", "# nothing\n"),
        ("tilde.yaml", "~\n"),
    ] {
        std::fs::write(dir.join(name), text).unwrap();
        let path = dir.join(name);
        let (code, _, stderr) = common::honor(&[
            "check",
            "--context",
            path.to_str().unwrap(),
            "--channel",
            "web",
            "--at",
            AT,
        ]);
        assert_eq!(code, 0, "{name}: {stderr}");
    }
}

#[test]
fn a_closed_reader_ends_the_run_quietly() {
    use std::io::{BufRead, BufReader};
    let mut child = common::spawn(&["batch", "--contexts", "-", "--channel", "web", "--at", AT]);
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let line = b"{\"customer\": {\"tenure_months\": 26}}\n".repeat(1000);
        for _ in 0..200 {
            if stdin.write_all(&line).is_err() {
                return;
            }
        }
    });
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    let _ = writer.join();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        !stderr.contains("Broken pipe") && !stderr.contains("error"),
        "{stderr}"
    );
}

#[test]
fn piped_input_is_answered_line_by_line() {
    use std::io::{BufRead, BufReader};
    let mut child = common::spawn(&["batch", "--contexts", "-", "--channel", "web", "--at", AT]);
    let mut stdin = child.stdin.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if tx.send(line.unwrap()).is_err() {
                return;
            }
        }
    });
    for n in 1..=3 {
        stdin
            .write_all(format!("{{\"id\": \"c{n}\"}}\n").as_bytes())
            .unwrap();
        stdin.flush().unwrap();
        // the answer comes while standard input is still open
        let answer = rx
            .recv_timeout(std::time::Duration::from_secs(20))
            .expect("an answer for each line before the input ends");
        let v: serde_json::Value = serde_json::from_str(&answer).unwrap();
        assert_eq!(v["id"], format!("c{n}"));
        assert_eq!(v["line"], n);
    }
    drop(stdin);
    assert_eq!(child.wait().unwrap().code(), Some(0));
}

#[test]
fn csv_cells_that_look_like_formulas_are_neutralised() {
    let input = b"{\"id\": \"=HYPERLINK(\\\"http://x\\\")\"}\n{\"id\": \"+1\"}\n{\"id\": \"-2\"}\n{\"id\": \"@SUM(A1)\"}\n{\"id\": \"\\tx\"}\n{\"id\": \"plain\"}\n";
    let (code, stdout, stderr) = batch_stdin(&["--format", "csv"], input);
    assert_eq!(code, 0, "{stderr}");
    let ids: Vec<&str> = stdout
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "\"'=HYPERLINK(\"\"http://x\"\")\"",
            "'+1",
            "'-2",
            "'@SUM(A1)",
            "'\tx",
            "plain"
        ]
    );
}
