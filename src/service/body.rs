//! JSON request bodies read with our own errors: a body that is not JSON, or not the shape a
//! route expects, is a 400 naming the line and column (or the field), and a body over the
//! limit is a 413 — never axum's plain-text rejections.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use super::error::ApiError;

/// Largest request body read.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// Longest wait for a request's whole body.
pub const BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Reads the whole body (at most [`MAX_BODY_BYTES`], within [`BODY_TIMEOUT`]) before the
/// request goes on: a 413 or a 408 with a JSON error otherwise.
pub async fn read_whole(req: Request, next: axum::middleware::Next) -> axum::response::Response {
    use axum::response::IntoResponse;
    let (parts, body) = req.into_parts();
    let read = tokio::time::timeout(BODY_TIMEOUT, axum::body::to_bytes(body, MAX_BODY_BYTES));
    match read.await {
        Ok(Ok(bytes)) => {
            next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
                .await
        }
        // the body limit's error says so; any other is a body that broke off
        Ok(Err(e)) if e.to_string().contains("length limit") => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            format!("the request body is larger than {MAX_BODY_BYTES} bytes"),
        )
        .into_response(),
        Ok(Err(e)) => ApiError::bad_request(
            "unreadable_body",
            format!(
                "cannot read the request body: {}",
                crate::escape::excerpt(&e.to_string())
            ),
        )
        .into_response(),
        Err(_) => ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            "body_timeout",
            format!(
                "the request body did not arrive within {} seconds",
                BODY_TIMEOUT.as_secs()
            ),
        )
        .into_response(),
    }
}

/// A JSON body deserialised into `T`.
pub struct JsonBody<T>(pub T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "body_too_large",
                    format!("the request body is larger than {MAX_BODY_BYTES} bytes"),
                )
            } else {
                ApiError::bad_request(
                    "unreadable_body",
                    format!("cannot read the request body: {}", rejection.body_text()),
                )
            }
        })?;
        parse(&bytes).map(JsonBody)
    }
}

/// Reads `bytes` as JSON of shape `T`.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    // a byte order mark, as some editors and tools write one, is read as the command line
    // reads it: not part of the document
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request(
            "bad_json",
            "the request body is empty; send a JSON object",
        ));
    }
    serde_json::from_slice(bytes).map_err(|e| {
        let code = if e.is_data() {
            "bad_request_shape"
        } else {
            "bad_json"
        };
        ApiError::bad_request(code, words(&e))
    })
}

/// serde_json's message with its place, in the project's style (lowercase, no period).
fn words(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let detail = match text.rfind(" at line ") {
        Some(i) => &text[..i],
        None => text.as_str(),
    };
    let what = if e.is_data() {
        "does not have the expected fields"
    } else {
        "is not valid JSON"
    };
    format!(
        "the request body {what}: line {} column {}: {detail}",
        e.line(),
        e.column()
    )
}
