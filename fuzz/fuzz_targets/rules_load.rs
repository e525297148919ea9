//! Rule-set text → load: parse, check, compile, and render whatever diagnostics come out.
//! A file that loads must also format, format to itself a second time, and mean the same.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let at = chrono::DateTime::UNIX_EPOCH;
    let load = |text: &str| honor::RuleSet::from_texts(vec![("f.offer".into(), "f.offer".into(), text.into())], at);
    match load(text) {
        Ok(rules) => {
            for w in &rules.warnings {
                let _ = w.render(&rules.sources);
            }
            let once = honor::language::format::format(text).expect("a file that loads formats");
            let twice = honor::language::format::format(&once).expect("a formatted file formats");
            assert_eq!(once, twice, "formatting twice changes nothing");
            let again = load(&once).expect("a formatted file loads");
            assert_eq!(again.model.offers.len(), rules.model.offers.len());
            assert_eq!(canonical(text), canonical(&once), "formatting keeps the meaning");
        }
        Err(e) => {
            let _ = e.render();
        }
    }
});

fn canonical(text: &str) -> honor::language::ast::File {
    let (mut file, _) = honor::language::parse::parse_file(text, 0);
    for d in &mut file.declarations {
        if let honor::language::ast::Declaration::Offer(o) = d {
            o.clauses = honor::language::format::canonical_order(&o.clauses).into_iter().cloned().collect();
        }
    }
    file
}
