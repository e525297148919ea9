//! Records: every decision served kept with the rule set that made it, owner-only, and
//! `honor replay` deciding them again.

mod server;

use server::*;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, Instant};

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// A customer's context as its channel sends it.
const LOYAL: &str = r#"{"customer": {"id": "C-1042", "tenure_months": 26.50, "plan": "family", "flags": []},
            "codes": ["UPGRADE-WINTER26"], "redeemed": [], "price": "130.00 USD"}"#;

fn decide(server: &Server, body: &Value) -> String {
    let response = reqwest::blocking::Client::new()
        .post(format!("{}/v1/decide", server.base))
        .body(body.to_string().replace("\"__LOYAL__\"", LOYAL))
        .send()
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    response.headers()["honor-record"]
        .to_str()
        .unwrap()
        .to_string()
}

fn replay(dir: &Path, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec!["replay", "--records", dir.to_str().unwrap()];
    args.extend(extra);
    let out = honor(&args);
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn decisions_are_recorded_and_replay_the_same() {
    let dir = scratch("records");
    let rules = copy_sample_rules(&dir);
    let records = dir.join("records");
    let server = Server::start(&[
        "--rules",
        rules.to_str().unwrap(),
        "--records",
        records.to_str().unwrap(),
    ]);
    // Sent as written, so that 26.50 keeps its digits on the way in (a JSON value in a
    // program holds numbers as binary floats).
    let loyal = "__LOYAL__";
    let first = decide(
        &server,
        &json!({"context": loyal, "channel": "store", "at": AT, "customer": "C-1042"}),
    );
    decide(
        &server,
        &json!({"context": loyal, "channel": "all", "at": AT, "customer": "C-7"}),
    );
    decide(
        &server,
        &json!({"context": loyal, "channel": "phone", "at": AT, "offer": "free_upgrade"}),
    );

    // A new rule set serves: the next decision is recorded with it, and it is kept too.
    let (_, health) = server.get("/v1/health");
    let old = health["rules"].as_str().unwrap().to_string();
    let campaign = rules.join("campaign-winter.offer");
    let text = std::fs::read_to_string(&campaign).unwrap();
    std::fs::write(
        &campaign,
        text.replace("tenure_months >= 12", "tenure_months >= 36"),
    )
    .unwrap();
    let start = Instant::now();
    let new = loop {
        let (_, health) = server.get("/v1/health");
        if health["rules"] != old.as_str() {
            break health["rules"].as_str().unwrap().to_string();
        }
        assert!(start.elapsed() < Duration::from_secs(10), "no reload");
        std::thread::sleep(Duration::from_millis(50));
    };
    decide(
        &server,
        &json!({"context": loyal, "channel": "store", "at": AT, "customer": "C-1042"}),
    );
    assert_eq!(server.terminate().code(), Some(0));

    assert_eq!(mode(&records), 0o700);
    let day = chrono::Utc::now().format("%Y-%m-%d");
    let file = records.join(format!("decisions-{day}.jsonl"));
    assert_eq!(mode(&file), 0o600);
    let text = std::fs::read_to_string(&file).unwrap();
    let lines: Vec<Value> = text.lines().map(parse).collect();
    assert_eq!(lines.len(), 4);
    let line = &lines[0];
    assert_eq!(line["id"], first.as_str());
    assert_eq!(line["channel"], "store");
    assert_eq!(line["customer"], "C-1042");
    assert_eq!(line["at"], AT);
    assert_eq!(line["rules"], old.as_str());
    assert_eq!(
        line["outcomes"]["store"]["offers"]["free_upgrade"],
        "eligible"
    );
    assert_eq!(line["outcomes"]["store"]["quote"], "0.00 USD");
    assert!(
        text.lines().next().unwrap().contains("26.50"),
        "numbers kept as sent"
    );
    assert_eq!(
        lines[1]["outcomes"].as_object().unwrap().len(),
        3,
        "all: every channel"
    );
    assert_eq!(lines[3]["rules"], new.as_str());
    assert_eq!(
        lines[3]["outcomes"]["store"]["offers"]["free_upgrade"],
        "ineligible"
    );
    for fingerprint in [&old, &new] {
        let kept = records.join("rulesets").join(fingerprint);
        assert_eq!(mode(&kept), 0o700);
        assert_eq!(mode(&kept.join("campaign-winter.offer")), 0o600);
    }

    let (code, out, err) = replay(&records, &[]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(out, "4 records decided again: every outcome is the same\n");
    let (code, out, _) = replay(&records, &["--id", &first]);
    assert_eq!(
        (code, out.as_str()),
        (0, "1 record decided again: every outcome is the same\n")
    );
    let (code, out, _) = replay(&records, &["--customer", "C-7"]);
    assert_eq!(
        (code, out.as_str()),
        (0, "1 record decided again: every outcome is the same\n")
    );

    // A recorded answer that the rule set would not give now is listed.
    let changed = text.replacen(
        r#""free_upgrade":"eligible""#,
        r#""free_upgrade":"unknown""#,
        1,
    );
    std::fs::write(&file, changed).unwrap();
    let (code, out, _) = replay(&records, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!(
            "record {first} (customer C-1042, store, at {AT}, rules {old}):"
        )),
        "{out}"
    );
    assert!(
        out.contains("  store: `free_upgrade` was unknown, now eligible"),
        "{out}"
    );
    assert!(
        out.ends_with("4 records decided again: 1 differ\n"),
        "{out}"
    );

    // A last line cut short (a crash while appending) is reported; the others still replay.
    std::fs::write(&file, format!("{text}{{\"id\": \"cut")).unwrap();
    let (code, out, err) = replay(&records, &[]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        err.contains(":5: this line is not a decision record") && err.contains("left out"),
        "{err}"
    );
    assert_eq!(
        out,
        "4 records decided again: every outcome is the same\n1 line of the records could not be read (above)\n"
    );
}

#[test]
fn replay_refuses_bad_input() {
    let dir = scratch("records-bad");
    let (code, _, err) = replay(&dir, &[]);
    assert_eq!(code, 2);
    assert!(err.contains("there are no decision records"), "{err}");
    std::fs::write(dir.join("decisions-2026-12-01.jsonl"), "{\"id\": 1}\n").unwrap();
    let (code, _, err) = replay(&dir, &[]);
    assert_eq!(code, 1);
    assert!(
        err.contains("decisions-2026-12-01.jsonl:1: this line is not a decision record"),
        "{err}"
    );
    let (code, _, err) = replay(&dir, &["--id", "nope"]);
    assert_eq!(code, 2, "{err}");
}

/// A day's records file that is a link is not written through: the decision is refused
/// (a promise that cannot be kept is not given) and the link's target is untouched.
#[test]
fn records_are_never_written_through_a_link() {
    let dir = scratch("records-link");
    let rules = copy_sample_rules(&dir);
    let records = dir.join("records");
    std::fs::create_dir_all(&records).unwrap();
    let victim = dir.join("victim.txt");
    std::fs::write(&victim, "ORIGINAL\n").unwrap();
    let today = chrono::Utc::now().format("%Y-%m-%d");
    std::os::unix::fs::symlink(&victim, records.join(format!("decisions-{today}.jsonl"))).unwrap();
    let server = Server::start(&[
        "--rules",
        rules.to_str().unwrap(),
        "--records",
        records.to_str().unwrap(),
    ]);
    let response = reqwest::blocking::Client::new()
        .post(format!("{}/v1/decide", server.base))
        .body(json!({"context": {}, "channel": "web", "at": AT}).to_string())
        .send()
        .unwrap();
    assert_eq!(response.status().as_u16(), 500);
    let body: Value = response.json().unwrap();
    assert_eq!(body["error"]["code"], "records_unavailable", "{body}");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "ORIGINAL\n");
}
