//! `GET /v1/health`: the rule set serving, when it was loaded, the ledger, and why the last
//! reload was refused (if it was).

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use serde::Serialize;

use super::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/v1/health", get(health))
}

#[derive(Serialize)]
pub struct Health {
    pub status: &'static str,
    /// The fingerprint of the rule set serving.
    pub rules: String,
    pub loaded_at: String,
    pub offers: usize,
    /// `sqlite`, `postgres` or `none`.
    pub ledger: &'static str,
    /// Why the last reload was refused; null once a reload succeeds.
    pub reload_error: Option<String>,
}

async fn health(State(state): State<AppState>) -> Json<Health> {
    let loaded = state.rules.current();
    Json(Health {
        status: "ok",
        rules: loaded.rules.fingerprint.clone(),
        loaded_at: loaded.loaded_at(),
        offers: loaded.rules.model.offers.len(),
        ledger: state.ledger.as_ref().map_or("none", |l| l.backend()),
        reload_error: state.rules.reload_error().map(|e| e.to_string()),
    })
}
