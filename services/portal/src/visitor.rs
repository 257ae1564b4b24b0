//! The browser's session, found from its cookie or started, for every page.

use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use chrono::Utc;

use axum::http::HeaderMap;

use crate::pages::PageError;
use crate::sessions::{self, Session};
use crate::{PortalState, security};

/// The session cookie: HTTP-only, Secure (browsers treat localhost as secure too), SameSite=Lax.
pub fn session_cookie(token: &str) -> Cookie<'static> {
    Cookie::build((sessions::COOKIE, token.to_owned()))
        .path("/")
        .http_only(true)
        .secure(true)
        .same_site(SameSite::Lax)
        .build()
}

/// The visitor's session and the cookie jar to send back (with a new cookie when the session is new).
pub async fn visit(state: &PortalState, jar: CookieJar) -> Result<(Session, CookieJar), PageError> {
    let now = Utc::now();
    let db = state.0.db.conn();
    if let Some(cookie) = jar.get(sessions::COOKIE)
        && let Some(session) = sessions::find(db, cookie.value(), now).await.map_err(PageError::storage)?
    {
        return Ok((session, jar));
    }
    let session = sessions::start(db, None, now).await.map_err(PageError::storage)?;
    let jar = jar.add(session_cookie(&session.token));
    Ok((session, jar))
}

/// The session of a form sent back, once the form is shown to be this session's own (its CSRF
/// token, sent from this site); FORBIDDEN otherwise, before anything in it is read.
pub async fn visit_form(
    state: &PortalState,
    jar: CookieJar,
    headers: &HeaderMap,
    csrf_token: &str,
) -> Result<(Session, CookieJar), PageError> {
    let (session, jar) = visit(state, jar).await?;
    if !security::form_is_ours(headers, csrf_token, &session.csrf_token) {
        return Err(PageError::Forbidden);
    }
    Ok((session, jar))
}
