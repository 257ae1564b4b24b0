//! Who is visiting a page, as extractors for its handler: the browser's session, found from its
//! cookie or started, and the signed-in member of a charity the charity's pages are for.

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::request::Parts;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use chrono::Utc;
use platform::auth::Role;

use crate::pages::PageError;
use crate::sessions::{self, Person, Session};
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

/// Anyone's visit: the session, and the jar to send back with the page (carrying the cookie of a
/// session started just now, so a page sent without it loses the session).
pub struct Visit {
    pub session: Session,
    pub jar: CookieJar,
}

impl Visit {
    /// FORBIDDEN unless a posted form is this session's own (its CSRF token, sent from this site);
    /// checked before anything in the form is used.
    pub fn check_form(&self, headers: &HeaderMap, csrf_token: &str) -> Result<(), PageError> {
        if security::form_is_ours(headers, csrf_token, &self.session.csrf_token) {
            Ok(())
        } else {
            Err(PageError::Forbidden)
        }
    }
}

impl FromRequestParts<PortalState> for Visit {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &PortalState) -> Result<Self, PageError> {
        let jar = CookieJar::from_headers(&parts.headers);
        let now = Utc::now();
        let db = state.0.db.conn();
        if let Some(cookie) = jar.get(sessions::COOKIE)
            && let Some(session) = sessions::find(db, cookie.value(), now).await.map_err(PageError::storage)?
        {
            return Ok(Self { session, jar });
        }
        let session = sessions::start(db, None, now).await.map_err(PageError::storage)?;
        let jar = jar.add(session_cookie(&session.token));
        Ok(Self { session, jar })
    }
}

/// A visit by a signed-in member of a registered charity. Anyone else is sent to sign in, or, while
/// acting for the platform until their charity is registered (or for a council), to the dashboard.
/// A form's handler takes a [`Visit`] and turns it into this after [`Visit::check_form`], so that a
/// forged form is refused before anything else is said about it.
pub struct CharityVisit {
    pub session: Session,
    pub jar: CookieJar,
    pub person: Person,
}

impl TryFrom<Visit> for CharityVisit {
    type Error = PageError;

    fn try_from(Visit { session, jar }: Visit) -> Result<Self, PageError> {
        let person = match &session.person {
            None => return Err(PageError::SignInNeeded),
            Some(person) if person.organisation_id == "platform" || !person.roles.contains(&Role::Provider) => {
                return Err(PageError::GoTo("/dashboard"));
            }
            Some(person) => person.clone(),
        };
        Ok(Self { session, jar, person })
    }
}

impl FromRequestParts<PortalState> for CharityVisit {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &PortalState) -> Result<Self, PageError> {
        Visit::from_request_parts(parts, state).await?.try_into()
    }
}

/// A visit by a signed-in member of a council's staff: an officer, an evaluator or an
/// integrator. Anyone else is sent to sign in, or to their own dashboard. The services still
/// decide what each person may see.
pub struct StaffVisit {
    pub session: Session,
    pub jar: CookieJar,
    pub person: Person,
}

impl TryFrom<Visit> for StaffVisit {
    type Error = PageError;

    fn try_from(Visit { session, jar }: Visit) -> Result<Self, PageError> {
        const STAFF: [Role; 3] = [Role::Officer, Role::Evaluator, Role::Integrator];
        let person = match &session.person {
            None => return Err(PageError::SignInNeeded),
            Some(person) if !person.roles.iter().any(|role| STAFF.contains(role)) => {
                return Err(PageError::GoTo("/dashboard"));
            }
            Some(person) => person.clone(),
        };
        Ok(Self { session, jar, person })
    }
}

impl StaffVisit {
    /// This visit, if the person has `role`; FORBIDDEN otherwise (an evaluator on an officer's page).
    pub fn with_role(self, role: Role) -> Result<Self, PageError> {
        if self.person.roles.contains(&role) { Ok(self) } else { Err(PageError::Forbidden) }
    }
}

impl FromRequestParts<PortalState> for StaffVisit {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &PortalState) -> Result<Self, PageError> {
        Visit::from_request_parts(parts, state).await?.try_into()
    }
}
