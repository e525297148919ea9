//! Reload under load: rule files change while clients decide; every request succeeds, each
//! decision carries the fingerprint of a rule set that loaded, and a broken edit leaves the
//! old rule set serving with the reason in `/v1/health`.

mod server;

use server::*;
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Polls health until `done` holds (10 s at most).
fn wait_for(server: &Server, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let start = Instant::now();
    loop {
        let (_, health) = server.get("/v1/health");
        if done(&health) {
            return health;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "waited 10 s for {what}: {health}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn rules_change_under_load_and_every_request_succeeds() {
    let dir = scratch("reload-load");
    let rules = copy_sample_rules(&dir);
    let server = Arc::new(Server::start(&["--rules", rules.to_str().unwrap()]));
    let (_, health) = server.get("/v1/health");
    let first = health["rules"].as_str().unwrap().to_string();

    let stop = Arc::new(AtomicBool::new(false));
    let seen = Arc::new(Mutex::new(Vec::<(u16, String)>::new()));
    let clients: Vec<_> = (0..4)
        .map(|_| {
            let (server, stop, seen) = (server.clone(), stop.clone(), seen.clone());
            std::thread::spawn(move || {
                let body = json!({"context": {"customer": {"tenure_months": 30}}, "channel": "store", "at": AT});
                // Bounded: at most 2,000 requests a client, or until the edits are done.
                for _ in 0..2_000 {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let (status, decision) = server.post("/v1/decide", &body);
                    let rules = decision["rules"].as_str().unwrap_or("").to_string();
                    seen.lock().unwrap().push((status, rules));
                }
            })
        })
        .collect();

    let campaign = rules.join("campaign-winter.offer");
    let original = std::fs::read_to_string(&campaign).unwrap();
    let mut loaded = BTreeSet::from([first.clone()]);
    let mut current = first.clone();
    for edit in 1..=4 {
        std::fs::write(&campaign, format!("{original}\n# edit {edit}\n")).unwrap();
        let health = wait_for(&server, "a reload", |h| h["rules"] != current.as_str());
        assert_eq!(health["reload_error"], Value::Null);
        current = health["rules"].as_str().unwrap().to_string();
        loaded.insert(current.clone());
    }

    // A broken edit: the old rule set keeps serving, and health says why.
    std::fs::write(&campaign, format!("{original}\noffer broken {{ title \n")).unwrap();
    let health = wait_for(&server, "the reload error", |h| {
        !h["reload_error"].is_null()
    });
    assert_eq!(health["rules"], current.as_str());
    let reason = health["reload_error"].as_str().unwrap();
    assert!(reason.contains("campaign-winter.offer"), "{reason}");
    let (status, decision) = server.post(
        "/v1/decide",
        &json!({"context": {}, "channel": "web", "at": AT}),
    );
    assert_eq!(
        (status, decision["rules"].as_str().unwrap()),
        (200, current.as_str())
    );

    // Fixed again: the error clears.
    std::fs::write(&campaign, &original).unwrap();
    let health = wait_for(&server, "the fix", |h| h["reload_error"].is_null());
    assert_eq!(health["rules"], first.as_str());

    let (_, metrics) = server.get_text("/metrics");
    assert!(
        metrics.contains(r#"honor_rule_reloads_total{result="refused"}"#),
        "{metrics}"
    );

    stop.store(true, Ordering::Relaxed);
    for client in clients {
        client.join().unwrap();
    }
    let seen = seen.lock().unwrap();
    assert!(seen.len() >= 20, "only {} requests were made", seen.len());
    for (status, rules) in seen.iter() {
        assert_eq!(*status, 200);
        assert!(
            loaded.contains(rules),
            "{rules} is not a rule set that loaded"
        );
    }
    let used: BTreeSet<&String> = seen.iter().map(|(_, r)| r).collect();
    assert!(used.len() >= 2, "decisions saw only {used:?}");
}

#[test]
fn sighup_reloads_the_rules() {
    let dir = scratch("reload-hup");
    let rules = copy_sample_rules(&dir);
    let server = Server::start(&["--rules", rules.to_str().unwrap()]);
    server.signal("HUP");
    let start = Instant::now();
    loop {
        if server
            .log
            .lock()
            .unwrap()
            .iter()
            .any(|l| l.contains("SIGHUP: the rules are unchanged"))
        {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "no reload logged after SIGHUP"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let (status, _) = server.get("/v1/health");
    assert_eq!(status, 200);
    let (_, metrics) = server.get_text("/metrics");
    assert!(
        metrics.contains(r#"honor_rule_reloads_total{result="unchanged"} 1"#),
        "{metrics}"
    );
}

#[test]
fn a_single_rule_file_is_watched_too() {
    let dir = scratch("reload-file");
    let file = dir.join("one.offer");
    let sample = std::fs::read_to_string(format!("{MANIFEST}/rules/business.offer")).unwrap();
    std::fs::write(&file, &sample).unwrap();
    let server = Server::start(&["--rules", file.to_str().unwrap()]);
    let (_, health) = server.get("/v1/health");
    assert_eq!(health["offers"], 0);
    let offer = "\noffer welcome {\n  title \"Welcome\"\n  honor all\n  benefit 5% off\n}\n";
    std::fs::write(&file, format!("{sample}{offer}")).unwrap();
    let health = wait_for(&server, "the new offer", |h| h["offers"] == 1);
    assert_eq!(health["reload_error"], Value::Null);
}
