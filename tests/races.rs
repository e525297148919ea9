//! Races: many clients at once, on one `honor serve` or two sharing one ledger, never record
//! more than a `limit` or a `budget` allows. Loopback only, 100 requests per race.

mod server;
mod support;

use server::*;
use std::path::{Path, PathBuf};
use std::sync::Barrier;
use support::pg::Schema;

const CLIENTS: usize = 100;
const CHANNELS: [&str; 3] = ["web", "store", "phone"];

fn loyal() -> Value {
    json!({
        "customer": {"tenure_months": 26, "plan": "family", "flags": []},
        "codes": ["UPGRADE-WINTER26"]
    })
}

fn redemption(key: &str, customer: &str, offer: &str, channel: &str) -> Value {
    json!({
        "key": key, "customer": customer, "offer": offer, "channel": channel,
        "context": loyal(), "at": AT
    })
}

/// The sample rules and a launch gift with a budget of 5 redemptions.
fn rules_with_budget(dir: &Path) -> PathBuf {
    let rules = copy_sample_rules(dir);
    std::fs::write(
        rules.join("launch.offer"),
        "offer launch_gift {\n  title \"Launch gift\"\n  benefit free \"a phone case\"\n  budget 5 redemptions\n}\n",
    )
    .unwrap();
    rules
}

/// Sends every body at once (each client waits at a barrier, then posts), spread over the
/// servers in turn; the statuses in the order of the bodies.
fn race(servers: &[&Server], bodies: &[Value]) -> Vec<u16> {
    let start = Barrier::new(bodies.len());
    std::thread::scope(|s| {
        let clients: Vec<_> = bodies
            .iter()
            .enumerate()
            .map(|(i, body)| {
                let server = servers[i % servers.len()];
                let start = &start;
                s.spawn(move || {
                    start.wait();
                    let (status, answer) = server.post("/v1/redemptions", body);
                    assert!(
                        status == 201 || status == 409,
                        "client {i}: {status} {answer}"
                    );
                    status
                })
            })
            .collect();
        clients.into_iter().map(|c| c.join().unwrap()).collect()
    })
}

fn count(statuses: &[u16], status: u16) -> usize {
    statuses.iter().filter(|s| **s == status).count()
}

/// 100 clients, distinct keys, one customer, the three channels: one redemption of an offer
/// with `limit 1 per customer`.
fn limit_race(servers: &[&Server]) {
    let bodies: Vec<Value> = (0..CLIENTS)
        .map(|i| {
            redemption(
                &format!("limit-{i}"),
                "C-RACE",
                "free_upgrade",
                CHANNELS[i % 3],
            )
        })
        .collect();
    let statuses = race(servers, &bodies);
    assert_eq!(count(&statuses, 201), 1, "{statuses:?}");
    assert_eq!(count(&statuses, 409), CLIENTS - 1);
    for server in servers {
        let (_, listed) = server.get("/v1/customers/C-RACE/redemptions");
        assert_eq!(listed["redemptions"].as_array().unwrap().len(), 1);
    }
}

/// 4 of a budget of 5 used, then 100 customers race for the last unit: one gets it.
fn budget_race(servers: &[&Server]) {
    for i in 0..4 {
        let (status, body) = servers[0].post(
            "/v1/redemptions",
            &redemption(
                &format!("early-{i}"),
                &format!("E-{i}"),
                "launch_gift",
                "web",
            ),
        );
        assert_eq!(status, 201, "{body}");
    }
    let bodies: Vec<Value> = (0..CLIENTS)
        .map(|i| {
            redemption(
                &format!("budget-{i}"),
                &format!("B-{i}"),
                "launch_gift",
                CHANNELS[i % 3],
            )
        })
        .collect();
    let statuses = race(servers, &bodies);
    assert_eq!(count(&statuses, 201), 1, "{statuses:?}");
    assert_eq!(count(&statuses, 409), CLIENTS - 1);
    let winners: usize = (0..CLIENTS)
        .map(|i| {
            let (_, listed) =
                servers[i % servers.len()].get(&format!("/v1/customers/B-{i}/redemptions"));
            listed["redemptions"].as_array().unwrap().len()
        })
        .sum();
    assert_eq!(winners, 1);
}

fn serve(rules: &Path, ledger: &str) -> Server {
    Server::start(&["--rules", rules.to_str().unwrap(), "--ledger", ledger])
}

#[test]
fn one_process_on_sqlite() {
    let dir = scratch("race-sqlite");
    let rules = rules_with_budget(&dir);
    let server = serve(
        &rules,
        &format!("sqlite:{}", dir.join("ledger.db").display()),
    );
    limit_race(&[&server]);
    budget_race(&[&server]);
}

#[test]
fn two_processes_on_one_sqlite_file() {
    let dir = scratch("race-sqlite-two");
    let rules = rules_with_budget(&dir);
    let ledger = format!("sqlite:{}", dir.join("ledger.db").display());
    let a = serve(&rules, &ledger);
    let b = serve(&rules, &ledger);
    limit_race(&[&a, &b]);
    budget_race(&[&a, &b]);
}

#[test]
fn one_process_on_postgres() {
    let dir = scratch("race-pg");
    let rules = rules_with_budget(&dir);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let schema = rt.block_on(Schema::create("race_one"));
    let server = serve(&rules, &schema.url());
    assert_eq!(server.get("/v1/health").1["ledger"], "postgres");
    limit_race(&[&server]);
    budget_race(&[&server]);
}

#[test]
fn two_processes_sharing_postgres() {
    let dir = scratch("race-pg-two");
    let rules = rules_with_budget(&dir);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let schema = rt.block_on(Schema::create("race_two"));
    let a = serve(&rules, &schema.url());
    let b = serve(&rules, &schema.url());
    limit_race(&[&a, &b]);
    budget_race(&[&a, &b]);
}
