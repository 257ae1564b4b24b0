//! The start page: what the marketplace is, and the way in.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use minijinja::context;

use super::{FormErrors, page};
use crate::PortalState;
use crate::visitor::visit;

/// GET /
pub async fn start(State(state): State<PortalState>, jar: CookieJar) -> Response {
    match visit(&state, jar).await {
        Ok((session, jar)) => {
            page(&state, &session, jar, "start.html", "Commissioning marketplace", &FormErrors::default(), context! {})
        }
        Err(error) => error.into_response(),
    }
}
