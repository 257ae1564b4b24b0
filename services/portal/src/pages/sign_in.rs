//! Signing in and out. In production people sign in through the identity provider (OpenID
//! Connect, [`crate::oidc`]): council staff by the roles and verified email it vouches for,
//! charities' volunteers as the members the providers service knows. Without one (the embedded
//! default) a development sign-in page lets you act as the demo's people or as a volunteer at a
//! new charity; it is refused whenever an identity provider is configured.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use axum_extra::extract::cookie::CookieJar;
use chrono::Utc;
use minijinja::context;
use platform::auth::Role;
use proto::commissioning::providers::v1::{ListMyMembershipsRequest, Membership};
use serde::Deserialize;

use super::{FormErrors, PageError, page};
use crate::oidc::{Failure, NotStaff, pending};
use crate::sessions::{self, Person};
use crate::templates::{JS_ENABLED_SNIPPET, render};
use crate::visitor::{Visit, session_cookie};
use crate::{PortalState, people};

/// The organisation a charity's volunteer acts for until their charity is registered.
const PLATFORM: &str = "platform";

/// The development choice of a volunteer at a charity they register (or registered) themselves.
const CHARITY_VOLUNTEER: &str = "charity-volunteer";

/// The user ids `marketplace demo` registers its three charities as (services/marketplace's
/// demo story), in its order; the choice of one is `demo-charity-<index>`.
const DEMO_CHARITY_WORKERS: [&str; 3] = ["charity-worker-0", "charity-worker-1", "charity-worker-2"];
const DEMO_CHARITY: &str = "demo-charity-";

/// The councils' people in the demo story, by their user ids there.
struct DemoStaff {
    choice: &'static str,
    user_id: &'static str,
    name: &'static str,
    council_id: &'static str,
    role: Role,
    /// What the choice says, with `{council}` for the council's name.
    text: &'static str,
    hint: &'static str,
}

const DEMO_STAFF: [DemoStaff; 6] = [
    DemoStaff {
        choice: "demo-officer",
        user_id: "olu.adeyemi",
        name: "Olu Adeyemi",
        council_id: "lambeth",
        role: Role::Officer,
        text: "Olu Adeyemi, procurement officer at {council}",
        hint: "Writes, publishes and awards the council's tenders.",
    },
    DemoStaff {
        choice: "demo-evaluator",
        user_id: "eve.okafor",
        name: "Eve Okafor",
        council_id: "lambeth",
        role: Role::Evaluator,
        text: "Eve Okafor, evaluator on {council}'s panel",
        hint: "Scores the bids of a closed tender.",
    },
    DemoStaff {
        choice: "demo-resident",
        user_id: "rosa.martin",
        name: "Rosa Martin",
        council_id: "lambeth",
        role: Role::Evaluator,
        text: "Rosa Martin, a resident on {council}'s panel",
        hint: "Scores the criteria a resident is asked to.",
    },
    DemoStaff {
        choice: "demo-moderator",
        user_id: "mo.shah",
        name: "Mo Shah",
        council_id: "lambeth",
        role: Role::Evaluator,
        text: "Mo Shah, moderator of {council}'s panel",
        hint: "Agrees the panel's scores.",
    },
    DemoStaff {
        choice: "demo-integrator",
        user_id: "lambeth-finance",
        name: "Lambeth finance",
        council_id: "lambeth",
        role: Role::Integrator,
        text: "{council}'s finance system, the integrator",
        hint: "Hears of awards and records purchase orders.",
    },
    DemoStaff {
        choice: "demo-woking-officer",
        user_id: "wendy.hart",
        name: "Wendy Hart",
        council_id: "woking",
        role: Role::Officer,
        text: "Wendy Hart, procurement officer at {council}",
        hint: "Writes, publishes and awards the council's tenders.",
    },
];

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

/// The charities the demo has registered, by their worker's index; empty before the demo runs.
async fn demo_charities(state: &PortalState) -> Vec<(usize, Membership)> {
    let mut found = Vec::new();
    for (index, user_id) in DEMO_CHARITY_WORKERS.iter().enumerate() {
        match memberships(state, &volunteer(user_id, "Demo volunteer")).await {
            Ok(memberships) => found.extend(memberships.into_iter().next().map(|membership| (index, membership))),
            // Only the development page asks: say the demo's charities are not there, and why in the log.
            Err(error) => tracing::warn!(?error, "the demo's charities could not be listed"),
        }
    }
    found
}

fn people_items(state: &PortalState, charities: &[(usize, Membership)]) -> Vec<minijinja::Value> {
    let mut items = vec![context! {
        value => CHARITY_VOLUNTEER,
        text => "A volunteer or worker at a charity or community group",
        hint => context! { text => "Give your name and email address: register your organisation, or carry on with the one you registered." },
    }];
    for (index, charity) in charities {
        items.push(context! {
            value => format!("{DEMO_CHARITY}{index}"),
            text => format!("A volunteer at {} (from the demo)", charity.provider_name),
            hint => context! { text => "The demo registered it, with its services and documents." },
        });
    }
    for staff in &DEMO_STAFF {
        let council = council_name(state, staff.council_id);
        items.push(context! {
            value => staff.choice,
            text => format!("{} (from the demo)", staff.text.replace("{council}", &council)),
            hint => context! { text => staff.hint },
        });
    }
    items
}

async fn sign_in_form(
    state: &PortalState,
    session: &sessions::Session,
    jar: CookieJar,
    form: &SignInForm,
    errors: &FormErrors,
) -> Response {
    let charities = demo_charities(state).await;
    let values = context! {
        form => context! { name => &form.name, email => &form.email, acting_as => &form.acting_as },
        people => people_items(state, &charities),
        demo_has_run => !charities.is_empty(),
    };
    page(state, session, jar, "sign_in.html", "Sign in", errors, values)
}

/// GET /sign-in: the development sign-in page, or with an identity provider, off to it.
pub async fn sign_in_page(
    State(state): State<PortalState>,
    Visit { session, jar }: Visit,
) -> Result<Response, PageError> {
    let Some(oidc) = &state.0.oidc else {
        return Ok(sign_in_form(&state, &session, jar, &SignInForm::default(), &FormErrors::default()).await);
    };
    let (url, csrf_state, pending) = oidc.begin().await;
    pending::start(state.0.db.conn(), &session.token, &csrf_state, pending, Utc::now())
        .await
        .map_err(PageError::storage)?;
    Ok((jar, Redirect::to(url.as_str())).into_response())
}

/// POST /sign-in (development only)
pub async fn sign_in(
    State(state): State<PortalState>,
    headers: HeaderMap,
    visit: Visit,
    Form(form): Form<SignInForm>,
) -> Result<Response, PageError> {
    visit.check_form(&headers, &form.csrf_token)?;
    let Visit { session, jar } = visit;
    let mut errors = FormErrors::default();
    let staff = DEMO_STAFF.iter().find(|staff| staff.choice == form.acting_as);
    let demo_charity = form
        .acting_as
        .strip_prefix(DEMO_CHARITY)
        .and_then(|index| index.parse::<usize>().ok())
        .and_then(|index| DEMO_CHARITY_WORKERS.get(index));
    let person = if let Some(staff) = staff {
        Some(Person {
            user_id: staff.user_id.to_owned(),
            name: staff.name.to_owned(),
            organisation_id: staff.council_id.to_owned(),
            organisation_name: council_name(&state, staff.council_id),
            roles: vec![staff.role],
        })
    } else if let Some(user_id) = demo_charity {
        let person = charity_volunteer(&state, volunteer(user_id, "Demo volunteer")).await?;
        if person.organisation_id == PLATFORM {
            errors.add("acting_as", "Run marketplace demo first: it registers the demo's charities");
        }
        Some(person)
    } else {
        // A volunteer at a new charity, or nothing chosen yet.
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
        if errors.is_empty() {
            Some(charity_volunteer(&state, volunteer(&format!("dev:{email}"), name)).await?)
        } else {
            None
        }
    };
    let Some(person) = person.filter(|_| errors.is_empty()) else {
        return Ok(sign_in_form(&state, &session, jar, &form, &errors).await);
    };
    signed_in(&state, &session, jar, person).await
}

#[derive(Debug, Default, Deserialize)]
pub struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// GET /sign-in/callback: the identity provider sends the person back here with a code (or why
/// not); the sign-in it finishes must be this browser's own, unused and recent.
pub async fn callback(
    State(state): State<PortalState>,
    query: Result<Query<Callback>, QueryRejection>,
    Visit { session, jar }: Visit,
) -> Result<Response, PageError> {
    let Some(oidc) = &state.0.oidc else { return Err(PageError::NotFound) };
    let Query(query) = query.unwrap_or_default();
    let taken = match &query.state {
        Some(csrf_state) => pending::take(state.0.db.conn(), &session.token, csrf_state, Utc::now())
            .await
            .map_err(PageError::storage)?,
        None => None,
    };
    let Some(pending) = taken else {
        return Ok(problem(
            StatusCode::BAD_REQUEST,
            "Your sign-in did not finish",
            &[
                "It took too long, was already used, or was started in another browser or tab.",
                "Sign in again from the start.",
            ],
        ));
    };
    if let Some(error) = &query.error {
        tracing::info!(
            error,
            description = query.error_description.as_deref(),
            "the identity provider did not sign someone in"
        );
        return Ok(if error == "access_denied" {
            problem(
                StatusCode::FORBIDDEN,
                "You did not sign in",
                &[
                    "The sign-in service says you chose not to sign in, or that you may not use the marketplace.",
                    "If you think you should be able to, ask your organisation's IT team.",
                ],
            )
        } else {
            problem(
                StatusCode::BAD_GATEWAY,
                "Sorry, we could not sign you in",
                &[
                    "The sign-in service could not finish signing you in. Sign in again; if it keeps happening, tell your organisation's IT team.",
                ],
            )
        });
    }
    let Some(code) = query.code else {
        return Ok(problem(StatusCode::BAD_REQUEST, "Your sign-in did not finish", &["Sign in again from the start."]));
    };
    let identity = match oidc.finish(code, pending).await {
        Ok(identity) => identity,
        Err(failure) => {
            let (status, paragraph) = match &failure {
                Failure::Unreachable(_) => {
                    tracing::warn!(%failure, "sign-in failed");
                    (StatusCode::SERVICE_UNAVAILABLE, "The sign-in service did not answer. Try again in a few minutes.")
                }
                Failure::Refused(_) => {
                    tracing::warn!(%failure, "sign-in failed");
                    (StatusCode::BAD_REQUEST, "Your sign-in has expired or was already used. Sign in again.")
                }
                Failure::Untrusted(_) => {
                    tracing::error!(%failure, "sign-in refused: the ID token failed its checks");
                    (StatusCode::BAD_REQUEST, "We could not confirm who you are. Sign in again.")
                }
            };
            return Ok(problem(status, "Sorry, we could not sign you in", &[paragraph]));
        }
    };
    let name = identity.name.clone().or_else(|| identity.email.clone()).unwrap_or_else(|| identity.subject.clone());
    let person = match oidc.staff(&identity) {
        Ok(Some(staff)) => Person {
            user_id: identity.subject,
            name,
            organisation_name: council_name(&state, &staff.council_id),
            organisation_id: staff.council_id,
            roles: staff.roles,
        },
        Ok(None) => charity_volunteer(&state, volunteer(&identity.subject, &name)).await?,
        Err(not_staff) => {
            tracing::warn!(subject = identity.subject, ?not_staff, "council role without a council");
            let paragraph = match not_staff {
                NotStaff::Unverified => {
                    "Your account has a council role, but the sign-in service did not confirm your email address, which tells us your council."
                }
                NotStaff::UnknownCouncil => {
                    "Your account has a council role, but your email address is not one of a council that uses the marketplace."
                }
            };
            return Ok(problem(
                StatusCode::FORBIDDEN,
                "You cannot sign in as a member of a council yet",
                &[paragraph, "Ask your council's IT team to check your account."],
            ));
        }
    };
    signed_in(&state, &session, jar, person).await
}

#[derive(Debug, Deserialize)]
pub struct SignOutForm {
    #[serde(default)]
    csrf_token: String,
}

/// POST /sign-out: the session ends; with an identity provider that offers it, the person is
/// signed out there too.
pub async fn sign_out(
    State(state): State<PortalState>,
    headers: HeaderMap,
    visit: Visit,
    Form(form): Form<SignOutForm>,
) -> Result<Response, PageError> {
    visit.check_form(&headers, &form.csrf_token)?;
    sessions::end(state.0.db.conn(), &visit.session.token).await.map_err(PageError::storage)?;
    let jar = visit.jar.remove(session_cookie(""));
    let provider = match &state.0.oidc {
        Some(oidc) if visit.session.person.is_some() => oidc.end_session_url().await,
        _ => None,
    };
    match provider {
        Some(url) => Ok((jar, Redirect::to(url.as_str())).into_response()),
        None => Ok((jar, Redirect::to("/")).into_response()),
    }
}

/// A new session for `person`, so that no token from before signing in is worth anything after.
async fn signed_in(
    state: &PortalState,
    session: &sessions::Session,
    jar: CookieJar,
    person: Person,
) -> Result<Response, PageError> {
    let db = state.0.db.conn();
    let started = async {
        sessions::end(db, &session.token).await?;
        sessions::start(db, Some(person), Utc::now()).await
    };
    let signed_in = started.await.map_err(PageError::storage)?;
    Ok((jar.add(session_cookie(&signed_in.token)), Redirect::to("/dashboard")).into_response())
}

/// Someone who acts for a charity, before it is known which.
fn volunteer(user_id: &str, name: &str) -> Person {
    Person {
        user_id: user_id.to_owned(),
        name: name.to_owned(),
        organisation_id: PLATFORM.to_owned(),
        organisation_name: String::new(),
        roles: vec![Role::Provider],
    }
}

/// The providers `person` is a member of, as the providers service says (ListMyMemberships, as
/// them), earliest first.
async fn memberships(state: &PortalState, person: &Person) -> Result<Vec<Membership>, PageError> {
    let request = state.as_person(person, ListMyMembershipsRequest {})?;
    Ok(state.providers().list_my_memberships(request).await?.into_inner().memberships)
}

/// `person` acting for the charity the providers service lists them as a member of: the one the
/// portal last saw them act for while they still are, else their earliest; the platform (to
/// register one) when they are a member of none.
async fn charity_volunteer(state: &PortalState, mut person: Person) -> Result<Person, PageError> {
    let memberships = memberships(state, &person).await?;
    let last = people::organisation_of(state.0.db.conn(), &person.user_id).await.map_err(PageError::storage)?;
    let chosen = last
        .and_then(|last| memberships.iter().find(|membership| membership.provider_id == last.organisation_id))
        .or_else(|| memberships.first());
    if let Some(membership) = chosen {
        person.organisation_id = membership.provider_id.clone();
        person.organisation_name = membership.provider_name.clone();
    }
    Ok(person)
}

fn council_name(state: &PortalState, council_id: &str) -> String {
    state
        .0
        .councils
        .iter()
        .find(|(id, _)| id == council_id)
        .map_or_else(|| council_id.to_owned(), |(_, name)| name.clone())
}

/// A page saying why signing in stopped, with the way back to it.
fn problem(status: StatusCode, title: &str, paragraphs: &[&str]) -> Response {
    let values = context! {
        title,
        paragraphs => paragraphs.iter().map(|paragraph| (*paragraph).to_owned()).collect::<Vec<_>>(),
        next_href => "/sign-in",
        next_text => "Sign in again",
        js_enabled_snippet => JS_ENABLED_SNIPPET,
    };
    match render("problem.html", values) {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => PageError::Internal(anyhow::anyhow!("template problem.html: {error}")).into_response(),
    }
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
