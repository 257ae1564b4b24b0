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
use crate::visitor::{session_cookie, visit, visit_form};
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
pub async fn sign_in_page(State(state): State<PortalState>, jar: CookieJar) -> Response {
    if !state.0.signer.is_development() {
        return PageError::NotFound.into_response();
    }
    match visit(&state, jar).await {
        Ok((session, jar)) => sign_in_form(&state, &session, jar, &SignInForm::default(), &FormErrors::default()),
        Err(error) => error.into_response(),
    }
}

/// POST /sign-in
pub async fn sign_in(
    State(state): State<PortalState>,
    headers: HeaderMap,
    jar: CookieJar,
    Form(form): Form<SignInForm>,
) -> Response {
    if !state.0.signer.is_development() {
        return PageError::NotFound.into_response();
    }
    let (session, jar) = match visit_form(&state, jar, &headers, &form.csrf_token).await {
        Ok(visited) => visited,
        Err(error) => return error.into_response(),
    };
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
        return sign_in_form(&state, &session, jar, &form, &errors);
    }
    let user_id = format!("dev:{email}");
    let db = state.0.db.conn();
    let organisation = match people::organisation_of(db, &user_id).await {
        Ok(organisation) => organisation,
        Err(error) => return PageError::storage(error).into_response(),
    };
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
    match started.await {
        Ok(signed_in) => (jar.add(session_cookie(&signed_in.token)), Redirect::to("/dashboard")).into_response(),
        Err(error) => PageError::storage(error).into_response(),
    }
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
    jar: CookieJar,
    Form(form): Form<SignOutForm>,
) -> Response {
    let (session, jar) = match visit_form(&state, jar, &headers, &form.csrf_token).await {
        Ok(visited) => visited,
        Err(error) => return error.into_response(),
    };
    if let Err(error) = sessions::end(state.0.db.conn(), &session.token).await {
        return PageError::storage(error).into_response();
    }
    (jar.remove(session_cookie("")), Redirect::to("/")).into_response()
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
