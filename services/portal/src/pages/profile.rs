//! "Check your profile", the end of the charity's task list: its organisation's details, its
//! services and its documents as councils see them, each with where to change it.

use axum::extract::{Query, State};
use axum::response::Response;
use minijinja::context;
use proto::commissioning::providers::v1::{GetProviderRequest, ListServicesRequest};
use serde::Deserialize;

use super::dashboard::{profile_rows, service_card};
use super::locker::{documents_of, kind_name, long_date, state_tag};
use super::{FormErrors, PageError, page};
use crate::PortalState;
use crate::visitor::CharityVisit;

#[derive(Debug, Default, Deserialize)]
pub struct ProfileQuery {
    #[serde(default)]
    changed: Option<String>,
}

/// GET /organisation/check
pub async fn check_profile(
    State(state): State<PortalState>,
    Query(query): Query<ProfileQuery>,
    CharityVisit { session, jar, person }: CharityVisit,
) -> Result<Response, PageError> {
    let request = state.as_person(&person, GetProviderRequest { provider_id: person.organisation_id.clone() })?;
    let provider = state.providers().get_provider(request).await?.into_inner().provider.ok_or(PageError::NotFound)?;
    let request =
        ListServicesRequest { provider_id: person.organisation_id.clone(), page_size: 100, ..Default::default() };
    let services = state.providers().list_services(state.as_person(&person, request)?).await?.into_inner().services;
    let documents = documents_of(&state, &person).await?;
    let change = context! { items => vec![context! { href => "/organisation/edit", text => "Change", visuallyHiddenText => "your organisation's details" }] };
    let rows: Vec<_> =
        profile_rows(&provider).into_iter().map(|row| context! { actions => change.clone(), ..row }).collect();
    let documents: Vec<_> = documents
        .iter()
        .map(|document| {
            let (text, classes) = state_tag(document.status);
            context! {
                key => context! { text => &document.title },
                value => context! { text => format!("{}, valid until {}", kind_name(document.kind), long_date(document.expires_on.as_ref())) },
                tag => context! { text, classes },
            }
        })
        .collect();
    let values = context! {
        changed => query.changed.is_some(),
        legal_name => &provider.legal_name,
        rows,
        services => services.iter().map(|service| service_card(&state, service)).collect::<Vec<_>>(),
        documents,
    };
    Ok(page(&state, &session, jar, "profile.html", "Check your profile", &FormErrors::default(), values))
}
