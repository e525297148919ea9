//! Rules and a context in one input, split at the first NUL: load both, decide on every
//! channel, render text and JSON, and check the central properties: the fast path gives the
//! explained path's statuses, and channels that honor an offer agree on its status,
//! explanation and price unless a fee says otherwise. Both paths read the `when`s' tests
//! from one table of answers; fuzz builds keep debug assertions, under which the explained
//! path also checks every node against the general evaluator.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (rules_text, context_text) = text.split_once('\0').unwrap_or((text, "{}"));
    let at = chrono::DateTime::parse_from_rfc3339("2016-05-10T12:00:00Z").unwrap().to_utc();
    let Ok(rules) = honor::RuleSet::from_texts(vec![("f.offer".into(), "f.offer".into(), rules_text.into())], at) else {
        return;
    };
    let Ok(doc) = honor::Document::parse(context_text, None) else { return };
    let Ok(ctx) = rules.context(&doc) else { return };
    let all = rules.decide_all(&ctx, at, None);
    let _ = honor::text::all_channels(&all, true);
    let _ = serde_json::to_string(&all).expect("decisions serialise");
    let mut scratch = honor::Scratch::default();
    let mut statuses = Vec::new();
    for (channel, decision) in all.decisions.values().enumerate() {
        rules.statuses(&ctx, channel, at, &mut scratch, &mut statuses);
        let explained: Vec<_> = decision.offers.iter().map(|o| o.status).collect();
        assert_eq!(statuses, explained, "the fast path and the explained path disagree");
    }
    let fees = all
        .parity
        .differences
        .iter()
        .any(|d| matches!(d, honor::Difference::Declared { fee: Some(_), .. }));
    if !fees {
        assert!(all.parity.same, "channels disagree without a declared fee");
    }
});
