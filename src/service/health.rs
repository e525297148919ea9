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

#[derive(Serialize, utoipa::ToSchema)]
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

/// The rule set serving, the ledger, and why the last reload was refused.
#[utoipa::path(get, path = "/v1/health", responses(
    (status = 200, description = "The service is up", body = Health),
    (status = 401, description = "A token is needed", body = super::openapi::ErrorBody),
    (status = 503, description = "Overloaded or timed out", body = super::openapi::ErrorBody),
))]
pub(super) async fn health(State(state): State<AppState>) -> Json<Health> {
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
