//! One ledger suite, run on both backends: SQLite in a temporary folder and PostgreSQL in a
//! schema of its own on the server `HONOR_TEST_PG` names (the tests fail, never skip, when
//! none answers). The decision is a small stand-in here — `limit` and `budget` counted from
//! the ledger's view — so that the ledger's own guarantees are tested apart from the engine.

mod support;

use std::sync::Arc;

use honor::ledger::PostgresLedger;
use honor::ledger::SqliteLedger;
use honor::ledger::{Ledger, NewRedemption, Redeemed, View};
use support::TempDir;
use support::pg::Schema;

/// A ledger under test and what keeps its storage alive.
struct Under {
    ledger: Arc<dyn Ledger>,
    _dir: Option<TempDir>,
    _schema: Option<Schema>,
}

async fn sqlite() -> Under {
    let dir = TempDir::new("ledger");
    let ledger = SqliteLedger::open(&dir.path().join("ledger.db"))
        .await
        .expect("open the SQLite ledger");
    Under {
        ledger: Arc::new(ledger),
        _dir: Some(dir),
        _schema: None,
    }
}

async fn postgres() -> Under {
    let schema = Schema::create("ledger").await;
    let ledger = PostgresLedger::connect(schema.options())
        .await
        .expect("open the PostgreSQL ledger");
    Under {
        ledger: Arc::new(ledger),
        _dir: None,
        _schema: Some(schema),
    }
}

fn redemption(key: &str, customer: &str, offer: &str, body: &str) -> NewRedemption {
    NewRedemption {
        key: key.to_string(),
        customer: customer.to_string(),
        offer: offer.to_string(),
        channel: String::from("store"),
        at: String::from("2026-05-10T15:00:00Z"),
        rules: String::from("sha256:0123456789abcdef"),
        body_hash: body.to_string(),
        budgeted: true,
    }
}

/// `limit N per customer` and `budget B redemptions`, decided from the ledger's view.
fn limits(offer: &str, limit: usize, budget: u64) -> impl FnMut(&View) -> bool + Send + use<> {
    let offer = offer.to_string();
    move |view: &View| {
        view.redeemed.iter().filter(|o| **o == offer).count() < limit && view.used < budget
    }
}

async fn redeem(ledger: &dyn Ledger, new: &NewRedemption, limit: usize, budget: u64) -> Redeemed {
    let mut decide = limits(&new.offer, limit, budget);
    ledger.redeem(new, &mut decide).await.expect("redeem")
}

fn offers(ids: &[&str]) -> Vec<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

fn recorded(r: Redeemed) -> honor::ledger::Entry {
    match r {
        Redeemed::Recorded(e) => e,
        other => panic!("expected a recorded redemption, got {other:?}"),
    }
}

async fn replay_is_idempotent(under: Under) {
    let l = under.ledger.as_ref();
    let new = redemption("order-1", "c1", "upgrade", "body-a");
    let first = recorded(redeem(l, &new, 1, 100).await);
    assert_eq!(first.key, "order-1");
    assert_eq!(first.reversed, None);
    // The same key and body again: the recorded entry, nothing new, and the decision is not
    // asked again (with limit 1 it would now say no).
    let mut asked = false;
    let mut decide = |_: &View| {
        asked = true;
        true
    };
    let again = l.redeem(&new, &mut decide).await.expect("redeem again");
    assert_eq!(again, Redeemed::Replayed(first.clone()));
    assert!(!asked, "a replay must not decide again");
    assert_eq!(l.entries("c1", 100).await.unwrap(), vec![first]);
    assert_eq!(l.redeemed("c1").await.unwrap(), vec!["upgrade".to_string()]);
}

async fn key_reused_with_another_body(under: Under) {
    let l = under.ledger.as_ref();
    let first = recorded(redeem(l, &redemption("k", "c1", "upgrade", "body-a"), 5, 100).await);
    let other = redemption("k", "c1", "upgrade", "body-b");
    assert_eq!(
        redeem(l, &other, 5, 100).await,
        Redeemed::KeyReused(first.clone())
    );
    let elsewhere = redemption("k", "c2", "tv", "body-c");
    assert_eq!(
        redeem(l, &elsewhere, 5, 100).await,
        Redeemed::KeyReused(first.clone())
    );
    assert_eq!(l.entries("c1", 100).await.unwrap(), vec![first]);
    assert!(l.entries("c2", 100).await.unwrap().is_empty());
}

async fn reversal_is_kept_and_no_longer_counts(under: Under) {
    let l = under.ledger.as_ref();
    let first = recorded(redeem(l, &redemption("k1", "c1", "upgrade", "a"), 1, 100).await);
    // Limit 1 reached.
    assert_eq!(
        redeem(l, &redemption("k2", "c1", "upgrade", "b"), 1, 100).await,
        Redeemed::Refused
    );
    let reversal = l.reverse("k1").await.unwrap().expect("a known key");
    assert!(!reversal.repeated);
    let when = reversal.entry.reversed.clone().expect("marked reversed");
    assert_eq!(reversal.entry.key, "k1");
    // Reversing again answers the same reversal.
    let again = l.reverse("k1").await.unwrap().expect("a known key");
    assert!(again.repeated);
    assert_eq!(again.entry.reversed.as_deref(), Some(when.as_str()));
    assert_eq!(l.reverse("no-such-key").await.unwrap(), None);
    assert_eq!(l.find("k1").await.unwrap(), Some(again.entry.clone()));
    assert_eq!(l.find("no-such-key").await.unwrap(), None);
    // Kept, marked, and no longer counted: not in `redeemed`, not in the budget counts, and
    // the customer may redeem again.
    let entries = l.entries("c1", 100).await.unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].reversed.as_deref(), Some(when.as_str()));
    assert_eq!(entries[0].recorded, first.recorded);
    assert!(l.redeemed("c1").await.unwrap().is_empty());
    assert!(
        l.budget_use(&offers(&["upgrade", "gift", "tv"]))
            .await
            .unwrap()
            .is_empty()
    );
    let second = recorded(redeem(l, &redemption("k3", "c1", "upgrade", "c"), 1, 100).await);
    assert_eq!(
        l.entries("c1", 100).await.unwrap(),
        vec![entries[0].clone(), second]
    );
    assert_eq!(
        l.budget_use(&offers(&["upgrade", "gift", "tv"]))
            .await
            .unwrap()
            .into_iter()
            .collect::<Vec<_>>(),
        vec![("upgrade".to_string(), 1)]
    );
}

async fn limit_counts_the_customer_and_offer(under: Under) {
    let l = under.ledger.as_ref();
    recorded(redeem(l, &redemption("a1", "c1", "upgrade", "1"), 2, 100).await);
    recorded(redeem(l, &redemption("a2", "c1", "upgrade", "2"), 2, 100).await);
    assert_eq!(
        redeem(l, &redemption("a3", "c1", "upgrade", "3"), 2, 100).await,
        Redeemed::Refused
    );
    // Another customer, and another offer for the same customer, are counted apart.
    recorded(redeem(l, &redemption("b1", "c2", "upgrade", "4"), 2, 100).await);
    recorded(redeem(l, &redemption("a4", "c1", "tv", "5"), 2, 100).await);
    assert_eq!(
        l.redeemed("c1").await.unwrap(),
        vec!["upgrade", "upgrade", "tv"]
    );
    // The newest entries, in the order recorded.
    let newest: Vec<String> = l
        .entries("c1", 2)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.key)
        .collect();
    assert_eq!(newest, vec!["a2", "a4"]);
    // A refusal records nothing, not even its key.
    assert!(l.reverse("a3").await.unwrap().is_none());
    assert_eq!(l.entries("c1", 100).await.unwrap().len(), 3);
}

async fn budget_counts_every_customer(under: Under) {
    let l = under.ledger.as_ref();
    let mut seen = Vec::new();
    for (i, customer) in ["c1", "c2", "c3", "c4"].iter().enumerate() {
        let new = redemption(&format!("k{i}"), customer, "gift", &i.to_string());
        let mut decide = |view: &View| {
            seen.push(view.used);
            view.used < 3
        };
        let r = l.redeem(&new, &mut decide).await.unwrap();
        assert_eq!(matches!(r, Redeemed::Recorded(_)), i < 3, "redemption {i}");
    }
    assert_eq!(seen, vec![0, 1, 2, 3]);
    assert_eq!(
        l.budget_use(&offers(&["upgrade", "gift", "tv"]))
            .await
            .unwrap()
            .into_iter()
            .collect::<Vec<_>>(),
        vec![("gift".to_string(), 3)]
    );
    assert!(l.entries("c4", 100).await.unwrap().is_empty());
    // Only the offers asked about are counted.
    assert!(l.budget_use(&offers(&["tv"])).await.unwrap().is_empty());
    assert!(l.budget_use(&[]).await.unwrap().is_empty());
    // A reversal gives the unit back.
    l.reverse("k0").await.unwrap().expect("known");
    recorded(redeem(l, &redemption("k9", "c4", "gift", "9"), 1, 3).await);
}

/// Concurrent redemptions of one offer by one customer, limit 1, distinct keys: one wins.
async fn concurrent_limit_records_one(under: Under) {
    let ledger = under.ledger.clone();
    let start = Arc::new(tokio::sync::Barrier::new(40));
    let tasks: Vec<_> = (0..40)
        .map(|i| {
            let ledger = ledger.clone();
            let start = start.clone();
            tokio::spawn(async move {
                let mut new = redemption(&format!("r{i}"), "c1", "upgrade", &i.to_string());
                new.budgeted = false;
                start.wait().await;
                let mut decide = limits("upgrade", 1, u64::MAX);
                ledger.redeem(&new, &mut decide).await.unwrap()
            })
        })
        .collect();
    let mut wins = 0;
    for t in tasks {
        if matches!(t.await.unwrap(), Redeemed::Recorded(_)) {
            wins += 1;
        }
    }
    assert_eq!(wins, 1);
    assert_eq!(ledger.entries("c1", 100).await.unwrap().len(), 1);
}

/// Concurrent redemptions by distinct customers for the last unit of a budget: one wins.
async fn concurrent_budget_records_one(under: Under) {
    let ledger = under.ledger.clone();
    for i in 0..4 {
        recorded(
            redeem(
                &*ledger,
                &redemption(&format!("pre{i}"), &format!("p{i}"), "gift", "x"),
                1,
                5,
            )
            .await,
        );
    }
    let start = Arc::new(tokio::sync::Barrier::new(40));
    let tasks: Vec<_> = (0..40)
        .map(|i| {
            let ledger = ledger.clone();
            let start = start.clone();
            tokio::spawn(async move {
                let new = redemption(&format!("r{i}"), &format!("c{i}"), "gift", "y");
                start.wait().await;
                let mut decide = limits("gift", 1, 5);
                ledger.redeem(&new, &mut decide).await.unwrap()
            })
        })
        .collect();
    let mut wins = 0;
    for t in tasks {
        if matches!(t.await.unwrap(), Redeemed::Recorded(_)) {
            wins += 1;
        }
    }
    assert_eq!(wins, 1);
    assert_eq!(
        ledger.budget_use(&offers(&["gift"])).await.unwrap()["gift"],
        5
    );
}

/// The same key sent at once for two customers: one records, the other finds the key taken.
async fn concurrent_same_key_records_once(under: Under) {
    let ledger = under.ledger.clone();
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let ledger = ledger.clone();
            tokio::spawn(async move {
                let new = redemption("shared", &format!("c{i}"), "upgrade", &i.to_string());
                let mut decide = limits("upgrade", 1, u64::MAX);
                ledger.redeem(&new, &mut decide).await.unwrap()
            })
        })
        .collect();
    let mut outcomes = (0, 0);
    for t in tasks {
        match t.await.unwrap() {
            Redeemed::Recorded(_) => outcomes.0 += 1,
            Redeemed::KeyReused(_) => outcomes.1 += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(outcomes, (1, 19));
}

macro_rules! on_both_backends {
    ($($test:ident),* $(,)?) => {
        mod on_sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    super::$test(super::sqlite().await).await;
                }
            )*
        }
        mod on_postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    super::$test(super::postgres().await).await;
                }
            )*
        }
    };
}

on_both_backends!(
    replay_is_idempotent,
    key_reused_with_another_body,
    reversal_is_kept_and_no_longer_counts,
    limit_counts_the_customer_and_offer,
    budget_counts_every_customer,
    concurrent_limit_records_one,
    concurrent_budget_records_one,
    concurrent_same_key_records_once,
);

#[tokio::test]
async fn sqlite_entries_survive_reopening() {
    let dir = TempDir::new("reopen");
    let file = dir.path().join("ledger.db");
    let first = {
        let ledger = SqliteLedger::open(&file).await.unwrap();
        let e = recorded(redeem(&ledger, &redemption("k", "c1", "upgrade", "a"), 1, 9).await);
        ledger.close().await.unwrap();
        e
    };
    let ledger = SqliteLedger::open(&file).await.unwrap();
    assert_eq!(ledger.entries("c1", 100).await.unwrap(), vec![first]);
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(
            &sqlx::SqlitePool::connect(&format!("sqlite:{}", file.display()))
                .await
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(mode, "wal");
}

#[tokio::test]
async fn sqlite_refuses_a_folder() {
    let dir = TempDir::new("folder");
    let e = match SqliteLedger::open(dir.path()).await {
        Ok(_) => panic!("a folder is not a ledger file"),
        Err(e) => e.to_string(),
    };
    assert!(e.starts_with("cannot open the ledger `sqlite:"), "{e}");
}
