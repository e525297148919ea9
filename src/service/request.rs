//! What every decision request carries, read the same way on every route that decides:
//! the instant, the channel, the offer and the context, each refused with a clear error.

use chrono::{DateTime, Timelike, Utc};
use serde_json::value::RawValue;

use super::error::ApiError;
use crate::engine::ruleset::RuleSet;
use crate::input::context::Context;
use crate::value::time::parse_instant;

/// `at`, or now in whole seconds (the instant is shown, and "now" needs no fraction).
pub fn instant(at: Option<&str>) -> Result<DateTime<Utc>, ApiError> {
    match at {
        None => Ok(Utc::now().with_nanosecond(0).unwrap_or_else(Utc::now)),
        Some(text) => parse_instant(text).ok_or_else(|| {
            ApiError::unprocessable(
                "bad_instant",
                format!(
                    "the instant `{}` (`at`) is not an RFC 3339 instant of the years 0000 to 9999 (in UTC); write it like 2016-05-10T10:00:00-05:00 or 2016-05-10T15:00:00Z", crate::escape::excerpt(text)
                ),
            )
        }),
    }
}

/// A channel of the rule set, or `None` for `all`.
pub fn channel(rules: &RuleSet, name: &str) -> Result<Option<usize>, ApiError> {
    if name == "all" {
        return Ok(None);
    }
    rules
        .channel(name)
        .map(Some)
        .map_err(|message| ApiError::unprocessable("unknown_channel", message))
}

/// The index of an offer of the rule set.
pub fn offer(rules: &RuleSet, id: &str) -> Result<usize, ApiError> {
    rules
        .offer_index(id)
        .map_err(|message| ApiError::not_found("unknown_offer", message))
}

/// The context exactly as sent (numbers keep their digits), checked against the schema.
pub fn context(rules: &RuleSet, raw: &RawValue) -> Result<Context, ApiError> {
    if raw.get().trim() == "null" {
        return Err(ApiError::bad_request(
            "invalid_context",
            "the context is null; send a map of fields (`{}` when nothing is known)",
        ));
    }
    let doc = crate::input::json::parse(raw.get()).map_err(|e| {
        ApiError::bad_request("bad_context", format!("the context cannot be read: {e}"))
    })?;
    Context::from_doc(&doc, &rules.model.schema).map_err(|e| {
        ApiError::bad_request("invalid_context", e.to_string()).with_path(e.path.clone())
    })
}
