//! Redemptions over HTTP: `POST /v1/redemptions` decides the offer with the ledger's view and
//! records it in the same transaction; `DELETE /v1/redemptions/{key}` reverses one;
//! `GET /v1/customers/{id}/redemptions` lists a customer's entries. Also what `/v1/decide`
//! reads from the ledger for a customer.

use axum::Router;
use axum::extract::rejection::PathRejection;
use axum::extract::{Extension, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;

use super::auth::Caller;
use super::body::JsonBody;
use super::decide::{RECORD_HEADER, context_as_decided};
use super::error::ApiError;
use super::ledger::read::budgeted_offers;
use super::ledger::{
    Entry, Ledger, LedgerError, MAX_KEY_CHARS, NewRedemption, Redeemed, View, body_hash,
};
use super::records::Records;
use super::redeem::{Verdict, decide_offer, with_view};
use super::{AppState, request};
use crate::engine::decision::OfferDecision;
use crate::engine::ruleset::RuleSet;
use crate::input::context::Context;
use crate::render;
use crate::tools::record::{Outcome, Record};
use crate::value::time::format_instant;

/// The longest customer id, in characters.
pub const MAX_CUSTOMER_CHARS: usize = 200;
/// The most entries a customer's listing holds (the most recent ones), so that an answer's
/// size stays bounded.
pub const MAX_LISTED: u32 = 1000;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/redemptions", post(redeem))
        .route("/v1/redemptions/{key}", delete(reverse))
        .route("/v1/customers/{id}/redemptions", get(entries))
}

/// A redemption request.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RedeemRequest {
    /// The caller's idempotency key (1–200 characters): the same key with the same body is
    /// the same redemption.
    #[schema(example = "order-10442")]
    key: String,
    /// The customer's id in the ledger (1–200 characters).
    #[schema(example = "C-1042")]
    customer: String,
    /// The offer redeemed.
    #[schema(example = "free_upgrade")]
    offer: String,
    /// The one channel the offer is redeemed on.
    #[schema(example = "store")]
    channel: String,
    /// The customer's context, as for `/v1/decide`, without `redeemed` (the ledger holds it).
    #[schema(value_type = Object)]
    context: Value,
    /// The instant to decide at (RFC 3339); default now.
    #[serde(default)]
    #[schema(format = DateTime)]
    at: Option<String>,
}

/// A redemption recorded now, with the decision that allowed it.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct RecordedDoc {
    redemption: Entry,
    decision: super::openapi::OfferDecisionDoc,
}

/// A redemption recorded before under the same key with the same request.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ReplayedDoc {
    redemption: Entry,
    replayed: bool,
}

/// A refused redemption: nothing was recorded. Refusals that come from the decision
/// (`limit_reached`, `budget_exhausted`, `not_eligible`) carry it.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct RefusalDoc {
    error: super::openapi::ErrorDetail,
    decision: Option<super::openapi::OfferDecisionDoc>,
}

/// A reversal: the entry, now marked reversed.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ReversedDoc {
    redemption: Entry,
    /// Whether it had been reversed before this request.
    already_reversed: bool,
}

/// A customer's entries, most recent 1,000 at most, oldest first.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct EntriesDoc {
    customer: String,
    redemptions: Vec<Entry>,
    /// False when older entries were left out.
    complete: bool,
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        render::json(body),
    )
        .into_response()
}

/// The attached ledger, or 503 when the service runs without one.
fn ledger(state: &AppState) -> Result<Arc<dyn Ledger>, ApiError> {
    state.ledger.clone().ok_or_else(|| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "no_ledger",
            "this service runs without a ledger (`--ledger none`), so it cannot record or read redemptions",
        )
    })
}

/// A ledger that did not answer: 503, with the cause on the service's log only.
fn unavailable(e: LedgerError) -> ApiError {
    eprintln!("honor serve: {e}");
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "ledger_unavailable",
        "the ledger did not answer; nothing was recorded that was not acknowledged, so try again with the same key",
    )
}

/// An identifier a caller chose (a key, a customer id): 1 to `max` characters, no control
/// characters.
fn identifier(field: &str, value: &str, max: usize) -> Result<(), ApiError> {
    let chars = value.chars().count();
    let code = if field == "key" {
        "bad_key"
    } else {
        "bad_customer"
    };
    if chars == 0 || chars > max {
        return Err(ApiError::unprocessable(
            code,
            format!("`{field}` must be 1 to {max} characters; this one has {chars}"),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(ApiError::unprocessable(
            code,
            format!("`{field}` cannot hold control characters (line breaks, tabs, NUL)"),
        ));
    }
    Ok(())
}

fn decision_json(decision: &OfferDecision) -> Value {
    serde_json::to_value(decision).unwrap_or(Value::Null)
}

/// A context with what the ledger gave it, as records keep it.
pub struct FromLedger {
    pub ctx: Context,
    /// The customer's redemptions, when the ledger filled `redeemed`.
    pub redeemed: Option<Vec<String>>,
    /// The budget counts, when a ledger is attached.
    pub budget_use: Option<BTreeMap<String, u64>>,
}

/// What `/v1/decide` reads from the ledger: the budget counts, and for a customer the
/// redemptions (refused when the context carries its own `redeemed`). Without a ledger the
/// context is decided as sent.
pub async fn from_ledger(
    state: &AppState,
    rules: &RuleSet,
    mut ctx: Context,
    customer: Option<&str>,
) -> Result<FromLedger, ApiError> {
    let Some(ledger) = state.ledger.as_ref() else {
        return Ok(FromLedger {
            ctx,
            redeemed: None,
            budget_use: None,
        });
    };
    let mut redeemed = None;
    if let Some(customer) = customer {
        identifier("customer", customer, MAX_CUSTOMER_CHARS)?;
        if ctx.has_redeemed() {
            return Err(ApiError::bad_request(
                "redeemed_from_ledger",
                format!(
                    "the context carries `redeemed`, but with `customer` the service reads `redeemed` from its ledger; send one or the other (customer `{customer}`)"
                ),
            )
            .with_path("redeemed"));
        }
        let ids = ledger.redeemed(customer).await.map_err(unavailable)?;
        ctx.set_redeemed(ids.clone());
        redeemed = Some(ids);
    }
    let budgeted = budgeted_offers(rules);
    let budget_use = if budgeted.is_empty() {
        BTreeMap::new()
    } else {
        ledger.budget_use(&budgeted).await.map_err(unavailable)?
    };
    ctx.set_budget_use(budget_use.clone());
    Ok(FromLedger {
        ctx,
        redeemed,
        budget_use: Some(budget_use),
    })
}

/// Decides the offer for the customer with the ledger's view and, in the same transaction,
/// records the redemption when it is eligible on the channel.
#[utoipa::path(post, path = "/v1/redemptions", request_body = RedeemRequest, responses(
    (status = 201, description = "Recorded, with the decision that allowed it", body = RecordedDoc),
    (status = 200, description = "Recorded before under this key with this request; nothing new recorded", body = ReplayedDoc),
    (status = 400, description = "The body is not JSON, not a redemption request, the context does not match the schema or carries `redeemed`", body = super::openapi::ErrorBody),
    (status = 401, description = "A token is needed", body = super::openapi::ErrorBody),
    (status = 403, description = "The token is for another channel", body = super::openapi::ErrorBody),
    (status = 404, description = "No such offer", body = super::openapi::ErrorBody),
    (status = 409, description = "`limit_reached` or `budget_exhausted`: nothing recorded", body = RefusalDoc),
    (status = 413, description = "The body is over 1 MiB", body = super::openapi::ErrorBody),
    (status = 422, description = "`not_eligible` (with the decision), `key_reused`, a bad key or customer, an unknown channel or an instant that is not RFC 3339", body = RefusalDoc),
    (status = 503, description = "No ledger (`--ledger none`), the ledger did not answer, or overloaded: send it again with the same key", body = super::openapi::ErrorBody),
))]
pub(super) async fn redeem(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    JsonBody(body): JsonBody<Value>,
) -> Result<Response, ApiError> {
    let ledger = ledger(&state)?;
    let hash = body_hash(&body);
    let req: RedeemRequest = serde_json::from_value(body).map_err(|e| {
        ApiError::bad_request(
            "bad_request_shape",
            format!("the request body does not have the expected fields: {e}"),
        )
    })?;
    identifier("key", &req.key, MAX_KEY_CHARS)?;
    identifier("customer", &req.customer, MAX_CUSTOMER_CHARS)?;
    // The rule set serving now decides this redemption to its end, whatever reloads meanwhile.
    let loaded = state.rules.current();
    let rules = &loaded.rules;
    let at = request::instant(req.at.as_deref())?;
    let Some(channel) = request::channel(rules, &req.channel)? else {
        return Err(ApiError::unprocessable(
            "unknown_channel",
            format!(
                "a redemption happens on one channel, not `all`; this rule set's channels are {}",
                rules.model.channels.join(", ")
            ),
        ));
    };
    caller.may_use(Some(&req.channel))?;
    let offer = request::offer(rules, &req.offer)?;
    let raw = serde_json::value::to_raw_value(&req.context).map_err(|e| {
        ApiError::bad_request("bad_context", format!("the context cannot be read: {e}"))
    })?;
    let ctx = request::context(rules, &raw)?;
    if ctx.has_redeemed() {
        return Err(ApiError::bad_request(
            "redeemed_from_ledger",
            "the context carries `redeemed`, but a redemption reads the customer's redemptions from the ledger; leave it out",
        )
        .with_path("redeemed"));
    }

    let new = NewRedemption {
        key: req.key.clone(),
        customer: req.customer.clone(),
        offer: req.offer.clone(),
        channel: req.channel.clone(),
        at: format_instant(at),
        rules: rules.fingerprint.clone(),
        body_hash: hash,
        budgeted: rules.offers[offer].budget.is_some(),
    };
    let received = Utc::now();
    // the context as the ledger saw it inside the transaction, to decide from again after it
    let mut seen: Option<(Context, View)> = None;
    let mut decide = |view: &View| {
        let ctx = with_view(rules, &ctx, offer, view);
        let record = Verdict::of(&decide_offer(rules, &ctx, channel, at, offer)) == Verdict::Record;
        seen = Some((ctx, view.clone()));
        record
    };
    let outcome = ledger
        .redeem(&new, &mut decide)
        .await
        .map_err(unavailable)?;
    let decided = seen
        .as_ref()
        .map(|(ctx, view)| (decide_offer(rules, ctx, channel, at, offer), view.clone()));
    let mut record_id = None;
    if let (Some((decision, view)), Some(records)) = (&decided, &state.records)
        && matches!(outcome, Redeemed::Recorded(_) | Redeemed::Refused)
    {
        record_id = Some(keep_record(records, &new, &raw, decision, view, received).await?);
    }
    let mut response = answer(&state, &req, outcome, decided)?;
    if let Some(value) = record_id.and_then(|id| HeaderValue::from_str(&id).ok()) {
        response.headers_mut().insert(RECORD_HEADER, value);
    }
    Ok(response)
}

/// The answer to a redemption, counted in the metrics.
fn answer(
    state: &AppState,
    req: &RedeemRequest,
    outcome: Redeemed,
    decided: Option<(OfferDecision, View)>,
) -> Result<Response, ApiError> {
    match outcome {
        Redeemed::Recorded(entry) => {
            state
                .metrics
                .redemptions
                .with_label_values(&[entry.channel.as_str()])
                .inc();
            let decision = decided
                .as_ref()
                .map_or(Value::Null, |(d, _)| decision_json(d));
            Ok(json_response(
                StatusCode::CREATED,
                &json!({ "redemption": entry, "decision": decision }),
            ))
        }
        Redeemed::Replayed(entry) => Ok(json_response(
            StatusCode::OK,
            &json!({ "redemption": entry, "replayed": true }),
        )),
        Redeemed::KeyReused(_) => {
            state
                .metrics
                .refusals
                .with_label_values(&["key_reused"])
                .inc();
            Err(ApiError::unprocessable(
                "key_reused",
                format!(
                    "the key `{}` already recorded another redemption; a new redemption needs a new key",
                    req.key
                ),
            ))
        }
        Redeemed::Refused => {
            let Some((decision, _)) = decided else {
                return Err(unavailable(LedgerError::Unavailable(String::from(
                    "the ledger refused without deciding",
                ))));
            };
            let verdict = Verdict::of(&decision);
            state
                .metrics
                .refusals
                .with_label_values(&[verdict.code()])
                .inc();
            Ok(refusal(req, &decision))
        }
    }
}

/// Appends the redemption's decision to the records, as `/v1/decide` does its own: the
/// context with `redeemed` and the budget count as the ledger gave them inside the
/// transaction. When the records cannot be written the answer is an error even though the
/// ledger holds the redemption: the client sends it again with the same key and gets it.
async fn keep_record(
    records: &Arc<Records>,
    new: &NewRedemption,
    raw: &RawValue,
    decision: &OfferDecision<'_>,
    view: &View,
    received: DateTime<Utc>,
) -> Result<String, ApiError> {
    let id = records.next_id();
    let record = Record {
        id: id.clone(),
        received: format_instant(received),
        at: new.at.clone(),
        channel: new.channel.clone(),
        customer: Some(new.customer.clone()),
        rules: new.rules.clone(),
        offer: Some(new.offer.clone()),
        context: context_as_decided(raw, Some(&view.redeemed)),
        budget_use: Some(BTreeMap::from([(new.offer.clone(), view.used)])),
        outcomes: BTreeMap::from([(
            new.channel.clone(),
            Outcome {
                offers: BTreeMap::from([(
                    decision.id.to_string(),
                    decision.status.word().to_string(),
                )]),
                quote: None,
            },
        )]),
    };
    let records = records.clone();
    tokio::task::spawn_blocking(move || records.append(&record, received))
        .await
        .map_err(|e| e.to_string())
        .and_then(|appended| appended)
        .map(|()| id)
        .map_err(|message| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "records_unavailable",
                message,
            )
        })
}

/// A refused redemption: 409 for a limit or budget, 422 otherwise, with the decision.
fn refusal(req: &RedeemRequest, decision: &OfferDecision) -> Response {
    let verdict = Verdict::of(decision);
    let detail = |clause: &str| {
        decision
            .clauses
            .iter()
            .find(|c| c.clause == clause)
            .map_or(String::new(), |c| format!(" ({})", c.detail))
    };
    let (status, message) = match verdict {
        Verdict::LimitReached => (
            StatusCode::CONFLICT,
            format!(
                "customer `{}` has already redeemed `{}` as often as its limit allows{}",
                req.customer,
                req.offer,
                detail("limit")
            ),
        ),
        Verdict::BudgetExhausted => (
            StatusCode::CONFLICT,
            format!(
                "the budget of `{}` is used up{}",
                req.offer,
                detail("budget")
            ),
        ),
        Verdict::NotEligible | Verdict::Record => (
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "`{}` is {} for this customer on `{}`, so nothing was recorded; the decision says why",
                req.offer,
                decision.status.word().replace('_', " "),
                req.channel
            ),
        ),
    };
    json_response(
        status,
        &json!({
            "error": { "code": verdict.code(), "message": message },
            "decision": decision_json(decision),
        }),
    )
}

fn path_value(found: Result<Path<String>, PathRejection>) -> Result<String, ApiError> {
    found
        .map(|Path(v)| v)
        .map_err(|e| ApiError::bad_request("bad_path", format!("the path cannot be read: {e}")))
}

/// Reverses a redemption: kept in the ledger, marked reversed, no longer counted.
#[utoipa::path(delete, path = "/v1/redemptions/{key}",
    params(("key" = String, Path, description = "The redemption's idempotency key")),
    responses(
    (status = 200, description = "Reversed (now or before)", body = ReversedDoc),
    (status = 401, description = "A token is needed", body = super::openapi::ErrorBody),
    (status = 403, description = "The token is for another channel than the redemption's", body = super::openapi::ErrorBody),
    (status = 404, description = "No redemption has this key", body = super::openapi::ErrorBody),
    (status = 422, description = "Not a key (1–200 characters, no control characters)", body = super::openapi::ErrorBody),
    (status = 503, description = "No ledger, or the ledger did not answer", body = super::openapi::ErrorBody),
))]
pub(super) async fn reverse(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    key: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let ledger = ledger(&state)?;
    let key = path_value(key)?;
    identifier("key", &key, MAX_KEY_CHARS)?;
    let unknown = || {
        ApiError::not_found(
            "unknown_redemption",
            format!("no redemption has the key `{key}`"),
        )
    };
    let found = ledger
        .find(&key)
        .await
        .map_err(unavailable)?
        .ok_or_else(unknown)?;
    // A channel's token reverses only what was redeemed on its channel.
    caller.may_use(Some(&found.channel))?;
    let reversal = ledger
        .reverse(&key)
        .await
        .map_err(unavailable)?
        .ok_or_else(unknown)?;
    Ok(json_response(
        StatusCode::OK,
        &json!({ "redemption": reversal.entry, "already_reversed": reversal.repeated }),
    ))
}

/// A customer's redemptions, reversed ones too.
#[utoipa::path(get, path = "/v1/customers/{id}/redemptions",
    params(("id" = String, Path, description = "The customer's id in the ledger")),
    responses(
    (status = 200, description = "The customer's most recent entries, oldest first", body = EntriesDoc),
    (status = 401, description = "A token is needed", body = super::openapi::ErrorBody),
    (status = 422, description = "Not a customer id (1–200 characters, no control characters)", body = super::openapi::ErrorBody),
    (status = 503, description = "No ledger, or the ledger did not answer", body = super::openapi::ErrorBody),
))]
pub(super) async fn entries(
    State(state): State<AppState>,
    customer: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let ledger = ledger(&state)?;
    let customer = path_value(customer)?;
    identifier("customer", &customer, MAX_CUSTOMER_CHARS)?;
    let mut found: Vec<Entry> = ledger
        .entries(&customer, MAX_LISTED + 1)
        .await
        .map_err(unavailable)?;
    // One more than listed was asked for, to tell whether older entries were left out.
    let complete = found.len() <= MAX_LISTED as usize;
    if !complete {
        found.remove(0);
    }
    Ok(json_response(
        StatusCode::OK,
        &json!({ "customer": customer, "redemptions": found, "complete": complete }),
    ))
}
