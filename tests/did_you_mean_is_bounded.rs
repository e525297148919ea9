//! "Did you mean" compares names with candidates, and the static analysis compares tests:
//! both must stay cheap, so that a hostile or broken rule file lints in about a second.

mod common;

use std::time::{Duration, Instant};

fn lint_file(name: &str, text: &str) -> (i32, String, Duration) {
    let dir = common::scratch(name);
    let path = dir.join("a.offer");
    std::fs::write(&path, text).unwrap();
    let started = Instant::now();
    let (code, stdout, _) = common::honor(&["--rules", path.to_str().unwrap(), "lint"]);
    (code, stdout, started.elapsed())
}

#[test]
fn sixty_long_unknown_names_lint_quickly() {
    let mut text = String::from("context {\n  customer.plan text\n}\n");
    for i in 0..60 {
        let name: String = std::iter::repeat_n((b'a' + (i % 26) as u8) as char, 3000).collect();
        text.push_str(&format!(
            "offer o{i} {{\n  title \"T\"\n  when customer.{name} == 1\n}}\n"
        ));
    }
    let (code, stdout, took) = lint_file("long-names", &text);
    assert_eq!(code, 1, "{stdout}");
    assert!(took < Duration::from_secs(3), "took {took:?}");
    // and the messages do not print the names whole
    assert!(stdout.len() < 60 * 2000, "{} bytes", stdout.len());
}

#[test]
fn a_huge_zone_name_lints_quickly_and_is_not_echoed() {
    let text = format!(
        "timezone \"{}\"\noffer a {{ title \"A\" }}\n",
        "Europe/Berlinx".repeat(75_000)
    );
    let (code, stdout, took) = lint_file("huge-zone", &text);
    assert_eq!(code, 1, "{}", &stdout[..stdout.len().min(500)]);
    assert!(took < Duration::from_secs(3), "took {took:?}");
    assert!(
        stdout.contains("unknown time zone"),
        "{}",
        &stdout[..stdout.len().min(500)]
    );
    assert!(stdout.len() < 2000, "{} bytes", stdout.len());
}

/// The static analysis behind `never-eligible` is bounded too: a chain of 20,000 `and`s (once
/// minutes of work) or a long `in` list beside a `not in` list loads in about a second.
#[test]
fn long_chains_of_tests_lint_quickly() {
    let chain: Vec<String> = (0..20_000).map(|i| format!("c.n != {i}")).collect();
    let text = format!(
        "context {{\n  c.n number\n  c.t text\n}}\noffer a {{ title \"A\" valid 2026-01-01 to 2026-02-01 when {} }}\n",
        chain.join(" and ")
    );
    let (code, stdout, took) = lint_file("and-chain", &text);
    assert_eq!(code, 0, "{}", &stdout[..stdout.len().min(500)]);
    assert!(took < Duration::from_secs(20), "took {took:?}");
    let list = |n: usize| {
        (0..n)
            .map(|i| format!("\"{i}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let text = format!(
        "context {{\n  c.t text\n}}\noffer a {{ title \"A\" valid 2026-01-01 to 2026-02-01 when c.t in [{}] and c.t not in [{}] }}\n",
        list(80_000),
        list(40_000)
    );
    let (code, stdout, took) = lint_file("in-not-in", &text);
    assert_eq!(code, 0, "{}", &stdout[..stdout.len().min(500)]);
    assert!(took < Duration::from_secs(20), "took {took:?}");
}
