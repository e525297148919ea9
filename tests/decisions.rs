//! The sample rule set's decisions for each sample context on each channel, as JSON and as
//! the text an agent reads. A rule change that changes an answer shows up here.

use std::path::Path;

use honor::{Context, RuleSet};

const AT: &str = "2026-12-01T15:00:00Z";

fn load(path: &Path) -> (RuleSet, Context) {
    let at = honor::parse_instant(AT).expect("a valid instant");
    let rules = RuleSet::load(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/rules")), at)
        .expect("the sample rules load");
    let text = std::fs::read_to_string(path).expect("the sample context is readable");
    let doc = honor::Document::parse(&text, honor::Format::of_path(path))
        .expect("the sample context parses");
    let ctx = rules
        .context(&doc)
        .expect("the sample context fits the schema");
    (rules, ctx)
}

/// The fingerprint changes with every edit of the sample rules; its own tests pin it.
fn without_fingerprint() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r"sha256:[0-9a-f]{16}", "sha256:[fingerprint]");
    settings
}

#[test]
fn sample_decisions_on_every_channel() {
    let _guard = without_fingerprint().bind_to_scope();
    insta::glob!("../rules", "contexts/*", |path| {
        let (rules, ctx) = load(path);
        let at = honor::parse_instant(AT).unwrap();
        let all = rules.decide_all(&ctx, at, None);
        insta::assert_snapshot!("text", honor::text::all_channels(&all, false));
        insta::assert_json_snapshot!("parity", all.parity);
        for (c, channel) in rules.channels().iter().enumerate() {
            let one = rules.decide(&ctx, c, at, None);
            assert_eq!(
                one, all.decisions.0[c].1,
                "deciding one channel or all gives the same"
            );
            insta::assert_json_snapshot!(channel.as_str(), one);
        }
    });
}

/// Parity (docs/language.md): across channels that honor an offer, its status, explanation and price are
/// the same; only declared `on <channel>` notes and fees may differ.
#[test]
fn honoring_channels_agree_on_status_explanation_and_price() {
    insta::glob!("../rules", "contexts/*", |path| {
        let (rules, ctx) = load(path);
        let all = rules.decide_all(&ctx, honor::parse_instant(AT).unwrap(), None);
        for (i, id) in rules.offer_ids().enumerate() {
            let views: Vec<_> = rules
                .honored_on(i)
                .iter()
                .map(|&c| &all.decisions.0[c].1.offers[i])
                .collect();
            for pair in views.windows(2) {
                assert_eq!(pair[0].status, pair[1].status, "{}: status", id);
                assert_eq!(pair[0].clauses, pair[1].clauses, "{}: explanation", id);
                assert_eq!(pair[0].price, pair[1].price, "{}: price", id);
            }
        }
        assert!(all.parity.same);
    });
}

#[test]
fn one_offer_narrows_the_listing_not_the_quote() {
    let (rules, ctx) = load(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/rules/contexts/emailed-upgrade.yaml"
    )));
    let at = honor::parse_instant(AT).unwrap();
    let only = rules.offer_index("loyalty_ten").unwrap();
    let phone = rules.channel("phone").unwrap();
    let narrowed = rules.decide(&ctx, phone, at, Some(only));
    let full = rules.decide(&ctx, phone, at, None);
    assert_eq!(narrowed.offers.len(), 1);
    assert_eq!(narrowed.offers[0].id, "loyalty_ten");
    assert_eq!(narrowed.quote, full.quote);
    assert_eq!(
        narrowed.quote.as_ref().map(|q| q.applied.clone()),
        Some(vec!["free_upgrade".to_string(), "loyalty_ten".to_string()])
    );
}

/// The fast path (statuses only, for batches) and the explained path agree on every sample.
#[test]
fn fast_and_explained_paths_agree_on_the_samples() {
    insta::glob!("../rules", "contexts/*", |path| {
        let (rules, ctx) = load(path);
        let at = honor::parse_instant(AT).unwrap();
        let mut scratch = honor::Scratch::default();
        let mut fast = Vec::new();
        for channel in 0..rules.channels().len() {
            rules.statuses(&ctx, channel, at, &mut scratch, &mut fast);
            let explained: Vec<_> = rules
                .decide(&ctx, channel, at, None)
                .offers
                .iter()
                .map(|o| o.status)
                .collect();
            assert_eq!(fast, explained, "{}", path.display());
        }
    });
}
