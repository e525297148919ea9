//! One small broken rule file per diagnostic kind, linted by the real binary: the snapshot
//! is what a marketer sees, with the place, the source line and the caret.

mod common;

fn lint(path: &str, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec!["--rules", path, "lint", "--at", "2016-05-10T12:00:00Z"];
    args.extend(extra);
    common::honor(&args)
}

#[test]
fn every_diagnostic_kind() {
    insta::glob!("diagnostics/*.offer", |path| {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let rel = format!("tests/diagnostics/{name}");
        let (code, stdout, stderr) = lint(&rel, &[]);
        let warning_only = name.starts_with("warn-");
        assert_eq!(code, if warning_only { 0 } else { 1 }, "{name}: {stdout}");
        assert!(
            stderr.is_empty(),
            "{name}: lint reports on stdout, got stderr {stderr}"
        );
        assert!(!stdout.contains("panicked"), "{name}");
        // Rule names of the grammar never reach the user.
        for rule in [
            "kw_",
            "EOI",
            "SOI",
            "conjunction",
            "negation",
            "close_brace",
            "field_type",
        ] {
            assert!(
                !stdout.contains(rule),
                "{name} shows the grammar rule {rule}: {stdout}"
            );
        }
        insta::assert_snapshot!(stdout);
    });
}

#[test]
fn warnings_fail_only_when_denied() {
    let (code, _, _) = lint("tests/diagnostics/warn-no-end.offer", &["--deny-warnings"]);
    assert_eq!(code, 1);
    let (code, stdout, _) = lint("rules", &["--deny-warnings"]);
    assert_eq!(code, 0, "the sample rules lint clean: {stdout}");
}

#[test]
fn lint_json_lists_each_diagnostic_with_its_place() {
    let (code, stdout, _) = lint(
        "tests/diagnostics/undeclared-field.offer",
        &["--format", "json"],
    );
    assert_eq!(code, 1);
    let report: serde_json::Value =
        serde_json::from_str(&stdout).expect("lint --format json prints JSON");
    assert_eq!(report["errors"], 1);
    let d = &report["diagnostics"][0];
    assert_eq!(d["severity"], "error");
    assert_eq!(d["kind"], "undeclared-field");
    assert_eq!(d["file"], "tests/diagnostics/undeclared-field.offer");
    assert_eq!(d["line"], 4);
    assert_eq!(d["column"], 8);
    assert_eq!(d["help"], "did you mean `customer.tenure_months`?");
}
