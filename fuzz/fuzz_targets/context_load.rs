//! Context document (JSON or YAML) → load against a schema of every type.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

const RULES: &str = r#"
context {
  customer.tenure_months number
  customer.plan text
  customer.flags list of text
  customer.birth_date date
  customer.last_login datetime
  customer.spend money
  customer.vip bool
  customer.scores list of number
  customer.bills list of money
}
offer a { title "A" }
"#;

fn rules() -> &'static honor::RuleSet {
    static RULES_SET: OnceLock<honor::RuleSet> = OnceLock::new();
    RULES_SET.get_or_init(|| {
        honor::RuleSet::from_texts(vec![("f.offer".into(), "f.offer".into(), RULES.into())], chrono::DateTime::UNIX_EPOCH)
            .expect("the fuzz schema loads")
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for format in [None, Some(honor::Format::Json), Some(honor::Format::Yaml)] {
        if let Ok(doc) = honor::Document::parse(text, format) {
            let _ = rules().context(&doc).map_err(|e| e.to_string());
        }
    }
});
