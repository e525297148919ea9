//! `POST /v1/decide`: the JSON decision of `honor check --format json`, for one channel or
//! every channel with parity.

use crate::input::document::Doc;
use crate::tools::record::RawJson;
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
use super::{AppState, redemptions, request};
use crate::engine::decision::{AllChannels, Decision};
use crate::render;
use crate::tools::record::{self, Outcome, Record};
use crate::value::time::format_instant;
use axum::http::HeaderValue;
use chrono::Utc;

pub fn routes() -> Router<AppState> {
    Router::new().route("/v1/decide", post(decide))
}

/// A decision request.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecideRequest {
    /// The customer's context, read exactly as written: fields of the rule set's schema
    /// (see `/v1/schema`), numbers as numbers, money as `"130.00 USD"`.
    #[schema(value_type = Object)]
    pub context: Box<RawValue>,
    /// A channel of the rule set, or `all` (the default) for every channel and parity.
    #[serde(default)]
    #[schema(example = "store")]
    pub channel: Option<String>,
    /// The instant to decide at (RFC 3339); default now.
    #[serde(default)]
    #[schema(format = DateTime)]
    pub at: Option<String>,
    /// The customer's id in the ledger.
    #[serde(default)]
    pub customer: Option<String>,
    /// List only this offer, with every clause explained (the quote still uses every offer).
    #[serde(default)]
    pub offer: Option<String>,
}

/// The two shapes a decision takes.
#[derive(utoipa::ToSchema, Deserialize)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum DecisionOrAll {
    One(super::openapi::DecisionDoc),
    All(super::openapi::AllChannelsDoc),
}

/// A decision made: for one channel, or for all with parity.
pub enum Decided<'a> {
    One(Decision<'a>),
    All(AllChannels<'a>),
}

/// The header that names the record of a decision, with `--records`.
pub const RECORD_HEADER: &str = "honor-record";

/// The context as a record keeps it: as sent (numbers keep their digits), with `redeemed` as
/// the ledger gave it when one did.
pub fn context_as_decided(raw: &RawValue, redeemed: Option<&[String]>) -> RawJson {
    let mut doc = crate::input::json::parse(raw.get()).unwrap_or(Doc::Null);
    if let Some(ids) = redeemed {
        let ids = Doc::List(ids.iter().map(|id| Doc::Text(id.clone())).collect());
        match &mut doc {
            Doc::Map(entries) => match entries.iter_mut().find(|(k, _)| k == "redeemed") {
                Some((_, value)) => *value = ids,
                None => entries.push((String::from("redeemed"), ids)),
            },
            other => *other = Doc::Map(vec![(String::from("redeemed"), ids)]),
        }
    }
    let text = doc.to_json();
    RawJson(
        RawValue::from_string(text)
            .unwrap_or_else(|_| RawValue::from_string(String::from("null")).expect("null is JSON")),
    )
}

impl Decided<'_> {
    /// Each channel's statuses and final price, as records keep them.
    pub fn outcomes(&self) -> std::collections::BTreeMap<String, Outcome> {
        match self {
            Decided::One(d) => record::outcomes_one(d),
            Decided::All(all) => record::outcomes_all(all),
        }
    }

    pub fn json(&self) -> String {
        match self {
            Decided::One(d) => render::json(d),
            Decided::All(all) => render::json(all),
        }
    }
}

/// Decides every offer (or one) for a customer's context on one channel or all.
#[utoipa::path(post, path = "/v1/decide", request_body = DecideRequest, responses(
    (status = 200, description = "The decision: one channel's, or every channel's with parity",
        body = inline(DecisionOrAll)),
    (status = 400, description = "The body is not JSON, not a decision request, or the context does not match the schema", body = super::openapi::ErrorBody),
    (status = 401, description = "A token is needed", body = super::openapi::ErrorBody),
    (status = 403, description = "The token is for another channel", body = super::openapi::ErrorBody),
    (status = 404, description = "No such offer", body = super::openapi::ErrorBody),
    (status = 413, description = "The body is over 1 MiB", body = super::openapi::ErrorBody),
    (status = 422, description = "An unknown channel or an instant that is not RFC 3339", body = super::openapi::ErrorBody),
    (status = 503, description = "Overloaded or timed out", body = super::openapi::ErrorBody),
))]
pub(super) async fn decide(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    JsonBody(req): JsonBody<DecideRequest>,
) -> Result<Response, ApiError> {
    let received = Utc::now();
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
    let read = redemptions::from_ledger(&state, rules, ctx, req.customer.as_deref()).await?;
    let ctx = read.ctx;
    let (ledger_redeemed, ledger_budget_use) = (read.redeemed, read.budget_use);

    let decider = loaded.clone();
    let keeper = state.records.clone();
    let channel_label = channel_name.to_string();
    let (json, took, recorded) = tokio::task::spawn_blocking(move || {
        let started = Instant::now();
        let rules = &decider.rules;
        let decided = match channel {
            Some(c) => Decided::One(rules.decide(&ctx, c, at, only)),
            None => Decided::All(rules.decide_all(&ctx, at, only)),
        };
        let json = decided.json();
        let took = started.elapsed();
        let recorded = keeper.map(|records| {
            let id = records.next_id();
            let record = Record {
                id: id.clone(),
                received: format_instant(received),
                at: format_instant(at),
                channel: channel_label,
                customer: req.customer,
                rules: rules.fingerprint.clone(),
                offer: req.offer,
                context: context_as_decided(&req.context, ledger_redeemed.as_deref()),
                budget_use: ledger_budget_use,
                outcomes: decided.outcomes(),
            };
            records.append(&record, received).map(|()| id)
        });
        (json, took, recorded)
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
    let mut response = ([(header::CONTENT_TYPE, "application/json")], json).into_response();
    match recorded {
        None => {}
        Some(Ok(id)) => {
            if let Ok(value) = HeaderValue::from_str(&id) {
                response.headers_mut().insert(RECORD_HEADER, value);
            }
        }
        // A decision that cannot be kept is not given: records are the answer to "what did
        // we promise", and a promise missing from them cannot be honored later.
        Some(Err(message)) => {
            return Err(ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "records_unavailable",
                message,
            ));
        }
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_keep_the_context_as_sent_with_the_ledgers_redemptions() {
        let raw = RawValue::from_string(String::from(
            r#"{"customer": {"tenure_months": 26.50}, "redeemed": ["x"]}"#,
        ))
        .unwrap();
        let as_sent = context_as_decided(&raw, None);
        assert_eq!(
            as_sent.to_string(),
            r#"{"customer":{"tenure_months":26.50},"redeemed":["x"]}"#
        );
        let ids = [String::from("free_upgrade"), String::from("free_upgrade")];
        let filled = context_as_decided(&raw, Some(&ids));
        assert_eq!(
            filled.to_string(),
            r#"{"customer":{"tenure_months":26.50},"redeemed":["free_upgrade","free_upgrade"]}"#
        );
    }
}
