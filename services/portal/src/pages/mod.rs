//! The portal's pages, one file per journey step, and what they share: the layout's context, the
//! error summary of a form, and the pages shown when something stops a page (sign in, not allowed,
//! not found, a service down).

mod award;
mod bid;
mod contracts;
mod dashboard;
mod integrator;
mod locker;
mod notifications;
mod officer;
mod organisation;
mod outcome;
mod panel;
mod partners;
mod partnership;
mod portfolio;
mod profile;
mod public;
mod services;
mod sign_in;
mod staff;
mod start;
mod tenders;
mod verification;

use std::collections::BTreeMap;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::cookie::CookieJar;
use minijinja::{Value, context};

use crate::sessions::Session;
use crate::templates::{JS_ENABLED_SNIPPET, render};
use crate::{PortalState, assets, security};

pub fn router(state: PortalState) -> Router {
    // A document's file and the form around it; a larger body is refused as the file's problem.
    let upload_limit = DefaultBodyLimit::max(
        usize::try_from(state.0.max_document_bytes).unwrap_or(usize::MAX).saturating_add(64 * 1024),
    );
    // With an identity provider, /sign-in sends people to it and the development sign-in's form is
    // refused; production signing never runs without one (the portal does not start).
    let sign_in = if state.0.oidc.is_some() {
        get(sign_in::sign_in_page).post(not_found)
    } else if state.0.signer.is_development() {
        get(sign_in::sign_in_page).post(sign_in::sign_in)
    } else {
        get(not_found).post(not_found)
    };
    Router::new()
        .route("/", get(start::start))
        .route("/sign-in", sign_in)
        .route("/sign-in/callback", get(sign_in::callback))
        .route("/sign-out", post(sign_in::sign_out))
        .route("/dashboard", get(dashboard::dashboard))
        .route("/organisation/new", get(organisation::new_organisation_page).post(organisation::register_organisation))
        .route(
            "/organisation/edit",
            get(organisation::change_organisation_page).post(organisation::change_organisation),
        )
        .route("/organisation/check", get(profile::check_profile))
        .route("/services/new", get(services::new_service_page).post(services::add_service))
        .route("/services/{id}/change", get(services::change_service_page).post(services::change_service))
        .route("/services/{id}/remove", get(services::remove_service_page).post(services::remove_service))
        .route("/tenders", get(tenders::tenders))
        .route("/tenders/{id}", get(tenders::tender))
        .route("/tenders/{id}/questions", post(tenders::ask_question))
        .route("/tenders/{id}/partnership", post(partnership::answer_partnership))
        .route("/tenders/{id}/bid", get(bid::overview))
        .route("/tenders/{id}/bid/answers/{number}", get(bid::answer_form).post(bid::save_answer))
        .route("/tenders/{id}/bid/price", get(bid::price_form).post(bid::save_price))
        .route("/tenders/{id}/bid/partners", get(partners::partners).post(partners::add_partner))
        .route("/tenders/{id}/bid/partners/remove", post(partners::remove_partner))
        .route("/tenders/{id}/bid/check", get(bid::check).post(bid::send))
        .route("/tenders/{id}/bid/receipt", get(bid::receipt))
        .route("/tenders/{id}/bid/withdraw", post(bid::withdraw))
        .route("/tenders/{id}/outcome", get(outcome::outcome))
        .route("/tenders/{id}/opening-record", get(panel::opening_record))
        .route("/tenders/{id}/panel", get(panel::panel).post(panel::assign_evaluator))
        .route("/tenders/{id}/scoring", get(panel::scoring))
        .route("/tenders/{id}/scoring/finish", post(panel::finish_scoring))
        .route("/tenders/{id}/scoring/{bid}", get(panel::scoring_bid).post(panel::score_bid))
        .route("/tenders/{id}/moderation", get(panel::moderation))
        .route("/tenders/{id}/moderation/start", post(panel::start_moderation))
        .route("/tenders/{id}/moderation/complete", post(panel::complete_evaluation))
        .route("/tenders/{id}/moderation/{bid}", get(panel::moderation_bid).post(panel::moderate_bid))
        .route("/tenders/{id}/ranking", get(panel::ranking))
        .route("/tenders/{id}/award", get(award::award).post(award::award_tender))
        .route("/tenders/{id}/award/verify", post(award::verify_document))
        .route("/tenders/{id}/unsuccessful", get(award::unsuccessful).post(award::declare_unsuccessful))
        .route("/notifications", get(notifications::notifications))
        .route("/locker", get(locker::locker))
        .route("/locker/upload", get(locker::upload_page).post(locker::upload).layer(upload_limit))
        .route("/locker/{id}/renew", get(locker::renew_page).post(locker::renew).layer(upload_limit))
        .route("/contracts", get(contracts::contracts))
        .route("/contracts/new", get(contracts::new_contract_page).post(contracts::register_contract))
        .route("/contracts/{id}", get(contracts::contract))
        .route(
            "/contracts/{id}/finance",
            get(integrator::finance::finance_page).post(integrator::finance::record_finance),
        )
        .route("/portfolio", get(portfolio::portfolio))
        .route("/verification", get(verification::providers))
        .route("/verification/{provider_id}", get(verification::documents))
        .route("/verification/{provider_id}/verify", post(verification::verify))
        .route("/verification/{provider_id}/reject", post(verification::reject))
        .route("/integrator/events", get(integrator::events::events))
        .route("/integrator/subjects", get(integrator::subjects::subjects))
        .route("/open/tenders", get(public::tenders::open_tenders))
        .route("/open/tenders/{id}", get(public::tenders::open_tender))
        .route("/open/councils/{id}/contracts", get(public::contracts::council_contracts))
        .route("/open/councils/{id}/ocds.json", get(public::contracts::ocds_download))
        .route("/assets/{name}", get(assets::asset))
        .route("/.well-known/jwks.json", get(jwks))
        .route("/health", get(health))
        .merge(officer::routes())
        .fallback(not_found)
        .layer(axum::middleware::from_fn(readable_rejections))
        .layer(axum::middleware::from_fn(security::headers))
        .with_state(state)
}

/// GET /.well-known/jwks.json: the public keys of the services' tokens, for their AUTH_JWKS_URL.
async fn jwks(State(state): State<PortalState>) -> Response {
    ([(axum::http::header::CONTENT_TYPE, "application/json")], state.0.signer.jwks().to_string()).into_response()
}

/// GET /health: 200 while the portal's database answers, for a load balancer's probes (no session
/// is started for them).
async fn health(State(state): State<PortalState>) -> Response {
    match state.0.db.conn().ping().await {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(error) => {
            tracing::warn!(%error, "the portal's database does not answer its health check");
            (StatusCode::SERVICE_UNAVAILABLE, "the portal's database does not answer").into_response()
        }
    }
}

/// An address, query or form the extractors could not read (axum answers those in plain text,
/// before any handler runs), shown as a page like every other problem, with the same status.
async fn readable_rejections(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let response = next.run(request).await;
    let plain = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/plain"));
    if response.status().is_client_error() && plain {
        return PageError::NotUnderstood(response.status()).into_response();
    }
    response
}

async fn not_found() -> Response {
    PageError::NotFound.into_response()
}

/// Why a page could not be shown.
#[derive(Debug)]
pub enum PageError {
    SignInNeeded,
    /// The page is not for this person yet (a charity's page before it is registered): go here.
    GoTo(&'static str),
    Forbidden,
    NotFound,
    /// The web address or the form sent had what no page expects (a word for a year, broken
    /// characters): the status axum gave it.
    NotUnderstood(StatusCode),
    /// A service or the portal's database did not answer: try again.
    Unavailable,
    Internal(anyhow::Error),
}

impl PageError {
    /// The portal's own database failed: logged, and shown as "try again".
    pub fn storage(error: sea_orm::DbErr) -> Self {
        tracing::error!(%error, "the portal's database failed");
        Self::Unavailable
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, title, paragraphs) = match self {
            Self::SignInNeeded => return Redirect::to("/sign-in").into_response(),
            Self::GoTo(path) => return Redirect::to(path).into_response(),
            Self::Forbidden => (
                StatusCode::FORBIDDEN,
                "You cannot see this page",
                vec![
                    "It belongs to another organisation, or needs a role you do not have. Ask your organisation's administrator if you need it.",
                ],
            ),
            Self::NotFound => (
                StatusCode::NOT_FOUND,
                "Page not found",
                vec![
                    "If you typed the web address, check it is correct. If you pasted it, check you copied all of it.",
                ],
            ),
            Self::NotUnderstood(status) => (
                status,
                "Sorry, that could not be read",
                vec![
                    "The web address or the form had something in it that this page does not expect. Go back, check what you typed, and try again.",
                ],
            ),
            Self::Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                "Sorry, there is a problem with the service",
                vec![
                    "Try again in a few minutes. Nothing you sent was half-saved: if it was not confirmed, it was not saved.",
                ],
            ),
            Self::Internal(error) => {
                tracing::error!(error = %error, "a portal page failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Sorry, there is a problem with the service",
                    vec![
                        "Try again later. If it keeps happening, tell the marketplace's operator what you were doing.",
                    ],
                )
            }
        };
        let page = render("problem.html", context! { title, paragraphs, js_enabled_snippet => JS_ENABLED_SNIPPET });
        match page {
            Ok(html) => (status, Html(html)).into_response(),
            Err(error) => {
                tracing::error!(%error, "the problem page does not render");
                (status, title).into_response()
            }
        }
    }
}

/// A form's problems, each on its field: for the error summary and the message beside the field.
#[derive(Debug, Default)]
pub struct FormErrors(Vec<(String, String)>);

impl FormErrors {
    /// `message` on form field `field`; only the first problem of a field is shown.
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        if !self.0.iter().any(|(known, _)| known == field) {
            self.0.push((field.to_owned(), message.into()));
        }
    }

    /// `message` on `field` even when the field has one already: publishing's problems, several
    /// about one part of a tender, each listed and linking to it.
    pub fn add_another(&mut self, field: &str, message: impl Into<String>) {
        self.0.push((field.to_owned(), message.into()));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The error summary's list, each linking to its field.
    fn summary(&self) -> Vec<Value> {
        self.0.iter().map(|(field, text)| context! { text, href => format!("#{field}") }).collect()
    }

    /// Each field's message, for the component beside it.
    fn by_field(&self) -> BTreeMap<String, Value> {
        self.0.iter().map(|(field, text)| (field.clone(), context! { text })).collect()
    }
}

/// Renders `template` in the layout, for `session`, with the page's own `values`.
pub fn page(
    state: &PortalState,
    session: &Session,
    jar: CookieJar,
    template: &str,
    title: &str,
    errors: &FormErrors,
    values: Value,
) -> Response {
    let person = session.person.as_ref().map(|person| {
        context! {
            name => &person.name,
            organisation_name => &person.organisation_name,
            charity => person.organisation_id != "platform",
        }
    });
    let context = context! {
        title,
        person,
        csrf_token => &session.csrf_token,
        development => state.0.signer.is_development(),
        js_enabled_snippet => JS_ENABLED_SNIPPET,
        errors => (!errors.is_empty()).then(|| errors.summary()),
        field_errors => errors.by_field(),
        ..values
    };
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    match render(template, context) {
        Ok(html) => (status, jar, Html(html)).into_response(),
        Err(error) => PageError::Internal(anyhow::anyhow!("template {template}: {error}")).into_response(),
    }
}

/// A time as GOV.UK writes it in UK time ("2:30pm on 11 December 2026"), or nothing.
fn uk_time(timestamp: Option<&prost_types::Timestamp>) -> String {
    timestamp.and_then(platform::time::from_timestamp).map_or_else(String::new, platform::time::london_time_and_date)
}

/// Whole pounds as typed: "24000", "£24,000"; `Ok(None)` when left empty, `Err(())` when not a
/// whole number of pounds above 0 (each form says what it wanted).
fn typed_pounds(typed: &str) -> Result<Option<i64>, ()> {
    let cleaned = typed.trim().trim_start_matches('£').replace(',', "");
    if cleaned.is_empty() {
        return Ok(None);
    }
    cleaned.parse::<i64>().ok().filter(|pounds| *pounds > 0).map(Some).ok_or(())
}

/// A service's description as a sentence for a person: capitalised, without the field's jargon.
fn sentence(description: &str) -> String {
    let mut characters = description.trim().chars();
    characters.next().map_or_else(String::new, |first| first.to_uppercase().chain(characters).collect())
}
