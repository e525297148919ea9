//! `honor test` in CI: JUnit XML and JSON reports, snapshot drift summarised per offer,
//! snapshots that cannot be read say why, and a filter or file that selects nothing is an
//! error rather than a pass.

mod common;

use common::{honor_in, scratch};

const AT: &str = "2026-12-01T15:00:00Z";

/// A rule set with two channels and a case file in a fresh folder.
fn shop(name: &str, cases: &str) -> std::path::PathBuf {
    let dir = scratch(name);
    std::fs::write(dir.join("a.offer"), common::SMALL_RULES).unwrap();
    std::fs::write(dir.join("a.test.yaml"), cases).unwrap();
    dir
}

fn cases(names: &[&str]) -> String {
    let mut text = format!("at: {AT}\ncases:\n");
    for name in names {
        text.push_str(&format!(
            "  - name: '{name}'\n    context: {{customer: {{plan: x}}}}\n    expect:\n      a: eligible\n"
        ));
    }
    text
}

#[test]
fn junit_reports_each_case_and_channel_with_escaped_text() {
    let mut text = cases(&["fine", "tricky <&\"> name"]);
    text.push_str(
        "  - name: fails\n    context: {customer: {plan: y}}\n    expect:\n      a: eligible\n",
    );
    let dir = shop("junit", &text);
    let (code, stdout, stderr) =
        honor_in(&dir, &["--rules", "a.offer", "test", "--format", "junit"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stdout.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites"),
        "{stdout}"
    );
    assert!(
        stdout.contains("<testsuite name=\"./a.test.yaml\" tests=\"6\" failures=\"2\">")
            || stdout.contains("tests=\"6\" failures=\"2\""),
        "{stdout}"
    );
    assert!(
        stdout.contains("name=\"tricky &lt;&amp;&quot;&gt; name [web]\""),
        "{stdout}"
    );
    assert!(stdout.contains("<failure message=\""), "{stdout}");
    assert!(
        stdout.contains("expected eligible, got ineligible"),
        "{stdout}"
    );
    assert!(stdout.trim_end().ends_with("</testsuites>"), "{stdout}");
    assert_eq!(stdout.matches("<testcase ").count(), 6);
}

#[test]
fn json_reports_each_case_and_channel() {
    let dir = shop("json", &cases(&["one", "two"]));
    let (code, stdout, stderr) =
        honor_in(&dir, &["--rules", "a.offer", "test", "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["passed"], 4);
    assert_eq!(v["failed"], 0);
    assert_eq!(v["results"].as_array().unwrap().len(), 4);
    assert_eq!(v["results"][0]["case"], "one");
    assert_eq!(v["results"][0]["channel"], "web");
    assert_eq!(v["results"][0]["passed"], true);
}

#[test]
fn drift_is_summarised_per_offer_across_channels() {
    let dir = shop("drift-summary", &cases(&["one"]));
    let (code, _, _) = honor_in(&dir, &["--rules", "a.offer", "test", "--update"]);
    assert_eq!(code, 0);
    let rules = common::SMALL_RULES.replace("title  \"A\"", "title  \"B\"");
    assert_ne!(rules, common::SMALL_RULES);
    std::fs::write(dir.join("a.offer"), rules).unwrap();
    let (code, stdout, _) = honor_in(&dir, &["--rules", "a.offer", "test", "--snapshot"]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains("    a on web, store: title \"A\" → \"B\"\n"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("(- snapshot, + now)"),
        "the full diff only with --verbose:\n{stdout}"
    );
    assert!(stdout.ends_with("0 passed, 2 failed\n"), "{stdout}");
}

#[test]
fn an_unreadable_snapshot_says_why() {
    let dir = shop("bad-snapshot", &cases(&["one"]));
    std::fs::create_dir(dir.join("a.snap.json")).unwrap();
    let (code, stdout, _) = honor_in(&dir, &["--rules", "a.offer", "test", "--snapshot"]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains("the snapshot file `./a.snap.json` cannot be read: cannot read this file: it is a folder, not a file"),
        "{stdout}"
    );
    std::fs::remove_dir(dir.join("a.snap.json")).unwrap();
    std::fs::write(dir.join("a.snap.json"), [0xff, 0xfe, 0x00]).unwrap();
    let (code, stdout, _) = honor_in(&dir, &["--rules", "a.offer", "test", "--snapshot"]);
    assert_eq!(code, 1);
    assert!(stdout.contains("is not UTF-8"), "{stdout}");
    // --update does not replace what it could not read
    let (code, _, stderr) = honor_in(&dir, &["--rules", "a.offer", "test", "--update"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("is not UTF-8"), "{stderr}");
    assert_eq!(
        std::fs::read(dir.join("a.snap.json")).unwrap(),
        [0xff, 0xfe, 0x00]
    );
}

#[test]
fn a_filter_or_file_that_selects_nothing_is_an_error() {
    let dir = shop("nothing", &cases(&["one"]));
    let (code, _, stderr) = honor_in(&dir, &["--rules", "a.offer", "test", "--case", "nomatch"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("no case name contains `nomatch`"),
        "{stderr}"
    );
    let (code, _, stderr) = honor_in(&dir, &["--rules", "a.offer", "test", "--case", "onr"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("(did you mean `one`?)"), "{stderr}");

    let dir = shop("empty-cases", &format!("at: {AT}\ncases: []\n"));
    let (code, _, stderr) = honor_in(&dir, &["--rules", "a.offer", "test"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("`cases` is empty"), "{stderr}");

    let dir = shop(
        "empty-channel",
        &format!(
            "at: {AT}\ncases:\n  - name: one\n    channel: []\n    expect:\n      a: unknown\n"
        ),
    );
    let (code, _, stderr) = honor_in(&dir, &["--rules", "a.offer", "test"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("`channel` is an empty list"), "{stderr}");
}

#[test]
fn a_case_file_with_a_byte_order_mark_reads_fine() {
    let dir = shop("bom", &format!("\u{feff}{}", cases(&["one"])));
    let (code, stdout, stderr) = honor_in(&dir, &["--rules", "a.offer", "test"]);
    assert_eq!(
        (code, stdout.as_str()),
        (0, "2 passed, 0 failed\n"),
        "{stderr}"
    );
}
