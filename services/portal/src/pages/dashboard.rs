//! A charity's dashboard: a task list of what is done and what is left before it can bid (its
//! organisation, its services, its documents), then its profile and services as councils see them.

use axum::extract::{Query, State};
use axum::response::Response;
use minijinja::context;
use proto::commissioning::providers::v1::{
    GetProviderRequest, LegalForm, ListServicesRequest, Provider, Service, Weekday,
};
use serde::Deserialize;

use super::{FormErrors, PageError, page};
use crate::PortalState;
use crate::visitor::{StaffVisit, Visit};

#[derive(Debug, Default, Deserialize)]
pub struct DashboardQuery {
    #[serde(default)]
    registered: Option<String>,
    #[serde(default)]
    added: Option<String>,
    #[serde(default)]
    changed: Option<String>,
    #[serde(default)]
    removed: Option<String>,
}

/// GET /dashboard
pub async fn dashboard(
    State(state): State<PortalState>,
    Query(query): Query<DashboardQuery>,
    visit: Visit,
) -> Result<Response, PageError> {
    if visit.session.person.as_ref().is_some_and(|person| !person.roles.contains(&platform::auth::Role::Provider)) {
        return super::staff::dashboard(&state, StaffVisit::try_from(visit)?).await;
    }
    let Visit { session, jar } = visit;
    let Some(person) = &session.person else { return Err(PageError::SignInNeeded) };
    if person.organisation_id == "platform" {
        let values = context! { registered => false };
        return Ok(page(&state, &session, jar, "dashboard.html", "Get ready to bid", &FormErrors::default(), values));
    }
    let provider_id = person.organisation_id.clone();
    let request = state.as_person(person, GetProviderRequest { provider_id: provider_id.clone() })?;
    let provider = state.providers().get_provider(request).await?.into_inner().provider.unwrap_or_default();
    let request = ListServicesRequest { provider_id, page_size: 100, ..Default::default() };
    let services = state.providers().list_services(state.as_person(person, request)?).await?.into_inner().services;
    let documents = super::locker::documents_of(&state, person).await?;
    let unread =
        crate::notifications::unread(state.0.db.conn(), &person.organisation_id).await.map_err(PageError::storage)?;
    let services_status = if services.is_empty() {
        context! { tag => context! { text => "Not yet started", classes => "govuk-tag--blue" } }
    } else {
        context! { text => format!("{} added", plural(services.len(), "service")) }
    };
    let documents_status = if documents.is_empty() {
        context! { tag => context! { text => "Not yet started", classes => "govuk-tag--blue" } }
    } else {
        context! { text => format!("{} uploaded", plural(documents.len(), "document")) }
    };
    // The last task opens once there is something to check: a service and a document.
    let check = if services.is_empty() || documents.is_empty() {
        context! {
            title => context! { text => "Check your profile" },
            status => context! { text => "Cannot start yet", classes => "govuk-task-list__status--cannot-start-yet" },
        }
    } else {
        context! {
            title => context! { text => "Check your profile" },
            href => "/organisation/check",
            status => context! { text => "Ready to check" },
        }
    };
    let tasks = vec![
        context! { title => context! { text => "Organisation details" }, status => context! { text => "Completed" } },
        context! { title => context! { text => "Services you offer" }, href => "/services/new", status => services_status },
        context! { title => context! { text => "Documents in your locker" }, href => "/locker", status => documents_status },
        check,
    ];
    let values = context! {
        registered => true,
        unread_notifications => unread,
        unread_text => plural(usize::try_from(unread).unwrap_or(usize::MAX), "unread notification"),
        just_registered => query.registered.is_some(),
        service_added => query.added.as_deref() == Some("service"),
        service_changed => query.changed.as_deref() == Some("service"),
        service_removed => query.removed.as_deref() == Some("service"),
        provider => context! { legal_name => provider.legal_name.clone() },
        tasks,
        rows => profile_rows(&provider),
        services => services.iter().map(|service| service_card(&state, service)).collect::<Vec<_>>(),
    };
    Ok(page(&state, &session, jar, "dashboard.html", &provider.legal_name, &FormErrors::default(), values))
}

/// "1 service", "2 services".
fn plural(count: usize, what: &str) -> String {
    if count == 1 { format!("1 {what}") } else { format!("{count} {what}s") }
}

/// A service as its summary card shows it: its name, then what, where, how, when and for whom.
pub(super) fn service_card(state: &PortalState, service: &Service) -> minijinja::Value {
    let category = super::services::CATEGORIES
        .iter()
        .find(|(category, _)| *category as i32 == service.category)
        .map_or("", |(_, text)| *text);
    let council_name = |id: &str| {
        state.0.councils.iter().find(|(known, _)| known == id).map_or_else(|| id.to_owned(), |(_, name)| name.clone())
    };
    let mut areas: Vec<String> = Vec::new();
    for area in &service.areas {
        let name = match &area.part {
            Some(proto::commissioning::common::v1::area::Part::PostcodeDistrict(district)) => {
                format!("{} ({district})", council_name(&area.council_id))
            }
            _ => council_name(&area.council_id),
        };
        if !areas.contains(&name) {
            areas.push(name);
        }
    }
    let when = service
        .schedules
        .iter()
        .map(|schedule| {
            let day = Weekday::try_from(schedule.weekday).map_or("", |day| day.as_str_name());
            let time = |at: &Option<proto::commissioning::providers::v1::TimeOfDay>| {
                at.as_ref().map_or_else(String::new, |at| format!("{:02}:{:02}", at.hours, at.minutes))
            };
            format!(
                "{} {} to {}",
                title_case(day.trim_start_matches("WEEKDAY_")),
                time(&schedule.opens_at),
                time(&schedule.closes_at)
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let row =
        |key: &str, value: String| context! { key => context! { text => key }, value => context! { text => value } };
    context! {
        id => service.id.clone(),
        name => service.name.clone(),
        rows => vec![
            row("Kind of service", category.to_owned()),
            row("Areas", areas.join(", ")),
            row("When", if when.is_empty() { "No regular day".to_owned() } else { when }),
        ],
    }
}

/// "MONDAY" as "Monday".
fn title_case(word: &str) -> String {
    let lower = word.to_lowercase();
    let mut characters = lower.chars();
    characters.next().map_or_else(String::new, |first| first.to_uppercase().chain(characters).collect())
}

pub(super) fn profile_rows(provider: &Provider) -> Vec<minijinja::Value> {
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
