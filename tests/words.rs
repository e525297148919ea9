//! What marketers and agents read beyond decisions: warnings about context fields that look
//! like typos, the rule set's own currency, codes read out loud, and parity as JSON values.

use std::path::{Path, PathBuf};
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

/// A scratch folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("honor-words-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    dir
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
