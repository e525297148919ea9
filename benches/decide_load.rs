//! Decision load: `POST /v1/decide` against `honor serve` on loopback, on the shared
//! 200-offer workload, with the whole explained decision of one channel in every answer.
//! A fixed number of requests (the workload's customers in turn) from a fixed number of
//! client threads; prints decisions per second and p50/p99 latency as the clients see it.
//!
//! `cargo bench --bench decide_load` (`DECIDE_LOAD_REQUESTS` and `DECIDE_LOAD_CLIENTS`
//! change the size; the clients share the machine's cores with the service).

mod workload;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

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

fn serve(rules: &std::path::Path) -> Service {
    let mut child = Command::new(env!("CARGO_BIN_EXE_honor"))
        .args(["--rules", rules.to_str().expect("a path")])
        .args(["serve", "--listen", "127.0.0.1:0", "--ledger", "none"])
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
    std::thread::spawn(move || for _ in lines.map_while(Result::ok) {});
    Service { child, base }
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
    bytes: usize,
}

fn load(base: &str, bodies: &Arc<Vec<String>>, requests: usize, clients: usize) -> Figures {
    let start = Arc::new(Barrier::new(clients + 1));
    let threads: Vec<_> = (0..clients)
        .map(|c| {
            let (bodies, start, base) = (bodies.clone(), start.clone(), base.to_string());
            std::thread::spawn(move || {
                let client = reqwest::blocking::Client::builder()
                    .timeout(Duration::from_secs(30))
                    .build()
                    .expect("a client");
                let mut latencies = Vec::new();
                let mut bytes = 0;
                start.wait();
                for i in (c..requests).step_by(clients) {
                    let sent = Instant::now();
                    let response = client
                        .post(format!("{base}/v1/decide"))
                        .header("content-type", "application/json")
                        .body(bodies[i % bodies.len()].clone())
                        .send()
                        .expect("the service answers");
                    let status = response.status().as_u16();
                    let body = response.bytes().expect("a body");
                    assert_eq!(status, 200, "decision {i}");
                    latencies.push(sent.elapsed());
                    bytes += body.len();
                }
                (latencies, bytes)
            })
        })
        .collect();
    start.wait();
    let began = Instant::now();
    let mut latencies = Vec::new();
    let mut bytes = 0;
    for t in threads {
        let (l, b) = t.join().expect("a client thread");
        latencies.extend(l);
        bytes += b;
    }
    let elapsed = began.elapsed();
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    Figures {
        per_second: latencies.len() as f64 / elapsed.as_secs_f64(),
        p50: at(0.50),
        p99: at(0.99),
        bytes: bytes / latencies.len().max(1),
    }
}

fn main() {
    // `cargo bench` passes `--bench`; anything else (`cargo test --benches`) only builds.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let requests = env_number("DECIDE_LOAD_REQUESTS", 4000);
    let clients = env_number("DECIDE_LOAD_CLIENTS", 8);
    let data = workload::folder();
    let offers: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(data.join("offers.json")).expect("offers.json"),
    )
    .expect("offers JSON");
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("honor-decide-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    let rules = dir.join("workload.offer");
    std::fs::write(&rules, workload::rules_text(&offers, 1)).expect("the rule file");
    let customers = std::fs::read_to_string(data.join("customers.jsonl")).expect("customers");
    let bodies: Arc<Vec<String>> = Arc::new(
        customers
            .lines()
            .take(2000)
            .map(|line| {
                let customer: serde_json::Value = serde_json::from_str(line).expect("a customer");
                format!(
                    r#"{{"context": {}, "channel": "{}", "at": "{}"}}"#,
                    workload::context_json(&customer),
                    workload::CHANNEL,
                    workload::INSTANT
                )
            })
            .collect(),
    );
    let service = serve(&rules);
    // Warm up connections and caches.
    load(&service.base, &bodies, clients * 20, clients);
    println!(
        "decisions: {requests} from {clients} clients on loopback, 200 offers, channel {}, each explained",
        workload::CHANNEL
    );
    for clients in [1, clients] {
        let f = load(&service.base, &bodies, requests, clients);
        println!(
            "{clients:>3} clients: {:>6.0} decisions/s  p50 {:>6.2} ms  p99 {:>6.2} ms  ({} bytes an answer)",
            f.per_second,
            f.p50.as_secs_f64() * 1000.0,
            f.p99.as_secs_f64() * 1000.0,
            f.bytes
        );
    }
    drop(service);
    let _ = std::fs::remove_dir_all(&dir);
}
