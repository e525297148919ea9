//! Redemptions over HTTP as a channel's developer meets them: recorded only when eligible,
//! idempotent by key, reversible, refused with the decision, and read back by `/v1/decide`.

mod server;

use server::*;
use std::path::{Path, PathBuf};

/// A customer the emailed upgrade is for.
fn loyal() -> Value {
    json!({
        "customer": {"id": "C-1042", "tenure_months": 26, "plan": "family", "flags": []},
        "codes": ["UPGRADE-WINTER26"]
    })
}

fn redemption(key: &str, customer: &str, offer: &str, channel: &str) -> Value {
    json!({
        "key": key, "customer": customer, "offer": offer, "channel": channel,
        "context": loyal(), "at": AT
    })
}

fn sqlite_ledger(dir: &Path) -> String {
    format!("sqlite:{}", dir.join("ledger.db").display())
}

/// The sample rules and a launch gift with a budget of 2 redemptions.
fn rules_with_budget(dir: &Path) -> PathBuf {
    let rules = copy_sample_rules(dir);
    std::fs::write(
        rules.join("launch.offer"),
        r#"offer launch_gift {
  title     "Launch gift for the first two customers"
  honor     all
  benefit   free "a phone case"
  budget    2 redemptions
  limit     1 per customer
}
"#,
    )
    .unwrap();
    rules
}

#[test]
fn a_redemption_is_recorded_once_per_key() {
    let dir = scratch("redeem-once");
    let server = Server::start(&["--ledger", &sqlite_ledger(&dir)]);
    let body = redemption("order-1", "C-1042", "free_upgrade", "store");
    let (status, first) = server.post("/v1/redemptions", &body);
    assert_eq!(status, 201, "{first}");
    let r = &first["redemption"];
    assert_eq!(r["key"], "order-1");
    assert_eq!(r["customer"], "C-1042");
    assert_eq!(r["offer"], "free_upgrade");
    assert_eq!(r["channel"], "store");
    assert_eq!(r["at"], AT);
    assert_eq!(r["reversed"], Value::Null);
    let (_, health) = server.get("/v1/health");
    assert_eq!(r["rules"], health["rules"]);
    assert_eq!(health["ledger"], "sqlite");
    assert_eq!(first["decision"]["id"], "free_upgrade");
    assert_eq!(first["decision"]["status"], "eligible");

    // The same request again (spacing and key order aside): the recorded redemption, 200.
    let (status, again) = server.post("/v1/redemptions", &body);
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["redemption"], first["redemption"]);
    // The same key with another body: refused, nothing recorded.
    let other = redemption("order-1", "C-1042", "free_upgrade", "web");
    let (status, reused) = server.post("/v1/redemptions", &other);
    assert_eq!((status, code(&reused)), (422, "key_reused"), "{reused}");
    let (status, listed) = server.get("/v1/customers/C-1042/redemptions");
    assert_eq!(status, 200);
    assert_eq!(listed["customer"], "C-1042");
    assert_eq!(listed["redemptions"], json!([first["redemption"]]));
    assert_eq!(listed["complete"], true);
}

#[test]
fn the_limit_holds_across_channels_and_refusals_record_nothing() {
    let dir = scratch("redeem-limit");
    let server = Server::start(&["--ledger", &sqlite_ledger(&dir)]);
    let (status, _) = server.post(
        "/v1/redemptions",
        &redemption("k-web", "C-7", "free_upgrade", "web"),
    );
    assert_eq!(status, 201);
    for channel in ["store", "phone"] {
        let key = format!("k-{channel}");
        let (status, refused) = server.post(
            "/v1/redemptions",
            &redemption(&key, "C-7", "free_upgrade", channel),
        );
        assert_eq!(
            (status, code(&refused)),
            (409, "limit_reached"),
            "{refused}"
        );
        assert_eq!(refused["decision"]["status"], "ineligible");
        assert_eq!(refused["decision"]["id"], "free_upgrade");
        // Nothing was recorded under the refused key.
        let (status, gone) = server.delete(&format!("/v1/redemptions/{key}"));
        assert_eq!((status, code(&gone)), (404, "unknown_redemption"));
    }
    // Another customer is counted apart.
    let (status, _) = server.post(
        "/v1/redemptions",
        &redemption("k-other", "C-8", "free_upgrade", "phone"),
    );
    assert_eq!(status, 201);
    let (_, listed) = server.get("/v1/customers/C-7/redemptions");
    assert_eq!(listed["redemptions"].as_array().unwrap().len(), 1);
}

#[test]
fn an_offer_that_is_not_eligible_is_refused_with_its_decision() {
    let dir = scratch("redeem-ineligible");
    let server = Server::start(&["--ledger", &sqlite_ledger(&dir)]);
    let mut body = redemption("k1", "C-9", "free_upgrade", "store");
    body["context"]["customer"]["tenure_months"] = json!(6);
    let (status, refused) = server.post("/v1/redemptions", &body);
    assert_eq!((status, code(&refused)), (422, "not_eligible"), "{refused}");
    assert_eq!(refused["decision"]["status"], "ineligible");
    // Honored online only: refused on the store's till.
    let mut body = redemption("k2", "C-9", "online_line", "store");
    body["context"]["customer"]["monthly_spend"] = json!("50.00 USD");
    let (status, refused) = server.post("/v1/redemptions", &body);
    assert_eq!((status, code(&refused)), (422, "not_eligible"), "{refused}");
    assert_eq!(refused["decision"]["status"], "not_honored");
    let (_, listed) = server.get("/v1/customers/C-9/redemptions");
    assert_eq!(listed["redemptions"], json!([]));
}

#[test]
fn a_reversal_is_kept_and_frees_the_limit() {
    let dir = scratch("redeem-reverse");
    let server = Server::start(&["--ledger", &sqlite_ledger(&dir)]);
    let (status, first) = server.post(
        "/v1/redemptions",
        &redemption("order-9", "C-5", "free_upgrade", "phone"),
    );
    assert_eq!(status, 201);
    let (status, reversed) = server.delete("/v1/redemptions/order-9");
    assert_eq!(status, 200, "{reversed}");
    assert_eq!(reversed["already_reversed"], false);
    let when = reversed["redemption"]["reversed"].clone();
    assert!(when.is_string(), "{reversed}");
    assert_eq!(
        reversed["redemption"]["recorded"],
        first["redemption"]["recorded"]
    );
    // Again: 200, the same reversal.
    let (status, again) = server.delete("/v1/redemptions/order-9");
    assert_eq!(status, 200);
    assert_eq!(again["already_reversed"], true);
    assert_eq!(again["redemption"]["reversed"], when);
    let (status, unknown) = server.delete("/v1/redemptions/no-such-order");
    assert_eq!((status, code(&unknown)), (404, "unknown_redemption"));
    // No longer counted: the customer may redeem again, and both entries are listed.
    let (status, _) = server.post(
        "/v1/redemptions",
        &redemption("order-10", "C-5", "free_upgrade", "web"),
    );
    assert_eq!(status, 201);
    let (_, listed) = server.get("/v1/customers/C-5/redemptions");
    let entries = listed["redemptions"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["key"], "order-9");
    assert_eq!(entries[0]["reversed"], when);
    assert_eq!(entries[1]["key"], "order-10");
    assert_eq!(entries[1]["reversed"], Value::Null);
}

#[test]
fn a_budget_is_shared_by_every_customer() {
    let dir = scratch("redeem-budget");
    let rules = rules_with_budget(&dir);
    let server = Server::start(&[
        "--rules",
        rules.to_str().unwrap(),
        "--ledger",
        &sqlite_ledger(&dir),
    ]);
    for (i, expected) in [(1, 201), (2, 201), (3, 409)] {
        let (status, body) = server.post(
            "/v1/redemptions",
            &redemption(&format!("g{i}"), &format!("C-{i}"), "launch_gift", "store"),
        );
        assert_eq!(status, expected, "{body}");
        if status == 409 {
            assert_eq!(code(&body), "budget_exhausted");
            let budget = body["decision"]["clauses"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["clause"] == "budget")
                .unwrap()
                .clone();
            assert_eq!(budget["result"], "fail", "{body}");
        }
    }
    // The decision reads the counts from the ledger: 0 of 2 left.
    let (status, decided) = server.post(
        "/v1/decide",
        &json!({"context": {}, "channel": "web", "at": AT, "offer": "launch_gift"}),
    );
    assert_eq!(status, 200, "{decided}");
    assert_eq!(decided["offers"][0]["status"], "ineligible", "{decided}");
    // A reversal gives a unit back.
    assert_eq!(server.delete("/v1/redemptions/g1").0, 200);
    let (status, _) = server.post(
        "/v1/redemptions",
        &redemption("g4", "C-4", "launch_gift", "phone"),
    );
    assert_eq!(status, 201);
}

#[test]
fn a_decision_for_a_customer_reads_redeemed_from_the_ledger() {
    let dir = scratch("decide-customer");
    let server = Server::start(&["--ledger", &sqlite_ledger(&dir)]);
    let decide = |customer: &str| {
        server.post(
            "/v1/decide",
            &json!({"context": loyal(), "channel": "store", "at": AT,
                    "customer": customer, "offer": "free_upgrade"}),
        )
    };
    let (status, before) = decide("C-3");
    assert_eq!(status, 200, "{before}");
    assert_eq!(before["offers"][0]["status"], "eligible");
    let (status, _) = server.post(
        "/v1/redemptions",
        &redemption("r1", "C-3", "free_upgrade", "web"),
    );
    assert_eq!(status, 201);
    let (_, after) = decide("C-3");
    assert_eq!(after["offers"][0]["status"], "ineligible", "{after}");
    // Another customer is untouched.
    assert_eq!(decide("C-4").1["offers"][0]["status"], "eligible");
    // `redeemed` in the context as well as `customer`: refused.
    let mut context = loyal();
    context["redeemed"] = json!([]);
    let (status, refused) = server.post(
        "/v1/decide",
        &json!({"context": context, "channel": "store", "at": AT, "customer": "C-3"}),
    );
    assert_eq!(
        (status, code(&refused)),
        (400, "redeemed_from_ledger"),
        "{refused}"
    );
    // Without `customer`, a context's own `redeemed` is decided as sent.
    let (status, _) = server.post(
        "/v1/decide",
        &json!({"context": context, "channel": "store", "at": AT}),
    );
    assert_eq!(status, 200);
}

#[test]
fn without_a_ledger_redemptions_answer_503() {
    let server = Server::start(&["--ledger", "none"]);
    let (status, body) = server.post(
        "/v1/redemptions",
        &redemption("k", "C-1", "free_upgrade", "store"),
    );
    assert_eq!((status, code(&body)), (503, "no_ledger"), "{body}");
    assert_eq!(server.delete("/v1/redemptions/k").0, 503);
    assert_eq!(server.get("/v1/customers/C-1/redemptions").0, 503);
    // Decisions still work, with `redeemed` as the context gives it.
    let (status, _) = server.post(
        "/v1/decide",
        &json!({"context": loyal(), "channel": "store", "at": AT, "customer": "C-1"}),
    );
    assert_eq!(status, 200);
}

#[test]
fn bad_redemptions_are_refused_in_words() {
    let dir = scratch("redeem-bad");
    let server = Server::start(&["--ledger", &sqlite_ledger(&dir)]);
    let cases: Vec<(Value, u16, &str)> = vec![
        (
            redemption("", "C-1", "free_upgrade", "store"),
            422,
            "bad_key",
        ),
        (
            redemption(&"k".repeat(201), "C-1", "free_upgrade", "store"),
            422,
            "bad_key",
        ),
        (
            redemption("k", "", "free_upgrade", "store"),
            422,
            "bad_customer",
        ),
        (
            redemption("k", "C\n1", "free_upgrade", "store"),
            422,
            "bad_customer",
        ),
        (
            redemption("k", "C-1", "free_upgrade", "all"),
            422,
            "unknown_channel",
        ),
        (
            redemption("k", "C-1", "free_upgrade", "shop"),
            422,
            "unknown_channel",
        ),
        (
            redemption("k", "C-1", "free_upgrad", "store"),
            404,
            "unknown_offer",
        ),
        (
            json!({"key": "k", "customer": "C-1"}),
            400,
            "bad_request_shape",
        ),
        (
            {
                let mut b = redemption("k", "C-1", "free_upgrade", "store");
                b["context"]["redeemed"] = json!(["free_upgrade"]);
                b
            },
            400,
            "redeemed_from_ledger",
        ),
        (
            {
                let mut b = redemption("k", "C-1", "free_upgrade", "store");
                b["context"]["customer"]["tenure_months"] = json!("long");
                b
            },
            400,
            "invalid_context",
        ),
        (
            {
                let mut b = redemption("k", "C-1", "free_upgrade", "store");
                b["at"] = json!("yesterday");
                b
            },
            422,
            "bad_instant",
        ),
    ];
    for (body, status, expected) in cases {
        let (got, answer) = server.post("/v1/redemptions", &body);
        assert_eq!((got, code(&answer)), (status, expected), "{body}: {answer}");
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(
            message.starts_with(|c: char| !c.is_uppercase()) && !message.ends_with('.'),
            "{message}"
        );
    }
    // 200 characters is a key.
    let (status, _) = server.post(
        "/v1/redemptions",
        &redemption(&"k".repeat(200), "C-1", "free_upgrade", "store"),
    );
    assert_eq!(status, 201);
    let (_, listed) = server.get("/v1/customers/C-1/redemptions");
    assert_eq!(listed["redemptions"].as_array().unwrap().len(), 1);
}

#[test]
fn a_channels_token_redeems_and_reverses_on_its_channel_only() {
    let dir = scratch("redeem-tokens");
    let tokens = dir.join("tokens");
    std::fs::write(
        &tokens,
        "store store-token-0123456789abcdef\nweb web-token-0123456789abcdef0\n",
    )
    .unwrap();
    let store = Server::start(&[
        "--ledger",
        &sqlite_ledger(&dir),
        "--tokens",
        tokens.to_str().unwrap(),
    ])
    .with_token("store-token-0123456789abcdef");
    let (status, body) = store.post(
        "/v1/redemptions",
        &redemption("t1", "C-1", "free_upgrade", "web"),
    );
    assert_eq!((status, code(&body)), (403, "wrong_channel"), "{body}");
    let (status, _) = store.post(
        "/v1/redemptions",
        &redemption("t2", "C-1", "free_upgrade", "store"),
    );
    assert_eq!(status, 201);
    let web = Server::start(&[
        "--ledger",
        &sqlite_ledger(&dir),
        "--tokens",
        tokens.to_str().unwrap(),
    ])
    .with_token("web-token-0123456789abcdef0");
    let (status, body) = web.delete("/v1/redemptions/t2");
    assert_eq!((status, code(&body)), (403, "wrong_channel"), "{body}");
    assert_eq!(store.delete("/v1/redemptions/t2").0, 200);
}

#[test]
fn redemptions_and_refusals_are_counted_in_the_metrics() {
    let dir = scratch("redeem-metrics");
    let server = Server::start(&["--ledger", &sqlite_ledger(&dir)]);
    let line = |name: &str| {
        let (_, text) = server.get_text("/metrics");
        text.lines()
            .find(|l| l.starts_with(name))
            .map(str::to_string)
    };
    assert_eq!(line("honor_redemptions_total{"), None);
    server.post(
        "/v1/redemptions",
        &redemption("m1", "C-1", "free_upgrade", "store"),
    );
    server.post(
        "/v1/redemptions",
        &redemption("m1", "C-1", "free_upgrade", "store"),
    );
    server.post(
        "/v1/redemptions",
        &redemption("m2", "C-1", "free_upgrade", "web"),
    );
    // A refused key records nothing, so it is free; a recorded one is not.
    server.post(
        "/v1/redemptions",
        &redemption("m1", "C-2", "free_upgrade", "web"),
    );
    assert_eq!(
        line("honor_redemptions_total{").as_deref(),
        Some(r#"honor_redemptions_total{channel="store"} 1"#)
    );
    assert_eq!(
        line(r#"honor_redemption_refusals_total{code="limit_reached"}"#).as_deref(),
        Some(r#"honor_redemption_refusals_total{code="limit_reached"} 1"#)
    );
    assert_eq!(
        line(r#"honor_redemption_refusals_total{code="key_reused"}"#).as_deref(),
        Some(r#"honor_redemption_refusals_total{code="key_reused"} 1"#)
    );
}

#[test]
fn redemptions_are_recorded_with_the_ledgers_view_and_replay_the_same() {
    let dir = scratch("redeem-records");
    let records = dir.join("records");
    let server = Server::start(&[
        "--ledger",
        &sqlite_ledger(&dir),
        "--records",
        records.to_str().unwrap(),
    ]);
    let (status, _) = server.post(
        "/v1/redemptions",
        &redemption("r1", "C-1", "free_upgrade", "store"),
    );
    assert_eq!(status, 201);
    let (status, _) = server.post(
        "/v1/redemptions",
        &redemption("r2", "C-1", "free_upgrade", "web"),
    );
    assert_eq!(status, 409);
    // A replay decides nothing and adds no record.
    let (status, _) = server.post(
        "/v1/redemptions",
        &redemption("r1", "C-1", "free_upgrade", "store"),
    );
    assert_eq!(status, 200);
    let file = std::fs::read_dir(&records)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .expect("a records file");
    let lines: Vec<Value> = std::fs::read_to_string(&file)
        .unwrap()
        .lines()
        .map(parse)
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["customer"], "C-1");
    assert_eq!(lines[0]["offer"], "free_upgrade");
    assert_eq!(lines[0]["context"]["redeemed"], json!([]));
    assert_eq!(
        lines[0]["outcomes"]["store"]["offers"]["free_upgrade"],
        "eligible"
    );
    assert_eq!(lines[1]["context"]["redeemed"], json!(["free_upgrade"]));
    assert_eq!(
        lines[1]["outcomes"]["web"]["offers"]["free_upgrade"],
        "ineligible"
    );
    let out = honor(&["replay", "--records", records.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_ledger_that_cannot_be_opened_stops_the_start_in_words() {
    let dir = scratch("redeem-no-ledger");
    let missing = dir.join("no-such-folder").join("ledger.db");
    let e = Server::try_start(&["--ledger", &format!("sqlite:{}", missing.display())])
        .err()
        .expect("no service without its ledger");
    assert!(
        e.starts_with("error: cannot open the ledger `sqlite:"),
        "{e}"
    );
    let e = Server::try_start(&["--ledger", "postgres://honor:secret@127.0.0.1:1/ledger"])
        .err()
        .expect("no service without its ledger");
    assert!(
        e.starts_with("error: cannot open the ledger `postgres://honor:***@127.0.0.1:1/ledger`"),
        "{e}"
    );
}

#[test]
fn a_long_history_lists_the_most_recent_thousand() {
    use honor::ledger::SqliteLedger;
    use honor::ledger::{Ledger, NewRedemption};
    let dir = scratch("redeem-long-history");
    let file = dir.join("ledger.db");
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let ledger = SqliteLedger::open(&file).await.unwrap();
        for i in 0..1001 {
            let new = NewRedemption {
                key: format!("h{i}"),
                customer: String::from("C-LONG"),
                offer: String::from("home_setup"),
                channel: String::from("store"),
                at: AT.to_string(),
                rules: String::from("sha256:0000000000000000"),
                body_hash: i.to_string(),
                budgeted: false,
            };
            let mut yes = |_: &honor::ledger::View| true;
            ledger.redeem(&new, &mut yes).await.unwrap();
        }
        ledger.close().await.unwrap();
    });
    let server = Server::start(&["--ledger", &format!("sqlite:{}", file.display())]);
    let (status, listed) = server.get("/v1/customers/C-LONG/redemptions");
    assert_eq!(status, 200);
    assert_eq!(listed["complete"], false);
    let entries = listed["redemptions"].as_array().unwrap();
    assert_eq!(entries.len(), 1000);
    assert_eq!(entries[0]["key"], "h1");
    assert_eq!(entries[999]["key"], "h1000");
}

#[test]
fn check_reads_budget_counts_from_a_ledger_read_only() {
    let dir = scratch("check-ledger");
    let rules = rules_with_budget(&dir);
    let ledger = sqlite_ledger(&dir);
    let server = Server::start(&["--rules", rules.to_str().unwrap(), "--ledger", &ledger]);
    for i in 0..2 {
        let (status, _) = server.post(
            "/v1/redemptions",
            &redemption(&format!("c{i}"), &format!("C-{i}"), "launch_gift", "web"),
        );
        assert_eq!(status, 201);
    }
    drop(server);
    let context = dir.join("context.json");
    std::fs::write(&context, r#"{"redeemed": []}"#).unwrap();
    let check = |extra: &[&str]| {
        let mut args = vec![
            "--rules",
            rules.to_str().unwrap(),
            "check",
            "--context",
            context.to_str().unwrap(),
            "--channel",
            "web",
            "--offer",
            "launch_gift",
            "--at",
            AT,
            "--format",
            "json",
        ];
        args.extend(extra);
        honor(&args)
    };
    let without = check(&[]);
    assert_eq!(without.status.code(), Some(0));
    let without = parse(&String::from_utf8(without.stdout).unwrap());
    assert_eq!(without["offers"][0]["status"], "unknown");
    assert_eq!(without["offers"][0]["missing"], json!(["ledger"]));
    let with = check(&["--ledger", &ledger]);
    assert_eq!(
        with.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&with.stderr)
    );
    let with = parse(&String::from_utf8(with.stdout).unwrap());
    assert_eq!(with["offers"][0]["status"], "ineligible", "{with}");
    // The knowledge base says how much of the budget is left.
    let offers = |extra: &[&str]| {
        let mut args = vec!["--rules", rules.to_str().unwrap(), "offers", "--at", AT];
        args.extend(extra);
        String::from_utf8(honor(&args).stdout).unwrap()
    };
    assert!(offers(&[]).contains("budget: 2 redemptions in all"));
    assert!(
        offers(&["--ledger", &ledger]).contains("budget: 0 of 2 left"),
        "{}",
        offers(&["--ledger", &ledger])
    );
    // Read only: a file that is not there is not created.
    let missing = dir.join("missing.db");
    let failed = check(&["--ledger", &format!("sqlite:{}", missing.display())]);
    assert_eq!(failed.status.code(), Some(2));
    let stderr = String::from_utf8(failed.stderr).unwrap();
    assert!(
        stderr.starts_with("error: cannot read the ledger `sqlite:"),
        "{stderr}"
    );
    assert!(!missing.exists());
}

#[test]
fn batch_reads_budget_counts_from_a_ledger_read_only() {
    let dir = scratch("batch-ledger");
    let rules = rules_with_budget(&dir);
    let ledger = sqlite_ledger(&dir);
    let server = Server::start(&["--rules", rules.to_str().unwrap(), "--ledger", &ledger]);
    for i in 0..2 {
        let (status, _) = server.post(
            "/v1/redemptions",
            &redemption(&format!("b{i}"), &format!("C-{i}"), "launch_gift", "web"),
        );
        assert_eq!(status, 201);
    }
    drop(server);
    let contexts = dir.join("contexts.jsonl");
    std::fs::write(&contexts, "{\"redeemed\": []}\n").unwrap();
    let batch = |extra: &[&str]| {
        let mut args = vec![
            "--rules",
            rules.to_str().unwrap(),
            "batch",
            "--contexts",
            contexts.to_str().unwrap(),
            "--channel",
            "web",
            "--at",
            AT,
        ];
        args.extend(extra);
        let out = honor(&args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        parse(
            String::from_utf8(out.stdout)
                .unwrap()
                .lines()
                .next()
                .unwrap(),
        )
    };
    assert_eq!(batch(&[])["offers"]["launch_gift"], "unknown");
    assert_eq!(
        batch(&["--ledger", &ledger])["offers"]["launch_gift"],
        "ineligible"
    );
}
