//! Redemption load: `POST /v1/redemptions` against `honor serve` on loopback, on SQLite and
//! PostgreSQL, with one and two service processes sharing the ledger. Each run sends a fixed
//! number of redemptions (distinct keys and customers, so each is decided and recorded) from
//! a fixed number of clients, and prints redemptions per second and p50/p99 latency.
//!
//! `cargo bench --bench redeem_load` (PostgreSQL from `HONOR_TEST_PG`, as for the tests;
//! `REDEEM_LOAD_REQUESTS` and `REDEEM_LOAD_CLIENTS` change the size).

#[allow(dead_code)]
#[path = "../tests/support/pg.rs"]
mod pg;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

const MANIFEST: &str = env!("CARGO_MANIFEST_DIR");

struct Service {
    child: Child,
    base: String,
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(ledger: &str) -> Service {
    let mut child = Command::new(env!("CARGO_BIN_EXE_honor"))
        .current_dir(MANIFEST)
        .args(["serve", "--listen", "127.0.0.1:0", "--ledger", ledger])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("honor runs");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let first = lines.next().and_then(Result::ok).unwrap_or_default();
    let base = first
        .strip_prefix("honor serve: listening on ")
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("the service did not start: {first}"))
        .to_string();
    // Keep reading so the service never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines.map_while(Result::ok) {});
    Service { child, base }
}

fn body(run: &str, i: usize) -> String {
    let channel = ["web", "store", "phone"][i % 3];
    serde_json::json!({
        "key": format!("{run}-{i}"),
        "customer": format!("{run}-customer-{i}"),
        "offer": "free_upgrade",
        "channel": channel,
        "context": {
            "customer": {"tenure_months": 26, "plan": "family", "flags": []},
            "codes": ["UPGRADE-WINTER26"]
        },
        "at": "2026-12-01T15:00:00Z"
    })
    .to_string()
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Figures {
    per_second: f64,
    p50: Duration,
    p99: Duration,
}

/// Sends `requests` redemptions from `clients` threads spread over `services`.
fn load(run: &str, services: &[Service], requests: usize, clients: usize) -> Figures {
    let bases: Arc<Vec<String>> = Arc::new(services.iter().map(|s| s.base.clone()).collect());
    let start = Arc::new(Barrier::new(clients + 1));
    let threads: Vec<_> = (0..clients)
        .map(|c| {
            let (bases, start, run) = (bases.clone(), start.clone(), run.to_string());
            std::thread::spawn(move || {
                let client = reqwest::blocking::Client::builder()
                    .timeout(Duration::from_secs(30))
                    .build()
                    .expect("a client");
                let base = &bases[c % bases.len()];
                let mut latencies = Vec::new();
                start.wait();
                for i in (c..requests).step_by(clients) {
                    let sent = Instant::now();
                    let response = client
                        .post(format!("{base}/v1/redemptions"))
                        .header("content-type", "application/json")
                        .body(body(&run, i))
                        .send()
                        .expect("the service answers");
                    let status = response.status().as_u16();
                    let _ = response.bytes();
                    assert_eq!(status, 201, "redemption {i}");
                    latencies.push(sent.elapsed());
                }
                latencies
            })
        })
        .collect();
    start.wait();
    let began = Instant::now();
    let mut latencies: Vec<Duration> = threads
        .into_iter()
        .flat_map(|t| t.join().expect("a client thread"))
        .collect();
    let elapsed = began.elapsed();
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    Figures {
        per_second: latencies.len() as f64 / elapsed.as_secs_f64(),
        p50: at(0.50),
        p99: at(0.99),
    }
}

fn main() {
    // `cargo bench` passes `--bench`; anything else (`cargo test --benches`) only builds.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let requests = env_number("REDEEM_LOAD_REQUESTS", 3000);
    let clients = env_number("REDEEM_LOAD_CLIENTS", 16);
    let rt = tokio::runtime::Runtime::new().expect("a runtime");
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("honor-redeem-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    println!(
        "redemptions: {requests} per run from {clients} clients, loopback; each decided and recorded"
    );
    println!(
        "{:<12} {:>8} {:>14} {:>9} {:>9}",
        "ledger", "replicas", "redemptions/s", "p50", "p99"
    );
    for backend in ["sqlite", "postgres"] {
        for replicas in [1, 2] {
            let run = format!("{backend}{replicas}");
            let (url, _schema) = if backend == "sqlite" {
                let file = dir.join(format!("{run}.db"));
                (format!("sqlite:{}", file.display()), None)
            } else {
                let schema = rt.block_on(pg::Schema::create("redeem_load"));
                (schema.url(), Some(schema))
            };
            let services: Vec<Service> = (0..replicas).map(|_| serve(&url)).collect();
            // Warm up connections and caches.
            load(&format!("{run}-warm"), &services, clients * 4, clients);
            let f = load(&run, &services, requests, clients);
            println!(
                "{:<12} {:>8} {:>14.0} {:>7.1}ms {:>7.1}ms",
                backend,
                replicas,
                f.per_second,
                f.p50.as_secs_f64() * 1000.0,
                f.p99.as_secs_f64() * 1000.0
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
