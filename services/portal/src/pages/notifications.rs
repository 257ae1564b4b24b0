//! A charity's notifications, newest first: tenders that fit, documents about to expire, the
//! outcomes of its bids, each with where to act on it. Only the organisation's own are shown, and
//! showing them marks them read (they are still shown as new this once).

use axum::extract::State;
use axum::response::Response;
use chrono::Utc;
use minijinja::context;

use super::{FormErrors, PageError, page};
use crate::PortalState;
use crate::notifications;
use crate::visitor::CharityVisit;

/// GET /notifications
pub async fn notifications(
    State(state): State<PortalState>,
    CharityVisit { session, jar, person }: CharityVisit,
) -> Result<Response, PageError> {
    let db = state.0.db.conn();
    let shown = notifications::newest(db, &person.organisation_id).await.map_err(PageError::storage)?;
    let unread: Vec<String> = shown
        .iter()
        .filter(|notification| notification.read_at.is_none())
        .map(|notification| notification.id.clone())
        .collect();
    let items: Vec<minijinja::Value> = shown
        .iter()
        .map(|notification| {
            context! {
                title => &notification.title,
                body => &notification.body,
                link => &notification.link,
                time => platform::time::london_time_and_date(notification.created_at),
                datetime => notification.created_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                new => notification.read_at.is_none(),
            }
        })
        .collect();
    notifications::mark_read(db, &person.organisation_id, unread, Utc::now()).await.map_err(PageError::storage)?;
    let values = context! { notifications => items, page_size => notifications::PAGE_SIZE, unread_notifications => 0 };
    Ok(page(&state, &session, jar, "notifications.html", "Notifications", &FormErrors::default(), values))
}
