//! Tokens bound to channels: 401 without a valid token, 403 for another channel's decision.

mod server;

use server::*;

const STORE: &str = "store-2b7e151628aed2a6abf7";
const ADMIN: &str = "any-3243f6a8885a308d313198a2";

fn guarded() -> (Server, std::path::PathBuf) {
    let dir = scratch("tokens");
    let file = dir.join("tokens");
    std::fs::write(
        &file,
        format!("# the till\nstore {STORE}\n\n*     {ADMIN}\n"),
    )
    .unwrap();
    let server = Server::start(&["--tokens", file.to_str().unwrap()]);
    (server, dir)
}

fn decide_on(channel: &str) -> Value {
    json!({"context": {}, "channel": channel, "at": AT})
}

#[test]
fn every_request_needs_a_valid_token() {
    let (server, _dir) = guarded();
    let (status, body) = server.get("/v1/health");
    assert_eq!((status, code(&body)), (401, "missing_token"));
    let (status, body) = server.post("/v1/decide", &decide_on("store"));
    assert_eq!((status, code(&body)), (401, "missing_token"));
    let wrong = server.with_token("store-2b7e151628aed2a6abf8");
    let (status, body) = wrong.post("/v1/decide", &decide_on("store"));
    assert_eq!((status, code(&body)), (401, "bad_token"));
    let (status, _) = wrong.get("/v1/offers");
    assert_eq!(status, 401);
}

#[test]
fn a_channel_token_decides_on_its_channel_only() {
    let (server, _dir) = guarded();
    let store = server.with_token(STORE);
    let (status, body) = store.post("/v1/decide", &decide_on("store"));
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["channel"], "store");
    let (status, body) = store.post("/v1/decide", &decide_on("web"));
    assert_eq!((status, code(&body)), (403, "wrong_channel"));
    let (status, body) = store.post("/v1/decide", &decide_on("all"));
    assert_eq!((status, code(&body)), (403, "wrong_channel"));
    let (status, _) = store.get("/v1/offers?channel=store");
    assert_eq!(status, 200);
}

#[test]
fn a_star_token_decides_on_every_channel() {
    let (server, _dir) = guarded();
    let admin = server.with_token(ADMIN);
    for channel in ["web", "store", "phone", "all"] {
        let (status, body) = admin.post("/v1/decide", &decide_on(channel));
        assert_eq!(status, 200, "{channel}: {body}");
    }
}

#[test]
fn with_tokens_the_service_may_listen_beyond_loopback() {
    let dir = scratch("tokens-open");
    let file = dir.join("tokens");
    std::fs::write(&file, format!("* {ADMIN}\n")).unwrap();
    // Bound on every interface; the test still only talks to loopback.
    let server = Server::start(&["--listen", "0.0.0.0:0", "--tokens", file.to_str().unwrap()]);
    let port = server.base.rsplit(':').next().unwrap().to_string();
    let local = reqwest::blocking::Client::new()
        .get(format!("http://127.0.0.1:{port}/v1/health"))
        .bearer_auth(ADMIN)
        .send()
        .unwrap();
    assert_eq!(local.status().as_u16(), 200);
}

#[test]
fn a_bad_tokens_file_is_refused_at_start() {
    let dir = scratch("tokens-bad");
    let cases = [
        ("stor store-2b7e151628aed2a6abf7\n", "did you mean `store`?"),
        ("store short\n", "too short"),
        ("store\n", "a line holds a channel"),
        ("# nothing\n", "lists no token"),
        (
            "store store-2b7e151628aed2a6abf7\nweb store-2b7e151628aed2a6abf7\n",
            "already listed",
        ),
    ];
    for (text, words) in cases {
        let file = dir.join("tokens");
        std::fs::write(&file, text).unwrap();
        let out = honor(&[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--ledger",
            "none",
            "--tokens",
            file.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(2), "{text}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(words), "{text} → {stderr}");
    }
}
