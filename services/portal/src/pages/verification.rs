//! An officer checks a provider's documents: the providers that bid to the council or hold its
//! contracts, and for each its documents (one of each kind, as CheckCompliance finds them), to
//! verify or reject with a reason the provider can act on. Which documents an officer may read and
//! decide on is the compliance service's rule (GetDocument, VerifyDocument, RejectDocument: only
//! providers that bid to the officer's council or hold a contract with it); the page shows only
//! those it answers.

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use minijinja::context;
use platform::auth::Role;
use proto::commissioning::common::v1::EvidenceRequirement;
use proto::commissioning::compliance::v1::{
    CheckComplianceRequest, Document, GetDocumentRequest, RejectDocumentRequest, VerifyDocumentRequest,
};
use proto::commissioning::evaluation::v1::ListEvaluationsRequest;
use proto::commissioning::providers::v1::GetProviderRequest;
use proto::commissioning::tendering::v1::ListContractsRequest;
use serde::{Deserialize, Serialize};

use super::locker::{KINDS, kind_name, long_date, state_tag};
use super::tenders::pounds;
use super::{FormErrors, PageError, page, sentence};
use crate::PortalState;
use crate::calls::field_violations;
use crate::sessions::Person;
use crate::visitor::{StaffVisit, Visit};

/// GET /verification: the providers whose documents the council may check.
pub async fn providers(State(state): State<PortalState>, visit: StaffVisit) -> Result<Response, PageError> {
    let StaffVisit { session, jar, person } = visit.with_role(Role::Officer)?;
    let mut found = BTreeMap::new();
    let request = ListEvaluationsRequest { page_size: 200, ..Default::default() };
    let evaluations =
        state.evaluation().list_evaluations(state.as_person(&person, request)?).await?.into_inner().evaluations;
    for evaluation in evaluations.iter().filter(|evaluation| evaluation.council_id == person.organisation_id) {
        for bid in &evaluation.bids {
            found.entry(bid.provider_id.clone()).or_insert_with(|| (bid.provider_name.clone(), Vec::new()));
            if let Some((_, why)) = found.get_mut(&bid.provider_id) {
                why.push(format!("bid to “{}”", evaluation.tender_title));
            }
        }
    }
    let request =
        ListContractsRequest { council_id: person.organisation_id.clone(), page_size: 100, ..Default::default() };
    let contracts = state.tendering().list_contracts(state.as_person(&person, request)?).await?.into_inner().contracts;
    for contract in &contracts {
        let Some(supplier) = contract.supplier.as_ref().filter(|supplier| !supplier.provider_id.is_empty()) else {
            continue;
        };
        let entry = found.entry(supplier.provider_id.clone()).or_insert_with(|| (supplier.name.clone(), Vec::new()));
        entry.1.push(format!("holds “{}”", contract.title));
    }
    let providers: Vec<_> = found
        .iter()
        .filter(|(id, _)| !id.is_empty())
        .map(|(id, (name, why))| context! { id, name, why => why.join(", ") })
        .collect();
    let values = context! { council => &person.organisation_name, providers };
    Ok(page(&state, &session, jar, "verification.html", "Documents to check", &FormErrors::default(), values))
}

#[derive(Debug, Default, Deserialize)]
pub struct DocumentsQuery {
    /// What was just done: verified or rejected.
    #[serde(default)]
    done: Option<String>,
}

/// GET /verification/{provider_id}
pub async fn documents(
    State(state): State<PortalState>,
    Path(provider_id): Path<String>,
    Query(query): Query<DocumentsQuery>,
    visit: StaffVisit,
) -> Result<Response, PageError> {
    let visit = visit.with_role(Role::Officer)?;
    documents_page(&state, visit, &provider_id, &Decision::default(), &FormErrors::default(), query.done.as_deref())
        .await
}

/// An officer's decision on one document, as the form sends it.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Decision {
    #[serde(skip_serializing)]
    csrf_token: String,
    document_id: String,
    note: String,
    reason: String,
}

/// POST /verification/{provider_id}/verify
pub async fn verify(
    State(state): State<PortalState>,
    headers: HeaderMap,
    Path(provider_id): Path<String>,
    visit: Visit,
    Form(decision): Form<Decision>,
) -> Result<Response, PageError> {
    visit.check_form(&headers, &decision.csrf_token)?;
    let visit = StaffVisit::try_from(visit)?.with_role(Role::Officer)?;
    let request =
        VerifyDocumentRequest { document_id: decision.document_id.clone(), note: decision.note.trim().to_owned() };
    match state.compliance().verify_document(state.as_person(&visit.person, request)?).await {
        Ok(_) => Ok(decided(visit, &provider_id, "verified")),
        Err(status) => refused(&state, visit, &provider_id, &decision, &status, "note").await,
    }
}

/// POST /verification/{provider_id}/reject
pub async fn reject(
    State(state): State<PortalState>,
    headers: HeaderMap,
    Path(provider_id): Path<String>,
    visit: Visit,
    Form(decision): Form<Decision>,
) -> Result<Response, PageError> {
    visit.check_form(&headers, &decision.csrf_token)?;
    let visit = StaffVisit::try_from(visit)?.with_role(Role::Officer)?;
    if decision.reason.trim().is_empty() {
        let mut errors = FormErrors::default();
        errors.add(&format!("reason-{}", decision.document_id), "Enter why the document is rejected");
        return documents_page(&state, visit, &provider_id, &decision, &errors, None).await;
    }
    let request =
        RejectDocumentRequest { document_id: decision.document_id.clone(), reason: decision.reason.trim().to_owned() };
    match state.compliance().reject_document(state.as_person(&visit.person, request)?).await {
        Ok(_) => Ok(decided(visit, &provider_id, "rejected")),
        Err(status) => refused(&state, visit, &provider_id, &decision, &status, "reason").await,
    }
}

/// Back to the provider's documents, saying what was done.
fn decided(visit: StaffVisit, provider_id: &str, done: &str) -> Response {
    // A provider's id is a UUID; anything else goes back to the list.
    let path = if provider_id.chars().all(|character| character.is_ascii_alphanumeric() || character == '-') {
        format!("/verification/{provider_id}?done={done}")
    } else {
        "/verification".to_owned()
    };
    (visit.jar, Redirect::to(&path)).into_response()
}

/// A refusal the officer can act on, on the document's form; anything else as its page.
async fn refused(
    state: &PortalState,
    visit: StaffVisit,
    provider_id: &str,
    decision: &Decision,
    status: &tonic::Status,
    field: &str,
) -> Result<Response, PageError> {
    let field = format!("{field}-{}", decision.document_id);
    let mut errors = FormErrors::default();
    match status.code() {
        tonic::Code::InvalidArgument => {
            for (_, description) in field_violations(status) {
                errors.add(&field, sentence(&description));
            }
            if errors.is_empty() {
                errors.add(&field, sentence(status.message()));
            }
        }
        tonic::Code::FailedPrecondition => {
            errors.add(&field, "This document has already been checked, or is being replaced: it can no longer be verified or rejected");
        }
        _ => return Err(status.clone().into()),
    }
    documents_page(state, visit, provider_id, decision, &errors, None).await
}

/// The provider's documents the officer may read, each with its facts and its forms.
async fn documents_page(
    state: &PortalState,
    StaffVisit { session, jar, person }: StaffVisit,
    provider_id: &str,
    decision: &Decision,
    errors: &FormErrors,
    done: Option<&str>,
) -> Result<Response, PageError> {
    let request = state.as_person(&person, GetProviderRequest { provider_id: provider_id.to_owned() })?;
    let provider = state.providers().get_provider(request).await?.into_inner().provider.ok_or(PageError::NotFound)?;
    let documents = readable_documents(state, &person, provider_id).await?;
    let shown: Vec<_> = documents
        .iter()
        .map(|document| {
            let (text, classes) = state_tag(document.status);
            let mut rows = vec![
                row("Kind", kind_name(document.kind).to_owned()),
                row("Valid from", long_date(document.valid_from.as_ref())),
                row("Valid until", long_date(document.expires_on.as_ref())),
            ];
            if let Some(insurance) = &document.insurance {
                rows.push(row("Insurer", insurance.insurer.clone()));
                rows.push(row("Policy number", insurance.policy_number.clone()));
                rows.push(row("Cover", pounds(insurance.limit_of_indemnity.as_ref())));
            }
            if let Some(verification) = &document.verification {
                rows.push(row("Verified by", verification.council_name.clone()));
            }
            if let Some(rejection) = &document.rejection {
                rows.push(row("Rejected by", format!("{}: {}", rejection.council_name, rejection.reason)));
            }
            let this = decision.document_id == document.id;
            context! {
                id => &document.id,
                title => &document.title,
                tag => context! { text, classes },
                rows,
                // The compliance service decides on a document once, while it waits to be checked.
                open => matches!(text, "Submitted" | "Expiring") && document.verification.is_none(),
                note => if this { decision.note.as_str() } else { "" },
                reason => if this { decision.reason.as_str() } else { "" },
            }
        })
        .collect();
    let values = context! {
        provider => context! { id => &provider.id, name => &provider.legal_name },
        documents => shown,
        done,
    };
    Ok(page(state, &session, jar, "verification_documents.html", &provider.legal_name, errors, values))
}

fn row(key: &str, value: String) -> minijinja::Value {
    context! { key => context! { text => key }, value => context! { text => value } }
}

/// The documents of each kind the provider's locker holds (the one CheckCompliance relies on,
/// or that came closest), those the compliance service lets the officer read. FORBIDDEN when the
/// locker holds documents and the officer may read none of them.
async fn readable_documents(
    state: &PortalState,
    person: &Person,
    provider_id: &str,
) -> Result<Vec<Document>, PageError> {
    let requirements =
        KINDS.iter().map(|(kind, _)| EvidenceRequirement { kind: *kind as i32, ..Default::default() }).collect();
    let check = CheckComplianceRequest {
        provider_id: provider_id.to_owned(),
        requirements,
        on_date: Some(platform::dates::date_to_proto(platform::time::london_today())),
        tender_id: String::new(),
    };
    let checked = state.compliance().check_compliance(state.as_person(person, check)?).await?.into_inner();
    let mut ids: Vec<_> = checked.results.iter().map(|result| result.document_id.clone()).collect();
    ids.retain(|id| !id.is_empty());
    ids.dedup();
    let mut documents = Vec::new();
    let mut refused = false;
    for id in ids {
        let request = state.as_person(person, GetDocumentRequest { document_id: id })?;
        match state.compliance().get_document(request).await {
            Ok(response) => documents.extend(response.into_inner().document),
            Err(status) if status.code() == tonic::Code::PermissionDenied => refused = true,
            Err(status) if status.code() == tonic::Code::NotFound => {}
            Err(status) => return Err(status.into()),
        }
    }
    if refused && documents.is_empty() {
        return Err(PageError::Forbidden);
    }
    Ok(documents)
}
