//! What every response and every form carries: a Content-Security-Policy and its companions, and
//! the checks that a form was posted by this portal's own page (the session's CSRF token, and the
//! browser's Origin when it sends one).

use std::sync::LazyLock;

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use sha2::{Digest, Sha256};

use crate::templates::js_enabled_snippet_source;

static CONTENT_SECURITY_POLICY: LazyLock<String> = LazyLock::new(|| {
    format!(
        "default-src 'self'; script-src 'self' {}; style-src 'self'; img-src 'self' data:; font-src 'self'; \
         connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
        js_enabled_snippet_source()
    )
});

/// Adds the security headers to every response.
pub async fn headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if let Ok(policy) = HeaderValue::from_str(&CONTENT_SECURITY_POLICY) {
        headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

/// Whether a posted form came from this portal: its `csrf_token` is the session's, and the
/// browser's Origin, when sent, is this site.
pub fn form_is_ours(headers: &HeaderMap, posted_token: &str, session_token: &str) -> bool {
    // Comparing digests takes the same time wherever the tokens differ.
    let same_token = !session_token.is_empty() && Sha256::digest(posted_token) == Sha256::digest(session_token);
    let host = headers.get(header::HOST).and_then(|host| host.to_str().ok());
    let same_origin = match headers.get(header::ORIGIN).and_then(|origin| origin.to_str().ok()) {
        None => true,
        Some(origin) => {
            let origin_host = origin.split_once("://").map(|(_, rest)| rest.trim_end_matches('/'));
            origin_host.is_some() && origin_host == host
        }
    };
    same_token && same_origin
}
