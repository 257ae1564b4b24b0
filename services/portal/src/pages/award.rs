//! The award of a tender whose evaluation is complete, for its council's officer: the ranked bids
//! with each one's evidence checked now against the tender's requirements on the contract's start
//! date (CheckCompliance, for the lead and each partner), each shortfall named before the button;
//! a document waiting to be checked can be verified here; the recommended bid chosen, or another
//! with the reason why (AwardTender, which checks the evidence again and refuses while it falls
//! short). Or the tender declared unsuccessful, with the reason bidders read.

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use minijinja::context;
use platform::auth::Role;
use proto::commissioning::common::v1::{EvidenceCheckResult, RequirementStatus};
use proto::commissioning::compliance::v1::{CheckComplianceRequest, VerifyDocumentRequest};
use proto::commissioning::evaluation::v1::{Evaluation, EvaluationStatus, LotResult};
use proto::commissioning::tendering::v1::{
    AwardTenderRequest, DeclareTenderUnsuccessfulRequest, GetContractRequest, GetTenderRequest, PartnerStatus, Tender,
    TenderStatus,
};
use serde::{Deserialize, Serialize};
use tonic_types::StatusExt;

use super::locker::{kind_name, long_date};
use super::outcome::percent;
use super::panel::evaluation_of;
use super::tenders::pounds;
use super::{FormErrors, PageError, page, sentence};
use crate::PortalState;
use crate::sessions::{Person, Session};
use crate::visitor::{StaffVisit, Visit};

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct AwardForm {
    #[serde(skip_serializing)]
    csrf_token: String,
    request_id: String,
    lot_id: String,
    bid: String,
    reason: String,
    cost_centre: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AwardQuery {
    lot: String,
    awarded: String,
}

async fn tender_of(state: &PortalState, person: &Person, id: &str) -> Result<Tender, PageError> {
    let request = state.as_person(person, GetTenderRequest { tender_id: id.to_owned() })?;
    state.tendering().get_tender(request).await?.into_inner().tender.ok_or(PageError::NotFound)
}

/// An evidence check's result in words: what is asked, its state as a tag, and why.
fn evidence_row(result: &EvidenceCheckResult) -> minijinja::Value {
    let (text, classes) = match result.status() {
        RequirementStatus::Met => ("Met", "govuk-tag--green"),
        RequirementStatus::NotApplicable => ("Does not apply", "govuk-tag--grey"),
        RequirementStatus::AwaitingVerification => ("Waiting to be checked", "govuk-tag--blue"),
        RequirementStatus::NotMet | RequirementStatus::Unspecified => ("Falls short", "govuk-tag--red"),
    };
    let requirement = result.requirement.clone().unwrap_or_default();
    let kind = kind_name(requirement.kind);
    let asked = match requirement.minimum_cover.as_ref() {
        Some(cover) => format!("{kind}, cover of at least {}", pounds(Some(cover))),
        None => kind.to_owned(),
    };
    let awaiting = result.status() == RequirementStatus::AwaitingVerification && !result.document_id.is_empty();
    context! {
        asked,
        kind => kind.to_lowercase(),
        tag => context! { text, classes },
        explanation => &result.explanation,
        verify => awaiting.then(|| context! {
            document_id => &result.document_id,
            cover => pounds(result.cover_held.as_ref()),
            expires => long_date(result.expires_on.as_ref()),
        }),
    }
}

/// Each organisation of bid `bid_id` (the lead, then its partners) with its evidence checked now.
async fn evidence_of(
    state: &PortalState,
    person: &Person,
    evaluation: &Evaluation,
    bid_id: &str,
) -> Result<Vec<minijinja::Value>, PageError> {
    let Some(bid) = evaluation.bids.iter().find(|bid| bid.bid_id == bid_id) else { return Ok(Vec::new()) };
    if evaluation.evidence_requirements.is_empty() {
        return Ok(Vec::new());
    }
    let mut organisations = vec![(bid.provider_id.clone(), bid.provider_name.clone())];
    organisations.extend(
        bid.partners
            .iter()
            .filter(|partner| partner.status() != PartnerStatus::Declined)
            .map(|partner| (partner.provider_id.clone(), partner.name.clone())),
    );
    let on_date = evaluation.contract_period.as_ref().and_then(|period| period.start_date);
    let mut checked = Vec::new();
    for (provider_id, name) in organisations {
        let request = CheckComplianceRequest {
            provider_id,
            requirements: evaluation.evidence_requirements.clone(),
            on_date,
            tender_id: evaluation.tender_id.clone(),
        };
        let check = state.compliance().check_compliance(state.as_person(person, request)?).await?.into_inner();
        checked.push(context! {
            name,
            all_met => check.all_met,
            summary => &check.summary,
            results => check.results.iter().map(evidence_row).collect::<Vec<_>>(),
        });
    }
    Ok(checked)
}

/// The award page of lot `lot_id` (the first when empty), with `form` and its `errors`.
#[allow(clippy::too_many_arguments)]
async fn award_page(
    state: &PortalState,
    session: &Session,
    jar: axum_extra::extract::cookie::CookieJar,
    person: &Person,
    tender: &Tender,
    lot_id: &str,
    mut form: AwardForm,
    awarded: &str,
    errors: &FormErrors,
) -> Result<Response, PageError> {
    let evaluation = evaluation_of(state, person, &tender.id).await?;
    let completed = evaluation.status() == EvaluationStatus::Completed;
    let result: Option<&LotResult> = evaluation
        .results
        .iter()
        .find(|result| result.lot_id == lot_id)
        .or_else(|| evaluation.results.first().filter(|_| lot_id.is_empty()));
    let lot_title = |id: &str| evaluation.lots.iter().find(|lot| lot.id == id).map_or("", |lot| lot.title.as_str());
    let other_lots: Vec<_> = evaluation
        .results
        .iter()
        .filter(|other| Some(other.lot_id.as_str()) != result.map(|result| result.lot_id.as_str()))
        .map(|other| context! { id => &other.lot_id, title => lot_title(&other.lot_id) })
        .collect();
    let mut bids = Vec::new();
    let mut choices = Vec::new();
    let mut recommended = None;
    let open = tender.status() == TenderStatus::ActiveEvaluation;
    if let Some(result) = result.filter(|_| completed && open) {
        if form.bid.is_empty() {
            form.bid = result.recommended_bid_id.clone();
        }
        form.lot_id = result.lot_id.clone();
        for ranked in result.ranking.iter().filter(|ranked| !ranked.failed) {
            let is_recommended = ranked.bid_id == result.recommended_bid_id;
            let text =
                format!("{}: rank {}, {}", ranked.provider_name, ranked.rank, percent(ranked.total_score_hundredths));
            let hint = if is_recommended { "Recommended by the panel" } else { "Needs a reason" };
            choices.push(context! { value => &ranked.bid_id, text, hint => context! { text => hint } });
            if is_recommended {
                recommended = Some(ranked.provider_name.clone());
            }
            bids.push(context! {
                provider => &ranked.provider_name,
                rank => ranked.rank,
                recommended => is_recommended,
                organisations => evidence_of(state, person, &evaluation, &ranked.bid_id).await?,
            });
        }
    }
    let contract = if awarded.is_empty() {
        None
    } else {
        let request = state.as_person(person, GetContractRequest { contract_id: awarded.to_owned() })?;
        state.tendering().get_contract(request).await?.into_inner().contract
    };
    if form.request_id.is_empty() {
        form.request_id = uuid::Uuid::new_v4().to_string();
    }
    let values = context! {
        tender => context! { id => &tender.id, title => &tender.title },
        completed,
        open,
        awarded => tender.status() == TenderStatus::Awarded,
        unsuccessful => tender.status() == TenderStatus::Unsuccessful,
        status_reason => &tender.status_reason,
        contract => contract.map(|contract| context! {
            supplier => contract.supplier.map(|supplier| supplier.name).unwrap_or_default(),
            value => pounds(contract.value.as_ref()),
        }),
        lot_title => result.map(|result| lot_title(&result.lot_id)),
        other_lots,
        recommended,
        bids,
        choices,
        form => minijinja::Value::from(minijinja::value::Serde(&form)),
    };
    Ok(page(state, session, jar, "award.html", "Award the contract", errors, values))
}

/// GET /tenders/{id}/award
pub async fn award(
    State(state): State<PortalState>,
    Path(id): Path<String>,
    Query(query): Query<AwardQuery>,
    visit: StaffVisit,
) -> Result<Response, PageError> {
    let StaffVisit { session, jar, person } = visit.with_role(Role::Officer)?;
    let tender = tender_of(&state, &person, &id).await?;
    let form = AwardForm::default();
    award_page(&state, &session, jar, &person, &tender, &query.lot, form, &query.awarded, &FormErrors::default()).await
}

/// POST /tenders/{id}/award: awards the lot to the chosen bid.
pub async fn award_tender(
    State(state): State<PortalState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    visit: Visit,
    Form(form): Form<AwardForm>,
) -> Result<Response, PageError> {
    visit.check_form(&headers, &form.csrf_token)?;
    let StaffVisit { session, jar, person } = StaffVisit::try_from(visit)?.with_role(Role::Officer)?;
    let tender = tender_of(&state, &person, &id).await?;
    let evaluation = evaluation_of(&state, &person, &id).await?;
    let recommended = evaluation
        .results
        .iter()
        .find(|result| result.lot_id == form.lot_id)
        .map_or("", |result| result.recommended_bid_id.as_str());
    let mut errors = FormErrors::default();
    let reason = form.reason.trim();
    if form.bid.is_empty() {
        errors.add("bid", "Select the bid to award the contract to");
    } else if form.bid != recommended && reason.is_empty() {
        errors.add("reason", "Enter why you are awarding the contract to a bid the panel did not recommend");
    }
    if reason.chars().count() > 1_000 {
        errors.add("reason", "The reason must be 1,000 characters or fewer");
    }
    if form.cost_centre.trim().chars().count() > 100 {
        errors.add("cost_centre", "The cost centre must be 100 characters or fewer");
    }
    if !errors.is_empty() {
        let lot = form.lot_id.clone();
        return award_page(&state, &session, jar, &person, &tender, &lot, form, "", &errors).await;
    }
    let request = AwardTenderRequest {
        request_id: form.request_id.clone(),
        tender_id: id.clone(),
        lot_id: form.lot_id.clone(),
        bid_id: form.bid.clone(),
        reason: reason.to_owned(),
        cost_centre: form.cost_centre.trim().to_owned(),
    };
    match state.tendering().award_tender(state.as_person(&person, request)?).await {
        Ok(awarded) => {
            let contract = awarded.into_inner().contract.map(|contract| contract.id).unwrap_or_default();
            Ok((jar, Redirect::to(&format!("/tenders/{id}/award?awarded={contract}"))).into_response())
        }
        Err(status) if matches!(status.code(), tonic::Code::FailedPrecondition | tonic::Code::InvalidArgument) => {
            let shortfalls: Vec<String> = status
                .get_details_precondition_failure()
                .map(|failure| failure.violations.into_iter().map(|violation| violation.description).collect())
                .unwrap_or_default();
            let field = if status.code() == tonic::Code::InvalidArgument { "reason" } else { "bid" };
            let why = if shortfalls.is_empty() { sentence(status.message()) } else { shortfalls.join("; ") };
            errors.add(field, format!("The contract was not awarded: {why}"));
            // A new request id: the refused one made no contract.
            let form = AwardForm { request_id: String::new(), ..form };
            let lot = form.lot_id.clone();
            award_page(&state, &session, jar, &person, &tender, &lot, form, "", &errors).await
        }
        Err(status) => Err(status.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct VerifyForm {
    csrf_token: String,
    document_id: String,
    lot_id: String,
}

/// POST /tenders/{id}/award/verify: the officer has checked a bidder's document that is waiting
/// to be checked, and records it as verified (VerifyDocument).
pub async fn verify_document(
    State(state): State<PortalState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    visit: Visit,
    Form(form): Form<VerifyForm>,
) -> Result<Response, PageError> {
    visit.check_form(&headers, &form.csrf_token)?;
    let StaffVisit { session, jar, person } = StaffVisit::try_from(visit)?.with_role(Role::Officer)?;
    let request = VerifyDocumentRequest {
        document_id: form.document_id.clone(),
        note: "Checked by the council's officer before the award".into(),
    };
    match state.compliance().verify_document(state.as_person(&person, request)?).await {
        Ok(_) => Ok((jar, Redirect::to(&format!("/tenders/{id}/award?lot={}", form.lot_id))).into_response()),
        Err(status) if status.code() == tonic::Code::FailedPrecondition => {
            let tender = tender_of(&state, &person, &id).await?;
            let mut errors = FormErrors::default();
            errors.add("bid", format!("The document could not be verified: {}", status.message()));
            award_page(&state, &session, jar, &person, &tender, &form.lot_id, AwardForm::default(), "", &errors).await
        }
        Err(status) => Err(status.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct UnsuccessfulForm {
    csrf_token: String,
    reason: String,
}

fn unsuccessful_page(
    state: &PortalState,
    session: &Session,
    jar: axum_extra::extract::cookie::CookieJar,
    tender: &Tender,
    reason: &str,
    errors: &FormErrors,
) -> Response {
    let values = context! {
        tender => context! { id => &tender.id, title => &tender.title },
        open => tender.status() == TenderStatus::ActiveEvaluation,
        reason,
    };
    page(state, session, jar, "unsuccessful.html", "Declare the tender unsuccessful", errors, values)
}

/// GET /tenders/{id}/unsuccessful
pub async fn unsuccessful(
    State(state): State<PortalState>,
    Path(id): Path<String>,
    visit: StaffVisit,
) -> Result<Response, PageError> {
    let StaffVisit { session, jar, person } = visit.with_role(Role::Officer)?;
    let tender = tender_of(&state, &person, &id).await?;
    Ok(unsuccessful_page(&state, &session, jar, &tender, "", &FormErrors::default()))
}

/// POST /tenders/{id}/unsuccessful: ends the tender without an award (DeclareTenderUnsuccessful).
pub async fn declare_unsuccessful(
    State(state): State<PortalState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    visit: Visit,
    Form(form): Form<UnsuccessfulForm>,
) -> Result<Response, PageError> {
    visit.check_form(&headers, &form.csrf_token)?;
    let StaffVisit { session, jar, person } = StaffVisit::try_from(visit)?.with_role(Role::Officer)?;
    let tender = tender_of(&state, &person, &id).await?;
    let reason = form.reason.trim();
    let mut errors = FormErrors::default();
    if reason.is_empty() {
        errors.add("reason", "Enter why no bid is acceptable: every bidder reads it");
    } else if reason.chars().count() > 1_000 {
        errors.add("reason", "The reason must be 1,000 characters or fewer");
    }
    if !errors.is_empty() {
        return Ok(unsuccessful_page(&state, &session, jar, &tender, &form.reason, &errors));
    }
    let request = DeclareTenderUnsuccessfulRequest { tender_id: id.clone(), reason: reason.to_owned() };
    match state.tendering().declare_tender_unsuccessful(state.as_person(&person, request)?).await {
        Ok(_) => Ok((jar, Redirect::to(&format!("/tenders/{id}/award"))).into_response()),
        Err(status) if matches!(status.code(), tonic::Code::FailedPrecondition | tonic::Code::InvalidArgument) => {
            errors.add(
                "reason",
                format!("The tender could not be declared unsuccessful: {}", sentence(status.message())),
            );
            Ok(unsuccessful_page(&state, &session, jar, &tender, &form.reason, &errors))
        }
        Err(status) => Err(status.into()),
    }
}
