//! `honor test` as marketing runs it in CI: a passing file, a failing one, every kind of
//! invalid case file, and snapshots that drift when a rule changes.

use std::path::PathBuf;

mod common;

use common::{honor_in as honor, root};

fn shop(args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["--rules", "tests/cases/shop.offer", "test"];
    all.extend(args);
    honor(root(), &all)
}

#[test]
fn a_passing_file() {
    let (code, stdout, stderr) = shop(&["tests/cases/passing.test.yaml"]);
    assert_eq!(
        (code, stdout.as_str(), stderr.as_str()),
        (0, "4 passed, 0 failed\n", "")
    );
}

#[test]
fn a_failing_file_explains_each_failure() {
    let (code, stdout, _) = shop(&["tests/cases/failing.test.yaml"]);
    assert_eq!(code, 1);
    assert_eq!(stdout.lines().last(), Some("0 passed, 4 failed"));
    insta::assert_snapshot!(stdout);
}

#[test]
fn invalid_case_files_exit_2_naming_the_line() {
    insta::glob!("cases/invalid-*.test.yaml", |path| {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let (code, stdout, stderr) = shop(&[&format!("tests/cases/{name}")]);
        assert_eq!(code, 2, "{name}: {stderr}");
        assert!(stdout.is_empty(), "{name}");
        assert!(
            stderr.starts_with(&format!("tests/cases/{name}:")),
            "{name}: {stderr}"
        );
        insta::assert_snapshot!(stderr);
    });
}

#[test]
fn filters_by_case_and_channel() {
    let (code, stdout, _) = shop(&["tests/cases/passing.test.yaml", "--case", "VIP"]);
    assert_eq!((code, stdout.as_str()), (0, "2 passed, 0 failed\n"));
    let (code, stdout, _) = shop(&["tests/cases/passing.test.yaml", "--channel", "store"]);
    assert_eq!((code, stdout.as_str()), (0, "2 passed, 0 failed\n"));
    let (code, _, stderr) = shop(&["tests/cases/passing.test.yaml", "--channel", "phone"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("unknown channel `phone`"));
}

#[test]
fn finds_case_files_below_the_rule_set() {
    let (code, stdout, _) = honor(root(), &["test"]);
    assert_eq!(code, 0, "{stdout}");
    let (code, stdout, _) = honor(root(), &["test", "--snapshot"]);
    assert_eq!(code, 0, "the sample snapshots are up to date:\n{stdout}");
}

/// A copy of the shop in a folder of its own, where snapshots can be written.
fn scratch_shop() -> PathBuf {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("honor-test-cmd-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for name in ["shop.offer", "passing.test.yaml"] {
        std::fs::copy(root().join("tests/cases").join(name), dir.join(name)).unwrap();
    }
    dir
}

#[test]
fn snapshots_record_drift_and_update() {
    let dir = scratch_shop();
    let run = |args: &[&str]| {
        let mut all = vec!["--rules", "shop.offer", "test", "passing.test.yaml"];
        all.extend(args);
        honor(&dir, &all)
    };
    // no snapshot yet
    let (code, stdout, _) = run(&["--snapshot"]);
    assert_eq!(code, 1);
    assert!(
        stdout.starts_with("passing.test.yaml: there is no snapshot file `passing.snap.json`"),
        "{stdout}"
    );
    // record it
    let (code, stdout, _) = run(&["--update"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("recorded", stdout);
    let stored = std::fs::read_to_string(dir.join("passing.snap.json")).unwrap();
    assert!(!stored.contains("sha256:"), "snapshots hold no fingerprint");
    assert!(
        !stored.contains(&dir.display().to_string()),
        "snapshots hold nothing of this machine"
    );
    let (code, stdout, _) = run(&["--snapshot"]);
    assert_eq!((code, stdout.as_str()), (0, "4 passed, 0 failed\n"));
    // a marketer raises the threshold: answers change, the snapshot shows how
    let rules = std::fs::read_to_string(dir.join("shop.offer")).unwrap();
    std::fs::write(
        dir.join("shop.offer"),
        rules.replace("customer.visits >= 10", "customer.visits >= 20"),
    )
    .unwrap();
    let (code, stdout, _) = run(&["--snapshot", "--case", "VIP in the store"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("drift", stdout);
    // the whole difference, with --verbose
    let (code, stdout, _) = run(&["--snapshot", "--case", "VIP in the store", "--verbose"]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains("[store]: the decision differs from its snapshot (- snapshot, + now):")
            && stdout.contains("-           \"detail\": \"customer.visits is 3, needs >= 10\""),
        "{stdout}"
    );
    let (code, stdout, _) = run(&["--update"]);
    assert_eq!(
        code, 1,
        "the expectations of the first case fail with the new threshold"
    );
    assert!(
        stdout.contains("snapshot updated: passing.test.yaml: a VIP in the store [store]"),
        "{stdout}"
    );
    let (code, _, _) = run(&["--snapshot", "--case", "VIP"]);
    assert_eq!(code, 0);
    // an edit that changes no answer leaves the snapshot as it is
    let before = std::fs::read_to_string(dir.join("passing.snap.json")).unwrap();
    let rules = std::fs::read_to_string(dir.join("shop.offer")).unwrap();
    std::fs::write(dir.join("shop.offer"), format!("# a comment\n{rules}")).unwrap();
    let (_, stdout, _) = run(&["--update"]);
    assert!(!stdout.contains("snapshot updated"), "{stdout}");
    assert_eq!(
        before,
        std::fs::read_to_string(dir.join("passing.snap.json")).unwrap()
    );
}
