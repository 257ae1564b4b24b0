//! The value and the contract's dates: the estimated value decides the publication duties and the
//! evidence proportionate to it, so the page states the service's thresholds beside it.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use axum_extra::extract::cookie::CookieJar;
use proto::commissioning::common::v1::{Date, DateRange};
use proto::commissioning::tendering::v1::{Tender, TenderingRules};
use serde::{Deserialize, Serialize};

use super::{Saved, gbp, officer, officer_form, own_draft, pounds_typed, save_task, task_page, templates_and_rules};
use crate::PortalState;
use crate::pages::locker::{DateParts, date_of};
use crate::pages::{FormErrors, PageError};
use crate::sessions::Session;
use crate::visitor::{StaffVisit, Visit};

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ValueForm {
    #[serde(skip_serializing)]
    csrf_token: String,
    etag: String,
    value: String,
    /// "yes" or "no".
    vat_included: String,
    budget: String,
    #[serde(rename = "start-day")]
    start_day: String,
    #[serde(rename = "start-month")]
    start_month: String,
    #[serde(rename = "start-year")]
    start_year: String,
    #[serde(rename = "end-day")]
    end_day: String,
    #[serde(rename = "end-month")]
    end_month: String,
    #[serde(rename = "end-year")]
    end_year: String,
}

fn whole_pounds(pence: i64) -> String {
    (pence / 100).to_string()
}

fn form_of(tender: &Tender) -> ValueForm {
    let period = tender.contract_period.unwrap_or_default();
    let parts = |date: Option<Date>| {
        date.map_or((String::new(), String::new(), String::new()), |date| {
            (date.day.to_string(), date.month.to_string(), date.year.to_string())
        })
    };
    let (start_day, start_month, start_year) = parts(period.start_date);
    let (end_day, end_month, end_year) = parts(period.end_date);
    let value = tender.estimated_value.as_ref();
    ValueForm {
        etag: tender.etag.clone(),
        value: value.map_or_else(String::new, |money| whole_pounds(money.amount_pence)),
        vat_included: value.map_or("yes", |money| if money.vat_included { "yes" } else { "no" }).into(),
        budget: tender.maximum_budget.as_ref().map_or_else(String::new, |money| whole_pounds(money.amount_pence)),
        start_day,
        start_month,
        start_year,
        end_day,
        end_month,
        end_year,
        ..Default::default()
    }
}

fn value_page(
    state: &PortalState,
    session: &Session,
    jar: CookieJar,
    tender: &Tender,
    rules: &TenderingRules,
    form: &ValueForm,
    errors: &FormErrors,
) -> Response {
    let form = minijinja::Value::from(minijinja::value::Serde(form));
    task_page(state, session, jar, "officer_value.html", "Value and contract dates", tender, rules, errors, form)
}

/// GET /officer/tenders/{id}/draft/value
pub async fn value_form(
    State(state): State<PortalState>,
    Path(id): Path<String>,
    visit: StaffVisit,
) -> Result<Response, PageError> {
    let StaffVisit { session, jar, person } = officer(visit)?;
    let tender = own_draft(&state, &person, &id).await?;
    let (_, rules) = templates_and_rules(&state, &person).await?;
    Ok(value_page(&state, &session, jar, &tender, &rules, &form_of(&tender), &FormErrors::default()))
}

fn field_of(path: &str) -> String {
    match path {
        path if path.starts_with("maximum_budget") => "budget".into(),
        path if path.starts_with("contract_period.end") => "end-day".into(),
        path if path.starts_with("contract_period") => "start-day".into(),
        _ => "value".into(),
    }
}

/// POST /officer/tenders/{id}/draft/value
pub async fn save_value(
    State(state): State<PortalState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    visit: Visit,
    Form(form): Form<ValueForm>,
) -> Result<Response, PageError> {
    let StaffVisit { session, jar, person } = officer_form(visit, &headers, &form.csrf_token)?;
    let tender = own_draft(&state, &person, &id).await?;
    let (_, rules) = templates_and_rules(&state, &person).await?;
    let mut errors = FormErrors::default();
    let value = pounds_typed(&mut errors, "value", &form.value, "the estimated value");
    if value == Some(None) {
        errors.add("value", "Enter the estimated value of the contract");
    }
    let budget = pounds_typed(&mut errors, "budget", &form.budget, "the most you will pay");
    let vat_included = form.vat_included != "no";
    let start =
        DateParts { day: form.start_day.clone(), month: form.start_month.clone(), year: form.start_year.clone() };
    let end = DateParts { day: form.end_day.clone(), month: form.end_month.clone(), year: form.end_year.clone() };
    let start_date = date_of(&mut errors, "start", &start, "the date the contract starts");
    let end_date = date_of(&mut errors, "end", &end, "the date the contract ends");
    if start_date.is_none() {
        errors.add("start-day", "Enter the date the contract starts");
    }
    if end_date.is_none() {
        errors.add("end-day", "Enter the date the contract ends");
    }
    let (Some(Some(value)), Some(budget)) = (value, budget) else {
        return Ok(value_page(&state, &session, jar, &tender, &rules, &form, &errors));
    };
    if !errors.is_empty() {
        return Ok(value_page(&state, &session, jar, &tender, &rules, &form, &errors));
    }
    let changed = Tender {
        id: id.clone(),
        estimated_value: Some(gbp(value, vat_included)),
        maximum_budget: budget.map(|budget| gbp(budget, vat_included)),
        contract_period: Some(DateRange { start_date, end_date }),
        ..Default::default()
    };
    let paths = ["estimated_value", "maximum_budget", "contract_period"];
    match save_task(&state, &person, changed, &paths, &form.etag, field_of).await? {
        Saved::Done => Ok((jar, Redirect::to(&format!("/officer/tenders/{id}/draft"))).into_response()),
        Saved::Refused(errors) => {
            let form = ValueForm { etag: tender.etag.clone(), ..form };
            Ok(value_page(&state, &session, jar, &tender, &rules, &form, &errors))
        }
    }
}
