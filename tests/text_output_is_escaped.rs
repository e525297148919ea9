//! Text output for agents: control characters from rule texts and customer records are
//! escaped (a record cannot rewrite the line an agent reads), and names of any length never
//! break the layout's padding.

mod common;

use common::{honor_in, scratch};

const AT: &str = "2026-12-01T15:00:00Z";

fn no_controls(text: &str) -> bool {
    !text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
}

#[test]
fn offers_escape_control_characters_of_rule_texts() {
    let dir = scratch("offers-escape");
    std::fs::write(
        dir.join("a.offer"),
        "offer a {\n  title \"Free\u{1b}[2J\u{7} upgrade\r\"\n  valid 2026-01-01 to 2027-01-01\n  note \"say \u{9b}yes\"\n}\n",
    )
    .unwrap();
    let (code, stdout, stderr) = honor_in(&dir, &["--rules", "a.offer", "offers", "--at", AT]);
    assert_eq!(code, 0, "{stderr}");
    assert!(no_controls(&stdout), "{stdout:?}");
    assert!(
        stdout.contains("Free\\u{1b}[2J\\u{7} upgrade\\u{d}"),
        "{stdout}"
    );
    assert!(stdout.contains("say \\u{9b}yes"), "{stdout}");
    // JSON stays JSON: the text is as written, escaped the JSON way
    let (_, json, _) = honor_in(
        &dir,
        &[
            "--rules", "a.offer", "offers", "--at", AT, "--format", "json",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["live"][0]["title"], "Free\u{1b}[2J\u{7} upgrade\r");
}

#[test]
fn parity_escapes_customer_data_and_pads_any_channel_name() {
    let dir = scratch("parity-escape");
    let long = "c".repeat(65_536);
    std::fs::write(
        dir.join("a.offer"),
        format!("channels web, {long}\ncontext {{\n  customer.plan text\n}}\noffer a {{\n  title \"A\"\n  when customer.plan == \"x\"\n}}\n"),
    )
    .unwrap();
    std::fs::write(dir.join("web.yaml"), "customer: {plan: \"\\e[2Jx\\a\"}\n").unwrap();
    std::fs::write(dir.join("other.yaml"), "customer: {plan: x}\n").unwrap();
    let other = format!("{long}=other.yaml");
    let (code, stdout, stderr) = honor_in(
        &dir,
        &[
            "--rules",
            "a.offer",
            "parity",
            "--context",
            "web=web.yaml",
            "--context",
            &other,
            "--at",
            AT,
        ],
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(
        no_controls(&stdout),
        "{:?}",
        &stdout[..stdout.len().min(400)]
    );
    assert!(stdout.contains("\\u{1b}[2Jx\\u{7}"), "escaped value");
    assert!(
        stdout.contains("  web: ineligible"),
        "short names still align"
    );
}

#[test]
fn fmt_does_not_pad_past_what_a_formatter_can_hold() {
    let dir = scratch("fmt-long-path");
    let long = "p".repeat(65_534);
    std::fs::write(
        dir.join("a.offer"),
        format!("context {{\n  customer.{long} text\n  customer.plan text\n}}\noffer a {{ title \"A\" }}\n"),
    )
    .unwrap();
    let (code, stdout, stderr) = honor_in(&dir, &["fmt", "a.offer"]);
    assert_eq!(code, 0, "{stdout}{}", &stderr[..stderr.len().min(400)]);
    let text = std::fs::read_to_string(dir.join("a.offer")).unwrap();
    assert!(
        text.contains("  customer.plan  text\n"),
        "{}",
        &text[text.len().saturating_sub(200)..]
    );
    assert!(text.contains(&format!("  customer.{long}  text\n")));
    // formatting again changes nothing
    let (code, _, _) = honor_in(&dir, &["fmt", "--check", "a.offer"]);
    assert_eq!(code, 0);
}

#[test]
fn check_escapes_control_characters_of_rule_texts_and_customer_records() {
    let dir = scratch("check-escape");
    std::fs::write(
        dir.join("a.offer"),
        "context { customer.name text }\noffer a {\n  title \"Free\u{1b}[2J upgrade\"\n  when customer.name == \"x\"\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("c.json"),
        r#"{"customer": {"name": "\u001b[31mred\r"}}"#,
    )
    .unwrap();
    for channel in ["all", "web"] {
        let (code, stdout, stderr) = honor_in(
            &dir,
            &[
                "--rules",
                "a.offer",
                "check",
                "--context",
                "c.json",
                "--channel",
                channel,
                "--at",
                AT,
                "--offer",
                "a",
            ],
        );
        assert_eq!(code, 0, "{stderr}");
        assert!(no_controls(&stdout), "{stdout:?}");
        assert!(stdout.contains("Free\\u{1b}[2J upgrade"), "{stdout}");
        assert!(stdout.contains("\\u{1b}[31mred\\u{d}"), "{stdout}");
    }
    // JSON stays JSON: the record's text as it was, escaped the JSON way
    let (_, json, _) = honor_in(
        &dir,
        &[
            "--rules",
            "a.offer",
            "check",
            "--context",
            "c.json",
            "--channel",
            "web",
            "--at",
            AT,
            "--format",
            "json",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["offers"][0]["title"], "Free\u{1b}[2J upgrade");
}
