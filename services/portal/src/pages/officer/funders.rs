//! Who pays: the council, an NHS integrated care board, a Better Care Fund pool, each with its
//! share; the shares add up to 100% (the service's rule, on the shares' fields when they do not).

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use axum_extra::extract::cookie::CookieJar;
use proto::commissioning::common::v1::{OrganisationKind, OrganisationRef};
use proto::commissioning::tendering::v1::{Funder, Tender, TenderingRules};
use serde::{Deserialize, Serialize};

use super::{Saved, officer, officer_form, own_draft, save_task, task_page, templates_and_rules};
use crate::PortalState;
use crate::pages::{FormErrors, PageError};
use crate::sessions::{Person, Session};
use crate::visitor::{StaffVisit, Visit};

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct FundersForm {
    #[serde(skip_serializing)]
    csrf_token: String,
    etag: String,
    council_share: String,
    icb_name: String,
    icb_share: String,
    pool_name: String,
    pool_share: String,
}

/// The funders the form offers, each with its kind and its fields.
const OTHERS: [(OrganisationKind, &str); 2] =
    [(OrganisationKind::IntegratedCareBoard, "icb"), (OrganisationKind::PooledFund, "pool")];

/// "60" for 6,000 basis points, "33.5" for 3,350.
fn percent(basis_points: i32) -> String {
    if basis_points % 100 == 0 {
        (basis_points / 100).to_string()
    } else {
        format!("{}", f64::from(basis_points) / 100.0)
    }
}

fn form_of(tender: &Tender) -> FundersForm {
    let share_of = |kind: OrganisationKind| {
        tender
            .funders
            .iter()
            .find(|funder| funder.organisation.as_ref().is_some_and(|organisation| organisation.kind() == kind))
    };
    let name = |funder: Option<&Funder>| {
        funder
            .and_then(|funder| funder.organisation.as_ref())
            .map_or_else(String::new, |organisation| organisation.name.clone())
    };
    let share = |funder: Option<&Funder>| funder.map_or_else(String::new, |funder| percent(funder.share_basis_points));
    let council = share_of(OrganisationKind::Council);
    let icb = share_of(OrganisationKind::IntegratedCareBoard);
    let pool = share_of(OrganisationKind::PooledFund);
    FundersForm {
        etag: tender.etag.clone(),
        council_share: if tender.funders.is_empty() { "100".into() } else { share(council) },
        icb_name: name(icb),
        icb_share: share(icb),
        pool_name: name(pool),
        pool_share: share(pool),
        ..Default::default()
    }
}

fn funders_page(
    state: &PortalState,
    session: &Session,
    jar: CookieJar,
    tender: &Tender,
    rules: &TenderingRules,
    form: &FundersForm,
    errors: &FormErrors,
) -> Response {
    let form = minijinja::Value::from(minijinja::value::Serde(form));
    task_page(state, session, jar, "officer_funders.html", "Funders and their shares", tender, rules, errors, form)
}

/// GET /officer/tenders/{id}/draft/funders
pub async fn funders_form(
    State(state): State<PortalState>,
    Path(id): Path<String>,
    visit: StaffVisit,
) -> Result<Response, PageError> {
    let StaffVisit { session, jar, person } = officer(visit)?;
    let tender = own_draft(&state, &person, &id).await?;
    let (_, rules) = templates_and_rules(&state, &person).await?;
    Ok(funders_page(&state, &session, jar, &tender, &rules, &form_of(&tender), &FormErrors::default()))
}

/// A share typed in percent ("40", "33.5"), in basis points; 0 when empty.
fn share(errors: &mut FormErrors, field: &str, typed: &str) -> i32 {
    let typed = typed.trim().trim_end_matches('%').trim();
    if typed.is_empty() {
        return 0;
    }
    match typed.parse::<f64>() {
        Ok(percent) if (0.0..=100.0).contains(&percent) => (percent * 100.0).round() as i32,
        _ => {
            errors.add(field, "Enter the share as a percentage, like 40");
            0
        }
    }
}

/// The funders as typed: none when the council pays everything.
fn funders_of(errors: &mut FormErrors, form: &FundersForm, person: &Person) -> Vec<Funder> {
    let council_share = share(errors, "council_share", &form.council_share);
    let mut funders = Vec::new();
    for (kind, field) in OTHERS {
        let (name, typed) =
            if field == "icb" { (&form.icb_name, &form.icb_share) } else { (&form.pool_name, &form.pool_share) };
        let basis_points = share(errors, &format!("{field}_share"), typed);
        match (name.trim().is_empty(), basis_points) {
            (true, 0) => {}
            (true, _) => errors.add(&format!("{field}_name"), "Enter the funder's name"),
            (false, 0) => errors.add(&format!("{field}_share"), "Enter the funder's share"),
            (false, basis_points) => funders.push(Funder {
                organisation: Some(OrganisationRef {
                    kind: kind.into(),
                    name: name.trim().to_owned(),
                    ..Default::default()
                }),
                share_basis_points: basis_points,
            }),
        }
    }
    if funders.is_empty() && (council_share == 10_000 || council_share == 0) {
        return Vec::new();
    }
    let council = OrganisationRef {
        organisation_id: person.organisation_id.clone(),
        kind: OrganisationKind::Council.into(),
        name: person.organisation_name.clone(),
        ..Default::default()
    };
    let mut all = vec![Funder { organisation: Some(council), share_basis_points: council_share }];
    all.extend(funders);
    all
}

/// The funders' fields in the order funders_of sends them: the council first, then those named.
fn field_of(form: &FundersForm) -> impl Fn(&str) -> String {
    let mut order = vec!["council"];
    if !form.icb_name.trim().is_empty() {
        order.push("icb");
    }
    if !form.pool_name.trim().is_empty() {
        order.push("pool");
    }
    move |path: &str| {
        let Some(rest) = path.strip_prefix("funders[") else { return "council_share".into() };
        let index = rest.split(']').next().and_then(|number| number.parse::<usize>().ok()).unwrap_or(0);
        let funder = order.get(index).copied().unwrap_or("council");
        if path.contains("name") { format!("{funder}_name") } else { format!("{funder}_share") }
    }
}

/// POST /officer/tenders/{id}/draft/funders
pub async fn save_funders(
    State(state): State<PortalState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    visit: Visit,
    Form(form): Form<FundersForm>,
) -> Result<Response, PageError> {
    let StaffVisit { session, jar, person } = officer_form(visit, &headers, &form.csrf_token)?;
    let tender = own_draft(&state, &person, &id).await?;
    let (_, rules) = templates_and_rules(&state, &person).await?;
    let mut errors = FormErrors::default();
    let funders = funders_of(&mut errors, &form, &person);
    if !errors.is_empty() {
        return Ok(funders_page(&state, &session, jar, &tender, &rules, &form, &errors));
    }
    let changed = Tender { id: id.clone(), funders, ..Default::default() };
    match save_task(&state, &person, changed, &["funders"], &form.etag, field_of(&form)).await? {
        Saved::Done => Ok((jar, Redirect::to(&format!("/officer/tenders/{id}/draft"))).into_response()),
        Saved::Refused(errors) => {
            let form = FundersForm { etag: tender.etag.clone(), ..form };
            Ok(funders_page(&state, &session, jar, &tender, &rules, &form, &errors))
        }
    }
}
