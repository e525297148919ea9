//! What honor reads is bounded: only regular files, never more than a cap, case files only
//! reach contexts inside the rule set's folder, and no error prints more than a short,
//! escaped excerpt of what it read.

mod common;

use common::{SMALL_RULES, honor, honor_in, honor_with_input, scratch};

const AT: &str = "2026-12-01T15:00:00Z";
const SECRET: &str = "SECRET-TOKEN-0123456789";

/// A rule set folder with one rule file and a case file naming `context`.
fn rule_folder(name: &str, context: &str) -> std::path::PathBuf {
    let dir = scratch(name);
    std::fs::create_dir_all(dir.join("rules")).unwrap();
    std::fs::write(dir.join("rules/a.offer"), SMALL_RULES).unwrap();
    std::fs::write(
        dir.join("rules/a.test.yaml"),
        format!("at: {AT}\ncases:\n  - name: one\n    context: {context}\n    expect:\n      a: unknown\n"),
    )
    .unwrap();
    // A file outside the rule set whose content must never be printed.
    std::fs::write(
        dir.join("secret.yaml"),
        format!("{SECRET}: [unclosed {SECRET}\n"),
    )
    .unwrap();
    dir
}

#[test]
fn case_contexts_stay_inside_the_rule_set_folder() {
    for (name, context) in [
        ("absolute", "/etc/passwd".to_string()),
        ("dotdot", "../secret.yaml".to_string()),
        ("home", "~/.ssh/id_ed25519".to_string()),
    ] {
        let dir = rule_folder(name, &context);
        let (code, stdout, stderr) = honor_in(&dir, &["--rules", "rules", "test"]);
        assert_eq!(code, 2, "{name}: {stdout}{stderr}");
        assert!(
            stderr.contains("context files must lie inside the rule set's folder"),
            "{name}: {stderr}"
        );
        assert!(
            !stderr.contains(SECRET) && !stderr.contains("root:"),
            "{name}: {stderr}"
        );
    }
    // A link inside the folder that leads out of it is resolved, and refused.
    let dir = rule_folder("link", "inside.yaml");
    std::os::unix::fs::symlink(dir.join("secret.yaml"), dir.join("rules/inside.yaml")).unwrap();
    let (code, _, stderr) = honor_in(&dir, &["--rules", "rules", "test"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("inside the rule set's folder"), "{stderr}");
    assert!(!stderr.contains(SECRET), "{stderr}");
    // A context inside the folder, in a sub-folder, is read.
    let dir = rule_folder("inside", "contexts/c.yaml");
    std::fs::create_dir_all(dir.join("rules/contexts")).unwrap();
    std::fs::write(dir.join("rules/contexts/c.yaml"), "customer: {}\n").unwrap();
    let (code, stdout, stderr) = honor_in(&dir, &["--rules", "rules", "test"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
}

#[test]
fn errors_quote_only_a_short_escaped_excerpt() {
    let dir = scratch("excerpt");
    let long = "S".repeat(5000);
    let cases = [
        // the YAML library quotes the whole value
        format!("customer:\n  plan: !!int \"{long}\"\n"),
        // a value of the wrong type
        format!("customer:\n  tenure_months: \"{long}\"\n"),
        // JSON
        format!("{{\"customer\": {{\"tenure_months\": \"{long}\"}}}}"),
        // control characters that would rewrite the agent's screen
        r#"customer: {tenure_months: "\e[2J\acleared\r"}"#.to_string(),
    ];
    for (i, text) in cases.iter().enumerate() {
        let path = dir.join(format!("c{i}.yaml"));
        std::fs::write(&path, text).unwrap();
        let (code, _, stderr) = honor(&["check", "--context", path.to_str().unwrap(), "--at", AT]);
        assert_eq!(code, 2, "{stderr}");
        assert!(
            stderr.len() < 400,
            "case {i}: {} bytes: {stderr}",
            stderr.len()
        );
        assert!(
            !stderr.contains('\u{1b}') && !stderr.contains('\u{7}') && !stderr.contains('\r'),
            "case {i}: {stderr:?}"
        );
    }
    let (_, _, stderr) = honor(&[
        "check",
        "--context",
        dir.join("c3.yaml").to_str().unwrap(),
        "--at",
        AT,
    ]);
    assert!(stderr.contains("\\u{1b}[2J\\u{7}cleared\\u{d}"), "{stderr}");
    // a name given on the command line
    let (code, _, stderr) = honor(&[
        "check",
        "--context",
        "rules/contexts/employee.json",
        "--channel",
        &long,
        "--at",
        AT,
    ]);
    assert_eq!(code, 2);
    assert!(stderr.len() < 400, "{stderr}");
}

#[test]
fn devices_pipes_and_folders_are_refused_not_read() {
    let dir = scratch("devices");
    // a context that never ends
    let (code, _, stderr) = honor(&["check", "--context", "/dev/zero", "--at", AT]);
    assert_eq!(code, 2);
    assert!(stderr.contains("not a regular file"), "{stderr}");
    // fmt --check on a device
    let (code, _, stderr) = honor(&["fmt", "--check", "/dev/zero"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("not a regular file"), "{stderr}");
    // a rule file that is a link to a device
    std::fs::create_dir_all(dir.join("rules")).unwrap();
    std::fs::write(dir.join("rules/a.offer"), SMALL_RULES).unwrap();
    std::os::unix::fs::symlink("/dev/zero", dir.join("rules/zero.offer")).unwrap();
    let (code, stdout, _) = honor_in(&dir, &["--rules", "rules", "lint"]);
    assert_eq!(code, 1);
    assert!(stdout.contains("not a regular file"), "{stdout}");
    // a pipe named like a rule file would block forever if it were opened
    std::fs::remove_file(dir.join("rules/zero.offer")).unwrap();
    let fifo = dir.join("rules/pipe.offer");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let (code, stdout, _) = honor_in(&dir, &["--rules", "rules", "lint"]);
    assert_eq!(code, 1);
    assert!(stdout.contains("not a regular file"), "{stdout}");
    std::fs::remove_file(&fifo).unwrap();
    // a folder named like a rule file, given to fmt
    std::fs::create_dir_all(dir.join("x.offer")).unwrap();
    let (code, _, stderr) = honor_in(&dir, &["fmt", "--check", "x.offer"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("it is a folder, not a file"), "{stderr}");
    // the sample of a review, a tokens file and decision records that are devices
    let diff = "--rules rules diff --base rules --contexts /dev/zero";
    let serve = "--rules rules serve --listen 127.0.0.1:0 --tokens /dev/zero";
    for args in [diff, serve] {
        let args: Vec<&str> = args.split(' ').collect();
        let (code, _, stderr) = honor_in(&dir, &args);
        assert_eq!(code, 2, "{args:?}");
        assert!(stderr.contains("not a regular file"), "{args:?}: {stderr}");
    }
    std::fs::create_dir_all(dir.join("records")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", dir.join("records/decisions-2026-12-01.jsonl"))
        .unwrap();
    let (code, _, stderr) = honor_in(&dir, &["replay", "--records", "records"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("not a regular file"), "{stderr}");
}

#[test]
fn sizes_are_capped_while_reading() {
    let dir = scratch("sizes");
    let big = format!("customer:\n  plan: \"{}\"\n", "x".repeat(5 * 1024 * 1024));
    let path = dir.join("big.yaml");
    std::fs::write(&path, &big).unwrap();
    let (code, _, stderr) = honor(&["check", "--context", path.to_str().unwrap(), "--at", AT]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("files of at most 4194304 bytes are read"),
        "{stderr}"
    );
    let (code, _, stderr) =
        honor_with_input(&["check", "--context", "-", "--at", AT], big.as_bytes());
    assert_eq!(code, 2);
    assert!(
        stderr.contains("standard input") && stderr.contains("at most 4194304 bytes"),
        "{stderr}"
    );
    // a case file past its cap
    std::fs::create_dir_all(dir.join("rules")).unwrap();
    std::fs::write(dir.join("rules/a.offer"), SMALL_RULES).unwrap();
    let mut case = format!("at: {AT}\ncases: []\n#");
    case.push_str(&"x".repeat(17 * 1024 * 1024));
    std::fs::write(dir.join("rules/big.test.yaml"), case).unwrap();
    let (code, _, stderr) = honor_in(&dir, &["--rules", "rules", "test"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("files of at most 16777216 bytes are read"),
        "{stderr}"
    );
}
