//! `GET /metrics`: Prometheus text — requests by route and status, how long decisions take,
//! reloads, and the ledger's redemptions and refusals.

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry, TextEncoder,
};

use super::AppState;
use super::error::ApiError;

pub fn routes() -> Router<AppState> {
    Router::new().route("/metrics", get(metrics))
}

/// The service's counters and histograms, in one registry.
pub struct Metrics {
    registry: Registry,
    /// By route (as declared, never the raw path), method and status.
    pub requests: IntCounterVec,
    /// Requests refused before any route saw them: `timeout`, `overloaded`.
    pub refused: IntCounterVec,
    /// Seconds to decide and render one decision, by channel (`all` for every channel).
    pub decisions: HistogramVec,
    /// Reloads by result: `swapped`, `unchanged`, `refused`.
    pub reloads: IntCounterVec,
    /// Redemptions recorded, by channel.
    pub redemptions: IntCounterVec,
    /// Redemptions refused, by error code (`limit_reached`, `budget_exhausted`, …).
    pub refusals: IntCounterVec,
}

impl Metrics {
    pub fn new() -> Result<Metrics, prometheus::Error> {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new("honor_http_requests_total", "HTTP requests answered"),
            &["route", "method", "status"],
        )?;
        let refused = IntCounterVec::new(
            Opts::new(
                "honor_http_requests_refused_total",
                "Requests that timed out or found the service overloaded",
            ),
            &["code"],
        )?;
        let decisions = HistogramVec::new(
            HistogramOpts::new(
                "honor_decision_duration_seconds",
                "Time to decide and render one decision",
            )
            .buckets(vec![
                0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05,
                0.1, 0.25, 1.0,
            ]),
            &["channel"],
        )?;
        let reloads = IntCounterVec::new(
            Opts::new("honor_rule_reloads_total", "Rule set reloads, by result"),
            &["result"],
        )?;
        let redemptions = IntCounterVec::new(
            Opts::new(
                "honor_redemptions_total",
                "Redemptions recorded in the ledger",
            ),
            &["channel"],
        )?;
        let refusals = IntCounterVec::new(
            Opts::new(
                "honor_redemption_refusals_total",
                "Redemptions refused, by reason",
            ),
            &["code"],
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(refused.clone()))?;
        registry.register(Box::new(decisions.clone()))?;
        registry.register(Box::new(reloads.clone()))?;
        registry.register(Box::new(redemptions.clone()))?;
        registry.register(Box::new(refusals.clone()))?;
        Ok(Metrics {
            registry,
            requests,
            refused,
            decisions,
            reloads,
            redemptions,
            refusals,
        })
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self) -> Result<String, prometheus::Error> {
        let mut out = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut out)?;
        Ok(String::from_utf8_lossy(&out).into_owned())
    }
}

/// Counts every answer by its declared route, so unknown paths cannot grow the labels.
pub async fn count(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", |m| m.as_str())
        .to_string();
    let method = req.method().clone();
    let response = next.run(req).await;
    state
        .metrics
        .requests
        .with_label_values(&[route.as_str(), method.as_str(), response.status().as_str()])
        .inc();
    response
}

/// Prometheus text exposition.
#[utoipa::path(get, path = "/metrics", responses(
    (status = 200, description = "The metrics", body = String, content_type = "text/plain"),
    (status = 401, description = "A token is needed", body = super::openapi::ErrorBody),
    (status = 503, description = "Overloaded or timed out", body = super::openapi::ErrorBody),
))]
pub(super) async fn metrics(State(state): State<AppState>) -> Response {
    match state.metrics.render() {
        Ok(text) => (
            [(
                header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            )],
            text,
        )
            .into_response(),
        Err(e) => ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "metrics_unavailable",
            format!("the metrics cannot be written: {e}"),
        )
        .into_response(),
    }
}
