//! The price quote of one channel (docs/language.md, "The price quote"): the best regular offer, then the
//! stackable ones, unless the best exclusive offer alone is no dearer; then the fees.

use serde::Serialize;

use crate::engine::compile::PriceBenefit;
use crate::value::money::Money;

/// An offer that may take part: eligible on the channel, with a price benefit.
#[derive(Clone, Debug)]
pub struct Taker<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub priority: i64,
    pub stackable: bool,
    pub exclusive: bool,
    pub benefit: PriceBenefit,
    pub fee: Option<Money>,
}

/// The best price with the eligible offers combined by the stacking rules (docs/language.md, "Quotes").
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Quote {
    /// The list price from the context (`"130.00 USD"`).
    pub list: String,
    /// What the customer pays: benefits applied, then the channel's fee.
    #[serde(rename = "final")]
    pub final_price: String,
    /// The offers applied, in the order applied.
    pub applied: Vec<String>,
    /// How the final price came about, a sentence per step, for the agent to repeat.
    pub explanation: Vec<String>,
    /// Eligible offers with a price benefit that the quote leaves out, each with why (for
    /// text output).
    #[serde(skip)]
    pub not_applied: Vec<(String, String)>,
}

/// Best first: the lowest result on the list price, then higher priority, then smaller id.
fn best<'t, 'a>(offers: impl Iterator<Item = &'t Taker<'a>>, list: Money) -> Option<&'t Taker<'a>>
where
    'a: 't,
{
    offers.min_by(|a, b| {
        a.benefit
            .apply(list)
            .minor
            .cmp(&b.benefit.apply(list).minor)
            .then(b.priority.cmp(&a.priority))
            .then(a.id.cmp(b.id))
    })
}

pub fn quote(list: Money, takers: &[Taker]) -> Quote {
    let mut explanation = Vec::new();
    let mut running = list;
    let mut applied: Vec<&Taker> = Vec::new();
    let mut not_applied: Vec<(String, String)> = Vec::new();

    let regular: Vec<&Taker> = takers
        .iter()
        .filter(|t| !t.stackable && !t.exclusive)
        .collect();
    if let Some(single) = best(regular.iter().copied(), list) {
        running = single.benefit.apply(list);
        let others: Vec<&str> = regular
            .iter()
            .filter(|t| t.id != single.id)
            .map(|t| t.id)
            .collect();
        let why = match others.as_slice() {
            [] => String::new(),
            [other] => {
                format!(" (the better of 2 offers that are not combined; the other is {other})")
            }
            _ => format!(
                " (the best of {} offers that are not combined; the others are {})",
                others.len() + 1,
                others.join(", ")
            ),
        };
        explanation.push(format!("{}{why}: {list} → {running}", single.id));
        for other in regular.iter().filter(|t| t.id != single.id) {
            let theirs = other.benefit.apply(list);
            let reason = if theirs.minor > running.minor {
                format!(
                    "{} gives a lower price ({running} against {theirs})",
                    single.id
                )
            } else {
                format!(
                    "{} gives the same price ({running}) and goes first by priority, then id",
                    single.id
                )
            };
            not_applied.push((other.id.to_string(), reason));
        }
        applied.push(single);
    }
    let mut stackables: Vec<&Taker> = takers.iter().filter(|t| t.stackable).collect();
    stackables.sort_by(|a, b| b.priority.cmp(&a.priority).then(a.id.cmp(b.id)));
    for s in stackables {
        let before = running;
        running = s.benefit.apply(running);
        let nothing = if before.minor == 0 {
            " (nothing left to take off)"
        } else {
            ""
        };
        explanation.push(format!(
            "{} (stackable, added on top): {before} → {running}{nothing}",
            s.id
        ));
        applied.push(s);
    }
    let exclusives: Vec<&Taker> = takers.iter().filter(|t| t.exclusive).collect();
    if let Some(ex) = best(exclusives.iter().copied(), list) {
        let alone = ex.benefit.apply(list);
        let title = ex.title;
        for other in exclusives.iter().filter(|t| t.id != ex.id) {
            not_applied.push((
                other.id.to_string(),
                format!(
                    "{} cannot be combined either and gives a lower price",
                    ex.id
                ),
            ));
        }
        if applied.is_empty() {
            explanation.push(format!("{} (cannot be combined): {list} → {alone}", ex.id));
            running = alone;
            applied = vec![ex];
        } else if alone.minor <= running.minor {
            let comparison = if alone.minor < running.minor {
                format!("it is lower than the combined offers ({alone} against {running})")
            } else {
                format!("it equals the combined offers ({alone}), and wins the tie")
            };
            explanation.clear();
            explanation.push(format!(
                "{} (\"{title}\") cannot be combined; {comparison}, so it is applied alone: {list} → {alone}",
                ex.id
            ));
            for t in &applied {
                not_applied.push((
                    t.id.to_string(),
                    format!("{} cannot be combined with it and is lower alone", ex.id),
                ));
            }
            running = alone;
            applied = vec![ex];
        } else {
            explanation.push(format!(
                "{} (\"{title}\") cannot be combined and is not applied: the combined offers are lower ({running} against {alone})",
                ex.id
            ));
            not_applied.push((
                ex.id.to_string(),
                format!("it cannot be combined, and the combined offers are lower ({running} against {alone})"),
            ));
        }
    }
    let mut total = running;
    for t in &applied {
        if let Some(fee) = t.fee {
            let before = total;
            total = total.plus(fee);
            explanation.push(format!(
                "fee for {} on this channel: {before} + {fee} → {total}",
                t.id
            ));
        }
    }
    if applied.is_empty() {
        explanation.push(format!("no offer changes the price: {list}"));
    }
    not_applied.retain(|(id, _)| !applied.iter().any(|t| t.id == id));
    Quote {
        list: list.to_string(),
        final_price: total.to_string(),
        applied: applied.iter().map(|t| t.id.to_string()).collect(),
        explanation,
        not_applied,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::number::Decimal;

    fn money(s: &str) -> Money {
        Money::parse(s).unwrap()
    }

    fn taker<'a>(id: &'a str, benefit: PriceBenefit) -> Taker<'a> {
        Taker {
            id,
            title: id,
            priority: 0,
            stackable: false,
            exclusive: false,
            benefit,
            fee: None,
        }
    }

    fn pct(p: &str, cap: Option<&str>) -> PriceBenefit {
        PriceBenefit::Percent {
            percent: Decimal::parse(p).unwrap(),
            cap: cap.map(money),
        }
    }

    fn price(p: &str) -> PriceBenefit {
        PriceBenefit::Price(money(p))
    }

    fn off(p: &str) -> PriceBenefit {
        PriceBenefit::Off(money(p))
    }

    fn run(list: &str, takers: &[Taker]) -> (String, Vec<String>) {
        let q = quote(money(list), takers);
        (q.final_price, q.applied)
    }

    #[test]
    fn lowest_single_offer_then_stackables_by_priority() {
        let mut stack_a = taker("stack_a", off("5 USD"));
        stack_a.stackable = true;
        stack_a.priority = 1;
        let mut stack_b = taker("stack_b", pct("10", None));
        stack_b.stackable = true;
        stack_b.priority = 2;
        let takers = [
            taker("twenty", pct("20", None)),
            taker("flat", price("90 USD")),
            stack_a,
            stack_b,
        ];
        // best single: 20% of 100 → 80; then stack_b (priority 2): 72; then stack_a: 67
        assert_eq!(
            run("100.00 USD", &takers),
            (
                "67.00 USD".into(),
                vec!["twenty".into(), "stack_b".into(), "stack_a".into()]
            )
        );
    }

    #[test]
    fn ties_go_to_higher_priority_then_smaller_id() {
        let mut high = taker("zeta", off("10 USD"));
        high.priority = 5;
        let takers = [taker("alpha", off("10 USD")), high.clone()];
        assert_eq!(run("50.00 USD", &takers).1, vec!["zeta"]);
        assert_eq!(
            run(
                "50.00 USD",
                &[taker("beta", off("10 USD")), taker("alpha", off("10 USD"))]
            )
            .1,
            vec!["alpha"]
        );
    }

    #[test]
    fn exclusive_beats_loses_and_ties_the_combination() {
        let mut employee = taker("employee", pct("30", None));
        employee.exclusive = true;
        let mut stack = taker("stack", off("5 USD"));
        stack.stackable = true;
        // combination: 20% → 80, then −5 → 75, against the exclusive offer alone
        for (percent, price, applied) in [
            // 70 beats 75
            ("30", "70.00 USD", vec!["employee"]),
            // 75 ties 75: a tie goes to the exclusive offer
            ("25", "75.00 USD", vec!["employee"]),
            // 90 loses to 75: the combination stays
            ("10", "75.00 USD", vec!["twenty", "stack"]),
        ] {
            employee.benefit = pct(percent, None);
            let takers = [
                taker("twenty", pct("20", None)),
                stack.clone(),
                employee.clone(),
            ];
            let applied: Vec<String> = applied.into_iter().map(String::from).collect();
            assert_eq!(run("100.00 USD", &takers), (price.into(), applied));
        }
    }

    #[test]
    fn best_of_two_exclusive_offers_alone() {
        let mut a = taker("a", pct("30", None));
        a.exclusive = true;
        let mut b = taker("b", price("60 USD"));
        b.exclusive = true;
        assert_eq!(
            run("100.00 USD", &[a, b]),
            ("60.00 USD".into(), vec!["b".into()])
        );
    }

    #[test]
    fn caps_below_at_and_above_the_percentage() {
        // 20% of 400 is 80
        assert_eq!(
            run("400.00 USD", &[taker("c", pct("20", Some("50 USD")))]).0,
            "350.00 USD"
        );
        assert_eq!(
            run("400.00 USD", &[taker("c", pct("20", Some("80 USD")))]).0,
            "320.00 USD"
        );
        assert_eq!(
            run("400.00 USD", &[taker("c", pct("20", Some("120 USD")))]).0,
            "320.00 USD"
        );
    }

    #[test]
    fn fees_are_added_for_applied_offers_only() {
        let mut with_fee = taker("upgrade", price("0 USD"));
        with_fee.fee = Some(money("5 USD"));
        let mut unused = taker("other", off("1 USD"));
        unused.fee = Some(money("99 USD"));
        assert_eq!(
            run("130.00 USD", &[with_fee, unused]),
            ("5.00 USD".into(), vec!["upgrade".into()])
        );
    }

    #[test]
    fn no_offer_leaves_the_list_price() {
        assert_eq!(run("130.00 USD", &[]), ("130.00 USD".into(), vec![]));
    }
}
