//! Where the service is wanted: postcode districts in the council's area, or the whole council.
//! Charities offering the tender's kinds of service there are told of it once published.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use axum_extra::extract::cookie::CookieJar;
use proto::commissioning::common::v1::Area;
use proto::commissioning::common::v1::area::Part;
use proto::commissioning::tendering::v1::{Tender, TenderingRules};
use serde::{Deserialize, Serialize};

use super::{Saved, officer, officer_form, own_draft, save_task, task_page, templates_and_rules};
use crate::PortalState;
use crate::pages::{FormErrors, PageError};
use crate::sessions::Session;
use crate::visitor::{StaffVisit, Visit};

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct AreasForm {
    #[serde(skip_serializing)]
    csrf_token: String,
    etag: String,
    /// "whole" or "districts".
    extent: String,
    districts: String,
}

fn form_of(tender: &Tender) -> AreasForm {
    let districts: Vec<&str> = tender
        .areas
        .iter()
        .filter_map(|area| match &area.part {
            Some(Part::PostcodeDistrict(district)) => Some(district.as_str()),
            _ => None,
        })
        .collect();
    let extent = match (tender.areas.is_empty(), districts.is_empty()) {
        (true, _) => "",
        (false, true) => "whole",
        (false, false) => "districts",
    };
    AreasForm {
        etag: tender.etag.clone(),
        extent: extent.into(),
        districts: districts.join(", "),
        ..Default::default()
    }
}

fn areas_page(
    state: &PortalState,
    session: &Session,
    jar: CookieJar,
    tender: &Tender,
    rules: &TenderingRules,
    form: &AreasForm,
    errors: &FormErrors,
) -> Response {
    let form = minijinja::Value::from(minijinja::value::Serde(form));
    task_page(state, session, jar, "officer_where.html", "Where", tender, rules, errors, form)
}

/// GET /officer/tenders/{id}/draft/where
pub async fn areas_form(
    State(state): State<PortalState>,
    Path(id): Path<String>,
    visit: StaffVisit,
) -> Result<Response, PageError> {
    let StaffVisit { session, jar, person } = officer(visit)?;
    let tender = own_draft(&state, &person, &id).await?;
    let (_, rules) = templates_and_rules(&state, &person).await?;
    Ok(areas_page(&state, &session, jar, &tender, &rules, &form_of(&tender), &FormErrors::default()))
}

/// POST /officer/tenders/{id}/draft/where
pub async fn save_areas(
    State(state): State<PortalState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    visit: Visit,
    Form(form): Form<AreasForm>,
) -> Result<Response, PageError> {
    let StaffVisit { session, jar, person } = officer_form(visit, &headers, &form.csrf_token)?;
    let tender = own_draft(&state, &person, &id).await?;
    let (_, rules) = templates_and_rules(&state, &person).await?;
    let mut errors = FormErrors::default();
    let districts: Vec<&str> =
        form.districts.split([',', ' ', '\n']).map(str::trim).filter(|district| !district.is_empty()).collect();
    let areas: Vec<Area> = match form.extent.as_str() {
        "whole" => vec![Area { council_id: person.organisation_id.clone(), ..Default::default() }],
        "districts" if districts.is_empty() => {
            errors.add("districts", "Enter the postcode districts, like SW2, SW9");
            Vec::new()
        }
        "districts" => districts
            .iter()
            .map(|district| Area {
                council_id: person.organisation_id.clone(),
                part: Some(Part::PostcodeDistrict((*district).to_owned())),
                ..Default::default()
            })
            .collect(),
        _ => {
            errors.add("extent", "Select where the service is wanted");
            Vec::new()
        }
    };
    if !errors.is_empty() {
        return Ok(areas_page(&state, &session, jar, &tender, &rules, &form, &errors));
    }
    let changed = Tender { id: id.clone(), areas, ..Default::default() };
    match save_task(&state, &person, changed, &["areas"], &form.etag, |_| "districts".to_owned()).await? {
        Saved::Done => Ok((jar, Redirect::to(&format!("/officer/tenders/{id}/draft"))).into_response()),
        Saved::Refused(errors) => {
            let form = AreasForm { etag: tender.etag.clone(), ..form };
            Ok(areas_page(&state, &session, jar, &tender, &rules, &form, &errors))
        }
    }
}
