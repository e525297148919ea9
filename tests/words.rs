//! What marketers and agents read beyond decisions: warnings about context fields that look
//! like typos, the rule set's own currency, codes read out loud, and parity as JSON values.

mod common;

use common::scratch;
use std::path::Path;
use std::process::{Command, Output};

fn honor(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_honor"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .expect("the honor binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn write(dir: &Path, name: &str, content: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, content).expect("a scratch file");
    path.display().to_string()
}

const AT: &str = "2026-12-01T15:00:00Z";

const STUDENTS: &str = r#"
context { customer.student bool }
offer student {
  title "Student discount"
  valid 2026-01-01 to 2027-12-31
  when customer.student
  benefit 10% off
}
"#;

/// The same decision as without the typo, and a warning naming both fields.
#[test]
fn a_context_field_one_edit_from_the_schema_is_a_warning() {
    let dir = scratch("near-miss");
    let rules = write(&dir, "students.offer", STUDENTS);
    let typo = write(&dir, "typo.yaml", "customer:\n  studnet: true\n");
    let none = write(&dir, "none.yaml", "customer: {}\n");
    let warning =
        "warning: `customer.studnet` is not in the schema; did you mean `customer.student`?";

    let with_typo = honor(&["--rules", &rules, "check", "--context", &typo, "--at", AT]);
    let without = honor(&["--rules", &rules, "check", "--context", &none, "--at", AT]);
    assert_eq!(with_typo.status.code(), Some(0));
    assert_eq!(text(&with_typo.stdout), text(&without.stdout));
    assert_eq!(text(&with_typo.stderr), format!("{typo}: {warning}\n"));
    assert_eq!(text(&without.stderr), "");

    let parity = honor(&[
        "--rules",
        &rules,
        "parity",
        "--context",
        &format!("web={typo}"),
        "--context",
        &format!("store={none}"),
        "--at",
        AT,
    ]);
    assert_eq!(parity.status.code(), Some(0), "{}", text(&parity.stdout));
    assert_eq!(text(&parity.stderr), format!("{typo}: {warning}\n"));

    let lines = write(
        &dir,
        "lines.jsonl",
        "{\"customer\": {\"studnet\": true}}\n{\"customer\": {\"student\": true}}\n{\"customer\": {\"studnet\": false}}\n",
    );
    let batch = honor(&[
        "--rules",
        &rules,
        "batch",
        "--contexts",
        &lines,
        "--channel",
        "web",
        "--at",
        AT,
    ]);
    assert_eq!(batch.status.code(), Some(0));
    let warned: Vec<String> = text(&batch.stderr)
        .lines()
        .filter(|l| l.contains("warning"))
        .map(String::from)
        .collect();
    assert_eq!(warned, [format!("line 1: {warning}")], "once per field");
    let decided = text(&batch.stdout);
    assert!(
        decided
            .lines()
            .next()
            .unwrap()
            .contains(r#""student":"unknown""#),
        "{decided}"
    );

    let cases = write(
        &dir,
        "students.test.yaml",
        "at: 2026-12-01T15:00:00Z\ncases:\n  - name: typo\n    context:\n      customer:\n        studnet: true\n    expect:\n      student: unknown\n",
    );
    let test = honor(&["--rules", &rules, "test", &cases]);
    assert_eq!(test.status.code(), Some(0), "{}", text(&test.stdout));
    assert_eq!(text(&test.stderr), format!("{cases}:6: {warning}\n"));
}

const EURO: &str = r#"currency EUR
timezone "Europe/Berlin"
offer winter {
  title "Winter"
  valid 2026-11-01 to 2027-02-28
  benefit 10% off up to 25.00 EUR
  on phone { fee 5.00 EUR }
}
"#;

#[test]
fn a_price_in_another_currency_than_the_rule_sets_is_refused() {
    let dir = scratch("currency");
    let rules = write(&dir, "euro.offer", EURO);
    let dollars = write(&dir, "dollars.yaml", "price: \"130.00 USD\"\n");
    let euros = write(&dir, "euros.yaml", "price: \"130.00 EUR\"\n");

    let refused = honor(&[
        "--rules",
        &rules,
        "check",
        "--context",
        &dollars,
        "--at",
        AT,
    ]);
    assert_eq!(refused.status.code(), Some(2));
    assert_eq!(
        text(&refused.stderr),
        format!(
            "{dollars}: context field `price` is in USD (\"130.00 USD\"), but the rule set's currency is EUR\n"
        )
    );
    assert!(refused.stdout.is_empty());

    let decided = honor(&[
        "--rules",
        &rules,
        "check",
        "--context",
        &euros,
        "--at",
        AT,
        "--channel",
        "phone",
        "--format",
        "json",
    ]);
    assert_eq!(decided.status.code(), Some(0), "{}", text(&decided.stderr));
    let d: serde_json::Value = serde_json::from_slice(&decided.stdout).expect("JSON");
    assert_eq!(d["quote"]["final"], "122.00 EUR");

    let lint = honor(&["--rules", &rules, "lint", "--at", AT]);
    assert_eq!(lint.status.code(), Some(0), "{}", text(&lint.stdout));
}

#[test]
fn fmt_prints_the_currency_with_the_other_declarations() {
    let dir = scratch("currency-fmt");
    let file = write(
        &dir,
        "euro.offer",
        "timezone \"Europe/Berlin\"   currency    EUR # the shop's money\noffer a { title \"A\" valid 2026-01-01 to 2026-12-31 }\n",
    );
    let out = honor(&["--rules", &file, "fmt"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let formatted = std::fs::read_to_string(&file).expect("the formatted file");
    assert_eq!(
        formatted,
        "timezone \"Europe/Berlin\"\ncurrency EUR  # the shop's money\n\noffer a {\n  title     \"A\"\n  valid     2026-01-01 to 2026-12-31\n}\n"
    );
    let again = honor(&["--rules", &file, "fmt", "--check"]);
    assert_eq!(again.status.code(), Some(0));
}

#[test]
fn fmt_writes_the_parentheses_the_and_or_lint_asks_for() {
    let dir = scratch("and-or");
    let file = write(
        &dir,
        "young.offer",
        "context { c.a bool c.b bool c.c bool }\noffer young { title \"Young\" valid 2026-01-01 to 2026-12-31 when c.a or c.b and c.c }\n",
    );
    let before = honor(&["--rules", &file, "lint", "--at", AT]);
    assert!(
        text(&before.stdout).contains("warning: a condition of offer `young` mixes `and` and `or`")
    );
    let out = honor(&["--rules", &file, "fmt"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let formatted = std::fs::read_to_string(&file).expect("the formatted file");
    assert!(
        formatted.contains("when      c.a or (c.b and c.c)\n"),
        "{formatted}"
    );
    let after = honor(&["--rules", &file, "lint", "--at", AT, "--deny-warnings"]);
    assert_eq!(after.status.code(), Some(0), "{}", text(&after.stdout));
}

const CODES: &str = r#"
offer black_friday {
  title "Black Friday: 20% off"
  valid 2026-11-27 to 2026-11-30
  code "BLACKFRIDAY"
  benefit 20% off
}
offer winter {
  title "Winter upgrade"
  valid 2026-11-01 to 2027-02-28
  code "UPGRADE-WINTER26"
  benefit 10% off
}
offer spring {
  title "Spring sale"
  valid 2027-03-01 to 2027-03-31
  code "SPRING27"
  benefit 10% off
}
"#;

/// A code read out loud finds its offer whatever the spaces, dashes, case, O/0 and I/1.
#[test]
fn offers_finds_a_code_read_out_loud() {
    let dir = scratch("codes");
    let rules = write(&dir, "codes.offer", CODES);
    let at = "2026-11-28T12:00:00Z";
    for spoken in [
        "black friday",
        "Black-Fr1day",
        " BLACK FRIDAY ",
        "blackfriday",
    ] {
        let out = honor(&[
            "--rules", &rules, "offers", "--code", spoken, "--at", at, "--format", "json",
        ]);
        assert_eq!(out.status.code(), Some(0), "{spoken}");
        let found: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        assert_eq!(found["live"][0]["id"], "black_friday", "{spoken}");
        assert_eq!(found["live"].as_array().map(Vec::len), Some(1), "{spoken}");
    }
    let out = honor(&[
        "--rules",
        &rules,
        "offers",
        "--code",
        "upgrade winter 2b",
        "--at",
        at,
    ]);
    assert_eq!(out.status.code(), Some(1));
    let shown = text(&out.stdout).replace(&fingerprint(&out.stdout), "sha256:…");
    insta::assert_snapshot!("code-not-found", shown);

    let out = honor(&[
        "--rules",
        &rules,
        "offers",
        "--code",
        "blak friday",
        "--at",
        at,
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let found: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(
        found["suggestions"],
        serde_json::json!([{"code": "BLACKFRIDAY", "id": "black_friday", "title": "Black Friday: 20% off"}])
    );
    // a code far from every live one suggests nothing; one not live is not suggested
    let out = honor(&["--rules", &rules, "offers", "--code", "SPRNG27", "--at", at]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        !text(&out.stdout).contains("did you mean"),
        "{}",
        text(&out.stdout)
    );
}

fn fingerprint(stdout: &[u8]) -> String {
    let shown = text(stdout);
    let start = shown.find("sha256:").expect("a fingerprint");
    shown[start..]
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string()
}
