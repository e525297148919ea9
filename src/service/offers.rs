//! `GET /v1/offers`: the knowledge base of `honor offers` as JSON; with `code`, the offer
//! behind a code a customer reads out (404 when none has it).

use axum::Json;
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use super::error::ApiError;
use super::{AppState, request};
use crate::tools::offers::{self, listing};

pub fn routes() -> Router<AppState> {
    Router::new().route("/v1/offers", get(list))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OffersQuery {
    /// Show the offers as this channel sees them.
    pub channel: Option<String>,
    /// The instant to list at (RFC 3339); default now.
    #[param(format = DateTime)]
    pub at: Option<String>,
    /// A code a customer reads out (trimmed, any case).
    pub code: Option<String>,
}

/// An empty parameter (`?channel=`) is the same as none.
fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|v| !v.trim().is_empty())
}

/// A `+` written unencoded in a query string arrives as a space: `…T10:00:00 05:00` is the
/// offset `+05:00`.
fn plus_restored(text: &str) -> String {
    let bytes = text.as_bytes();
    if bytes.len() > 6 && bytes[bytes.len() - 6] == b' ' && bytes[bytes.len() - 3] == b':' {
        let (head, offset) = text.split_at(text.len() - 6);
        format!("{head}+{}", &offset[1..])
    } else {
        text.to_string()
    }
}

/// The offers live and coming, as a channel sees them; with `code`, the offer behind it.
#[utoipa::path(get, path = "/v1/offers", params(OffersQuery), responses(
    (status = 200, description = "The knowledge base", body = super::openapi::ListingDoc),
    (status = 400, description = "A query parameter that is not known", body = super::openapi::ErrorBody),
    (status = 401, description = "A token is needed", body = super::openapi::ErrorBody),
    (status = 404, description = "No offer has the code", body = super::openapi::ErrorBody),
    (status = 422, description = "An unknown channel or an instant that is not RFC 3339", body = super::openapi::ErrorBody),
    (status = 503, description = "Overloaded or timed out", body = super::openapi::ErrorBody),
))]
pub(super) async fn list(
    State(state): State<AppState>,
    query: Result<Query<OffersQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = query.map_err(|e| {
        ApiError::bad_request(
            "bad_query",
            format!("the query is not valid here: {}", e.body_text()),
        )
    })?;
    let loaded = state.rules.current();
    let rules = &loaded.rules;
    let at = request::instant(given(&q.at).map(plus_restored).as_deref())?;
    let channel = match given(&q.channel) {
        None => None,
        Some("all") => None,
        Some(name) => request::channel(rules, name)?,
    };
    let code = given(&q.code);
    let found = listing(
        rules,
        &offers::Query {
            at,
            channel,
            code,
            used: None,
        },
    );
    if let Some(code) = code
        && found.live.is_empty()
        && found.coming.is_empty()
        && found.other.is_empty()
    {
        return Err(ApiError::not_found(
            "unknown_code",
            format!(
                "no offer of the rule set has the code `{}`",
                crate::escape::excerpt(code.trim())
            ),
        ));
    }
    Ok(Json(found).into_response())
}
