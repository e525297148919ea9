//! The command line's own messages: every exit code in `--help`, flags given wrong, and
//! errors that programs embedding the library can keep as sources.

mod common;

use common::{honor, honor_in, scratch};

#[test]
fn help_lists_every_exit_code_of_every_command() {
    let (code, stdout, _) = honor(&["--help"]);
    assert_eq!(code, 0);
    let codes = &stdout[stdout.find("Exit codes").expect("an exit code section")..];
    for command in [
        "check", "lint", "test", "offers", "parity", "batch", "fmt", "diff", "serve", "replay",
    ] {
        let line = codes
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{command} ")))
            .unwrap_or_else(|| panic!("{command} in\n{codes}"));
        assert!(line.contains(" 0 "), "{line}");
        assert!(line.contains("2 "), "{line}");
    }
    for command in [
        "lint", "test", "offers", "parity", "batch", "fmt", "diff", "replay",
    ] {
        let line = codes
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{command} ")))
            .unwrap();
        assert!(line.contains("; 1 "), "{command}: {line}");
    }
}

#[test]
fn test_with_a_single_rule_file_looks_beside_it() {
    let dir = scratch("single-file");
    std::fs::write(dir.join("x.offer"), common::SMALL_RULES).unwrap();
    let (code, _, stderr) = honor_in(&dir, &["--rules", "x.offer", "test"]);
    assert_eq!(code, 2);
    assert!(!stderr.contains("``"), "{stderr}");
    assert!(
        stderr.contains("there are no case files (`*.test.yaml`) in `.`"),
        "{stderr}"
    );
}

#[test]
fn parity_with_a_channel_but_no_file_says_so() {
    let (code, _, stderr) = honor(&[
        "parity",
        "--context",
        "web=",
        "--context",
        "store=rules/contexts/employee.json",
    ]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr.trim_end(),
        "error: --context `web=` names no file; write CHANNEL=FILE, like `store=store.yaml`"
    );
}

#[test]
fn value_errors_are_standard_errors() {
    fn keep_as_source(e: impl std::error::Error + 'static) -> Box<dyn std::error::Error> {
        Box::new(e)
    }
    let money = honor::Money::parse("5.001 USD").unwrap_err();
    let number = honor::Decimal::parse("12x").unwrap_err();
    assert!(keep_as_source(money).to_string().contains("USD"));
    assert!(!keep_as_source(number).to_string().is_empty());
}
