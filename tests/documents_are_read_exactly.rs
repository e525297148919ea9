//! Context documents are read as written and as the YAML 1.2 core schema says: numbers
//! exact, a field given twice refused with both places, and aliases that would blow a
//! small file up into gigabytes refused.

mod common;

use honor::RuleSet;
use honor::{Document as Doc, Format};

const AT: &str = "2026-12-01T15:00:00Z";

fn rules() -> RuleSet {
    let at = honor::parse_instant(AT).unwrap();
    RuleSet::load(&common::root().join("rules"), at).unwrap()
}

fn yaml(text: &str) -> Result<Doc, String> {
    honor::Document::parse(text, Some(Format::Yaml)).map_err(|e| e.to_string())
}

#[test]
fn yaml_is_read_with_the_core_schema() {
    let text = |v: &str| {
        yaml(&format!("a: {v}\n"))
            .unwrap()
            .get("a")
            .cloned()
            .unwrap()
    };
    // YAML 1.1's booleans and sexagesimal numbers are text in YAML 1.2
    for word in ["NO", "yes", "off", "On", "y", "1:20"] {
        assert_eq!(text(word), Doc::Text(word.into()), "{word}");
    }
    assert_eq!(text("true"), Doc::Bool(true));
    assert_eq!(text("~"), Doc::Null);
    assert_eq!(text("1e3"), Doc::Number("1e3".into()));
    assert_eq!(text("59.99"), Doc::Number("59.99".into()));
    // a leading zero is not a number in the core schema's sense: the library keeps it text
    assert_eq!(text("017"), Doc::Text("017".into()));
}

#[test]
fn yaml_only_number_forms_are_errors_naming_the_path() {
    let rules = rules();
    let ctx = |v: &str| {
        let doc = yaml(&format!("customer:\n  tenure_months: {v}\n")).unwrap();
        rules.context(&doc).map_err(|e| e.to_string())
    };
    assert!(ctx("1e3").is_ok());
    for form in [
        "0x1F", "0o17", "017", "1_000", ".inf", "-.inf", ".nan", "0b101",
    ] {
        let e = ctx(form).expect_err(form);
        assert!(e.contains("`customer.tenure_months`"), "{form}: {e}");
    }
    // in a text field, a number form is not quietly made text
    let doc = yaml("customer:\n  plan: 0x1F\n").unwrap();
    let e = rules.context(&doc).unwrap_err().to_string();
    assert!(e.contains("`customer.plan`"), "{e}");
}

#[test]
fn numbers_keep_their_digits_without_the_json_library_s_arbitrary_precision() {
    let doc = honor::Document::parse(
        r#"{"a": 59.99, "b": 12.000, "c": 123456789012345678901234567890.5, "d": -1e-3}"#,
        Some(Format::Json),
    )
    .unwrap();
    assert_eq!(doc.get("a"), Some(&Doc::Number("59.99".into())));
    assert_eq!(doc.get("b"), Some(&Doc::Number("12.000".into())));
    assert_eq!(
        doc.get("c"),
        Some(&Doc::Number("123456789012345678901234567890.5".into()))
    );
    assert_eq!(doc.get("d"), Some(&Doc::Number("-1e-3".into())));
    // Programs that use honor keep serde_json's ordinary numbers: the feature that would
    // change them for every program in the build is off.
    let v: serde_json::Value = serde_json::from_str("1.10").unwrap();
    assert_eq!(v.to_string(), "1.1");
    assert!(v.as_f64().is_some());
}

#[test]
fn a_field_given_twice_is_refused_with_both_places() {
    let json = "{\n  \"customer\": {\"tenure_months\": 3},\n  \"price\": \"1.00 USD\",\n  \"price\": \"900.00 USD\"\n}";
    let e = honor::Document::parse(json, Some(honor::Format::Json)).unwrap_err();
    assert_eq!(e.line, Some(4));
    assert!(
        e.message
            .contains("`price` is given twice, on line 3 and on line 4"),
        "{}",
        e.message
    );
    let nested = "{\"customer\": {\"plan\": \"a\",\n \"plan\": \"b\"}}";
    let e = honor::Document::parse(nested, Some(honor::Format::Json)).unwrap_err();
    assert!(
        e.message
            .contains("`customer.plan` is given twice, on line 1 and on line 2"),
        "{}",
        e.message
    );

    let yaml_text = "customer:\n  tenure_months: 3\nprice: 1.00 USD\nprice: 900.00 USD\n";
    let e = honor::Document::parse(yaml_text, Some(Format::Yaml)).unwrap_err();
    assert!(
        e.message
            .contains("`price` is given twice, on line 3 and on line 4"),
        "{}",
        e.message
    );
    let yaml_nested = "customer:\n  plan: a\n  tenure_months: 3\n  plan: b\n";
    let e = honor::Document::parse(yaml_nested, Some(Format::Yaml)).unwrap_err();
    assert!(
        e.message
            .contains("`customer.plan` is given twice, on line 2 and on line 4"),
        "{}",
        e.message
    );

    // on the command line, with the file
    let dir = common::scratch("twice");
    std::fs::write(dir.join("c.json"), json).unwrap();
    let (code, _, stderr) = common::honor(&[
        "check",
        "--context",
        dir.join("c.json").to_str().unwrap(),
        "--at",
        AT,
    ]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("c.json:4:") && stderr.contains("given twice"),
        "{stderr}"
    );
}

#[test]
fn aliases_that_expand_past_the_limit_are_refused() {
    let started = std::time::Instant::now();
    // 1 MB repeated 2,000 times asks for 2 GB
    let mut text = format!("s: &s \"{}\"\nl: [", "x".repeat(1024 * 1024));
    text.push_str(&vec!["*s"; 2000].join(", "));
    text.push_str("]\n");
    let e = yaml(&text).unwrap_err();
    assert!(e.contains("aliases"), "{e}");
    // many small values: nine levels of ten
    let mut laughs = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..9 {
        let p = i - 1;
        laughs.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    assert!(yaml(&laughs).is_err());
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    // ordinary aliases still work
    let doc = yaml("base: &b {x: 1.50}\ncopy: *b\n").unwrap();
    assert_eq!(
        doc.get("copy").and_then(|c| c.get("x")),
        Some(&Doc::Number("1.50".into()))
    );
}
