//! `GET /`: the page for store and call-centre agents.

use axum::Router;
use axum::response::Html;
use axum::routing::get;

use super::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/", get(page))
}

const PAGE: &str = r#"<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>honor</title></head>
<body>
<h1>honor</h1>
<p>The agent console is served here. Until it is, channels call the JSON API under
<code>/v1/</code>: <code>POST /v1/decide</code>, <code>GET /v1/offers</code>,
<code>GET /v1/health</code>.</p>
</body>
</html>
"#;

async fn page() -> Html<&'static str> {
    Html(PAGE)
}
