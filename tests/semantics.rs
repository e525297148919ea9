//! The rules of docs/language.md's "How an offer is decided", each pinned on a small rule set: windows at day ends
//! across daylight saving, birthdays, codes, money, three-valued logic and `missing`.

use honor::{Context, Decision, RuleSet, Status};

fn rules(text: &str) -> RuleSet {
    let at = honor::parse_instant("2016-01-01T00:00:00Z").unwrap();
    RuleSet::from_texts(vec![("t.offer".into(), "t.offer".into(), text.into())], at)
        .unwrap_or_else(|e| panic!("rules do not load:\n{e}"))
}

fn context(rules: &RuleSet, doc: &str) -> Context {
    let doc = honor::Document::parse(doc, None).expect("the context parses");
    rules.context(&doc).expect("the context fits the schema")
}

/// A decision borrows the context it was made from: each one made here keeps its context
/// for the rest of the test.
fn decide<'a>(rules: &'a RuleSet, doc: &str, channel: &str, at: &str) -> Decision<'a> {
    let ctx: &'a Context = Box::leak(Box::new(context(rules, doc)));
    let channel = rules.channel(channel).unwrap();
    rules.decide(ctx, channel, honor::parse_instant(at).unwrap(), None)
}

fn status(rules: &RuleSet, doc: &str, at: &str) -> Status {
    decide(rules, doc, "web", at).offers[0].status
}

const CHICAGO: &str = r#"timezone "America/Chicago""#;

#[test]
fn a_date_end_lasts_to_local_midnight_across_the_fall_back() {
    let r = rules(&format!(
        "{CHICAGO}\noffer a {{ title \"A\" valid 2016-11-01 to 2016-11-06 }}"
    ));
    // 6 November 2016 ends at 00:00 CST on the 7th, which is 06:00 UTC
    assert_eq!(status(&r, "{}", "2016-11-07T05:59:59Z"), Status::Eligible);
    assert_eq!(status(&r, "{}", "2016-11-07T06:00:00Z"), Status::Ineligible);
    let d = decide(&r, "{}", "web", "2016-11-07T06:00:00Z");
    assert_eq!(
        d.offers[0].clauses[0].detail,
        "ended on 2016-11-06 (America/Chicago)"
    );
}

#[test]
fn a_date_start_begins_at_local_midnight_across_the_spring_forward() {
    let r = rules(&format!(
        "{CHICAGO}\noffer a {{ title \"A\" valid from 2016-03-14 }}"
    ));
    // 14 March 2016 starts at 00:00 CDT, 05:00 UTC (the clocks went forward on the 13th)
    assert_eq!(status(&r, "{}", "2016-03-14T04:59:59Z"), Status::Ineligible);
    assert_eq!(status(&r, "{}", "2016-03-14T05:00:00Z"), Status::Eligible);
    let d = decide(&r, "{}", "web", "2016-03-14T04:59:59Z");
    assert_eq!(
        d.offers[0].clauses[0].detail,
        "starts on 2016-03-14 (America/Chicago)"
    );
}

#[test]
fn a_date_time_end_is_over_at_that_minute() {
    let r = rules(&format!(
        "{CHICAGO}\noffer a {{ title \"A\" valid until 2016-05-31 18:00 }}"
    ));
    assert_eq!(status(&r, "{}", "2016-05-31T22:59:59Z"), Status::Eligible);
    assert_eq!(status(&r, "{}", "2016-05-31T23:00:00Z"), Status::Ineligible);
    // and a time inside the spring-forward gap reads with the offset before the change
    let r = rules(&format!(
        "{CHICAGO}\noffer a {{ title \"A\" valid from 2016-03-13 02:30 }}"
    ));
    assert_eq!(status(&r, "{}", "2016-03-13T08:29:59Z"), Status::Ineligible);
    assert_eq!(status(&r, "{}", "2016-03-13T08:30:00Z"), Status::Eligible);
}

#[test]
fn age_years_counts_birthdays_in_the_rule_set_zone() {
    let r = rules(&format!(
        "{CHICAGO}\ncontext {{ c.born date }}\noffer adult {{ title \"A\" when age_years(c.born) >= 18 }}"
    ));
    let born = r#"{"c": {"born": "2000-05-10"}}"#;
    // 2018-05-10 05:00 UTC is midnight in Chicago: the 18th birthday begins
    assert_eq!(status(&r, born, "2018-05-10T04:59:59Z"), Status::Ineligible);
    assert_eq!(status(&r, born, "2018-05-10T05:00:00Z"), Status::Eligible);
    let leap = r#"{"c": {"born": "2000-02-29"}}"#;
    assert_eq!(status(&r, leap, "2018-02-28T18:00:00Z"), Status::Ineligible);
    assert_eq!(status(&r, leap, "2018-03-01T18:00:00Z"), Status::Eligible);
}

#[test]
fn codes_are_compared_trimmed_and_without_case() {
    let r = rules(r#"offer a { title "A" code "UPGRADE-MAY16" } offer b { title "B" code "ÉTÉ" }"#);
    let d = decide(
        &r,
        r#"{"codes": [" upgrade-may16\t", "été "]}"#,
        "web",
        "2016-05-10T12:00:00Z",
    );
    assert_eq!(d.offers[0].status, Status::Eligible);
    assert_eq!(d.offers[1].status, Status::Eligible);
    let d = decide(
        &r,
        r#"{"codes": ["UPGRADE-MAY1"]}"#,
        "web",
        "2016-05-10T12:00:00Z",
    );
    assert_eq!(d.offers[0].status, Status::Ineligible);
    // without `codes` the agent must ask for the code
    let d = decide(&r, "{}", "web", "2016-05-10T12:00:00Z");
    assert_eq!(d.offers[0].status, Status::Unknown);
    assert_eq!(d.offers[0].missing, vec!["codes"]);
    // only the code clause is lenient: `in codes` compares exactly
    let r = rules(r#"offer a { title "A" when "VIP" in codes }"#);
    assert_eq!(
        status(&r, r#"{"codes": ["vip"]}"#, "2016-05-10T12:00:00Z"),
        Status::Ineligible
    );
}

#[test]
fn percent_discounts_round_half_away_from_zero_in_the_minor_unit() {
    let r = rules(r#"offer half { title "Half" benefit 50% off }"#);
    let price = |p: &str| {
        decide(
            &r,
            &format!(r#"{{"price": "{p}"}}"#),
            "web",
            "2016-05-10T12:00:00Z",
        )
        .offers[0]
            .price
            .map(|p| p.to_string())
    };
    assert_eq!(price("10.05 USD").as_deref(), Some("5.02 USD"));
    assert_eq!(price("1001 JPY").as_deref(), Some("500 JPY"));
    assert_eq!(price("10.125 KWD").as_deref(), Some("5.062 KWD"));
}

#[test]
fn three_valued_logic() {
    let r = rules(
        r#"context { a.x number  a.y bool  a.z bool }
        offer f_and_u { title "false and unknown" when a.y and a.x > 1 }
        offer t_or_u  { title "true or unknown" when not a.y or a.x > 1 }
        offer not_u   { title "not unknown" when not (a.x > 1) }
        offer spec    { title "SPEC 8" when (a.x > 1 and a.y) or a.z }
        offer has     { title "has" when not has(a.x) }"#,
    );
    let d = decide(&r, r#"{"a": {"y": false}}"#, "web", "2016-05-10T12:00:00Z");
    let by_id = |id: &str| d.offers.iter().find(|o| o.id == id).unwrap();
    assert_eq!(by_id("f_and_u").status, Status::Ineligible);
    assert!(by_id("f_and_u").missing.is_empty());
    assert_eq!(by_id("t_or_u").status, Status::Eligible);
    assert_eq!(by_id("not_u").status, Status::Unknown);
    assert_eq!(by_id("not_u").missing, vec!["a.x"]);
    // a.x and a.z absent, a.y false: only a.z could still change the answer
    assert_eq!(by_id("spec").status, Status::Unknown);
    assert_eq!(by_id("spec").missing, vec!["a.z"]);
    assert_eq!(by_id("has").status, Status::Eligible);
}

#[test]
fn limits_count_redemptions_and_need_to_know_them() {
    let r = rules(r#"offer a { title "A" limit 2 per customer }"#);
    assert_eq!(
        status(&r, r#"{"redeemed": ["a", "b"]}"#, "2016-05-10T12:00:00Z"),
        Status::Eligible
    );
    assert_eq!(
        status(&r, r#"{"redeemed": ["a", "a"]}"#, "2016-05-10T12:00:00Z"),
        Status::Ineligible
    );
    let d = decide(&r, "{}", "web", "2016-05-10T12:00:00Z");
    assert_eq!(
        (d.offers[0].status, d.offers[0].missing.clone()),
        (Status::Unknown, vec!["redeemed"])
    );
}

#[test]
fn money_in_two_currencies_is_unknown_without_missing_fields() {
    let r = rules(r#"context { c.spend money } offer a { title "A" when c.spend >= 40.00 USD }"#);
    let d = decide(
        &r,
        r#"{"c": {"spend": "50.00 EUR"}}"#,
        "web",
        "2016-05-10T12:00:00Z",
    );
    assert_eq!(d.offers[0].status, Status::Unknown);
    assert!(d.offers[0].missing.is_empty());
    assert!(
        d.offers[0].clauses[0]
            .detail
            .to_string()
            .contains("EUR and USD are different currencies"),
        "{}",
        d.offers[0].clauses[0].detail
    );
}

#[test]
fn benefits_caps_and_fees_in_another_currency_make_the_offer_ineligible() {
    let r = rules(
        r#"offer off { title "Off" benefit 5.00 EUR off }
        offer cap { title "Cap" benefit 20% off up to 10.00 EUR }
        offer fee { title "Fee" benefit 10% off on store { fee 2.00 EUR } }"#,
    );
    let web = decide(
        &r,
        r#"{"price": "100.00 USD"}"#,
        "web",
        "2016-05-10T12:00:00Z",
    );
    assert_eq!(web.offers[0].status, Status::Ineligible);
    assert_eq!(web.offers[0].clauses[0].clause, "benefit");
    assert_eq!(web.offers[1].status, Status::Ineligible);
    assert_eq!(
        web.offers[1].clauses[0].detail,
        "the cap is in EUR, the price in USD"
    );
    assert_eq!(web.offers[2].status, Status::Eligible);
    let store = decide(
        &r,
        r#"{"price": "100.00 USD"}"#,
        "store",
        "2016-05-10T12:00:00Z",
    );
    assert_eq!(store.offers[2].status, Status::Ineligible);
    assert_eq!(
        store.offers[2].clauses.last().map(|c| c.clause),
        Some("fee")
    );
    // without a price nothing is checked
    assert_eq!(status(&r, "{}", "2016-05-10T12:00:00Z"), Status::Eligible);
}

#[test]
fn not_honored_offers_say_where_they_are_honored() {
    let r = rules(r#"offer w { title "W" honor web elsewhere "Order online." }"#);
    let d = decide(&r, "{}", "phone", "2016-05-10T12:00:00Z");
    let o = &d.offers[0];
    assert_eq!(o.status, Status::NotHonored);
    assert_eq!(o.eligibility, Some(Status::Eligible));
    assert_eq!(o.elsewhere, Some(Some("Order online.")));
    assert_eq!(o.honored_on, Some(vec!["web"]));
    let json = serde_json::to_value(o).unwrap();
    assert_eq!(json["status"], "not_honored");
}

#[test]
fn values_compare_as_spec_says() {
    let r = rules(
        r#"context { c.n number  c.tags list of text  c.plan text }
        offer eq { title "12.000 == 12" when c.n == 12 }
        offer empty { title "x in []" when c.plan in [] }
        offer len { title "len counts repeats" when len(c.tags) == 3 }
        offer order { title "text by code point" when c.plan < "a" }"#,
    );
    let d = decide(
        &r,
        r#"{"c": {"n": 12.000, "tags": ["a", "a", "b"], "plan": "Z"}}"#,
        "web",
        "2016-05-10T12:00:00Z",
    );
    let statuses: Vec<Status> = d.offers.iter().map(|o| o.status).collect();
    assert_eq!(
        statuses,
        vec![
            Status::Eligible,
            Status::Ineligible,
            Status::Eligible,
            Status::Eligible
        ]
    );
}

#[test]
fn null_is_missing_and_wrong_values_name_the_path() {
    let r =
        rules(r#"context { c.n number  c.m money  c.d date } offer a { title "A" when c.n > 1 }"#);
    assert_eq!(
        status(&r, r#"{"c": {"n": null}}"#, "2016-05-10T12:00:00Z"),
        Status::Unknown
    );
    let err = |doc: &str| {
        let doc = honor::Document::parse(doc, None).unwrap();
        r.context(&doc).unwrap_err().to_string()
    };
    assert_eq!(
        err(r#"{"c": {"n": "abc"}}"#),
        r#"context field `c.n` should be a number, found "abc""#
    );
    assert_eq!(
        err("c:\n  n: 0x1F\n"),
        "context field `c.n` should be a number written as a plain decimal, like 12 or 59.99, found `0x1F`"
    );
    assert_eq!(
        err("c:\n  n: .inf\n"),
        "context field `c.n` should be a number written as a plain decimal, like 12 or 59.99, found `.inf`"
    );
    assert_eq!(
        err(r#"{"c": {"m": "130.00"}}"#),
        r#"context field `c.m` should be money like "130.00 USD", found "130.00""#
    );
    assert_eq!(
        err(r#"{"c": {"m": "0.001 USD"}}"#),
        r#"context field `c.m` should be money, but in "0.001 USD": USD amounts have at most 2 decimal places"#
    );
    assert_eq!(
        err(r#"{"c": {"d": "10/05/2016"}}"#),
        r#"context field `c.d` should be a date like "2016-05-10", found "10/05/2016""#
    );
    assert_eq!(
        err(r#"{"c": 5}"#),
        "context field `c` should be a map of fields (it holds `c.n`), found `5`"
    );
    assert_eq!(
        err(r#"{"price": "-1.00 USD"}"#),
        r#"context field `price` cannot be negative, found "-1.00 USD""#
    );
}

#[test]
fn yaml_and_json_contexts_decide_alike_and_exactly() {
    let r = rules(
        r#"context { c.spend money  c.n number } offer a { title "A" when c.n == 59.99 and c.spend >= 10.05 USD }"#,
    );
    let json = decide(
        &r,
        r#"{"c": {"spend": "10.05 USD", "n": 59.99}}"#,
        "web",
        "2016-05-10T12:00:00Z",
    );
    let yaml = decide(
        &r,
        "c:\n  spend: 10.05 USD\n  n: 59.99\n",
        "web",
        "2016-05-10T12:00:00Z",
    );
    assert_eq!(json, yaml);
    assert_eq!(json.offers[0].status, Status::Eligible);
}

#[test]
fn decisions_are_byte_identical_across_runs() {
    let r = rules(
        r#"context { c.n number } offer a { title "A" when c.n > 1 benefit 10% off } offer b { title "B" benefit 1.00 USD off stackable }"#,
    );
    let ctx = context(&r, r#"{"c": {"n": 2}, "price": "10.00 USD"}"#);
    let at = honor::parse_instant("2016-05-10T12:00:00Z").unwrap();
    let first = serde_json::to_string(&r.decide_all(&ctx, at, None)).unwrap();
    for _ in 0..5 {
        assert_eq!(
            serde_json::to_string(&r.decide_all(&ctx, at, None)).unwrap(),
            first
        );
    }
}

#[test]
fn a_leap_second_is_the_last_instant_of_its_minute() {
    let r = rules("offer a { title \"A\" valid until 2016-12-31 }");
    let leap = "2016-12-31T23:59:60Z";
    let d = decide(&r, "{}", "web", leap);
    assert_eq!(d.offers[0].status, Status::Eligible);
    assert_eq!(d.at, leap, "`at` prints the instant as given");
    // the fast path decides it the same way
    let ctx = context(&r, "{}");
    let mut scratch = honor::Scratch::default();
    let mut statuses = Vec::new();
    let at = honor::parse_instant(leap).unwrap();
    r.statuses(&ctx, 0, at, &mut scratch, &mut statuses);
    assert_eq!(statuses, vec![Status::Eligible]);
    let r = rules("offer a { title \"A\" valid from 2017-01-01 }");
    assert_eq!(status(&r, "{}", leap), Status::Ineligible);
}

#[test]
fn on_a_channel_that_does_not_honor_the_offer_changes_nothing() {
    let r = rules(
        "offer a { title \"A\" honor web elsewhere \"online only\" benefit 10.00 USD off note \"web note\" \
         on store { note \"store note\" fee 5.00 USD } }",
    );
    let ctx = context(&r, r#"{"price": "100.00 USD"}"#);
    let at = honor::parse_instant("2016-05-10T10:00:00Z").unwrap();
    let all = r.decide_all(&ctx, at, None);
    let store = &all.decisions.0[1].1;
    assert_eq!(store.offers[0].status, Status::NotHonored);
    assert_eq!(store.offers[0].fee, None);
    assert_eq!(store.offers[0].note, Some("web note"));
    let parity = serde_json::to_value(&all.parity).unwrap();
    assert!(
        parity["differences"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["kind"] != "declared"),
        "{parity}"
    );
}

#[test]
fn missing_is_sorted_by_the_paths_code_points() {
    let r = rules(
        "context { z.a number\n a.z number\n B.c number }\n\
         offer a { title \"A\" when z.a > 1 and a.z > 1 and B.c > 1 }",
    );
    let d = decide(&r, "{}", "web", "2016-05-10T10:00:00Z");
    assert_eq!(d.offers[0].missing, vec!["B.c", "a.z", "z.a"]);
}

#[test]
fn codes_and_proofs_are_trimmed_of_unicode_white_space_only() {
    let r = rules("offer a { title \"A\" code \"VIP\" }");
    let at = "2016-05-10T10:00:00Z";
    // U+3000 (ideographic space) and U+00A0 are White_Space; U+001C is not
    assert_eq!(
        status(&r, "{\"codes\": [\"\u{3000}vip\u{a0}\"]}", at),
        Status::Eligible
    );
    assert_eq!(
        status(&r, "{\"codes\": [\"\\u001cvip\"]}", at),
        Status::Ineligible
    );
}

fn load_error(text: &str) -> String {
    let at = honor::parse_instant("2016-01-01T00:00:00Z").unwrap();
    match RuleSet::from_texts(vec![("t.offer".into(), "t.offer".into(), text.into())], at) {
        Ok(_) => panic!("the rules load:\n{text}"),
        Err(e) => e.render(),
    }
}

#[test]
fn whole_numbers_out_of_range_say_the_range() {
    for n in [
        "-9223372036854775808",
        "-9223372036854775807",
        "1000000000001",
    ] {
        let e = load_error(&format!("offer a {{ title \"A\" priority {n} }}"));
        assert!(
            e.contains("the priority must be between -1000000000000 and 1000000000000"),
            "{e}"
        );
    }
    rules("offer a { title \"A\" priority -1000000000000 }");
    let e = load_error("offer a { title \"A\" limit -1 per customer }");
    assert!(e.contains("the limit must be between 0 and"), "{e}");
    let e = load_error("offer a { title \"A\" budget 2.5 redemptions }");
    assert!(e.contains("the budget must be a whole number"), "{e}");
}

#[test]
fn money_in_benefits_caps_and_fees_is_never_negative() {
    for (clause, what) in [
        ("benefit -5.00 USD off", "an amount off cannot be negative"),
        ("benefit price -5.00 USD", "a price cannot be negative"),
        (
            "benefit 10% off up to -50.00 USD",
            "the cap cannot be negative",
        ),
        ("on web { fee -30.00 USD }", "a fee cannot be negative"),
    ] {
        let e = load_error(&format!("offer a {{ title \"A\" {clause} }}"));
        assert!(e.contains(what), "{clause}: {e}");
        assert!(e.contains("t.offer:1:"), "names the place: {e}");
    }
    // in conditions, negative money is allowed
    rules("context { c.m money }\noffer a { title \"A\" when c.m > -5.00 USD }");
    let e = load_error("offer a { title \"A\" benefit 10000000000000000.01 USD off }");
    assert!(
        e.contains("exact up to 10^18 of the currency's smallest unit"),
        "{e}"
    );
}

#[test]
fn a_lone_carriage_return_ends_a_line_and_its_comment() {
    let text = "# a comment\roffer a {\r  title \"A\"\r  benefit price -1.00 USD\r}\r";
    let e = load_error(text);
    assert!(e.contains("t.offer:4:"), "the error is on line 4: {e}");
    let r = rules("# the offers\roffer a { title \"A\" }\r# end\r");
    assert_eq!(r.offer_ids().count(), 1);
}

#[test]
fn check_text_shows_the_fee_and_why_an_eligible_offer_is_left_out() {
    let r = rules(
        "offer upgrade { title \"U\" benefit price 599.00 USD on phone { fee 5.00 USD } }\n\
         offer line { title \"L\" benefit 10.00 USD off }\n\
         offer extra { title \"E\" benefit 10% off stackable }",
    );
    let d = decide(
        &r,
        r#"{"price": "600.00 USD"}"#,
        "phone",
        "2016-05-10T10:00:00Z",
    );
    let text = honor::text::decision(&d, false);
    assert!(
        text.contains("upgrade  eligible     599.00 USD + 5.00 USD fee on phone"),
        "{text}"
    );
    assert!(
        text.contains("not applied: upgrade gives a lower price (599.00 USD against 590.00 USD)")
            || text.contains("not applied: line gives a lower price"),
        "{text}"
    );
    assert!(
        text.contains("the better of 2 offers that are not combined; the other is"),
        "{text}"
    );
    let free = rules(
        "offer free { title \"F\" benefit price 0.00 USD }\n\
         offer extra { title \"E\" benefit 10% off stackable }",
    );
    let d = decide(
        &free,
        r#"{"price": "600.00 USD"}"#,
        "web",
        "2016-05-10T10:00:00Z",
    );
    let text = honor::text::decision(&d, false);
    assert!(
        text.contains(
            "extra (stackable, added on top): 0.00 USD → 0.00 USD (nothing left to take off)"
        ),
        "{text}"
    );
}
