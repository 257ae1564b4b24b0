//! A charity's dashboard: what is done and what is left before it can bid, and its profile once
//! registered.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use minijinja::context;
use proto::commissioning::providers::v1::{GetProviderRequest, LegalForm, Provider};
use serde::Deserialize;

use super::{FormErrors, PageError, page};
use crate::PortalState;
use crate::visitor::visit;

#[derive(Debug, Default, Deserialize)]
pub struct DashboardQuery {
    #[serde(default)]
    registered: Option<String>,
}

/// GET /dashboard
pub async fn dashboard(
    State(state): State<PortalState>,
    jar: CookieJar,
    Query(query): Query<DashboardQuery>,
) -> Response {
    let (session, jar) = match visit(&state, jar).await {
        Ok(visited) => visited,
        Err(error) => return error.into_response(),
    };
    let Some(person) = &session.person else { return PageError::SignInNeeded.into_response() };
    if person.organisation_id == "platform" {
        let values = context! { registered => false };
        return page(&state, &session, jar, "dashboard.html", "Get ready to bid", &FormErrors::default(), values);
    }
    let request = GetProviderRequest { provider_id: person.organisation_id.clone() };
    let provider = match state.as_person(person, request) {
        Ok(request) => state.providers().get_provider(request).await.map_err(PageError::from),
        Err(error) => Err(error),
    };
    let provider = match provider.map(|response| response.into_inner().provider.unwrap_or_default()) {
        Ok(provider) => provider,
        Err(error) => return error.into_response(),
    };
    let values = context! {
        registered => true,
        just_registered => query.registered.is_some(),
        provider => context! { legal_name => provider.legal_name.clone() },
        rows => profile_rows(&provider),
    };
    page(&state, &session, jar, "dashboard.html", &provider.legal_name, &FormErrors::default(), values)
}

fn profile_rows(provider: &Provider) -> Vec<minijinja::Value> {
    let address = provider.registered_address.clone().unwrap_or_default();
    let address = [address.line1, address.line2, address.town, address.postcode]
        .into_iter()
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    let identifiers =
        provider.identifiers.iter().map(|identifier| identifier.value.clone()).collect::<Vec<_>>().join(", ");
    let legal_form = LegalForm::try_from(provider.legal_form).map_or("", super::organisation::legal_form_name);
    let row =
        |key: &str, value: String| context! { key => context! { text => key }, value => context! { text => value } };
    vec![
        row("Kind of organisation", legal_form.to_owned()),
        row("Registered numbers", if identifiers.is_empty() { "None".into() } else { identifiers }),
        row("Address", address),
        row("Contact email", provider.contact_email.clone()),
        row("Paid staff", provider.paid_staff_count.to_string()),
        row("Volunteers", provider.volunteer_count.to_string()),
        row("Voluntary or community organisation (VCSE)", if provider.vcse { "Yes" } else { "No" }.into()),
    ]
}
