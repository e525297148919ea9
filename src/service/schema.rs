//! `GET /v1/schema`: the context fields a channel may send, with their types, and the
//! channels — what a form for a customer's context is made from.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use serde::Serialize;

use super::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/v1/schema", get(schema))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SchemaListing {
    pub rules: String,
    pub channels: Vec<String>,
    pub fields: Vec<FieldListing>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct FieldListing {
    /// The dotted path: `customer.tenure_months`.
    pub path: String,
    /// As the schema spells it: `number`, `list of text`.
    #[serde(rename = "type")]
    #[schema(rename = "type")]
    pub ty: String,
    /// `codes`, `redeemed` and `price`: present in every rule set without declaring them.
    pub reserved: bool,
}

/// The context fields a channel may send, with their types, and the channels.
#[utoipa::path(get, path = "/v1/schema", responses(
    (status = 200, description = "The context schema", body = SchemaListing),
    (status = 401, description = "A token is needed", body = super::openapi::ErrorBody),
    (status = 503, description = "Overloaded or timed out", body = super::openapi::ErrorBody),
))]
pub(super) async fn schema(State(state): State<AppState>) -> Json<SchemaListing> {
    let loaded = state.rules.current();
    let model = &loaded.rules.model;
    Json(SchemaListing {
        rules: loaded.rules.fingerprint.clone(),
        channels: model.channels.clone(),
        fields: model
            .schema
            .fields()
            .iter()
            .map(|f| FieldListing {
                path: f.path.clone(),
                ty: f.ty.to_string(),
                reserved: f.span.is_none(),
            })
            .collect(),
    })
}
