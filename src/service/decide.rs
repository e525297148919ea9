//! `POST /v1/decide`: the JSON decision of `honor check --format json`, for one channel or
//! every channel with parity.

use axum::Router;
use axum::extract::{Extension, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde::Deserialize;
use serde_json::value::RawValue;
use std::time::Instant;

use super::auth::Caller;
use super::body::JsonBody;
use super::error::ApiError;
use super::{AppState, request};
use crate::engine::decision::{AllChannels, Decision};
use crate::render;

pub fn routes() -> Router<AppState> {
    Router::new().route("/v1/decide", post(decide))
}

/// A decision request.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecideRequest {
    /// The customer's context, read exactly as written.
    pub context: Box<RawValue>,
    /// A channel of the rule set, or `all` (the default) for every channel and parity.
    #[serde(default)]
    pub channel: Option<String>,
    /// The instant to decide at (RFC 3339); default now.
    #[serde(default)]
    pub at: Option<String>,
    /// The customer's id in the ledger.
    #[serde(default)]
    pub customer: Option<String>,
    /// List only this offer, with every clause explained (the quote still uses every offer).
    #[serde(default)]
    pub offer: Option<String>,
}

/// A decision made: for one channel, or for all with parity.
pub enum Decided {
    One(Decision),
    All(AllChannels),
}

impl Decided {
    pub fn json(&self) -> String {
        match self {
            Decided::One(d) => render::json(d),
            Decided::All(all) => render::json(all),
        }
    }
}

async fn decide(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    JsonBody(req): JsonBody<DecideRequest>,
) -> Result<Response, ApiError> {
    // The rule set serving now decides this request to its end, whatever reloads meanwhile.
    let loaded = state.rules.current();
    let rules = &loaded.rules;
    let at = request::instant(req.at.as_deref())?;
    let channel_name = req.channel.as_deref().unwrap_or("all");
    let channel = request::channel(rules, channel_name)?;
    caller.may_use(channel.map(|_| channel_name))?;
    let only = req
        .offer
        .as_deref()
        .map(|id| request::offer(rules, id))
        .transpose()?;
    let ctx = request::context(rules, &req.context)?;

    let decider = loaded.clone();
    let (decided, json, took) = tokio::task::spawn_blocking(move || {
        let started = Instant::now();
        let rules = &decider.rules;
        let decided = match channel {
            Some(c) => Decided::One(rules.decide(&ctx, c, at, only)),
            None => Decided::All(rules.decide_all(&ctx, at, only)),
        };
        let json = decided.json();
        (decided, json, started.elapsed())
    })
    .await
    .map_err(|_| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the decision could not be completed",
        )
    })?;
    state
        .metrics
        .decisions
        .with_label_values(&[channel_name])
        .observe(took.as_secs_f64());
    let _ = decided;
    Ok(([(header::CONTENT_TYPE, "application/json")], json).into_response())
}
