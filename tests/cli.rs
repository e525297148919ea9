//! The command line as a user meets it: exit codes, messages for bad input, and input built
//! to break it (deep nesting, binary files, huge chains) that must end in a clear error.

use std::process::Output;

mod common;

use common::scratch;

fn honor(args: &[&str]) -> Output {
    common::run_in(common::root(), args, None)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const AT: &str = "2026-12-01T15:00:00Z";
const EMAILED: &str = "rules/contexts/emailed-upgrade.yaml";

#[test]
fn check_prints_every_channel_and_parity() {
    let out = honor(&["check", "--context", EMAILED, "--at", AT]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = text(&out.stdout);
    for section in [
        "web:",
        "store:",
        "phone:",
        "parity: every channel that honors an offer gives the same answer",
    ] {
        assert!(stdout.contains(section), "missing {section}:\n{stdout}");
    }
}

#[test]
fn check_json_matches_spec_shape() {
    let out = honor(&[
        "check",
        "--context",
        EMAILED,
        "--at",
        AT,
        "--channel",
        "phone",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let d: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(d["channel"], "phone");
    assert_eq!(d["at"], AT);
    assert!(
        d["rules"]
            .as_str()
            .is_some_and(|r| r.starts_with("sha256:"))
    );
    assert_eq!(d["quote"]["final"], "0.00 USD");
    let offer = &d["offers"][0];
    for field in [
        "id", "title", "status", "clauses", "missing", "price", "note",
    ] {
        assert!(offer.get(field).is_some(), "offer lacks {field}");
    }
    let all = honor(&[
        "check",
        "--context",
        EMAILED,
        "--at",
        AT,
        "--format",
        "json",
    ]);
    let all: serde_json::Value = serde_json::from_slice(&all.stdout).expect("JSON");
    assert_eq!(all["decisions"]["phone"], d);
    assert_eq!(all["parity"]["same"], true);
    let raw = text(
        &honor(&[
            "check",
            "--context",
            EMAILED,
            "--at",
            AT,
            "--format",
            "json",
        ])
        .stdout,
    );
    let position = |c: &str| {
        raw.find(&format!("\"channel\": \"{c}\""))
            .expect("every channel is decided")
    };
    assert!(
        position("web") < position("store") && position("store") < position("phone"),
        "channels in the rule set's order"
    );
}

#[test]
fn at_prints_in_utc() {
    let out = honor(&[
        "check",
        "--context",
        EMAILED,
        "--at",
        "2026-12-01T09:00:00.5-06:00",
        "--channel",
        "web",
        "--format",
        "json",
    ]);
    let d: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(d["at"], "2026-12-01T15:00:00.5Z");
}

#[test]
fn bad_input_exits_2_with_a_message() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["check", "--context", "no/such.yaml", "--at", AT],
            "no/such.yaml: error: cannot read this file: it does not exist",
        ),
        (
            &["check", "--context", EMAILED, "--at", "yesterday"],
            "--at `yesterday` is not an RFC 3339 instant",
        ),
        (
            &["check", "--context", EMAILED, "--channel", "stor"],
            "unknown channel `stor`; this rule set's channels are web, store, phone (did you mean `store`?)",
        ),
        (
            &["check", "--context", EMAILED, "--offer", "free_upgrad"],
            "there is no offer `free_upgrad` in the rule set (did you mean `free_upgrade`?)",
        ),
        (
            &["--rules", "no/such/folder", "check", "--context", EMAILED],
            "cannot read the rule set `no/such/folder`: it does not exist",
        ),
        (
            &[
                "--rules",
                "tests/diagnostics/undeclared-field.offer",
                "check",
                "--context",
                EMAILED,
            ],
            "`customer.tenure_month` is not declared",
        ),
        (
            &["check", "--context", EMAILED, "--format", "xml"],
            "invalid value 'xml'",
        ),
        (&["check"], "--context <FILE>"),
        (&["chek"], "unrecognized subcommand"),
    ];
    for (args, expected) in cases {
        let out = honor(args);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains(expected),
            "{args:?}: expected {expected:?} in\n{stderr}"
        );
        assert!(out.stdout.is_empty(), "{args:?} printed on stdout");
    }
}

#[test]
fn malformed_contexts_name_the_file_and_the_path() {
    let dir = scratch("contexts");
    let cases = [
        (
            "tenure.yaml",
            "customer:\n  tenure_months: abc\n",
            "context field `customer.tenure_months` should be a number, found \"abc\"",
        ),
        (
            "spend.json",
            r#"{"customer": {"monthly_spend": "62.50"}}"#,
            "context field `customer.monthly_spend` should be money like \"130.00 USD\"",
        ),
        (
            "broken.json",
            "{\"customer\": {",
            "broken.json:1:14: this is not valid JSON",
        ),
        ("broken.yaml", "customer: [1, 2\n", "broken.yaml:"),
        ("list.yaml", "- 1\n- 2\n", "should be a map of fields"),
        (
            "octal.yaml",
            "customer:\n  tenure_months: 0o17\n",
            "should be a number written as a plain decimal",
        ),
    ];
    // nested far deeper than 128: refused by the readers' own limits, never a stack overflow
    let deep_json = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let deep_yaml = format!("a: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    let deeper_than_128 = format!("a: {}{}\n", "[".repeat(500), "]".repeat(500));
    let deep = [
        (
            "deep.json",
            deep_json.as_str(),
            "deep.json:1:129: the document is nested more than 128 levels deep",
        ),
        (
            "deep.yaml",
            deep_yaml.as_str(),
            "deep.yaml:1:1004: this is not valid YAML: lists and maps nested more than 1000 deep",
        ),
        (
            "deeper.yaml",
            deeper_than_128.as_str(),
            "this is not valid YAML: recursion limit exceeded",
        ),
    ];
    for (name, content, expected) in cases.into_iter().chain(deep) {
        let path = dir.join(name);
        std::fs::write(&path, content).unwrap();
        let out = honor(&["check", "--context", path.to_str().unwrap(), "--at", AT]);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert!(
            stderr.contains(expected),
            "{name}: expected {expected:?} in\n{stderr}"
        );
        assert!(
            stderr.contains(name),
            "{name}: the message names the file:\n{stderr}"
        );
    }
}

#[test]
fn lint_exit_codes() {
    assert_eq!(honor(&["lint", "--at", AT]).status.code(), Some(0));
    assert_eq!(
        honor(&["--rules", "tests/diagnostics/duplicate-id.offer", "lint"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        honor(&["--rules", "no/such/folder", "lint"]).status.code(),
        Some(1)
    );
}

/// Input made to break the parser ends in a clear error, never a crash or a stack overflow.
#[test]
fn hostile_rule_files_end_in_clear_errors() {
    let dir = scratch("hostile");
    let deep = format!(
        "context {{ x number }}\noffer a {{ title \"A\" when {}x > 1{} }}",
        "(".repeat(50_000),
        ")".repeat(50_000)
    );
    let nots = format!(
        "context {{ x bool }}\noffer a {{ title \"A\" when {}x }}",
        "not ".repeat(50_000)
    );
    let lists = format!(
        "context {{ x {}text }}\noffer a {{ title \"A\" }}",
        "list of ".repeat(50_000)
    );
    let brackets = format!(
        "context {{ x text }}\noffer a {{ title \"A\" when x in {}\"a\"{} }}",
        "[".repeat(50_000),
        "]".repeat(50_000)
    );
    let ands = format!(
        "context {{ x number }}\noffer a {{ title \"A\" when {} }}",
        vec!["x > 1"; 20_000].join(" and ")
    );
    let cases: Vec<(&str, Vec<u8>, Option<&str>)> = vec![
        ("deep.offer", deep.into_bytes(), Some("nested too deeply")),
        ("nots.offer", nots.into_bytes(), Some("nested too deeply")),
        ("ands.offer", ands.into_bytes(), None),
        (
            "lists.offer",
            lists.into_bytes(),
            Some("nests more than 256 lists"),
        ),
        (
            "brackets.offer",
            brackets.into_bytes(),
            Some("nested too deeply"),
        ),
        (
            "huge.offer",
            vec![b' '; 17 * 1024 * 1024],
            Some("files of at most 16777216 bytes are read"),
        ),
        (
            "binary.offer",
            (0u8..=255).cycle().take(4096).collect(),
            Some("is not a text file"),
        ),
        ("nul.offer", b"offer a {\0}".to_vec(), Some("error:")),
        ("empty.offer", Vec::new(), None),
        (
            "unclosed.offer",
            b"offer a { title \"A\" when (((".to_vec(),
            Some("error:"),
        ),
    ];
    for (name, content, expected) in cases {
        let path = dir.join(name);
        std::fs::write(&path, content).unwrap();
        let out = honor(&["--rules", path.to_str().unwrap(), "lint"]);
        let stdout = text(&out.stdout);
        match expected {
            Some(expected) => {
                assert_eq!(out.status.code(), Some(1), "{name}: {stdout}");
                assert!(
                    stdout.contains(expected),
                    "{name}: expected {expected:?} in\n{stdout}"
                );
            }
            None => assert_eq!(out.status.code(), Some(0), "{name}: {stdout}"),
        }
    }
}

#[test]
fn a_folder_without_rule_files_is_an_error() {
    let dir = scratch("empty-folder");
    let out = honor(&[
        "--rules",
        dir.to_str().unwrap(),
        "check",
        "--context",
        EMAILED,
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("there are no `*.offer` files"));
}

/// The web decision, as JSON, of an empty context for the rule set in `dir`.
fn web_decision(dir: &std::path::Path) -> serde_json::Value {
    let ctx = dir.join("ctx.json");
    std::fs::write(&ctx, "{}").unwrap();
    let (rules, ctx) = (dir.to_str().unwrap(), ctx.to_str().unwrap());
    let out = honor(&[
        "--rules",
        rules,
        "check",
        "--context",
        ctx,
        "--channel",
        "web",
        "--format",
        "json",
    ]);
    serde_json::from_slice(&out.stdout).expect("JSON")
}

#[test]
fn files_of_a_folder_are_read_in_path_order() {
    let dir = scratch("order");
    std::fs::create_dir_all(dir.join("b")).unwrap();
    std::fs::write(dir.join("b.offer"), "offer second { title \"2\" }").unwrap();
    std::fs::write(dir.join("b").join("c.offer"), "offer first { title \"1\" }").unwrap();
    std::fs::write(dir.join("a.offer"), "offer zero { title \"0\" }").unwrap();
    std::fs::write(dir.join("notes.txt"), "not a rule file").unwrap();
    let d = web_decision(&dir);
    let ids: Vec<&str> = d["offers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["zero", "first", "second"],
        "b/c.offer comes before b.offer"
    );
}

#[test]
fn the_fingerprint_follows_the_content() {
    let dir = scratch("fingerprint");
    std::fs::write(dir.join("a.offer"), "offer a { title \"A\" }").unwrap();
    let fingerprint = || web_decision(&dir)["rules"].as_str().unwrap().to_string();
    let first = fingerprint();
    assert_eq!(first, fingerprint());
    std::fs::write(dir.join("a.offer"), "offer a { title \"B\" }").unwrap();
    assert_ne!(first, fingerprint());
}
