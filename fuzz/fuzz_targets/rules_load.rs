//! Rule-set text → load: parse, check, compile, and render whatever diagnostics come out.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let at = chrono::DateTime::UNIX_EPOCH;
    match honor::RuleSet::from_texts(vec![("f.offer".into(), "f.offer".into(), text.into())], at) {
        Ok(rules) => {
            for w in &rules.warnings {
                let _ = w.render(&rules.sources);
            }
        }
        Err(e) => {
            let _ = e.render();
        }
    }
});
