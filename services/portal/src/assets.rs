//! The styles and scripts, embedded at build time (see build.rs): GOV.UK Frontend compiled with the
//! marketplace's font and colours, its script, and the few lines that start it.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

const PORTAL_CSS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/portal.css"));
const GOVUK_FRONTEND_JS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/govuk-frontend.min.js"));
/// Starts govuk-frontend's components; a page works the same without it.
const PORTAL_JS: &str = "import { initAll } from \"/assets/govuk-frontend.min.js\";\ninitAll();\n";

/// GET /assets/{name}
pub async fn asset(Path(name): Path<String>) -> Response {
    let (body, content_type): (&'static [u8], &str) = match name.as_str() {
        "portal.css" => (PORTAL_CSS, "text/css; charset=utf-8"),
        "govuk-frontend.min.js" => (GOVUK_FRONTEND_JS, "text/javascript; charset=utf-8"),
        "portal.js" => (PORTAL_JS.as_bytes(), "text/javascript; charset=utf-8"),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "public, max-age=3600")], body).into_response()
}
