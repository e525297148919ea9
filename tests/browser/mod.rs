//! A headless Chromium driven through ChromeDriver (WebDriver), for tests of the agent
//! console as an agent uses it.
//!
//! The browser is Debian's (`apt-get install chromium chromium-driver`); `HONOR_CHROMIUM`
//! and `HONOR_CHROMEDRIVER` name other binaries. When they are missing the tests fail with
//! that instruction rather than pass without having run.
#![allow(dead_code)]

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use std::future::Future;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// Longest wait for something to appear on the page.
pub const PATIENCE: Duration = Duration::from_secs(20);

fn binary(var: &str, default: &str) -> PathBuf {
    let path = std::env::var_os(var).map_or_else(|| PathBuf::from(default), PathBuf::from);
    assert!(
        path.exists(),
        "the console's browser tests need Chromium and ChromeDriver, and `{}` is missing: \
         install them with `apt-get install -y chromium chromium-driver` (or set {var} to \
         the binary)",
        path.display()
    );
    path
}

/// ChromeDriver on a free loopback port, and the Chromium it drives.
#[derive(Clone)]
pub struct Browser {
    pub client: Client,
    driver: Arc<Driver>,
}

/// Runs `body` with a fresh browser whose window is `width` × `height`, then ends the
/// browser whether `body` succeeded or panicked (and passes the panic on). Browsers run one
/// at a time: each takes a core while it renders.
pub fn run<F, Fut>(width: u32, height: u32, body: F)
where
    F: FnOnce(Browser) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
    let _turn = ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(async move {
        let browser = Browser::start(width, height).await;
        let client = browser.client.clone();
        let driver = browser.driver.clone();
        let outcome = tokio::spawn(body(browser)).await;
        let _ = client.close().await;
        drop(driver);
        if let Err(e) = outcome {
            match e.try_into_panic() {
                Ok(panic) => std::panic::resume_unwind(panic),
                Err(e) => panic!("the browser test did not finish: {e}"),
            }
        }
    });
}

/// The ChromeDriver process and Chromium's profile folder, ended and removed on drop (also
/// when a test fails half-way).
struct Driver {
    child: Child,
    profile: PathBuf,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
    listener.local_addr().unwrap().port()
}

impl Browser {
    /// A fresh headless browser with an empty profile, the window `width` × `height`.
    async fn start(width: u32, height: u32) -> Browser {
        let chromium = binary("HONOR_CHROMIUM", CHROMIUM);
        let chromedriver = binary("HONOR_CHROMEDRIVER", CHROMEDRIVER);
        let port = free_port();
        let child = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start `{}`: {e}", chromedriver.display()));
        let profile = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
            "honor-console-chromium-{}-{port}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&profile);
        std::fs::create_dir_all(&profile).unwrap();
        let driver = Driver { child, profile };
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < PATIENCE,
                "chromedriver did not listen on port {port} within {PATIENCE:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let mut options = serde_json::json!({
                "binary": chromium,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    "--hide-scrollbars", "--lang=en-US",
                    format!("--window-size={width},{height}"),
                    format!("--user-data-dir={}", driver.profile.display()),
                ],
        });
        // Desktop Chromium will not make a window narrower than 500 px; a phone-sized
        // viewport is what its device emulation is for.
        if width < 500 {
            options["mobileEmulation"] = serde_json::json!({
                "deviceMetrics": {"width": width, "height": height, "pixelRatio": 1.0, "touch": false},
            });
        }
        let mut caps = serde_json::Map::new();
        caps.insert("goog:chromeOptions".into(), options);
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .unwrap_or_else(|e| panic!("chromedriver starts a Chromium session: {e}"));
        Browser {
            client,
            driver: Arc::new(driver),
        }
    }

    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.expect("the page loads");
    }

    pub async fn css(&self, selector: &str) -> Element {
        match self
            .client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(selector))
            .await
        {
            Ok(element) => element,
            Err(e) => panic!(
                "`{selector}` did not appear ({e}); {}",
                self.describe().await
            ),
        }
    }

    pub async fn id(&self, id: &str) -> Element {
        match self
            .client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Id(id))
            .await
        {
            Ok(element) => element,
            Err(e) => panic!("`#{id}` did not appear ({e}); {}", self.describe().await),
        }
    }

    /// Where the browser is and what it shows, for a failure's message.
    pub async fn describe(&self) -> String {
        let url = self.client.current_url().await.map(|u| u.to_string());
        let text = self.text_of("body").await;
        format!("the browser is at {url:?} and shows:\n{text}")
    }

    /// Waits until `script` (a function body returning a value) returns something truthy,
    /// and answers it.
    pub async fn until(&self, what: &str, script: &str) -> serde_json::Value {
        let started = Instant::now();
        loop {
            let value = match self.client.execute(script, vec![]).await {
                Ok(value) => value,
                Err(e) => panic!("script for `{what}` fails ({e}); {}", self.describe().await),
            };
            let truthy = match &value {
                serde_json::Value::Null | serde_json::Value::Bool(false) => false,
                serde_json::Value::String(s) => !s.is_empty(),
                _ => true,
            };
            if truthy {
                return value;
            }
            if started.elapsed() > PATIENCE {
                panic!(
                    "{what} did not happen within {PATIENCE:?}; {}",
                    self.describe().await
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The visible text of the first element matching `selector`.
    pub async fn text_of(&self, selector: &str) -> String {
        let value = self
            .client
            .execute(
                "const e = document.querySelector(arguments[0]); return e ? e.innerText : null;",
                vec![serde_json::json!(selector)],
            )
            .await
            .expect("the page answers");
        value.as_str().unwrap_or_default().to_string()
    }

    /// Waits until the element matching `selector` shows `expected` among its text.
    pub async fn wait_for_text(&self, selector: &str, expected: &str) -> String {
        let script = format!(
            "const e = document.querySelector({}); return e && e.innerText.includes({}) ? e.innerText : null;",
            serde_json::json!(selector),
            serde_json::json!(expected)
        );
        self.until(&format!("`{expected}` in `{selector}`"), &script)
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// A PNG of the window, kept in `dir/name.png`.
    pub async fn screenshot(&self, dir: &Path, name: &str) -> PathBuf {
        let png = self.client.screenshot().await.expect("a screenshot");
        assert!(png.starts_with(b"\x89PNG"), "the screenshot is a PNG");
        std::fs::create_dir_all(dir).unwrap();
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap();
        path
    }
}
