//! Signing in and out. In development (the embedded default) a sign-in page lets you act as a
//! charity's volunteer by name and email; it is refused when the portal signs production tokens,
//! where people sign in through an identity provider.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use axum_extra::extract::cookie::CookieJar;
use chrono::Utc;
use minijinja::context;
use platform::auth::Role;
use serde::Deserialize;

use super::{FormErrors, PageError, page};
use crate::sessions::{self, Person};
use crate::visitor::{Visit, session_cookie};
use crate::{PortalState, people};

/// Who you may act as on the development sign-in page.
const CHARITY_VOLUNTEER: &str = "charity-volunteer";

#[derive(Debug, Default, Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    acting_as: String,
}

fn people_items() -> Vec<minijinja::Value> {
    vec![context! {
        value => CHARITY_VOLUNTEER,
        text => "A volunteer or worker at a charity or community group",
        hint => context! { text => "Register your organisation, or carry on with the one you registered." },
    }]
}

fn sign_in_form(
    state: &PortalState,
    session: &sessions::Session,
    jar: CookieJar,
    form: &SignInForm,
    errors: &FormErrors,
) -> Response {
    let values = context! {
        form => context! { name => &form.name, email => &form.email, acting_as => &form.acting_as },
        people => people_items(),
    };
    page(state, session, jar, "sign_in.html", "Sign in", errors, values)
}

/// GET /sign-in
pub async fn sign_in_page(State(state): State<PortalState>, Visit { session, jar }: Visit) -> Response {
    sign_in_form(&state, &session, jar, &SignInForm::default(), &FormErrors::default())
}

/// POST /sign-in
pub async fn sign_in(
    State(state): State<PortalState>,
    headers: HeaderMap,
    visit: Visit,
    Form(form): Form<SignInForm>,
) -> Result<Response, PageError> {
    visit.check_form(&headers, &form.csrf_token)?;
    let Visit { session, jar } = visit;
    let mut errors = FormErrors::default();
    let name = form.name.trim();
    let email = form.email.trim().to_lowercase();
    if name.is_empty() {
        errors.add("name", "Enter your name");
    } else if name.chars().count() > 100 {
        errors.add("name", "Your name must be 100 characters or fewer");
    }
    if email.is_empty() {
        errors.add("email", "Enter your email address");
    } else if !looks_like_email(&email) {
        errors.add("email", "Enter an email address in the correct format, like name@example.com");
    }
    if form.acting_as != CHARITY_VOLUNTEER {
        errors.add("acting_as", "Select who you are");
    }
    if !errors.is_empty() {
        return Ok(sign_in_form(&state, &session, jar, &form, &errors));
    }
    let user_id = format!("dev:{email}");
    let db = state.0.db.conn();
    let organisation = people::organisation_of(db, &user_id).await.map_err(PageError::storage)?;
    // A volunteer whose charity is not registered yet acts for the platform until it is.
    let (organisation_id, organisation_name) = organisation.map_or_else(
        || ("platform".to_owned(), String::new()),
        |known| (known.organisation_id, known.organisation_name),
    );
    let person =
        Person { user_id, name: name.to_owned(), organisation_id, organisation_name, roles: vec![Role::Provider] };
    // A new session on sign-in, so that no token from before it is worth anything after.
    let started = async {
        sessions::end(db, &session.token).await?;
        sessions::start(db, Some(person), Utc::now()).await
    };
    let signed_in = started.await.map_err(PageError::storage)?;
    Ok((jar.add(session_cookie(&signed_in.token)), Redirect::to("/dashboard")).into_response())
}

#[derive(Debug, Deserialize)]
pub struct SignOutForm {
    #[serde(default)]
    csrf_token: String,
}

/// POST /sign-out
pub async fn sign_out(
    State(state): State<PortalState>,
    headers: HeaderMap,
    visit: Visit,
    Form(form): Form<SignOutForm>,
) -> Result<Response, PageError> {
    visit.check_form(&headers, &form.csrf_token)?;
    sessions::end(state.0.db.conn(), &visit.session.token).await.map_err(PageError::storage)?;
    Ok((visit.jar.remove(session_cookie("")), Redirect::to("/")).into_response())
}

/// One @, something before it, and a dot in the domain after it: enough to catch a typing slip.
fn looks_like_email(email: &str) -> bool {
    email.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !email.contains(' ')
    })
}
