//! Properties over random well-typed rule sets and contexts: channels that honor an offer
//! agree, decisions repeat exactly, the fast path and the explained path agree, what a
//! decision writes is what it builds, formatting round-trips, three-valued logic keeps its
//! laws, and money arithmetic is exact.

use proptest::prelude::*;

use honor::Decimal;
use honor::Scratch;
use honor::{Context, RuleSet};
use honor::{Currency, Money};

const SCHEMA: &str = "context {\n  c.n number\n  c.m money\n  c.t text\n  c.d date\n  c.b bool\n  c.l list of text\n  c.s datetime\n}\n";
const TEXTS: [&str; 4] = ["gold", "silver", "Gold", "x y"];
const CHANNELS: [&str; 3] = ["web", "store", "phone"];

fn text() -> impl Strategy<Value = &'static str> {
    prop::sample::select(TEXTS.to_vec())
}

/// A yes/no condition over the schema's fields.
fn condition() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        (
            prop::sample::select(vec!["<", "<=", "==", "!=", ">", ">="]),
            0..30i32
        )
            .prop_map(|(op, n)| format!("c.n {op} {n}")),
        (prop::sample::select(vec!["<", ">="]), 0..100u32)
            .prop_map(|(op, n)| format!("c.m {op} {n}.50 USD")),
        text().prop_map(|t| format!("c.t == \"{t}\"")),
        (text(), text()).prop_map(|(a, b)| format!("c.t in [\"{a}\", \"{b}\"]")),
        text().prop_map(|t| format!("\"{t}\" in c.l")),
        text().prop_map(|t| format!("\"{t}\" not in c.l")),
        prop::sample::select(vec!["c.n", "c.m", "c.t", "c.d", "c.b", "c.l"])
            .prop_map(|f| format!("has({f})")),
        Just(String::from("c.b")),
        (18..30i32).prop_map(|n| format!("age_years(c.d) >= {n}")),
        (0..4i32).prop_map(|n| format!("len(c.l) > {n}")),
        (1..28u32).prop_map(|d| format!("c.d < 2000-02-{d:02}")),
        Just(String::from("days_since(c.s) > 3")),
    ];
    leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}) and ({b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}) or ({b})")),
            inner.prop_map(|a| format!("not ({a})")),
        ]
    })
}

/// One offer; fees are in the price's currency, so no channel may disagree.
fn offer(i: usize) -> impl Strategy<Value = String> {
    (
        prop::sample::subsequence(CHANNELS.to_vec(), 1..=3),
        prop::option::of((1..20u32, 0..20u32)),
        prop::option::of(text()),
        prop::collection::vec(condition(), 0..3),
        prop::option::of(prop_oneof![
            (0..200u32).prop_map(|n| format!("price {n}.00 USD")),
            (0..=100u32, prop::option::of(1..50u32)).prop_map(|(p, cap)| match cap {
                Some(c) => format!("{p}% off up to {c}.00 USD"),
                None => format!("{p}% off"),
            }),
            (0..200u32).prop_map(|n| format!("{n}.99 USD off")),
            Just(String::from("free \"a gift\"")),
        ]),
        (
            prop::option::of(0..3u32),
            -2..3i32,
            0..3u8,
            prop::option::of(prop::sample::select(vec!["Gold", "silver "])),
        ),
        prop::option::of((prop::sample::select(CHANNELS.to_vec()), 0..5u32)),
    )
        .prop_map(
            move |(honor, window, code, whens, benefit, (limit, priority, combine, proof), on)| {
                let mut clauses = vec![format!("title \"Offer {i}\"")];
                clauses.push(format!("honor {}", honor.join(", ")));
                if let Some((start, days)) = window {
                    clauses.push(format!(
                        "valid 2016-05-{start:02} to 2016-06-{:02}",
                        days + 1
                    ));
                }
                if let Some(code) = code {
                    clauses.push(format!("code \"{code}\""));
                }
                if let Some(proof) = proof {
                    clauses.push(format!("proof \"{proof}\""));
                }
                for (k, w) in whens.iter().enumerate() {
                    if k % 2 == 0 {
                        clauses.push(format!("when {w}"));
                    } else {
                        clauses.push(format!("when \"part {k}\": {w}"));
                    }
                }
                if let Some(b) = benefit {
                    clauses.push(format!("benefit {b}"));
                }
                if let Some(n) = limit {
                    clauses.push(format!("limit {n} per customer"));
                }
                clauses.push(format!("priority {priority}"));
                match combine {
                    1 => clauses.push(String::from("stackable")),
                    2 => clauses.push(String::from("exclusive")),
                    _ => {}
                }
                if let Some((channel, fee)) = on {
                    clauses.push(format!(
                        "on {channel} {{ note \"on {channel}\" fee {fee}.00 USD }}"
                    ));
                }
                // clauses in the order drawn, not the canonical one
                clauses.reverse();
                format!("offer o{i} {{ {} }} # offer {i}\n", clauses.join("\n  "))
            },
        )
}

fn rule_set() -> impl Strategy<Value = String> {
    (1..5usize)
        .prop_flat_map(|n| (0..n).map(offer).collect::<Vec<_>>())
        .prop_map(|offers| format!("timezone \"America/Chicago\"\n{SCHEMA}{}", offers.concat()))
}

fn context() -> impl Strategy<Value = String> {
    (
        prop::option::of(0..30i32),
        prop::option::of((0..100u32, prop::sample::select(vec!["USD", "EUR"]))),
        prop::option::of(text()),
        prop::option::of(1990..2010i32),
        prop::option::of(any::<bool>()),
        prop::option::of(prop::collection::vec(text(), 0..4)),
        prop::option::of(prop::collection::vec(
            prop::sample::select(vec!["GOLD", " gold ", "silver"]),
            0..3,
        )),
        prop::option::of(prop::collection::vec(
            prop::sample::select(vec!["o0", "o1", "o2"]),
            0..4,
        )),
        (
            prop::option::of(0..300u32),
            prop::option::of(prop::collection::vec(
                prop::sample::select(vec!["gold", " SILVER", "bronze"]),
                0..3,
            )),
        ),
    )
        .prop_map(|(n, m, t, year, b, l, codes, redeemed, (price, proofs))| {
            let mut c = serde_json::Map::new();
            let mut put = |k: &str, v: serde_json::Value| {
                c.insert(k.to_string(), v);
            };
            if let Some(n) = n {
                put("n", serde_json::json!(n));
            }
            if let Some((m, cur)) = m {
                put("m", serde_json::json!(format!("{m}.50 {cur}")));
            }
            if let Some(t) = t {
                put("t", serde_json::json!(t));
            }
            if let Some(y) = year {
                put(
                    "d",
                    serde_json::json!(
                        format!("{y}-02-29")
                            .replace("-02-29", if y % 4 == 0 { "-02-29" } else { "-02-28" })
                    ),
                );
                put(
                    "s",
                    serde_json::json!(format!("2016-05-0{}T12:00:00Z", y % 9 + 1)),
                );
            }
            if let Some(b) = b {
                put("b", serde_json::json!(b));
            }
            if let Some(l) = l {
                put("l", serde_json::json!(l));
            }
            let mut doc = serde_json::Map::new();
            doc.insert("c".into(), serde_json::Value::Object(c));
            if let Some(codes) = codes {
                doc.insert("codes".into(), serde_json::json!(codes));
            }
            if let Some(r) = redeemed {
                doc.insert("redeemed".into(), serde_json::json!(r));
            }
            if let Some(p) = price {
                doc.insert("price".into(), serde_json::json!(format!("{p}.00 USD")));
            }
            if let Some(p) = proofs {
                doc.insert("proofs".into(), serde_json::json!(p));
            }
            serde_json::Value::Object(doc).to_string()
        })
}

fn load(text: &str) -> RuleSet {
    let at = honor::parse_instant("2016-05-10T12:00:00Z").unwrap();
    RuleSet::from_texts(vec![("p.offer".into(), "p.offer".into(), text.into())], at)
        .unwrap_or_else(|e| panic!("a generated rule set loads:\n{e}\n{text}"))
}

fn ctx(rules: &RuleSet, doc: &str) -> Context {
    let doc = honor::Document::parse(doc, Some(honor::Format::Json)).unwrap();
    rules.context(&doc).unwrap()
}

const INSTANTS: [&str; 3] = [
    "2016-05-10T12:00:00Z",
    "2016-06-01T04:59:59Z",
    "2016-04-30T23:00:00-05:00",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn channels_that_honor_an_offer_agree_and_decisions_repeat(rules in rule_set(), doc in context(), at in prop::sample::select(INSTANTS.to_vec())) {
        let rules = load(&rules);
        let ctx = ctx(&rules, &doc);
        let at = honor::parse_instant(at).unwrap();
        let all = rules.decide_all(&ctx, at, None);
        prop_assert!(all.parity.same, "{:?}", all.parity);
        for i in 0..rules.offer_ids().count() {
            let views: Vec<_> = rules.honored_on(i).iter().map(|&c| &all.decisions.0[c].1.offers[i]).collect();
            for pair in views.windows(2) {
                prop_assert_eq!(&pair[0].status, &pair[1].status);
                prop_assert_eq!(&pair[0].clauses, &pair[1].clauses);
                prop_assert_eq!(&pair[0].price, &pair[1].price);
            }
        }
        let again = rules.decide_all(&ctx, at, None);
        prop_assert_eq!(serde_json::to_string(&all).unwrap(), serde_json::to_string(&again).unwrap());
    }

    #[test]
    fn the_fast_path_agrees_with_the_explained_path(rules in rule_set(), doc in context(), at in prop::sample::select(INSTANTS.to_vec())) {
        let rules = load(&rules);
        let ctx = ctx(&rules, &doc);
        let at = honor::parse_instant(at).unwrap();
        let mut scratch = Scratch::default();
        let mut fast = Vec::new();
        for channel in 0..rules.channels().len() {
            rules.statuses(&ctx, channel, at, &mut scratch, &mut fast);
            let explained: Vec<_> = rules.decide(&ctx, channel, at, None).offers.iter().map(|o| o.status).collect();
            prop_assert_eq!(&fast, &explained);
        }
    }

    /// A residual is written into JSON as it is walked; it must read as the residual built
    /// as data, and each clause's words must be its JSON string.
    #[test]
    fn what_is_written_is_what_is_built(rules in rule_set(), doc in context(), at in prop::sample::select(INSTANTS.to_vec())) {
        let rules = load(&rules);
        let ctx = ctx(&rules, &doc);
        let at = honor::parse_instant(at).unwrap();
        for channel in 0..rules.channels().len() {
            for offer in rules.decide(&ctx, channel, at, None).offers {
                for need in offer.needs() {
                    if let honor::Need::When { residual, .. } = need {
                        prop_assert_eq!(serde_json::to_value(&residual).unwrap(), serde_json::to_value(residual.tree()).unwrap());
                    }
                }
                for clause in &offer.clauses {
                    let words = clause.detail.to_string();
                    prop_assert_eq!(serde_json::to_value(&clause.detail).unwrap(), serde_json::Value::String(words.clone()));
                    prop_assert!(clause.detail == words.as_str());
                }
            }
        }
    }

    #[test]
    fn formatting_keeps_the_rules_and_is_idempotent(rules in rule_set()) {
        // `format_rules` refuses to return a text that reads back as other rules
        let once = honor::format_rules(&rules).unwrap();
        let twice = honor::format_rules(&once).unwrap();
        prop_assert_eq!(&once, &twice);
        for i in 0..4 {
            prop_assert_eq!(rules.contains(&format!("# offer {i}")), once.contains(&format!("# offer {i}")), "comments are kept");
        }
    }

    #[test]
    fn three_valued_logic_keeps_its_laws(a in condition(), b in condition(), doc in context()) {
        let text = format!(
            "{SCHEMA}offer l1 {{ title \"\" when not (({a}) and ({b})) }}\noffer r1 {{ title \"\" when (not ({a})) or (not ({b})) }}\n\
             offer l2 {{ title \"\" when not (({a}) or ({b})) }}\noffer r2 {{ title \"\" when (not ({a})) and (not ({b})) }}\n\
             offer l3 {{ title \"\" when not (not ({a})) }}\noffer r3 {{ title \"\" when {a} }}\n\
             offer l4 {{ title \"\" when (1 > 2) and ({a}) }}\noffer l5 {{ title \"\" when (1 < 2) or ({a}) }}\n"
        );
        let rules = load(&text);
        let ctx = ctx(&rules, &doc);
        let d = rules.decide(&ctx, 0, honor::parse_instant(INSTANTS[0]).unwrap(), None);
        let s: Vec<_> = d.offers.iter().map(|o| o.status).collect();
        prop_assert_eq!(s[0], s[1], "De Morgan over and");
        prop_assert_eq!(s[2], s[3], "De Morgan over or");
        prop_assert_eq!(s[4], s[5], "double negation");
        prop_assert_eq!(s[6], honor::Status::Ineligible, "false and anything");
        prop_assert_eq!(s[7], honor::Status::Eligible, "true or anything");
    }

    #[test]
    fn percent_discounts_are_exact_and_bounded(
        minor in 0i128..1_000_000_000_000,
        mantissa in 0u32..=10_000,
        scale in 0u32..3,
        cap in prop::option::of(0i128..1_000_000_000),
        code in prop::sample::select(vec!["USD", "JPY", "KWD"]),
    ) {
        let percent = Decimal::parse(&format!("{mantissa}e-{scale}")).unwrap();
        prop_assume!(percent <= Decimal::from_int(100));
        let currency = Currency::from_code(code).unwrap();
        let price = Money { minor, currency };
        let cap_money = cap.map(|c| Money { minor: c, currency });
        let result = price.percent_off(percent, cap_money);
        prop_assert!(result.minor >= 0);
        prop_assert!(result.minor <= price.minor);
        // independently: the whole number nearest to price × percent / 100, halves up
        let (num, den) = (minor * mantissa as i128, 100 * 10i128.pow(scale));
        let down = num / den;
        let nearest = if (num - down * den) * 2 >= den { down + 1 } else { down };
        let discount = cap.map_or(nearest, |c| nearest.min(c));
        prop_assert_eq!(result.minor, (minor - discount).max(0));
    }
}
