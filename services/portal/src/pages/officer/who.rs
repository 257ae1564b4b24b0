//! Who the service is for: open to everyone, or the council's ages and conditions. Required to
//! publish; charities whose services' ages overlap are told of the tender.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use axum_extra::extract::cookie::CookieJar;
use proto::commissioning::tendering::v1::{Tender, TenderEligibility, TenderingRules};
use serde::{Deserialize, Serialize};

use super::{Saved, officer, officer_form, own_draft, save_task, task_page, templates_and_rules};
use crate::PortalState;
use crate::pages::{FormErrors, PageError};
use crate::sessions::Session;
use crate::visitor::{StaffVisit, Visit};

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct WhoForm {
    #[serde(skip_serializing)]
    csrf_token: String,
    etag: String,
    /// "everyone" or "conditions".
    open: String,
    minimum_age: String,
    maximum_age: String,
    description: String,
}

fn form_of(tender: &Tender) -> WhoForm {
    let who = tender.eligibility.clone().unwrap_or_default();
    let age = |age: i32| if age > 0 { age.to_string() } else { String::new() };
    let set = who.open_to_everyone || who.minimum_age > 0 || who.maximum_age > 0 || !who.description.is_empty();
    WhoForm {
        etag: tender.etag.clone(),
        open: match (set, who.open_to_everyone) {
            (false, _) => String::new(),
            (true, true) => "everyone".into(),
            (true, false) => "conditions".into(),
        },
        minimum_age: age(who.minimum_age),
        maximum_age: age(who.maximum_age),
        description: who.description,
        ..Default::default()
    }
}

#[allow(clippy::too_many_arguments)]
fn who_page(
    state: &PortalState,
    session: &Session,
    jar: CookieJar,
    tender: &Tender,
    rules: &TenderingRules,
    form: &WhoForm,
    errors: &FormErrors,
) -> Response {
    let form = minijinja::Value::from(minijinja::value::Serde(form));
    task_page(state, session, jar, "officer_who.html", "Who it is for", tender, rules, errors, form)
}

/// GET /officer/tenders/{id}/draft/who
pub async fn who_form(
    State(state): State<PortalState>,
    Path(id): Path<String>,
    visit: StaffVisit,
) -> Result<Response, PageError> {
    let StaffVisit { session, jar, person } = officer(visit)?;
    let tender = own_draft(&state, &person, &id).await?;
    let (_, rules) = templates_and_rules(&state, &person).await?;
    Ok(who_page(&state, &session, jar, &tender, &rules, &form_of(&tender), &FormErrors::default()))
}

/// An age typed in years, 0 when empty; `None` with the field's problem when not a whole number.
fn age(errors: &mut FormErrors, field: &str, typed: &str) -> Option<i32> {
    match typed.trim() {
        "" => Some(0),
        typed => typed.parse::<i32>().ok().filter(|age| (0..=120).contains(age)).or_else(|| {
            errors.add(field, "Enter an age in whole years, like 65");
            None
        }),
    }
}

fn field_of(path: &str) -> String {
    match path {
        path if path.ends_with("minimum_age") => "minimum_age".into(),
        path if path.ends_with("maximum_age") => "maximum_age".into(),
        path if path.ends_with("description") => "description".into(),
        _ => "open".into(),
    }
}

/// POST /officer/tenders/{id}/draft/who
pub async fn save_who(
    State(state): State<PortalState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    visit: Visit,
    Form(form): Form<WhoForm>,
) -> Result<Response, PageError> {
    let StaffVisit { session, jar, person } = officer_form(visit, &headers, &form.csrf_token)?;
    let tender = own_draft(&state, &person, &id).await?;
    let (_, rules) = templates_and_rules(&state, &person).await?;
    let mut errors = FormErrors::default();
    let everyone = match form.open.as_str() {
        "everyone" => true,
        "conditions" => false,
        _ => {
            errors.add("open", "Select whether anyone may use the service");
            false
        }
    };
    let minimum_age = age(&mut errors, "minimum_age", &form.minimum_age);
    let maximum_age = age(&mut errors, "maximum_age", &form.maximum_age);
    let (Some(minimum_age), Some(maximum_age)) = (minimum_age, maximum_age) else {
        return Ok(who_page(&state, &session, jar, &tender, &rules, &form, &errors));
    };
    if !everyone && minimum_age == 0 && maximum_age == 0 && form.description.trim().is_empty() {
        errors.add("minimum_age", "Enter an age limit or describe who the service is for");
    }
    if !errors.is_empty() {
        return Ok(who_page(&state, &session, jar, &tender, &rules, &form, &errors));
    }
    let eligibility = TenderEligibility {
        open_to_everyone: everyone,
        minimum_age,
        maximum_age,
        description: form.description.trim().to_owned(),
    };
    let changed = Tender { id: id.clone(), eligibility: Some(eligibility), ..Default::default() };
    match save_task(&state, &person, changed, &["eligibility"], &form.etag, field_of).await? {
        Saved::Done => Ok((jar, Redirect::to(&format!("/officer/tenders/{id}/draft"))).into_response()),
        Saved::Refused(errors) => {
            let form = WhoForm { etag: tender.etag.clone(), ..form };
            Ok(who_page(&state, &session, jar, &tender, &rules, &form, &errors))
        }
    }
}
