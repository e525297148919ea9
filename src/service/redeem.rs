//! Deciding a redemption with the ledger's view: the engine decides the one offer for the
//! customer's context with `redeemed` and the budget counts as the ledger holds them inside
//! the redemption's transaction, and the decision says whether it may be recorded and, when
//! not, which refusal it is.

use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

use super::ledger::View;
use crate::engine::decision::{OfferDecision, Outcome, Status};
use crate::engine::ruleset::RuleSet;
use crate::input::context::Context;

/// What a decision means for a redemption.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Eligible on the channel: record it.
    Record,
    /// The customer has had the offer as many times as its `limit` allows.
    LimitReached,
    /// The offer's `budget` is used up.
    BudgetExhausted,
    /// Anything else: not honored on the channel, a clause false or unknown.
    NotEligible,
}

impl Verdict {
    /// A refusal's error code.
    pub fn code(self) -> &'static str {
        match self {
            Verdict::Record => "recorded",
            Verdict::LimitReached => "limit_reached",
            Verdict::BudgetExhausted => "budget_exhausted",
            Verdict::NotEligible => "not_eligible",
        }
    }

    /// Reads the verdict from one offer's decision. A limit or budget that fails is named
    /// even when another clause fails too: it is the refusal that no other context changes.
    pub fn of(decision: &OfferDecision) -> Verdict {
        if decision.status == Status::Eligible {
            return Verdict::Record;
        }
        if decision.status == Status::NotHonored {
            return Verdict::NotEligible;
        }
        let failed = |name: &str| {
            decision
                .clauses
                .iter()
                .any(|c| c.clause == name && c.result == Outcome::Fail)
        };
        if failed("limit") {
            Verdict::LimitReached
        } else if failed("budget") {
            Verdict::BudgetExhausted
        } else {
            Verdict::NotEligible
        }
    }
}

/// The context as the ledger sees it: `redeemed` and the offer's budget count taken from
/// its view.
pub fn with_view(rules: &RuleSet, ctx: &Context, offer: usize, view: &View) -> Context {
    let mut ctx = ctx.clone();
    ctx.set_redeemed(view.redeemed.clone());
    let id = rules.model.offers[offer].id.clone();
    ctx.set_budget_use(BTreeMap::from([(id, view.used)]));
    ctx
}

/// One offer decided on one channel.
pub fn decide_offer<'a>(
    rules: &'a RuleSet,
    ctx: &'a Context,
    channel: usize,
    at: DateTime<Utc>,
    offer: usize,
) -> OfferDecision<'a> {
    let mut decision = rules.decide(ctx, channel, at, Some(offer));
    // `Some(offer)` lists exactly that offer.
    decision.offers.swap_remove(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULES: &str = r#"
        channels web, store, phone
        offer upgrade {
          title "Upgrade"
          honor web, store
          when  customer.tenure_months >= 12
          limit 1 per customer
        }
        offer gift {
          title  "Gift"
          budget 2 redemptions
          limit  5 per customer
        }
        context { customer.tenure_months number }
    "#;

    fn rules() -> RuleSet {
        RuleSet::from_texts(
            vec![(
                String::from("test.offer"),
                String::from("test.offer"),
                RULES.to_string(),
            )],
            Utc::now(),
        )
        .unwrap()
    }

    fn decide_with(
        offer: usize,
        context: &str,
        channel: &str,
        redeemed: &[&str],
        used: u64,
    ) -> (Status, Verdict) {
        let rules = rules();
        let doc = crate::input::json::parse(context).unwrap();
        let ctx = Context::from_doc(&doc, &rules.model.schema).unwrap();
        let view = View {
            redeemed: redeemed.iter().map(|s| s.to_string()).collect(),
            used,
        };
        let channel = rules.channel(channel).unwrap();
        let ctx = with_view(&rules, &ctx, offer, &view);
        let d = decide_offer(&rules, &ctx, channel, Utc::now(), offer);
        assert_eq!(d.id, rules.model.offers[offer].id);
        (d.status, Verdict::of(&d))
    }

    fn decide(context: &str, channel: &str, redeemed: &[&str]) -> (Status, Verdict) {
        decide_with(0, context, channel, redeemed, 0)
    }

    #[test]
    fn the_ledgers_count_decides_the_budget() {
        assert_eq!(
            decide_with(1, "{}", "web", &[], 1),
            (Status::Eligible, Verdict::Record)
        );
        assert_eq!(
            decide_with(1, "{}", "web", &[], 2),
            (Status::Ineligible, Verdict::BudgetExhausted)
        );
        // A limit reached is named before a budget used up.
        assert_eq!(
            decide_with(1, "{}", "web", &["gift"; 5], 2),
            (Status::Ineligible, Verdict::LimitReached)
        );
    }

    #[test]
    fn the_ledgers_redemptions_decide_the_limit() {
        let loyal = r#"{"customer": {"tenure_months": 20}}"#;
        assert_eq!(
            decide(loyal, "store", &[]),
            (Status::Eligible, Verdict::Record)
        );
        assert_eq!(
            decide(loyal, "store", &["other", "upgrade"]),
            (Status::Ineligible, Verdict::LimitReached)
        );
        assert_eq!(
            decide(r#"{"customer": {"tenure_months": 2}}"#, "store", &[]),
            (Status::Ineligible, Verdict::NotEligible)
        );
        assert_eq!(
            decide(r#"{}"#, "web", &[]),
            (Status::Unknown, Verdict::NotEligible)
        );
        assert_eq!(
            decide(loyal, "phone", &[]),
            (Status::NotHonored, Verdict::NotEligible)
        );
    }
}
