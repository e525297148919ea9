//! `honor serve` (SPEC section 10): one HTTP service that every channel calls. Each area
//! adds its routes in its own file; [`router`] assembles them under the shared limits.

pub mod auth;
pub mod body;
mod console;
pub mod decide;
pub mod error;
mod health;
pub mod ledger;
pub mod listen;
pub mod live;
pub mod metrics;
mod offers;
pub mod openapi;
pub mod records;
pub mod redeem;
mod redemptions;
mod reload;
pub mod request;
mod schema;

use axum::Router;
use axum::error_handling::HandleErrorLayer;
use axum::extract::DefaultBodyLimit;
use axum::http::{Method, StatusCode, Uri};
use axum::middleware;
use axum::response::IntoResponse;
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceBuilder;
use tower::limit::GlobalConcurrencyLimitLayer;

use auth::Tokens;
use error::ApiError;
use ledger::{Ledger, LedgerUrl};
use live::LiveRules;
use metrics::Metrics;
use records::Records;

/// Longest a request may take, reading its body included.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Requests handled at once; more wait their turn (within the timeout).
pub const MAX_CONCURRENT: usize = 64;
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// What `honor serve` was started with.
#[derive(Clone, Debug)]
pub struct Config {
    pub rules: PathBuf,
    pub listen: String,
    pub ledger: LedgerUrl,
    pub records: Option<PathBuf>,
    pub tokens: Option<PathBuf>,
}

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub rules: Arc<LiveRules>,
    /// `None` when the service runs without `--tokens` (loopback only).
    pub tokens: Option<Arc<Tokens>>,
    /// The ledger named by `--ledger`, once opened; `None` runs without one.
    pub ledger: Option<Arc<dyn Ledger>>,
    pub metrics: Arc<Metrics>,
    /// `--records DIR`, when given.
    pub records: Option<Arc<Records>>,
}

impl AppState {
    /// What happens to every rule set that starts serving: records keep its files.
    pub fn rules_loaded(&self, loaded: &live::Loaded) -> Result<(), String> {
        match &self.records {
            Some(records) => records.keep_rules(loaded),
            None => Ok(()),
        }
    }
}

/// Every route, behind the token check and the body cap, counted by the metrics.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(decide::routes())
        .merge(offers::routes())
        .merge(redemptions::routes())
        .merge(health::routes())
        .merge(schema::routes())
        .merge(console::routes())
        .merge(metrics::routes())
        .merge(openapi::routes())
        .fallback(no_route)
        .method_not_allowed_fallback(wrong_method)
        .layer(middleware::from_fn_with_state(state.clone(), auth::require))
        .layer(DefaultBodyLimit::max(body::MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            metrics::count,
        ))
        .with_state(state)
}

/// The whole service: the router behind one timeout and one concurrency limit for all its
/// routes (a router's own layers wrap each route apart). A request's body is read before it
/// takes a place under the limit, so that clients sending their bodies slowly (or not at
/// all) cannot hold every place while others wait.
pub fn limited(
    app: Router,
    metrics: Arc<Metrics>,
) -> impl tower::Service<
    axum::http::Request<hyper::body::Incoming>,
    Response = axum::response::Response,
    Error = std::convert::Infallible,
    Future = impl Send,
> + Clone
+ Send
+ 'static {
    ServiceBuilder::new()
        .map_request(|r: axum::http::Request<hyper::body::Incoming>| r.map(axum::body::Body::new))
        .layer(middleware::from_fn(body::read_whole))
        .layer(HandleErrorLayer::new(move |e: tower::BoxError| {
            let metrics = metrics.clone();
            async move {
                let refused = overloaded(e);
                metrics.refused.with_label_values(&[refused.code]).inc();
                refused
            }
        }))
        .timeout(REQUEST_TIMEOUT)
        .layer(GlobalConcurrencyLimitLayer::new(MAX_CONCURRENT))
        .service(app)
}

fn overloaded(e: tower::BoxError) -> ApiError {
    if e.is::<tower::timeout::error::Elapsed>() {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "timeout",
            format!(
                "the request took longer than {} seconds",
                REQUEST_TIMEOUT.as_secs()
            ),
        )
    } else {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "overloaded",
            "the service cannot take this request now; try again",
        )
    }
}

async fn no_route(method: Method, uri: Uri) -> ApiError {
    ApiError::not_found(
        "no_route",
        format!(
            "there is no `{method} {}` here; the API is under /v1/",
            crate::escape::excerpt(uri.path())
        ),
    )
}

async fn wrong_method(method: Method, uri: Uri) -> impl IntoResponse {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!(
            "`{}` does not take `{method}`",
            crate::escape::excerpt(uri.path())
        ),
    )
}

/// The addresses `listen` names; refuses anything beyond loopback unless tokens guard it.
pub fn listen_addresses(listen: &str, guarded: bool) -> Result<Vec<SocketAddr>, String> {
    let addrs: Vec<SocketAddr> = listen
        .to_socket_addrs()
        .map_err(|e| {
            format!("--listen `{listen}` is not an address to listen on, like 127.0.0.1:8080 ({e})")
        })?
        .collect();
    if addrs.is_empty() {
        return Err(format!("--listen `{listen}` names no address"));
    }
    if !guarded && let Some(open) = addrs.iter().find(|a| !a.ip().is_loopback()) {
        return Err(format!(
            "--listen `{listen}` ({open}) is reachable beyond this machine; give --tokens FILE so every caller needs a token, or listen on 127.0.0.1"
        ));
    }
    Ok(addrs)
}

/// Starts the service and runs it until SIGTERM or Ctrl-C, then lets requests in flight
/// finish. `announce` hears the address listened on once the socket is bound.
pub async fn run(config: Config, announce: impl FnOnce(&str)) -> Result<(), String> {
    let addrs = listen_addresses(&config.listen, config.tokens.is_some())?;
    let rules = LiveRules::load(&config.rules).map_err(|e| e.render())?;
    let tokens = match &config.tokens {
        Some(path) => Some(Arc::new(Tokens::read(path, &rules.current().rules)?)),
        None => None,
    };
    let records = match &config.records {
        Some(dir) => Some(Arc::new(Records::open(dir)?)),
        None => None,
    };
    let listener = tokio::net::TcpListener::bind(&addrs[..])
        .await
        .map_err(|e| format!("cannot listen on `{}`: {e}", config.listen))?;
    let bound = listener
        .local_addr()
        .map_err(|e| format!("cannot listen on `{}`: {e}", config.listen))?;
    let ledger = ledger::open(&config.ledger)
        .await
        .map_err(|e| e.to_string())?;
    let state = AppState {
        rules: Arc::new(rules),
        tokens,
        ledger: ledger.clone(),
        metrics: Arc::new(Metrics::new().map_err(|e| format!("cannot set up the metrics: {e}"))?),
        records,
    };
    state.rules_loaded(&state.rules.current())?;
    // Signal handlers first: a SIGHUP right after the announcement must not end the process.
    let log: Arc<dyn Fn(String) + Send + Sync> = Arc::new(|line| eprintln!("{line}"));
    let _watching = reload::start(state.clone(), log)?;
    let stop = shutdown_signal()?;
    let loaded = state.rules.current();
    announce(&format!(
        "honor serve: listening on http://{bound} with rules {} ({} offers)",
        loaded.rules.fingerprint,
        loaded.rules.model.offers.len()
    ));
    drop(loaded);
    let metrics = state.metrics.clone();
    let app = router(state);
    listen::serve(listener, app, metrics, stop).await;
    // Requests in flight have finished: let the ledger's connections close cleanly.
    if let Some(ledger) = ledger {
        let _ = ledger.close().await;
    }
    Ok(())
}

/// Resolves on SIGTERM or Ctrl-C. The handlers are installed at once, before the service
/// says it is listening, so an early signal still stops it cleanly.
#[cfg(unix)]
fn shutdown_signal() -> Result<impl Future<Output = ()>, String> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut terminate =
        signal(SignalKind::terminate()).map_err(|e| format!("cannot handle SIGTERM: {e}"))?;
    let mut interrupt =
        signal(SignalKind::interrupt()).map_err(|e| format!("cannot handle Ctrl-C: {e}"))?;
    Ok(async move {
        tokio::select! {
            _ = terminate.recv() => {},
            _ = interrupt.recv() => {},
        }
    })
}

#[cfg(not(unix))]
fn shutdown_signal() -> Result<impl Future<Output = ()>, String> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}
