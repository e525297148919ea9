//! `GET /v1/openapi.json`: the OpenAPI 3 document of this service, generated from the
//! handlers' annotations and the types below. Decisions and listings are the engine's own
//! types; they are described here by their stable fields (a test checks real answers against
//! these descriptions), and any field added later is allowed.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use serde::Deserialize;

use crate::engine::ruleset::RuleSet;
use utoipa::{OpenApi, ToSchema};

use super::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/v1/openapi.json", get(document))
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "honor",
        description = "One answer to \"may this customer have this offer?\" on every channel: decisions, redemptions in one ledger, the offers' knowledge base, health and metrics."
    ),
    paths(
        super::decide::decide,
        super::offers::list,
        super::health::health,
        super::schema::schema,
        super::metrics::metrics,
        super::redemptions::redeem,
        super::redemptions::reverse,
        super::redemptions::entries,
        document
    ),
    modifiers(&BearerTokens),
    security((), ("bearer" = [])),
    components(schemas(
        super::decide::DecideRequest,
        DecisionDoc,
        AllChannelsDoc,
        OfferDecisionDoc,
        ClauseDoc,
        QuoteDoc,
        ParityDoc,
        ListingDoc,
        EntryDoc,
        super::health::Health,
        super::schema::SchemaListing,
        super::schema::FieldListing,
        ErrorBody,
        ErrorDetail,
        super::redemptions::RedeemRequest,
        super::redemptions::RecordedDoc,
        super::redemptions::ReplayedDoc,
        super::redemptions::RefusalDoc,
        super::redemptions::ReversedDoc,
        super::redemptions::EntriesDoc,
        super::ledger::Entry
    ))
)]
pub struct ApiDoc;

/// `--tokens`: a bearer token on every request (none needed when the service runs without).
struct BearerTokens;

impl utoipa::Modify for BearerTokens {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A token of `--tokens FILE`; a channel's token decides on its channel only",
                    ))
                    .build(),
            ),
        );
    }
}

/// The document, generated per request (it is small and rarely asked for), with the
/// channels and offers of the rule set serving.
#[utoipa::path(get, path = "/v1/openapi.json", responses(
    (status = 200, description = "This service's OpenAPI 3 document", content_type = "application/json")
))]
pub async fn document(State(state): State<AppState>) -> Json<serde_json::Value> {
    Json(for_rules(&state.rules.current().rules))
}

/// The document with the names a request may use: the rule set's channels (and `all`) and
/// its offers, so that clients and fuzzers see what is valid here.
pub fn for_rules(rules: &RuleSet) -> serde_json::Value {
    let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    let channels: Vec<serde_json::Value> = rules
        .model
        .channels
        .iter()
        .map(|c| c.as_str().into())
        .chain(["all".into()])
        .collect();
    let offers: Vec<serde_json::Value> = rules
        .model
        .offers
        .iter()
        .map(|o| o.id.as_str().into())
        .chain([serde_json::Value::Null])
        .collect();
    let request = &mut doc["components"]["schemas"]["DecideRequest"]["properties"];
    let mut nullable_channels = channels.clone();
    nullable_channels.push(serde_json::Value::Null);
    request["channel"]["enum"] = nullable_channels.into();
    request["offer"]["enum"] = offers.into();
    if let Some(params) = doc["paths"]["/v1/offers"]["get"]["parameters"].as_array_mut() {
        for param in params.iter_mut().filter(|p| p["name"] == "channel") {
            param["schema"]["enum"] = channels.clone().into();
        }
    }
    doc
}

/// An error: a stable snake_case code and a message in plain words.
#[derive(ToSchema, Deserialize)]
#[allow(dead_code)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(ToSchema, Deserialize)]
#[allow(dead_code)]
pub struct ErrorDetail {
    /// `bad_json`, `invalid_context`, `unknown_channel`, `unknown_offer`, …
    pub code: String,
    pub message: String,
    /// The context field at fault, when there is one.
    #[serde(default)]
    pub path: Option<String>,
}

/// The decision on one channel (`honor check --format json`).
#[derive(ToSchema, Deserialize)]
#[allow(dead_code)]
pub struct DecisionDoc {
    pub channel: String,
    pub at: String,
    /// The fingerprint of the rule set that decided.
    pub rules: String,
    /// In rule-set order.
    pub offers: Vec<OfferDecisionDoc>,
    /// `null` when the context has no `price`.
    pub quote: Option<QuoteDoc>,
}

/// Every channel's decision and whether they agree.
#[derive(ToSchema, Deserialize)]
#[allow(dead_code)]
pub struct AllChannelsDoc {
    /// By channel name.
    #[schema(value_type = std::collections::BTreeMap<String, DecisionDoc>)]
    pub decisions: std::collections::BTreeMap<String, DecisionDoc>,
    pub parity: ParityDoc,
}

#[derive(ToSchema, Deserialize)]
#[allow(dead_code)]
pub struct OfferDecisionDoc {
    pub id: String,
    pub title: String,
    /// `eligible`, `ineligible`, `unknown` or `not_honored`.
    pub status: String,
    pub clauses: Vec<ClauseDoc>,
    /// The context fields whose absence leaves the offer undecided.
    pub missing: Vec<String>,
}

#[derive(ToSchema, Deserialize)]
#[allow(dead_code)]
pub struct ClauseDoc {
    pub clause: String,
    /// `pass`, `fail` or `unknown`.
    pub result: String,
    pub detail: String,
}

#[derive(ToSchema, Deserialize)]
#[allow(dead_code)]
pub struct QuoteDoc {
    pub list: String,
    #[serde(rename = "final")]
    #[schema(rename = "final")]
    pub final_price: String,
    pub applied: Vec<String>,
}

#[derive(ToSchema, Deserialize)]
#[allow(dead_code)]
pub struct ParityDoc {
    pub same: bool,
    #[schema(value_type = Vec<Object>)]
    pub differences: Vec<serde_json::Value>,
}

/// The knowledge base of `honor offers --format json`.
#[derive(ToSchema, Deserialize)]
#[allow(dead_code)]
pub struct ListingDoc {
    pub at: String,
    pub rules: String,
    pub zone: String,
    pub channel: Option<String>,
    pub live: Vec<EntryDoc>,
    pub coming: Vec<EntryDoc>,
}

#[derive(ToSchema, Deserialize)]
#[allow(dead_code)]
pub struct EntryDoc {
    pub id: String,
    pub title: String,
    /// `live`, `coming`, `later` or `ended`.
    pub state: String,
    pub honored_on: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The descriptions above read the engine's real answers.
    #[test]
    fn real_answers_fit_their_descriptions() {
        use crate::engine::ruleset::RuleSet;
        use crate::input::context::Context;
        use crate::tools::offers::{Query, listing};
        let at = crate::value::time::parse_instant("2026-12-01T15:00:00Z").unwrap();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let rules = RuleSet::load(&root.join("rules"), at).unwrap();
        let doc = crate::input::document::Doc::parse(
            r#"{"customer": {"tenure_months": 30, "plan": "family", "flags": []}, "codes": ["UPGRADE-WINTER26"], "redeemed": [], "price": "130.00 USD"}"#,
            None,
        )
        .unwrap();
        let ctx = Context::from_doc(&doc, &rules.model.schema).unwrap();
        let one = serde_json::to_string(&rules.decide(&ctx, 1, at, None)).unwrap();
        let one: DecisionDoc = serde_json::from_str(&one).unwrap();
        assert!(one.quote.is_some());
        let all = serde_json::to_string(&rules.decide_all(&ctx, at, None)).unwrap();
        let all: AllChannelsDoc = serde_json::from_str(&all).unwrap();
        assert_eq!(all.decisions.len(), rules.model.channels.len());
        let found = listing(
            &rules,
            &Query {
                at,
                channel: Some(1),
                code: None,
                used: None,
            },
        );
        let found: ListingDoc =
            serde_json::from_str(&serde_json::to_string(&found).unwrap()).unwrap();
        assert!(!found.live.is_empty());
    }

    #[test]
    fn the_document_names_the_rule_sets_channels_and_offers() {
        let at = crate::value::time::parse_instant("2026-12-01T15:00:00Z").unwrap();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let rules = RuleSet::load(&root.join("rules"), at).unwrap();
        let doc = for_rules(&rules);
        let request = &doc["components"]["schemas"]["DecideRequest"]["properties"];
        assert_eq!(
            request["channel"]["enum"],
            serde_json::json!(["web", "store", "phone", "all", null])
        );
        let offers = request["offer"]["enum"].as_array().unwrap();
        assert_eq!(offers.len(), rules.model.offers.len() + 1);
        assert!(offers.contains(&serde_json::json!("free_upgrade")));
    }

    #[test]
    fn the_document_names_every_route() {
        let doc = serde_json::to_value(ApiDoc::openapi()).unwrap();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
        assert_eq!(
            doc["components"]["securitySchemes"]["bearer"]["scheme"],
            "bearer"
        );
        for path in [
            "/v1/decide",
            "/v1/offers",
            "/v1/health",
            "/v1/schema",
            "/metrics",
            "/v1/openapi.json",
            "/v1/redemptions",
            "/v1/redemptions/{key}",
            "/v1/customers/{id}/redemptions",
        ] {
            assert!(doc["paths"][path].is_object(), "{path} is documented");
        }
    }
}
