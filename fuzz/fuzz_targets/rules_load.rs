//! Rule-set text → load: parse, check, compile, and render whatever diagnostics come out.
//! A file that loads must also format (which checks that the meaning is kept), format to
//! itself a second time, and load again.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let at = chrono::DateTime::UNIX_EPOCH;
    let load = |text: &str| honor::RuleSet::from_texts(vec![("f.offer".into(), "f.offer".into(), text.into())], at);
    match load(text) {
        Ok(rules) => {
            for w in rules.warnings() {
                let _ = rules.render(w);
            }
            // `format_rules` refuses a text that would read back as other rules
            let once = honor::format_rules(text).expect("a file that loads formats, keeping its meaning");
            let twice = honor::format_rules(&once).expect("a formatted file formats");
            assert_eq!(once, twice, "formatting twice changes nothing");
            let again = load(&once).expect("a formatted file loads");
            assert!(again.offer_ids().eq(rules.offer_ids()), "the same offers");
        }
        Err(e) => {
            let _ = e.render();
        }
    }
});
