//! The static analysis of `honor lint`: each warning on offers that deserve it, and none on
//! near misses that a customer could still get (no false alarms).

use chrono::{TimeZone, Utc};
use honor::RuleSet;

const SCHEMA: &str = "context {\n  c.n number\n  c.m money\n  c.t text\n  c.b bool\n  c.d date\n  c.s datetime\n  c.l list of text\n}\n";

/// The offers (by id) that get a warning of `kind`, for a rule set of `offers` below the
/// schema.
fn flagged(kind: &str, offers: &str) -> Vec<String> {
    let text = format!("{SCHEMA}{offers}");
    let at = Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap();
    let rules = RuleSet::from_texts(vec![("t.offer".into(), "t.offer".into(), text)], at)
        .unwrap_or_else(|e| panic!("{e}"));
    rules
        .warnings()
        .iter()
        .filter(|d| d.kind() == kind)
        .map(|d| {
            d.message()
                .split('`')
                .nth(1)
                .unwrap_or_default()
                .to_string()
        })
        .collect()
}

fn offer(id: &str, body: &str) -> String {
    format!("offer {id} {{ title \"{id}\" valid 2026-01-01 to 2026-12-31 {body} }}\n")
}

/// `(conditions, never eligible?)`: contradictions, and their near misses.
const NEVER: &[(&str, bool)] = &[
    ("when c.n > 5 and c.n < 3", true),
    ("when c.n > 5 when c.n < 3", true),
    ("when c.n > 5 and c.n < 6", false),
    ("when c.n >= 5 and c.n <= 5", false),
    ("when c.n > 5 and c.n <= 5", true),
    ("when c.n == 5 and c.n != 5", true),
    ("when c.n in [1, 2] and c.n > 2", true),
    ("when c.n in [1, 2.5] and c.n > 2", false),
    ("when c.n > 5.5 and c.n < 5.6", false),
    ("when c.m > 5.00 USD and c.m < 5.01 USD", true),
    ("when c.m > 5.00 USD and c.m < 5.02 USD", false),
    ("when c.m >= 5.00 USD and c.m < 6.00 EUR", true),
    ("when c.m >= 5.00 USD or c.m < 6.00 EUR", false),
    ("when c.d > 2026-01-01 and c.d < 2026-01-02", true),
    ("when c.d > 2026-01-01 and c.d < 2026-01-03", false),
    ("when c.t == \"a\" and c.t in [\"b\", \"c\"]", true),
    ("when c.t == \"b\" and c.t in [\"b\", \"c\"]", false),
    (
        "when c.t in [\"a\", \"b\"] and c.t not in [\"a\", \"b\"]",
        true,
    ),
    ("when c.t in [\"a\", \"b\"] and c.t not in [\"a\"]", false),
    ("when c.t in []", true),
    ("when c.t not in []", false),
    ("when c.t == \"a\" and c.t == \"A\"", true),
    ("when c.t > \"a\" and c.t < \"a\"", false),
    ("when has(c.t) and not has(c.t)", true),
    ("when has(c.t) and not has(c.n)", false),
    ("when not has(c.n) and c.n > 1", true),
    ("when not has(c.n) and (c.n > 1 or c.t == \"x\")", false),
    ("when c.b when not c.b", true),
    ("when c.b == false and c.b", true),
    ("when c.b != true and c.b != false", true),
    ("when c.b or not c.b", false),
    ("when len(c.l) > 1 and len(c.l) < 2", true),
    ("when len(c.l) < 0", true),
    ("when len(c.l) <= 0 and \"a\" in c.l", true),
    ("when len(c.l) <= 1 and \"a\" in c.l", false),
    ("when \"a\" in c.l and \"a\" not in c.l", true),
    ("when \"a\" in c.l and \"b\" not in c.l", false),
    ("when age_years(c.d) > 17 and age_years(c.d) < 18", true),
    ("when age_years(c.d) > 17 and days_since(c.d) < 18", false),
    (
        "when days_since(c.s) >= 3 and days_since(c.s) < 4 and days_since(c.s) != 3",
        true,
    ),
    (
        "when (c.n > 10 or c.t == \"x\") and c.n < 5 and c.t != \"x\"",
        true,
    ),
    ("when (c.n > 10 or c.t == \"x\") and c.n < 5", false),
    ("when not (c.n <= 5 or c.n >= 3)", true),
    ("when not (c.n <= 5 and c.n >= 3)", false),
    ("when false", true),
    (
        "when c.n > 1 limit 1 per customer when not has(redeemed)",
        true,
    ),
    ("when c.n > 1 limit 1 per customer", false),
    ("code \"SAVE\" when len(codes) == 0", true),
    ("code \"SAVE\" when len(codes) == 1", false),
    ("benefit 5.00 EUR off when price > 10.00 USD", true),
    ("benefit 5.00 EUR off when price > 10.00 EUR", false),
    ("benefit 5.00 EUR off when c.m > 10.00 USD", false),
];

#[test]
fn never_eligible_positives_and_near_misses() {
    for (body, never) in NEVER {
        let found = flagged("never-eligible", &offer("x", body));
        assert_eq!(!found.is_empty(), *never, "{body}");
    }
}

#[test]
fn limit_zero_is_one_warning() {
    let text = offer("x", "when c.n > 5 and c.n < 3 limit 0 per customer");
    assert_eq!(flagged("limit-zero", &text), vec!["x"]);
    assert!(flagged("never-eligible", &text).is_empty());
}

#[test]
fn an_or_too_wide_to_spread_is_left_alone() {
    // 2^10 disjuncts: past the bound, nothing is claimed, even though it is contradictory
    let wide: Vec<String> = (0..10)
        .map(|i| format!("(c.n > {i} or len(c.l) > {i})"))
        .collect();
    let body = format!(
        "when {} and c.t == \"z\" and c.t == \"y\"",
        wide.join(" and ")
    );
    assert!(flagged("never-eligible", &offer("x", &body)).is_empty());
    // a narrower one is decided
    let body = format!(
        "when {} and c.t == \"z\" and c.t == \"y\"",
        wide[..3].join(" and ")
    );
    assert_eq!(flagged("never-eligible", &offer("x", &body)), vec!["x"]);
    // contradictory choices are dropped as they are spread, so many `or`s that leave few
    // consistent choices are decided
    let choices: Vec<String> = (0..10)
        .map(|i| format!("(c.n == {i} or c.t == \"{i}\")"))
        .collect();
    let body = format!("when {}", choices.join(" and "));
    assert_eq!(flagged("never-eligible", &offer("x", &body)), vec!["x"]);
}

/// `(loser, winner, beaten?)`: both regular offers.
const BEATEN: &[(&str, &str, bool)] = &[
    // the same conditions, a better benefit
    (
        "when c.n > 1 benefit 10% off",
        "when c.n > 1 benefit 20% off",
        true,
    ),
    // ties go to the winner by its smaller id (`a` < `b`)
    (
        "when c.n > 1 when c.b benefit 20% off",
        "when c.n > 1 benefit 20% off priority 1",
        true,
    ),
    // the loser wins ties by priority: at a price of 0 it is applied
    (
        "when c.n > 1 benefit 10% off priority 1",
        "when c.n > 1 benefit 20% off",
        false,
    ),
    // narrower conditions than the winner's
    (
        "when c.n > 1 when c.t == \"x\" benefit 5.00 USD off",
        "when c.n > 1 benefit 6.00 USD off",
        true,
    ),
    // conditions that follow from the loser's
    (
        "when c.n >= 24 benefit 5.00 USD off",
        "when c.n >= 12 benefit 6.00 USD off",
        true,
    ),
    (
        "when c.n >= 12 benefit 5.00 USD off",
        "when c.n >= 24 benefit 6.00 USD off",
        false,
    ),
    (
        "when c.t == \"a\" or c.t == \"b\" benefit 10% off",
        "when c.t in [\"a\", \"b\"] benefit 20% off",
        true,
    ),
    (
        "when c.t == \"a\" or c.t == \"c\" benefit 10% off",
        "when c.t in [\"a\", \"b\"] benefit 20% off",
        false,
    ),
    (
        "when c.n > 5 or c.t == \"a\" benefit 10% off",
        "when c.n > 1 benefit 20% off",
        false,
    ),
    (
        "when has(c.n) benefit 10% off",
        "when c.n > 1 benefit 20% off",
        false,
    ),
    (
        "when c.n > 1 benefit 10% off",
        "when has(c.n) benefit 20% off",
        true,
    ),
    (
        "when len(c.l) > 2 benefit 10% off",
        "when \"a\" in c.l or len(c.l) >= 1 benefit 20% off",
        false,
    ),
    // money is unknown across currencies: not decided
    (
        "when c.m >= 5.00 USD benefit 10% off",
        "when c.m >= 1.00 USD benefit 20% off",
        false,
    ),
    // wider conditions than the winner's
    (
        "when c.n > 1 benefit 5.00 USD off",
        "when c.n > 1 when c.t == \"x\" benefit 6.00 USD off",
        false,
    ),
    ("benefit price 5.00 USD", "benefit price 4.00 USD", true),
    ("benefit price 5.00 USD", "benefit price 0.00 USD", true),
    ("benefit price 5.00 USD", "benefit 100% off", true),
    // a fixed price against an amount off: which is lower depends on the price
    ("benefit price 5.00 USD", "benefit 10.00 USD off", false),
    (
        "benefit 10% off up to 5.00 USD",
        "benefit 5.00 USD off",
        true,
    ),
    (
        "benefit 10% off up to 5.00 USD",
        "benefit 4.99 USD off",
        false,
    ),
    ("benefit 10% off", "benefit 20% off up to 5.00 USD", false),
    (
        "benefit 10% off up to 5.00 USD",
        "benefit 20% off up to 5.00 USD",
        true,
    ),
    // the winner's window must cover the loser's
    (
        "valid 2026-02-01 to 2026-02-28 benefit 10% off",
        "benefit 20% off",
        true,
    ),
    (
        "benefit 10% off",
        "valid 2026-02-01 to 2026-02-28 benefit 20% off",
        false,
    ),
    // channels, code and limit
    ("honor web benefit 10% off", "benefit 20% off", true),
    ("benefit 10% off", "honor web benefit 20% off", false),
    (
        "code \"A\" benefit 10% off",
        "code \"a\" benefit 20% off",
        true,
    ),
    ("benefit 10% off", "code \"a\" benefit 20% off", false),
    (
        "benefit 10% off",
        "limit 1 per customer benefit 20% off",
        false,
    ),
    // a winner that is stackable or exclusive is not in the same contest
    ("benefit 10% off", "stackable benefit 20% off", false),
    ("benefit 10% off", "exclusive benefit 20% off", false),
    // a winner in another currency is ineligible where the loser is not
    ("benefit 10% off", "benefit 5.00 EUR off", false),
    (
        "benefit 5.00 USD off",
        "benefit 6.00 USD off on web { fee 1.00 EUR }",
        false,
    ),
    (
        "benefit 5.00 USD off",
        "benefit 6.00 USD off on web { fee 1.00 USD }",
        true,
    ),
];

#[test]
fn always_beaten_positives_and_near_misses() {
    for (loser, winner, beaten) in BEATEN {
        // the windows are written in the bodies where they differ
        let body = |b: &str| {
            if b.contains("valid") {
                format!("offer {{id}} {{ title \"t\" {b} }}\n")
            } else {
                format!("offer {{id}} {{ title \"t\" valid 2026-01-01 to 2026-12-31 {b} }}\n")
            }
        };
        let text = body(loser).replace("{id}", "b") + &body(winner).replace("{id}", "a");
        let text = if winner.contains("priority 1") && !loser.contains("priority") {
            // the winner `a` has the smaller id already; swap names to test priority
            text.replace("offer b", "offer z")
        } else {
            text
        };
        let found = flagged("always-beaten", &text);
        let loser_id = if text.contains("offer z") { "z" } else { "b" };
        assert_eq!(
            found == vec![loser_id],
            *beaten,
            "{loser} / {winner}: {found:?}"
        );
    }
}

#[test]
fn always_beaten_names_the_winner() {
    let text = offer("ten", "when c.n > 1 benefit 10% off priority 1")
        + &offer("twenty", "when c.n > 1 benefit 20% off priority 2");
    let at = Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap();
    let rules = RuleSet::from_texts(
        vec![(
            "t.offer".into(),
            "t.offer".into(),
            format!("{SCHEMA}{text}"),
        )],
        at,
    )
    .unwrap();
    let d = rules
        .warnings()
        .iter()
        .find(|d| d.kind() == "always-beaten")
        .unwrap();
    assert!(
        d.message().contains("`ten` is never applied") && d.message().contains("`twenty` can too")
    );
}

/// `(first, second, same?)`.
const SAME: &[(&str, &str, bool)] = &[
    ("when c.n > 1", "when c.n > 1", true),
    (
        "when c.n > 1 and c.t == \"x\"",
        "when c.t == \"x\" when 1 < c.n",
        true,
    ),
    (
        "when c.t in [\"a\", \"b\"]",
        "when c.t in [\"b\", \"a\", \"a\"]",
        true,
    ),
    ("when not (c.n > 1)", "when c.n <= 1", true),
    ("when not (c.t in [\"a\"])", "when c.t not in [\"a\"]", true),
    ("when c.n > 1 or c.b", "when c.b or c.n > 1", true),
    ("when c.n > 1", "when c.n >= 1", false),
    ("when c.n > 1", "when c.n > 1 honor web", false),
    ("when c.n > 1", "when c.n > 1 code \"X\"", false),
    ("when c.n > 1 code \"x \"", "when c.n > 1 code \"X\"", true),
    ("when c.n > 1", "when c.n > 1 limit 1 per customer", false),
    ("when c.n > 1", "when c.n > 1 stackable", false),
];

#[test]
fn same_offer_positives_and_near_misses() {
    for (first, second, same) in SAME {
        let text = offer("a", &format!("{first} benefit 10% off"))
            + &offer("b", &format!("{second} benefit 10% off"));
        let found = flagged("same-offer", &text);
        assert_eq!(found == vec!["b"], *same, "{first} / {second}: {found:?}");
        // an exact copy is not also reported as beaten
        if *same {
            assert!(flagged("always-beaten", &text).is_empty(), "{first}");
        }
    }
}
