//! The criteria bids are scored on and their weights, which add up to 100, and the reason for a
//! price weight above the service's limit (which bidders read). The template's criteria are kept
//! with what they score; the officer names and weighs them.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use axum_extra::extract::cookie::CookieJar;
use minijinja::context;
use proto::commissioning::tendering::v1::{CriterionKind, Tender, TenderingRules};
use serde::{Deserialize, Serialize};

use super::{Saved, officer, officer_form, own_draft, save_task, task_page, templates_and_rules};
use crate::PortalState;
use crate::pages::{FormErrors, PageError};
use crate::sessions::Session;
use crate::visitor::{StaffVisit, Visit};

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct CriteriaForm {
    #[serde(skip_serializing)]
    csrf_token: String,
    etag: String,
    name: Vec<String>,
    weight: Vec<String>,
    price_weight_reason: String,
}

pub(super) fn kind_name(kind: CriterionKind) -> &'static str {
    match kind {
        CriterionKind::Price => "Price: scored from the bids' prices",
        CriterionKind::Quality => "Quality: scored by the panel",
        CriterionKind::SocialValue => "Social value: scored by the panel",
        CriterionKind::PassFail => "Pass or fail: no weight, a bid that fails is not ranked",
        CriterionKind::Unspecified => "Not set",
    }
}

fn form_of(tender: &Tender) -> CriteriaForm {
    CriteriaForm {
        etag: tender.etag.clone(),
        name: tender.criteria.iter().map(|criterion| criterion.name.clone()).collect(),
        weight: tender.criteria.iter().map(|criterion| criterion.weight.to_string()).collect(),
        price_weight_reason: tender.price_weight_reason.clone(),
        ..Default::default()
    }
}

fn criteria_page(
    state: &PortalState,
    session: &Session,
    jar: CookieJar,
    tender: &Tender,
    rules: &TenderingRules,
    form: &CriteriaForm,
    errors: &FormErrors,
) -> Response {
    let rows: Vec<_> = tender
        .criteria
        .iter()
        .enumerate()
        .map(|(index, criterion)| {
            context! {
                number => index + 1,
                kind => kind_name(criterion.kind()),
                pass_fail => criterion.kind() == CriterionKind::PassFail,
                name => form.name.get(index).map_or("", String::as_str),
                weight => form.weight.get(index).map_or("", String::as_str),
            }
        })
        .collect();
    let total: i64 = form.weight.iter().filter_map(|weight| weight.trim().parse::<i64>().ok()).sum();
    let form = context! { rows, total, etag => &form.etag, price_weight_reason => &form.price_weight_reason };
    task_page(state, session, jar, "officer_criteria.html", "Criteria and weights", tender, rules, errors, form)
}

/// GET /officer/tenders/{id}/draft/criteria
pub async fn criteria_form(
    State(state): State<PortalState>,
    Path(id): Path<String>,
    visit: StaffVisit,
) -> Result<Response, PageError> {
    let StaffVisit { session, jar, person } = officer(visit)?;
    let tender = own_draft(&state, &person, &id).await?;
    let (_, rules) = templates_and_rules(&state, &person).await?;
    Ok(criteria_page(&state, &session, jar, &tender, &rules, &form_of(&tender), &FormErrors::default()))
}

fn field_of(path: &str) -> String {
    let index = path
        .strip_prefix("criteria[")
        .and_then(|rest| rest.split(']').next())
        .and_then(|number| number.parse::<usize>().ok());
    match index {
        Some(index) if path.ends_with("name") => format!("criterion-{}", index + 1),
        Some(index) => format!("criterion-{}-weight", index + 1),
        None if path == "price_weight_reason" => "price_weight_reason".into(),
        // The weights' total, and anything else about the criteria: on the first weight.
        None => "criterion-1-weight".into(),
    }
}

/// POST /officer/tenders/{id}/draft/criteria
pub async fn save_criteria(
    State(state): State<PortalState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    visit: Visit,
    Form(form): Form<CriteriaForm>,
) -> Result<Response, PageError> {
    let StaffVisit { session, jar, person } = officer_form(visit, &headers, &form.csrf_token)?;
    let tender = own_draft(&state, &person, &id).await?;
    let (_, rules) = templates_and_rules(&state, &person).await?;
    let mut errors = FormErrors::default();
    let mut criteria = tender.criteria.clone();
    for (index, criterion) in criteria.iter_mut().enumerate() {
        let number = index + 1;
        let name = form.name.get(index).map_or("", |name| name.trim());
        if name.is_empty() {
            errors.add(&format!("criterion-{number}"), format!("Enter criterion {number}'s name"));
        }
        criterion.name = name.to_owned();
        if criterion.kind() == CriterionKind::PassFail {
            continue;
        }
        match form.weight.get(index).and_then(|weight| weight.trim().parse::<i32>().ok()) {
            Some(weight) => criterion.weight = weight,
            None => errors.add(
                &format!("criterion-{number}-weight"),
                format!("Enter criterion {number}'s weight as a whole number, like 30"),
            ),
        }
    }
    if !errors.is_empty() {
        return Ok(criteria_page(&state, &session, jar, &tender, &rules, &form, &errors));
    }
    let changed = Tender {
        id: id.clone(),
        criteria,
        price_weight_reason: form.price_weight_reason.trim().to_owned(),
        ..Default::default()
    };
    match save_task(&state, &person, changed, &["criteria", "price_weight_reason"], &form.etag, field_of).await? {
        Saved::Done => Ok((jar, Redirect::to(&format!("/officer/tenders/{id}/draft"))).into_response()),
        Saved::Refused(errors) => {
            let form = CriteriaForm { etag: tender.etag.clone(), ..form };
            Ok(criteria_page(&state, &session, jar, &tender, &rules, &form, &errors))
        }
    }
}
