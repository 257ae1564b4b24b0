//! Amending a published tender (UpdateTender with a reason, which bidders read): its summary or
//! its bid deadline. A material amendment moves the deadline to at least the service's minimum
//! bid period from now, and the tender's page says so.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use axum_extra::extract::cookie::CookieJar;
use minijinja::context;
use proto::commissioning::tendering::v1::{Tender, TenderStatus, TenderingRules, UpdateTenderRequest};
use serde::{Deserialize, Serialize};

use super::{
    moment_of, officer, officer_form, own_tender, refusal, rules_values, templates_and_rules, tender_values,
    typed_moment,
};
use crate::PortalState;
use crate::pages::locker::DateParts;
use crate::pages::{FormErrors, PageError, page};
use crate::sessions::Session;
use crate::visitor::{StaffVisit, Visit};

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct AmendForm {
    #[serde(skip_serializing)]
    csrf_token: String,
    etag: String,
    summary: String,
    #[serde(rename = "deadline-day")]
    deadline_day: String,
    #[serde(rename = "deadline-month")]
    deadline_month: String,
    #[serde(rename = "deadline-year")]
    deadline_year: String,
    #[serde(rename = "deadline-time")]
    deadline_time: String,
    reason: String,
    /// "yes" when the officer treats a change of wording as material.
    material: String,
}

fn form_of(tender: &Tender) -> AmendForm {
    let (deadline, deadline_time) = typed_moment(tender.bid_deadline.as_ref());
    AmendForm {
        etag: tender.etag.clone(),
        summary: tender.summary.clone(),
        deadline_day: deadline.day,
        deadline_month: deadline.month,
        deadline_year: deadline.year,
        deadline_time,
        ..Default::default()
    }
}

fn amend_page(
    state: &PortalState,
    session: &Session,
    jar: CookieJar,
    tender: &Tender,
    rules: &TenderingRules,
    form: &AmendForm,
    errors: &FormErrors,
) -> Response {
    let form = context! {
        material_values => if form.material == "yes" { vec!["yes"] } else { Vec::new() },
        ..minijinja::Value::from(minijinja::value::Serde(form))
    };
    let values = context! { tender => tender_values(tender), rules => rules_values(rules), form };
    page(state, session, jar, "officer_amend.html", "Amend the tender", errors, values)
}

/// A tender still taking questions or bids; any other is sent back to its page.
async fn amendable(state: &PortalState, visit: &StaffVisit, id: &str) -> Result<Tender, PageError> {
    let tender = own_tender(state, &visit.person, id).await?;
    if !matches!(tender.status(), TenderStatus::ActiveEnquiries | TenderStatus::ActiveTendering) {
        return Err(PageError::GoTo("/dashboard"));
    }
    Ok(tender)
}

/// GET /officer/tenders/{id}/amend
pub async fn amend_form(
    State(state): State<PortalState>,
    Path(id): Path<String>,
    visit: StaffVisit,
) -> Result<Response, PageError> {
    let visit = officer(visit)?;
    let tender = amendable(&state, &visit, &id).await?;
    let (_, rules) = templates_and_rules(&state, &visit.person).await?;
    let StaffVisit { session, jar, .. } = visit;
    Ok(amend_page(&state, &session, jar, &tender, &rules, &form_of(&tender), &FormErrors::default()))
}

/// POST /officer/tenders/{id}/amend
pub async fn amend(
    State(state): State<PortalState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    visit: Visit,
    Form(form): Form<AmendForm>,
) -> Result<Response, PageError> {
    let visit = officer_form(visit, &headers, &form.csrf_token)?;
    let tender = amendable(&state, &visit, &id).await?;
    let (_, rules) = templates_and_rules(&state, &visit.person).await?;
    let StaffVisit { session, jar, person } = visit;
    let mut errors = FormErrors::default();
    let deadline = DateParts {
        day: form.deadline_day.clone(),
        month: form.deadline_month.clone(),
        year: form.deadline_year.clone(),
    };
    let bid_deadline = moment_of(&mut errors, "deadline", &deadline, &form.deadline_time, "the bid deadline");
    if form.summary.trim().is_empty() {
        errors.add("summary", "Enter the summary");
    }
    let mut paths = Vec::new();
    if form.summary.trim() != tender.summary {
        paths.push("summary".to_owned());
    }
    if bid_deadline.is_some_and(|deadline| Some(deadline) != tender.bid_deadline) {
        paths.push("bid_deadline".to_owned());
    }
    if errors.is_empty() && paths.is_empty() {
        errors.add("summary", "Change the summary or the bid deadline, or go back to the tender");
    }
    if form.reason.trim().is_empty() {
        errors.add("reason", "Enter why you are amending the tender: bidders read it");
    }
    if !errors.is_empty() {
        return Ok(amend_page(&state, &session, jar, &tender, &rules, &form, &errors));
    }
    let changed = Tender {
        id: id.clone(),
        etag: form.etag.clone(),
        summary: form.summary.trim().to_owned(),
        bid_deadline,
        ..Default::default()
    };
    let request = UpdateTenderRequest {
        tender: Some(changed),
        update_mask: Some(prost_types::FieldMask { paths }),
        amendment_reason: form.reason.trim().to_owned(),
        material: form.material == "yes",
    };
    match state.tendering().update_tender(state.as_person(&person, request)?).await {
        Ok(_) => Ok((jar, Redirect::to(&format!("/officer/tenders/{id}?amended=1"))).into_response()),
        Err(status) => {
            let field_of = |path: &str| match path {
                "bid_deadline" => "deadline-day".to_owned(),
                "amendment_reason" => "reason".to_owned(),
                _ => "summary".to_owned(),
            };
            let errors = refusal(&status, &field_of)?;
            let form = AmendForm { etag: tender.etag.clone(), ..form };
            Ok(amend_page(&state, &session, jar, &tender, &rules, &form, &errors))
        }
    }
}
