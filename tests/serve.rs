//! `honor serve` as a channel's developer meets it: decisions identical to the command
//! line, the knowledge base, errors as JSON with a 4xx for bad input, limits and shutdown.

mod server;

use server::*;

fn emailed_context() -> Value {
    json!({
        "customer": {"id": "C-1042", "tenure_months": 26.50, "plan": "family", "flags": []},
        "codes": ["UPGRADE-WINTER26"],
        "price": "130.00 USD"
    })
}

#[test]
fn a_decision_is_the_json_of_honor_check() {
    let dir = scratch("same-as-check");
    let context = r#"{"customer": {"id": "C-1042", "tenure_months": 26.50, "plan": "family", "flags": [], "monthly_spend": "45.10 USD", "birth_date": "1990-02-01"}, "codes": ["upgrade-winter26"], "price": "130.00 USD"}"#;
    let file = dir.join("context.json");
    std::fs::write(&file, context).unwrap();
    let server = Server::start(&[]);
    for channel in ["store", "all"] {
        for offer in [None, Some("free_upgrade")] {
            let mut args = vec![
                "check",
                "--context",
                file.to_str().unwrap(),
                "--at",
                AT,
                "--channel",
                channel,
                "--format",
                "json",
            ];
            let mut body =
                format!(r#"{{"context": {context}, "channel": "{channel}", "at": "{AT}""#);
            if let Some(id) = offer {
                args.extend(["--offer", id]);
                body.push_str(&format!(r#", "offer": "{id}""#));
            }
            body.push('}');
            let cli = honor(&args);
            assert_eq!(cli.status.code(), Some(0));
            let (status, served) = server.post_text("/v1/decide", &body);
            assert_eq!(status, 200, "{served}");
            assert_eq!(
                served,
                String::from_utf8(cli.stdout).unwrap(),
                "channel {channel}, offer {offer:?}"
            );
        }
    }
}

#[test]
fn numbers_in_the_context_stay_exact() {
    let server = Server::start(&[]);
    // 11.999999999999999999 is below 12 exactly; as a binary float it would round to 12.
    let (status, body) = server.post_text(
        "/v1/decide",
        &format!(
            r#"{{"context": {{"customer": {{"tenure_months": 11.999999999999999999, "plan": "family", "flags": []}}, "codes": ["UPGRADE-WINTER26"]}}, "channel": "store", "at": "{AT}", "offer": "free_upgrade"}}"#
        ),
    );
    assert_eq!(status, 200, "{body}");
    let decision = parse(&body);
    assert_eq!(decision["offers"][0]["status"], "ineligible", "{body}");
    assert!(body.contains("11.999999999999999999"), "{body}");
}

#[test]
fn bad_input_is_a_4xx_with_a_json_error() {
    let server = Server::start(&[]);
    let decide = |body: &str| {
        let (status, text) = server.post_text("/v1/decide", body);
        (status, parse(&text))
    };
    let cases: Vec<(String, u16, &str)> = vec![
        (String::from("{"), 400, "bad_json"),
        (String::new(), 400, "bad_json"),
        (String::from("[1, 2]"), 400, "bad_request_shape"),
        (
            String::from(r#"{"channel": "store"}"#),
            400,
            "bad_request_shape",
        ),
        (
            String::from(r#"{"context": {}, "chanel": "store"}"#),
            400,
            "bad_request_shape",
        ),
        (
            String::from(r#"{"context": {}, "channel": 7}"#),
            400,
            "bad_request_shape",
        ),
        (String::from(r#"{"context": [1]}"#), 400, "invalid_context"),
        (String::from(r#"{"context": null}"#), 400, "invalid_context"),
        (
            String::from(r#"{"context": {"customer": {"tenure_months": "abc"}}}"#),
            400,
            "invalid_context",
        ),
        (
            String::from(r#"{"context": {"price": "130.00"}}"#),
            400,
            "invalid_context",
        ),
        (
            String::from(r#"{"context": {}, "channel": "stor"}"#),
            422,
            "unknown_channel",
        ),
        (
            String::from(r#"{"context": {}, "at": "yesterday"}"#),
            422,
            "bad_instant",
        ),
        (
            String::from(r#"{"context": {}, "offer": "free_upgrad"}"#),
            404,
            "unknown_offer",
        ),
        (
            format!(r#"{{"context": {}}}"#, "[".repeat(10_000)),
            400,
            "bad_json",
        ),
    ];
    for (body, want_status, want_code) in &cases {
        let (status, error) = decide(body);
        assert_eq!(
            (status, code(&error)),
            (*want_status, *want_code),
            "{body:.80} → {error}"
        );
        let message = error["error"]["message"].as_str().unwrap();
        assert!(message.chars().next().unwrap().is_lowercase(), "{message}");
        assert!(!message.ends_with('.'), "{message}");
    }
    let (_, error) = decide(r#"{"context": {"customer": {"tenure_months": "abc"}}}"#);
    assert_eq!(error["error"]["path"], "customer.tenure_months");
    assert_eq!(
        error["error"]["message"],
        "context field `customer.tenure_months` should be a number, found \"abc\""
    );
    let (_, error) = decide(r#"{"context": {}, "channel": "stor"}"#);
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("did you mean `store`?")
    );
    // The service is still up and deciding.
    let (status, _) = server.post(
        "/v1/decide",
        &json!({"context": emailed_context(), "at": AT}),
    );
    assert_eq!(status, 200);
}

#[test]
fn bodies_over_one_mebibyte_are_refused() {
    let server = Server::start(&[]);
    let padding = "x".repeat(1024 * 1024);
    let body = format!(r#"{{"context": {{"customer": {{"id": "{padding}"}}}}}}"#);
    let (status, text) = server.post_text("/v1/decide", &body);
    assert_eq!(status, 413);
    assert_eq!(code(&parse(&text)), "body_too_large");
}

#[test]
fn unknown_routes_and_methods_answer_json() {
    let server = Server::start(&[]);
    let (status, body) = server.get("/v1/nothing");
    assert_eq!((status, code(&body)), (404, "no_route"));
    let (status, body) = server.get("/v1/decide");
    assert_eq!((status, code(&body)), (405, "method_not_allowed"));
    // what the caller sent is quoted as a short excerpt, never whole
    let long = "a".repeat(20_000);
    for path in [
        format!("/v1/nothing/{long}"),
        format!("/v1/offers?code={long}"),
    ] {
        let (status, body) = server.get(&path);
        assert_eq!(status, 404, "{body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.len() < 300, "{} bytes: {message}", message.len());
    }
}

#[test]
fn offers_are_the_knowledge_base_of_honor_offers() {
    let server = Server::start(&[]);
    let cli = honor(&[
        "offers",
        "--channel",
        "store",
        "--at",
        AT,
        "--format",
        "json",
    ]);
    let (status, served) = server.get(&format!("/v1/offers?channel=store&at={AT}"));
    assert_eq!(status, 200);
    assert_eq!(served, parse(&String::from_utf8(cli.stdout).unwrap()));

    let (status, found) = server.get(&format!("/v1/offers?code=%20upgrade-winter26%20&at={AT}"));
    assert_eq!(status, 200);
    assert_eq!(found["live"][0]["id"], "free_upgrade");
    let (status, none) = server.get("/v1/offers?code=NOPE-123");
    assert_eq!((status, code(&none)), (404, "unknown_code"));
    let (status, bad) = server.get("/v1/offers?channel=shop");
    assert_eq!((status, code(&bad)), (422, "unknown_channel"));
    // An unencoded `+` in the offset arrives as a space and is read as the `+` it was.
    let (status, plus) = server.get("/v1/offers?channel=store&at=2026-12-01T20:00:00+05:00");
    assert_eq!((status, &plus["at"]), (200, &json!(AT)));
    let (status, bad) = server.get("/v1/offers?chanel=store");
    assert_eq!((status, code(&bad)), (400, "bad_query"));
}

#[test]
fn health_and_schema_describe_what_serves() {
    let server = Server::start(&[]);
    let (status, health) = server.get("/v1/health");
    assert_eq!(status, 200);
    assert_eq!(health["status"], "ok");
    let declared = std::fs::read_dir(format!("{MANIFEST}/rules"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "offer"))
        .map(|p| {
            std::fs::read_to_string(p)
                .unwrap()
                .lines()
                .filter(|l| l.starts_with("offer "))
                .count()
        })
        .sum::<usize>();
    assert_eq!(health["offers"], declared);
    assert_eq!(health["ledger"], "none");
    assert_eq!(health["reload_error"], Value::Null);
    let fingerprint = health["rules"].as_str().unwrap();
    assert!(fingerprint.starts_with("sha256:"));
    let (_, decision) = server.post(
        "/v1/decide",
        &json!({"context": {}, "channel": "web", "at": AT}),
    );
    assert_eq!(decision["rules"], fingerprint);

    let (status, schema) = server.get("/v1/schema");
    assert_eq!(status, 200);
    assert_eq!(schema["channels"], json!(["web", "store", "phone"]));
    let fields = schema["fields"].as_array().unwrap();
    assert!(
        fields.contains(
            &json!({"path": "customer.tenure_months", "type": "number", "reserved": false})
        )
    );
    assert!(fields.contains(&json!({"path": "codes", "type": "list of text", "reserved": true})));
    assert!(
        fields.contains(
            &json!({"path": "customer.flags", "type": "list of text", "reserved": false})
        )
    );

    let (status, page) = server.get_text("/");
    assert_eq!(status, 200);
    assert!(page.contains("<html"), "{page}");
}

#[test]
fn sigterm_stops_the_service_cleanly() {
    let server = Server::start(&[]);
    let (status, _) = server.get("/v1/health");
    assert_eq!(status, 200);
    let exit = server.terminate();
    assert_eq!(exit.code(), Some(0));
}

#[test]
fn listening_beyond_loopback_needs_tokens() {
    let refused = Server::try_start(&["--listen", "0.0.0.0:0"])
        .err()
        .expect("refused");
    assert!(refused.contains("--tokens"), "{refused}");
    assert!(
        refused.contains("exit status: 2") || refused.contains("Some(ExitStatus"),
        "{refused}"
    );
}

#[test]
fn bad_flags_are_refused_at_start() {
    let out = honor(&["serve", "--ledger", "mysql://db", "--listen", "127.0.0.1:0"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--ledger `mysql://db`"));
    let out = honor(&[
        "--rules",
        "no/such/folder",
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--ledger",
        "none",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no/such/folder"));
    let out = honor(&["serve", "--listen", "not an address", "--ledger", "none"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_request_in_flight_at_sigterm_is_answered() {
    use std::io::{Read, Write};
    let server = Server::start(&[]);
    let body = format!(r#"{{"context": {{}}, "channel": "store", "at": "{AT}"}}"#);
    let addr = server.base.trim_start_matches("http://").to_string();
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    let (head, tail) = body.split_at(10);
    write!(
        stream,
        "POST /v1/decide HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{head}",
        body.len()
    )
    .unwrap();
    stream.flush().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    server.signal("TERM");
    std::thread::sleep(std::time::Duration::from_millis(300));
    stream.write_all(tail.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains(r#""channel": "store""#), "{answer}");
    assert_eq!(server.terminate().code(), Some(0));
}

#[test]
fn metrics_count_requests_and_time_decisions() {
    let server = Server::start(&[]);
    for _ in 0..3 {
        let (status, _) = server.post(
            "/v1/decide",
            &json!({"context": {}, "channel": "store", "at": AT}),
        );
        assert_eq!(status, 200);
    }
    let (status, _) = server.post("/v1/decide", &json!({"context": [], "channel": "store"}));
    assert_eq!(status, 400);
    let (status, _) = server.get("/no/such/path/12345");
    assert_eq!(status, 404);
    let (status, text) = server.get_text("/metrics");
    assert_eq!(status, 200);
    let has = |line: &str| text.lines().any(|l| l == line);
    assert!(
        has(r#"honor_http_requests_total{method="POST",route="/v1/decide",status="200"} 3"#),
        "{text}"
    );
    assert!(
        has(r#"honor_http_requests_total{method="POST",route="/v1/decide",status="400"} 1"#),
        "{text}"
    );
    assert!(
        has(r#"honor_http_requests_total{method="GET",route="unmatched",status="404"} 1"#),
        "{text}"
    );
    assert!(
        has(r#"honor_decision_duration_seconds_count{channel="store"} 3"#),
        "{text}"
    );
    assert!(!text.contains("12345"), "raw paths never become labels");
}

#[test]
fn clients_sending_their_bodies_slowly_hold_no_place() {
    use std::io::{Read, Write};
    let server = Server::start(&[]);
    let addr = server.base.trim_start_matches("http://").to_string();
    // More requests than the service takes at once (64) that never finish their bodies...
    let held: Vec<std::net::TcpStream> = (0..70)
        .map(|_| {
            let mut stream = std::net::TcpStream::connect(&addr).unwrap();
            write!(
                stream,
                "POST /v1/decide HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 100\r\nConnection: close\r\n\r\n{{\"context\""
            )
            .unwrap();
            stream
        })
        .collect();
    std::thread::sleep(std::time::Duration::from_millis(500));
    // ...take no place: a decision is answered at once, not after their deadline.
    let started = std::time::Instant::now();
    let (status, _) = server.post("/v1/decide", &json!({"context": {}, "channel": "store"}));
    assert_eq!(status, 200);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    // They are answered once their bodies are overdue: a 408 with a JSON error.
    for mut stream in held {
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
        assert!(answer.contains(r#""code":"body_timeout""#), "{answer}");
    }
}

#[test]
fn a_client_that_never_finishes_its_headers_is_cut_off() {
    use std::io::{Read, Write};
    let server = Server::start(&[]);
    let addr = server.base.trim_start_matches("http://").to_string();
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    write!(stream, "GET /v1/health HTTP/1.1\r\nHost: {addr}\r\n").unwrap();
    let started = std::time::Instant::now();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let waited = started.elapsed();
    assert!(
        waited >= std::time::Duration::from_secs(9) && waited < std::time::Duration::from_secs(20),
        "closed after {waited:?}"
    );
    let (status, _) = server.get("/v1/health");
    assert_eq!(status, 200);
}

/// A body that starts with a byte order mark is read as the command line reads a file that
/// does: the mark is not part of the JSON.
#[test]
fn a_byte_order_mark_before_the_json_is_ignored() {
    let server = Server::start(&[]);
    let body = format!("\u{feff}{}", json!({"context": {}, "channel": "store"}));
    let response = reqwest::blocking::Client::new()
        .post(format!("{}/v1/decide", server.base))
        .body(body)
        .send()
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
}
