//! The start page: what the marketplace is, and the way in.

use axum::extract::State;
use axum::response::Response;
use minijinja::context;

use super::{FormErrors, page};
use crate::PortalState;
use crate::visitor::Visit;

/// GET /
pub async fn start(State(state): State<PortalState>, Visit { session, jar }: Visit) -> Response {
    page(&state, &session, jar, "start.html", "Commissioning marketplace", &FormErrors::default(), context! {})
}
