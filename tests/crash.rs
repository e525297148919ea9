//! Crashes: `kill -9` right after a 201, and in the middle of a burst of redemptions. After a
//! restart on the same ledger every redemption a client saw acknowledged is there, and every
//! entry is whole. SQLite (WAL, full sync) and PostgreSQL alike; loopback only, bounded.

mod server;
mod support;

use server::*;
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::pg::Schema;

fn redemption(key: &str, customer: &str) -> Value {
    json!({
        "key": key, "customer": customer, "offer": "free_upgrade", "channel": "store",
        "context": {
            "customer": {"tenure_months": 26, "plan": "family", "flags": []},
            "codes": ["UPGRADE-WINTER26"]
        },
        "at": AT
    })
}

fn serve(ledger: &str) -> Server {
    Server::start(&["--ledger", ledger])
}

fn entries(server: &Server, customer: &str) -> Vec<Value> {
    let (status, listed) = server.get(&format!("/v1/customers/{customer}/redemptions"));
    assert_eq!(status, 200, "{listed}");
    listed["redemptions"].as_array().unwrap().clone()
}

fn acknowledged_then_killed(ledger: &str) {
    let server = serve(ledger);
    let body = redemption("order-77", "C-77");
    let (status, first) = server.post("/v1/redemptions", &body);
    assert_eq!(status, 201, "{first}");
    server.signal("KILL");
    drop(server);
    let server = serve(ledger);
    assert_eq!(entries(&server, "C-77"), vec![first["redemption"].clone()]);
    // The client that never saw the answer sends it again: the same redemption, 200.
    let (status, again) = server.post("/v1/redemptions", &body);
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["redemption"], first["redemption"]);
}

/// Clients redeem without pause until the service is killed under them; every 201 they saw
/// must be in the ledger after a restart, and nothing in the ledger may be half there.
fn killed_mid_burst(ledger: &str) {
    const CLIENTS: usize = 8;
    const MAX_PER_CLIENT: usize = 400;
    let server = serve(ledger);
    let base = server.base.clone();
    let acknowledged = Arc::new(Mutex::new(Vec::<(String, String)>::new()));
    let sent = Arc::new(Mutex::new(BTreeSet::<String>::new()));
    let failed = Arc::new(AtomicBool::new(false));
    let oks = Arc::new(AtomicUsize::new(0));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let (base, acknowledged, sent, failed, oks) = (
                base.clone(),
                acknowledged.clone(),
                sent.clone(),
                failed.clone(),
                oks.clone(),
            );
            std::thread::spawn(move || {
                let client = reqwest::blocking::Client::builder()
                    .timeout(Duration::from_secs(10))
                    .build()
                    .unwrap();
                for i in 0..MAX_PER_CLIENT {
                    let key = format!("burst-{c}-{i}");
                    let customer = format!("B-{c}-{i}");
                    sent.lock().unwrap().insert(key.clone());
                    let answer = client
                        .post(format!("{base}/v1/redemptions"))
                        .header("content-type", "application/json")
                        .body(redemption(&key, &customer).to_string())
                        .send();
                    match answer {
                        Ok(r) if r.status().as_u16() == 201 => {
                            acknowledged.lock().unwrap().push((key, customer));
                            oks.fetch_add(1, Ordering::Relaxed);
                        }
                        Ok(r) => {
                            failed.store(true, Ordering::Relaxed);
                            panic!("{key}: {} {:?}", r.status(), r.text());
                        }
                        // The service is gone: the kill happened.
                        Err(_) => return,
                    }
                }
            })
        })
        .collect();
    let started = Instant::now();
    while oks.load(Ordering::Relaxed) < 100 && started.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(5));
    }
    server.signal("KILL");
    for client in clients {
        client.join().unwrap();
    }
    assert!(!failed.load(Ordering::Relaxed));
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged.len() >= 100,
        "the burst was killed after {} acknowledged redemptions",
        acknowledged.len()
    );
    assert!(
        acknowledged.len() < CLIENTS * MAX_PER_CLIENT,
        "the kill came after the burst ended"
    );
    drop(server);

    let server = serve(ledger);
    // No acknowledged redemption lost.
    for (key, customer) in &acknowledged {
        let found = entries(&server, customer);
        assert_eq!(
            found.len(),
            1,
            "{key} was acknowledged but is not in the ledger"
        );
        assert_eq!(found[0]["key"], key.as_str());
    }
    // Nothing half written: every entry the ledger holds for a burst customer is whole and
    // one a client sent; the ones beyond the acknowledged were committed as the kill came.
    let sent = sent.lock().unwrap().clone();
    let mut extra = 0;
    for key in &sent {
        let (c, i) = key
            .strip_prefix("burst-")
            .and_then(|rest| rest.split_once('-'))
            .unwrap();
        let found = entries(&server, &format!("B-{c}-{i}"));
        assert!(found.len() <= 1);
        if let Some(entry) = found.first() {
            assert_eq!(entry["key"], key.as_str());
            assert_eq!(entry["offer"], "free_upgrade");
            assert_eq!(entry["channel"], "store");
            assert_eq!(entry["at"], AT);
            assert!(entry["rules"].as_str().unwrap().starts_with("sha256:"));
            assert!(entry["recorded"].is_string());
            if !acknowledged.iter().any(|(k, _)| k == key) {
                extra += 1;
            }
        }
    }
    assert!(
        extra <= CLIENTS,
        "{extra} entries were never acknowledged; at most one in flight per client"
    );
    eprintln!(
        "{ledger}: killed after {} acknowledged redemptions; all found after the restart, \
         and {extra} committed as the kill came",
        acknowledged.len()
    );
    // The service works on after the crash.
    let (status, _) = server.post("/v1/redemptions", &redemption("after", "C-after"));
    assert_eq!(status, 201);
}

#[test]
fn sqlite_keeps_an_acknowledged_redemption_through_kill_9() {
    let dir = scratch("crash-ack-sqlite");
    acknowledged_then_killed(&format!("sqlite:{}", dir.join("ledger.db").display()));
}

#[test]
fn postgres_keeps_an_acknowledged_redemption_through_kill_9() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let schema = rt.block_on(Schema::create("crash_ack"));
    acknowledged_then_killed(&schema.url());
}

#[test]
fn sqlite_loses_nothing_acknowledged_when_killed_mid_burst() {
    let dir = scratch("crash-burst-sqlite");
    let file = dir.join("ledger.db");
    killed_mid_burst(&format!("sqlite:{}", file.display()));
    // The file itself is sound.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let check: String = rt.block_on(async {
        let pool = sqlx::SqlitePool::connect(&format!("sqlite:{}", file.display()))
            .await
            .unwrap();
        sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(&pool)
            .await
            .unwrap()
    });
    assert_eq!(check, "ok");
}

#[test]
fn postgres_loses_nothing_acknowledged_when_killed_mid_burst() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let schema = rt.block_on(Schema::create("crash_burst"));
    killed_mid_burst(&schema.url());
}
