//! A real `honor serve` on a free loopback port, and a small HTTP client for it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub use serde_json::{Value, json};

pub const MANIFEST: &str = env!("CARGO_MANIFEST_DIR");
pub const AT: &str = "2026-12-01T15:00:00Z";

pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`
    pub base: String,
    /// What the service printed on stderr after its first line.
    pub log: Arc<Mutex<Vec<String>>>,
    client: reqwest::blocking::Client,
    token: Option<String>,
}

/// A scratch folder for one test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("honor-serve-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    dir
}

/// A copy of the sample rule files in `dir/rules`, to edit.
pub fn copy_sample_rules(dir: &Path) -> PathBuf {
    let rules = dir.join("rules");
    std::fs::create_dir_all(&rules).unwrap();
    for entry in std::fs::read_dir(Path::new(MANIFEST).join("rules")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "offer") {
            std::fs::copy(&path, rules.join(path.file_name().unwrap())).unwrap();
        }
    }
    rules
}

/// Runs `honor` to completion (for commands other than serve).
pub fn honor(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_honor"))
        .current_dir(MANIFEST)
        .args(args)
        .output()
        .expect("the honor binary runs")
}

impl Server {
    /// `honor serve` on the sample rules, on a free port, without a ledger.
    pub fn start(extra: &[&str]) -> Server {
        Server::try_start(extra).unwrap_or_else(|e| panic!("the service starts: {e}"))
    }

    /// Starts the service; `Err` holds what it printed when it refused to start.
    pub fn try_start(extra: &[&str]) -> Result<Server, String> {
        let mut args: Vec<&str> = vec!["serve"];
        if !extra.contains(&"--listen") {
            args.extend(["--listen", "127.0.0.1:0"]);
        }
        if !extra.contains(&"--ledger") {
            args.extend(["--ledger", "none"]);
        }
        args.extend(extra);
        let mut child = Command::new(env!("CARGO_BIN_EXE_honor"))
            .current_dir(MANIFEST)
            .args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the honor binary runs");
        let stderr = child.stderr.take().unwrap();
        let (first_tx, first_rx) = mpsc::channel();
        let log = Arc::new(Mutex::new(Vec::new()));
        let rest = log.clone();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stderr).lines();
            let first = lines.next().and_then(Result::ok).unwrap_or_default();
            let _ = first_tx.send(first);
            for line in lines.map_while(Result::ok) {
                rest.lock().unwrap().push(line);
            }
        });
        let Ok(first) = first_rx.recv_timeout(Duration::from_secs(30)) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(String::from("no line on stderr within 30 s"));
        };
        let Some(addr) = first
            .strip_prefix("honor serve: listening on ")
            .and_then(|rest| rest.split_whitespace().next())
        else {
            let status = child.wait().ok();
            return Err(format!("{first} (exit {status:?})"));
        };
        Ok(Server {
            child,
            base: addr.to_string(),
            log,
            client: reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap(),
            token: None,
        })
    }

    /// Sends this token with every later request.
    pub fn with_token(mut self, token: &str) -> Server {
        self.token = Some(token.to_string());
        self
    }

    fn send(&self, request: reqwest::blocking::RequestBuilder) -> (u16, String) {
        let request = match &self.token {
            Some(t) => request.bearer_auth(t),
            None => request,
        };
        let response = request.send().expect("the service answers");
        let status = response.status().as_u16();
        (status, response.text().unwrap())
    }

    pub fn get_text(&self, path: &str) -> (u16, String) {
        self.send(self.client.get(format!("{}{path}", self.base)))
    }

    pub fn post_text(&self, path: &str, body: &str) -> (u16, String) {
        self.send(
            self.client
                .post(format!("{}{path}", self.base))
                .header("content-type", "application/json")
                .body(body.to_string()),
        )
    }

    pub fn get(&self, path: &str) -> (u16, Value) {
        let (status, text) = self.get_text(path);
        (status, parse(&text))
    }

    pub fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        let (status, text) = self.post_text(path, &body.to_string());
        (status, parse(&text))
    }

    pub fn delete(&self, path: &str) -> (u16, Value) {
        let (status, text) = self.send(self.client.delete(format!("{}{path}", self.base)));
        (status, parse(&text))
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn signal(&self, name: &str) {
        let ok = Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill -{name} works");
    }

    /// SIGTERM, then the exit status (within 30 s).
    pub fn terminate(mut self) -> ExitStatus {
        self.signal("TERM");
        for _ in 0..300 {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("the service did not stop within 30 s of SIGTERM");
    }
}

pub fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("JSON from the service ({e}): {text}"))
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The error code of an error body.
pub fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("(no error code)")
}
