//! The evidence the winner shows before the award, never a condition of bidding: what the draft
//! asks (the template's proposal for the value, from the service's bands), each kept or left out.
//! Only evidence proportionate to the kinds of service and the value is published.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use axum_extra::extract::cookie::CookieJar;
use minijinja::context;
use proto::commissioning::common::v1::{DocumentKind, EvidenceRequirement};
use proto::commissioning::tendering::v1::{Tender, TenderTemplate, TenderingRules};
use serde::{Deserialize, Serialize};

use super::{Saved, officer, officer_form, own_draft, pounds, save_task, task_page, templates_and_rules};
use crate::PortalState;
use crate::pages::locker::kind_name;
use crate::pages::{FormErrors, PageError};
use crate::sessions::Session;
use crate::visitor::{StaffVisit, Visit};

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct EvidenceForm {
    #[serde(skip_serializing)]
    csrf_token: String,
    etag: String,
    kinds: Vec<String>,
}

/// What the draft asks, then what its template proposes for its value and the draft no longer
/// asks, with the band's reason for its cover.
fn offered(tender: &Tender, template: Option<&TenderTemplate>) -> (Vec<EvidenceRequirement>, String) {
    let pence = tender.estimated_value.as_ref().map(|value| value.amount_pence);
    let band = template.and_then(|template| {
        template.evidence_bands.iter().find(|band| {
            band.up_to_value.as_ref().is_none_or(|up_to| pence.is_none_or(|pence| pence <= up_to.amount_pence))
        })
    });
    let mut all = tender.evidence_requirements.clone();
    for proposed in band.map(|band| band.requirements.as_slice()).unwrap_or_default() {
        if !all.iter().any(|asked| asked.kind == proposed.kind) {
            all.push(proposed.clone());
        }
    }
    (all, band.map(|band| band.reason.clone()).unwrap_or_default())
}

fn describe(requirement: &EvidenceRequirement) -> String {
    let mut text = kind_name(requirement.kind).to_owned();
    if let Some(cover) = requirement.minimum_cover.as_ref() {
        text.push_str(&format!(", at least {} of cover", pounds(Some(cover))));
    }
    if requirement.only_if_employing_staff {
        text.push_str(", only if it employs staff");
    }
    text
}

#[allow(clippy::too_many_arguments)]
fn evidence_page(
    state: &PortalState,
    session: &Session,
    jar: CookieJar,
    tender: &Tender,
    templates: &[TenderTemplate],
    rules: &TenderingRules,
    form: &EvidenceForm,
    errors: &FormErrors,
) -> Response {
    let template = templates.iter().find(|template| template.id == tender.template_id);
    let (all, reason) = offered(tender, template);
    let items: Vec<_> = all
        .iter()
        .map(|requirement| {
            let name = DocumentKind::try_from(requirement.kind).unwrap_or(DocumentKind::Unspecified).as_str_name();
            context! { value => name, text => describe(requirement), hint => (!requirement.note.is_empty()).then(|| context! { text => &requirement.note }) }
        })
        .collect();
    let form = context! { items, reason, etag => &form.etag, kinds => &form.kinds };
    task_page(state, session, jar, "officer_evidence.html", "Evidence the winner shows", tender, rules, errors, form)
}

/// GET /officer/tenders/{id}/draft/evidence
pub async fn evidence_form(
    State(state): State<PortalState>,
    Path(id): Path<String>,
    visit: StaffVisit,
) -> Result<Response, PageError> {
    let StaffVisit { session, jar, person } = officer(visit)?;
    let tender = own_draft(&state, &person, &id).await?;
    let (templates, rules) = templates_and_rules(&state, &person).await?;
    let form = EvidenceForm {
        etag: tender.etag.clone(),
        kinds: tender
            .evidence_requirements
            .iter()
            .map(|requirement| {
                DocumentKind::try_from(requirement.kind).unwrap_or(DocumentKind::Unspecified).as_str_name().to_owned()
            })
            .collect(),
        ..Default::default()
    };
    Ok(evidence_page(&state, &session, jar, &tender, &templates, &rules, &form, &FormErrors::default()))
}

/// POST /officer/tenders/{id}/draft/evidence
pub async fn save_evidence(
    State(state): State<PortalState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    visit: Visit,
    Form(form): Form<EvidenceForm>,
) -> Result<Response, PageError> {
    let StaffVisit { session, jar, person } = officer_form(visit, &headers, &form.csrf_token)?;
    let tender = own_draft(&state, &person, &id).await?;
    let (templates, rules) = templates_and_rules(&state, &person).await?;
    let template = templates.iter().find(|template| template.id == tender.template_id);
    let (all, _) = offered(&tender, template);
    let kept: Vec<EvidenceRequirement> = all
        .into_iter()
        .filter(|requirement| {
            let name = DocumentKind::try_from(requirement.kind).unwrap_or(DocumentKind::Unspecified).as_str_name();
            form.kinds.iter().any(|kind| kind == name)
        })
        .collect();
    let changed = Tender { id: id.clone(), evidence_requirements: kept, ..Default::default() };
    match save_task(&state, &person, changed, &["evidence_requirements"], &form.etag, |_| "kinds".to_owned()).await? {
        Saved::Done => Ok((jar, Redirect::to(&format!("/officer/tenders/{id}/draft"))).into_response()),
        Saved::Refused(errors) => {
            let form = EvidenceForm { etag: tender.etag.clone(), ..form };
            Ok(evidence_page(&state, &session, jar, &tender, &templates, &rules, &form, &errors))
        }
    }
}
