//! What a charity offers: a form per service (what it is, the category tenders are matched on,
//! the councils and postcode districts it covers, how it reaches people, when it runs and who it is
//! for), sent to AddService, changed through UpdateService (the form filled in from the service as
//! it is) or removed after a confirmation. The service's field violations are shown on their
//! fields in plain English; what was typed is kept; a retry with the same form adds nothing twice.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use axum_extra::extract::cookie::CookieJar;
use minijinja::context;
use proto::commissioning::common::v1::{Area, ServiceCategory, area};
use proto::commissioning::providers::v1::{
    AddServiceRequest, DeliveryMode, Eligibility, ListServicesRequest, RegularSchedule, RemoveServiceRequest, Service,
    TimeOfDay, UpdateServiceRequest, Weekday,
};
use serde::{Deserialize, Serialize};

use super::{FormErrors, PageError, page, sentence};
use crate::PortalState;
use crate::calls::field_violations;
use crate::sessions::{Person, Session};
use crate::visitor::{CharityVisit, Visit};

/// The categories, as a charity names them.
pub const CATEGORIES: [(ServiceCategory, &str); 10] = [
    (ServiceCategory::BefriendingTelephone, "Befriending by telephone"),
    (ServiceCategory::BefriendingFaceToFace, "Befriending face to face"),
    (ServiceCategory::GroupActivities, "Group activities, such as coffee mornings or lunch clubs"),
    (ServiceCategory::CommunityConnector, "Community connector or social prescribing link work"),
    (ServiceCategory::LocalAreaCoordination, "Local area coordination"),
    (ServiceCategory::Transport, "Transport to activities"),
    (ServiceCategory::DigitalInclusion, "Helping people get online"),
    (ServiceCategory::Intergenerational, "Bringing older and younger people together"),
    (ServiceCategory::PeerSupport, "Peer support"),
    (ServiceCategory::Other, "Something else"),
];

const DELIVERY_MODES: [(DeliveryMode, &str); 3] = [
    (DeliveryMode::InPerson, "In person, at a venue or at home"),
    (DeliveryMode::Telephone, "By telephone"),
    (DeliveryMode::Online, "Online, such as video calls"),
];

const WEEKDAYS: [(Weekday, &str); 7] = [
    (Weekday::Monday, "Monday"),
    (Weekday::Tuesday, "Tuesday"),
    (Weekday::Wednesday, "Wednesday"),
    (Weekday::Thursday, "Thursday"),
    (Weekday::Friday, "Friday"),
    (Weekday::Saturday, "Saturday"),
    (Weekday::Sunday, "Sunday"),
];

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ServiceForm {
    #[serde(skip_serializing)]
    csrf_token: String,
    request_id: String,
    name: String,
    description: String,
    category: String,
    councils: Vec<String>,
    postcode_districts: String,
    delivery_modes: Vec<String>,
    weekday: String,
    opens_at: String,
    closes_at: String,
    minimum_age: String,
    who_for: String,
}

/// Where each of the service's fields is on the form, by the start of its path.
const FIELDS: [(&str, &str); 11] = [
    ("service.name", "name"),
    ("service.description", "description"),
    ("service.category", "category"),
    ("service.areas", "councils"),
    ("service.delivery_modes", "delivery_modes"),
    ("service.schedules[0].weekday", "weekday"),
    ("service.schedules[0].opens_at", "opens_at"),
    ("service.schedules[0].closes_at", "closes_at"),
    ("service.schedules", "weekday"),
    ("service.eligibility.minimum_age", "minimum_age"),
    ("service.eligibility", "who_for"),
];

/// The service form: to add one (`changing` is none) or to change the one with that id.
fn form_page(
    state: &PortalState,
    session: &Session,
    jar: CookieJar,
    form: &ServiceForm,
    changing: Option<&str>,
    errors: &FormErrors,
) -> Response {
    let items = |choices: &[(&str, &str)]| -> Vec<minijinja::Value> {
        choices.iter().map(|&(value, text)| context! { value, text }).collect()
    };
    let categories: Vec<_> = CATEGORIES.iter().map(|(category, text)| (category.as_str_name(), *text)).collect();
    let modes: Vec<_> = DELIVERY_MODES.iter().map(|(mode, text)| (mode.as_str_name(), *text)).collect();
    let mut weekdays: Vec<_> = vec![("", "It has no regular day")];
    weekdays.extend(WEEKDAYS.iter().map(|(day, text)| (day.as_str_name(), *text)));
    let councils: Vec<_> = state.0.councils.iter().map(|(id, name)| (id.as_str(), name.as_str())).collect();
    let values = context! {
        form => minijinja::Value::from(minijinja::value::Serde(form)),
        categories => items(&categories),
        delivery_modes => items(&modes),
        weekdays => items(&weekdays),
        councils => items(&councils),
        adding => changing.is_none(),
        action => changing.map_or_else(|| "/services/new".to_owned(), |id| format!("/services/{id}/change")),
    };
    let title = if changing.is_some() { "Change a service" } else { "Add a service" };
    page(state, session, jar, "service.html", title, errors, values)
}

/// GET /services/new
pub async fn new_service_page(
    State(state): State<PortalState>,
    CharityVisit { session, jar, .. }: CharityVisit,
) -> Response {
    let form = ServiceForm { request_id: uuid::Uuid::new_v4().to_string(), ..Default::default() };
    form_page(&state, &session, jar, &form, None, &FormErrors::default())
}

/// POST /services/new
pub async fn add_service(
    State(state): State<PortalState>,
    headers: HeaderMap,
    visit: Visit,
    Form(mut form): Form<ServiceForm>,
) -> Result<Response, PageError> {
    visit.check_form(&headers, &form.csrf_token)?;
    let CharityVisit { session, jar, person } = CharityVisit::try_from(visit)?;
    if form.request_id.trim().is_empty() {
        form.request_id = uuid::Uuid::new_v4().to_string();
    }
    let mut errors = FormErrors::default();
    let service = service_of(&form, &mut errors);
    if !errors.is_empty() {
        return Ok(form_page(&state, &session, jar, &form, None, &errors));
    }
    let request = AddServiceRequest {
        request_id: form.request_id.clone(),
        provider_id: person.organisation_id.clone(),
        service: Some(service),
    };
    let request = state.as_person(&person, request)?;
    match state.providers().add_service(request).await {
        Ok(_) => Ok((jar, Redirect::to("/dashboard?added=service")).into_response()),
        Err(status) if status.code() == tonic::Code::InvalidArgument => {
            on_fields(&status, &mut errors);
            Ok(form_page(&state, &session, jar, &form, None, &errors))
        }
        Err(status) => Err(status.into()),
    }
}

/// The service's refusal, each problem on the form's field.
fn on_fields(status: &tonic::Status, errors: &mut FormErrors) {
    for (path, description) in field_violations(status) {
        let field = if path.contains("postcode_district") {
            "postcode_districts"
        } else {
            FIELDS.iter().find(|(prefix, _)| path.starts_with(prefix)).map_or("name", |(_, field)| *field)
        };
        errors.add(field, sentence(&description));
    }
}

/// One of the charity's own services (another provider's is not found).
async fn own_service(state: &PortalState, person: &Person, service_id: &str) -> Result<Service, PageError> {
    let request =
        ListServicesRequest { provider_id: person.organisation_id.clone(), page_size: 200, ..Default::default() };
    let services = state.providers().list_services(state.as_person(person, request)?).await?.into_inner().services;
    services.into_iter().find(|service| service.id == service_id).ok_or(PageError::NotFound)
}

/// The form filled in from a service as it is now.
fn form_of(service: &Service) -> ServiceForm {
    let mut councils: Vec<String> = Vec::new();
    let mut districts: Vec<String> = Vec::new();
    for area in &service.areas {
        if !councils.contains(&area.council_id) {
            councils.push(area.council_id.clone());
        }
        if let Some(area::Part::PostcodeDistrict(district)) = &area.part {
            districts.push(district.clone());
        }
    }
    let schedule = service.schedules.first();
    let time = |at: Option<&TimeOfDay>| at.map_or_else(String::new, |at| format!("{:02}:{:02}", at.hours, at.minutes));
    let eligibility = service.eligibility.clone().unwrap_or_default();
    ServiceForm {
        name: service.name.clone(),
        description: service.description.clone(),
        category: ServiceCategory::try_from(service.category)
            .map(|category| category.as_str_name().to_owned())
            .unwrap_or_default(),
        councils,
        postcode_districts: districts.join(", "),
        delivery_modes: service
            .delivery_modes
            .iter()
            .filter_map(|mode| DeliveryMode::try_from(*mode).ok())
            .map(|mode| mode.as_str_name().to_owned())
            .collect(),
        weekday: schedule
            .and_then(|schedule| Weekday::try_from(schedule.weekday).ok())
            .map(|day| day.as_str_name().to_owned())
            .unwrap_or_default(),
        opens_at: time(schedule.and_then(|schedule| schedule.opens_at.as_ref())),
        closes_at: time(schedule.and_then(|schedule| schedule.closes_at.as_ref())),
        minimum_age: if eligibility.minimum_age > 0 { eligibility.minimum_age.to_string() } else { String::new() },
        who_for: eligibility.description,
        ..Default::default()
    }
}

/// GET /services/{id}/change
pub async fn change_service_page(
    State(state): State<PortalState>,
    Path(id): Path<String>,
    CharityVisit { session, jar, person }: CharityVisit,
) -> Result<Response, PageError> {
    let service = own_service(&state, &person, &id).await?;
    Ok(form_page(&state, &session, jar, &form_of(&service), Some(&service.id), &FormErrors::default()))
}

/// POST /services/{id}/change: the form's fields replace the service's; what the form does not
/// show (other days it runs, an upper age, its places and costs) is kept as it was.
pub async fn change_service(
    State(state): State<PortalState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    visit: Visit,
    Form(form): Form<ServiceForm>,
) -> Result<Response, PageError> {
    visit.check_form(&headers, &form.csrf_token)?;
    let CharityVisit { session, jar, person } = CharityVisit::try_from(visit)?;
    let stored = own_service(&state, &person, &id).await?;
    let mut errors = FormErrors::default();
    let mut service = service_of(&form, &mut errors);
    if !errors.is_empty() {
        return Ok(form_page(&state, &session, jar, &form, Some(&id), &errors));
    }
    service.id.clone_from(&stored.id);
    service.schedules.extend(stored.schedules.iter().skip(1).cloned());
    if let (Some(changed), Some(before)) = (service.eligibility.as_mut(), stored.eligibility.as_ref()) {
        changed.maximum_age = before.maximum_age;
    }
    let paths = ["name", "description", "category", "areas", "delivery_modes", "schedules", "eligibility"];
    let request = UpdateServiceRequest {
        service: Some(service),
        update_mask: Some(prost_types::FieldMask { paths: paths.map(str::to_owned).to_vec() }),
    };
    match state.providers().update_service(state.as_person(&person, request)?).await {
        Ok(_) => Ok((jar, Redirect::to("/dashboard?changed=service")).into_response()),
        Err(status) if status.code() == tonic::Code::InvalidArgument => {
            on_fields(&status, &mut errors);
            Ok(form_page(&state, &session, jar, &form, Some(&id), &errors))
        }
        Err(status) => Err(status.into()),
    }
}

/// GET /services/{id}/remove: what removing it means, before it is removed.
pub async fn remove_service_page(
    State(state): State<PortalState>,
    Path(id): Path<String>,
    CharityVisit { session, jar, person }: CharityVisit,
) -> Result<Response, PageError> {
    let service = own_service(&state, &person, &id).await?;
    let values = context! { service => super::dashboard::service_card(&state, &service) };
    Ok(page(&state, &session, jar, "service_remove.html", "Remove a service", &FormErrors::default(), values))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RemoveServiceForm {
    csrf_token: String,
}

/// POST /services/{id}/remove
pub async fn remove_service(
    State(state): State<PortalState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    visit: Visit,
    Form(form): Form<RemoveServiceForm>,
) -> Result<Response, PageError> {
    visit.check_form(&headers, &form.csrf_token)?;
    let CharityVisit { jar, person, .. } = CharityVisit::try_from(visit)?;
    let service = own_service(&state, &person, &id).await?;
    let request = RemoveServiceRequest { service_id: service.id };
    state.providers().remove_service(state.as_person(&person, request)?).await?;
    Ok((jar, Redirect::to("/dashboard?removed=service")).into_response())
}

/// The service the form describes; what only the portal can read (which boxes were ticked, times
/// and ages typed as numbers) is checked here, the rest by the service.
fn service_of(form: &ServiceForm, errors: &mut FormErrors) -> Service {
    let category = ServiceCategory::from_str_name(&form.category).unwrap_or(ServiceCategory::Unspecified);
    if category == ServiceCategory::Unspecified {
        errors.add("category", "Select what kind of service it is");
    }
    if form.councils.is_empty() {
        errors.add("councils", "Select the councils whose areas it covers");
    }
    let districts: Vec<&str> =
        form.postcode_districts.split([',', ' ', ';']).map(str::trim).filter(|part| !part.is_empty()).collect();
    if !districts.is_empty() && form.councils.len() > 1 {
        errors.add(
            "postcode_districts",
            "Give postcode districts only for a service in one council's area, or add a service for each council",
        );
    }
    let areas = form
        .councils
        .iter()
        .flat_map(|council_id| {
            let whole = [Area { council_id: council_id.clone(), ..Default::default() }];
            if districts.is_empty() {
                return whole.to_vec();
            }
            districts
                .iter()
                .map(|district| Area {
                    council_id: council_id.clone(),
                    part: Some(area::Part::PostcodeDistrict((*district).to_owned())),
                    ..Default::default()
                })
                .collect()
        })
        .collect();
    let delivery_modes: Vec<i32> = form
        .delivery_modes
        .iter()
        .filter_map(|mode| DeliveryMode::from_str_name(mode))
        .map(|mode| mode as i32)
        .collect();
    if delivery_modes.is_empty() {
        errors.add("delivery_modes", "Select how the service reaches people");
    }
    let schedules = match Weekday::from_str_name(&form.weekday) {
        None => Vec::new(),
        Some(weekday) => {
            let opens_at = time_of_day(errors, "opens_at", &form.opens_at, "when it starts");
            let closes_at = time_of_day(errors, "closes_at", &form.closes_at, "when it ends");
            vec![RegularSchedule { weekday: weekday as i32, opens_at, closes_at, ..Default::default() }]
        }
    };
    let minimum_age = match form.minimum_age.trim() {
        "" => 0,
        typed => typed.parse::<i32>().unwrap_or_else(|_| {
            errors.add("minimum_age", "Enter the youngest age as a whole number of years, like 65");
            0
        }),
    };
    Service {
        name: form.name.trim().to_owned(),
        description: form.description.trim().to_owned(),
        category: category as i32,
        areas,
        delivery_modes,
        schedules,
        eligibility: Some(Eligibility { minimum_age, maximum_age: 0, description: form.who_for.trim().to_owned() }),
        ..Default::default()
    }
}

/// A time typed as "10:00", "9.30" or "14:15"; `None` (with the field's problem) otherwise.
pub(super) fn time_of_day(errors: &mut FormErrors, field: &str, typed: &str, what: &str) -> Option<TimeOfDay> {
    let parsed = typed.trim().split_once([':', '.']).and_then(|(hours, minutes)| {
        let hours = hours.trim().parse::<i32>().ok().filter(|hours| (0..24).contains(hours))?;
        let minutes = minutes.trim().parse::<i32>().ok().filter(|minutes| (0..60).contains(minutes))?;
        Some(TimeOfDay { hours, minutes })
    });
    if parsed.is_none() {
        errors.add(field, format!("Enter {what} as a 24-hour time, like 10:00 or 14:30"));
    }
    parsed
}
