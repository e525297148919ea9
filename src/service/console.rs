//! `GET /`: the agent console, a page for store and call-centre agents (SPEC 10.1).
//!
//! The page, its style sheet and its script are files under `console/`, compiled into the
//! binary so a till needs nothing but the service. They hold no data: everything the page
//! shows comes from the JSON API with the agent's token, so they load without one.
//! The Content-Security-Policy allows scripts and styles from these files only (no inline
//! code, no `eval`, nothing from elsewhere), so text from rules or customers that slipped
//! into the page as markup still could not run.

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

const PAGE: &str = include_str!("console/index.html");
const STYLE: &str = include_str!("console/console.css");
const SCRIPT: &str = include_str!("console/console.js");

pub const PAGE_PATH: &str = "/";
pub const STYLE_PATH: &str = "/console/console.css";
pub const SCRIPT_PATH: &str = "/console/console.js";

/// What every console file is served with.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self'; img-src 'self'; connect-src 'self'; object-src 'none'; \
     base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route(PAGE_PATH, get(page))
        .route(STYLE_PATH, get(style))
        .route(SCRIPT_PATH, get(script))
}

/// The console's own files, which load without a token.
pub fn is_console_file(path: &str) -> bool {
    matches!(path, PAGE_PATH | STYLE_PATH | SCRIPT_PATH)
}

async fn page() -> Response {
    file("text/html; charset=utf-8", PAGE)
}

async fn style() -> Response {
    file("text/css; charset=utf-8", STYLE)
}

async fn script() -> Response {
    file("text/javascript; charset=utf-8", SCRIPT)
}

fn file(content_type: &'static str, body: &'static str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    // A new binary may bring a new page: the browser asks again rather than mixing versions.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::{Body, to_bytes};
    use axum::http::{Request, StatusCode};
    use tower::ServiceExt;

    async fn get_file(path: &str) -> (StatusCode, axum::http::HeaderMap, String) {
        let response = routes::<()>()
            .oneshot(Request::get(path).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = to_bytes(response.into_body(), 1 << 20).await.unwrap();
        (status, headers, String::from_utf8(body.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn every_file_is_served_with_its_type_and_the_strict_policy() {
        for (path, kind) in [
            (PAGE_PATH, "text/html"),
            (STYLE_PATH, "text/css"),
            (SCRIPT_PATH, "text/javascript"),
        ] {
            let (status, headers, body) = get_file(path).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            assert!(
                headers[header::CONTENT_TYPE]
                    .to_str()
                    .unwrap()
                    .starts_with(kind)
            );
            assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
            let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
            assert!(csp.starts_with("default-src 'self';"), "{csp}");
            assert!(!csp.contains("unsafe"), "{csp}");
            assert!(!body.is_empty());
            assert!(is_console_file(path));
        }
        assert!(!is_console_file("/v1/decide"));
    }

    /// The policy forbids inline code; this keeps the page from depending on any, which
    /// the browser would silently refuse to run.
    #[test]
    fn the_page_has_no_inline_code_and_nothing_from_elsewhere() {
        let lower = PAGE.to_lowercase();
        for (at, _) in lower.match_indices("<script") {
            let tag = &lower[at..at + lower[at..].find('>').unwrap()];
            assert!(tag.contains("src=\"/console/"), "inline script: {tag}");
        }
        assert!(!lower.contains("<style"), "inline style element");
        assert!(!lower.contains(" style="), "inline style attribute");
        assert!(!lower.contains("javascript:"));
        for attribute in [
            " onclick=",
            " onload=",
            " onsubmit=",
            " onchange=",
            " oninput=",
        ] {
            assert!(!lower.contains(attribute), "inline handler {attribute}");
        }
        for text in [PAGE, STYLE, SCRIPT] {
            assert!(!text.contains("http://") && !text.contains("https://"));
            assert!(!text.contains("@import") && !text.contains("url("));
        }
        assert!(PAGE.contains(STYLE_PATH) && PAGE.contains(SCRIPT_PATH));
    }

    /// Data reaches the page as text only: the script never writes markup.
    #[test]
    fn the_script_never_writes_markup_or_evaluates_text() {
        for forbidden in [
            "innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "document.write",
            "eval(",
            "new Function",
        ] {
            assert!(!SCRIPT.contains(forbidden), "console.js uses {forbidden}");
        }
    }
}
