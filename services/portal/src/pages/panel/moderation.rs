//! The moderator's pages: the panel's progress while it scores (and starting moderation early),
//! then each bid with every evaluator's score, reason and their spread on each criterion beside a
//! form for the agreed score and its reason (ModerateScore, the reason the bidder reads), and
//! completing the evaluation, which ranks the bids (CompleteEvaluation).

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use axum_extra::extract::cookie::CookieJar;
use minijinja::context;
use platform::auth::Role;
use proto::commissioning::evaluation::v1::{
    CompleteEvaluationRequest, EvaluatedBid, Evaluation, EvaluationStatus, ModerateScoreRequest, PanelRole,
    PassFailOutcome, Score, StartModerationRequest,
};
use proto::commissioning::tendering::v1::{Criterion, CriterionKind};
use tonic_types::StatusExt;

use super::super::{FormErrors, PageError, page, sentence};
use super::{
    ButtonForm, bid_contents, bid_of, evaluation_of, member_of, role_name, scale_hint, tender_values, typed_score,
};
use crate::PortalState;
use crate::calls::field_violations;
use crate::sessions::{Person, Session};
use crate::visitor::{StaffVisit, Visit};

/// The evaluation, if the visitor is its moderator; FORBIDDEN for the rest of the panel.
async fn moderated_by(state: &PortalState, person: &Person, tender_id: &str) -> Result<Evaluation, PageError> {
    let evaluation = evaluation_of(state, person, tender_id).await?;
    match member_of(&evaluation, person) {
        Some(member) if member.role() == PanelRole::Moderator => Ok(evaluation),
        _ => Err(PageError::Forbidden),
    }
}

/// The criteria the panel scores: every one but price.
fn scored(evaluation: &Evaluation) -> impl Iterator<Item = &Criterion> {
    evaluation.criteria.iter().filter(|criterion| criterion.kind() != CriterionKind::Price)
}

/// A score as the moderator reads it: "4 out of 5", "Pass" or "Fail".
fn score_text(criterion: &Criterion, score: i32, pass_fail: PassFailOutcome) -> String {
    match pass_fail {
        PassFailOutcome::Pass => "Pass".to_owned(),
        PassFailOutcome::Fail => "Fail".to_owned(),
        PassFailOutcome::Unspecified => format!("{score} out of {}", criterion.max_score),
    }
}

/// GET /tenders/{id}/moderation
pub async fn moderation(
    State(state): State<PortalState>,
    Path(id): Path<String>,
    visit: StaffVisit,
) -> Result<Response, PageError> {
    let StaffVisit { session, jar, person } = visit.with_role(Role::Evaluator)?;
    let evaluation = moderated_by(&state, &person, &id).await?;
    Ok(moderation_page(&state, &session, jar, &evaluation, &FormErrors::default()))
}

fn moderation_page(
    state: &PortalState,
    session: &Session,
    jar: CookieJar,
    evaluation: &Evaluation,
    errors: &FormErrors,
) -> Response {
    let criteria = scored(evaluation).count();
    let bids: Vec<_> = evaluation
        .bids
        .iter()
        .map(|bid| {
            let agreed = evaluation.moderated_scores.iter().filter(|agreed| agreed.bid_id == bid.bid_id).count();
            let tag = if agreed >= criteria {
                context! { text => "Agreed", classes => "govuk-tag--green" }
            } else {
                context! { text => "To agree", classes => "govuk-tag--blue" }
            };
            context! {
                title => context! { text => &bid.provider_name },
                href => format!("/tenders/{}/moderation/{}", evaluation.tender_id, bid.bid_id),
                status => context! { tag },
            }
        })
        .collect();
    let panel: Vec<_> = evaluation
        .panel
        .iter()
        .filter(|member| member.role() != PanelRole::Moderator)
        .map(|member| {
            let progress = if member.scoring_finished { "Finished scoring" } else { "Scoring" };
            context! {
                key => context! { text => &member.display_name },
                value => context! { text => format!("{}. {progress}", role_name(member, evaluation)) },
            }
        })
        .collect();
    let values = context! {
        tender => tender_values(evaluation),
        scoring => evaluation.status() == EvaluationStatus::Scoring,
        moderating => evaluation.status() == EvaluationStatus::Moderation,
        completed => evaluation.status() == EvaluationStatus::Completed,
        panel,
        bids,
    };
    page(state, session, jar, "moderation.html", "Moderate the scores", errors, values)
}

/// One bid's moderation form, holding `typed` (what was sent) or the scores agreed so far.
fn bid_page(
    state: &PortalState,
    session: &Session,
    jar: CookieJar,
    evaluation: &Evaluation,
    bid: &EvaluatedBid,
    typed: Option<&HashMap<String, String>>,
    errors: &FormErrors,
) -> Response {
    let criteria: Vec<_> = scored(evaluation)
        .enumerate()
        .map(|(index, criterion)| {
            let number = index + 1;
            let individual: Vec<&Score> = evaluation
                .scores
                .iter()
                .filter(|score| score.bid_id == bid.bid_id && score.criterion_id == criterion.id)
                .collect();
            let spread = individual.iter().map(|score| score.score).max().unwrap_or(0)
                - individual.iter().map(|score| score.score).min().unwrap_or(0);
            let rows: Vec<_> = individual
                .iter()
                .map(|score| {
                    let text = format!("{}: {}", score_text(criterion, score.score, score.pass_fail()), score.reason);
                    context! { key => context! { text => &score.evaluator_name }, value => context! { text } }
                })
                .collect();
            let agreed = evaluation
                .moderated_scores
                .iter()
                .find(|agreed| agreed.bid_id == bid.bid_id && agreed.criterion_id == criterion.id);
            let typed_value = |name: &str| typed.and_then(|form| form.get(&format!("{name}-{number}"))).cloned();
            let pass_fail_kind = criterion.kind() == CriterionKind::PassFail;
            let score = typed_value("score")
                .or_else(|| agreed.filter(|_| !pass_fail_kind).map(|agreed| agreed.score.to_string()))
                .unwrap_or_default();
            let pass_fail = typed_value("pass_fail")
                .or_else(|| {
                    agreed.and_then(|agreed| match agreed.pass_fail() {
                        PassFailOutcome::Pass => Some("pass".to_owned()),
                        PassFailOutcome::Fail => Some("fail".to_owned()),
                        PassFailOutcome::Unspecified => None,
                    })
                })
                .unwrap_or_default();
            let reason = typed_value("reason").or_else(|| agreed.map(|agreed| agreed.reason.clone())).unwrap_or_default();
            context! {
                number,
                name => &criterion.name,
                pass_fail_kind,
                scale => scale_hint(criterion),
                rows,
                spread => (!pass_fail_kind && !individual.is_empty()).then(|| format!("{spread} (from the lowest score to the highest)")),
                score,
                pass_fail,
                reason,
            }
        })
        .collect();
    let values = context! {
        tender => tender_values(evaluation),
        bid => bid_contents(evaluation, bid),
        criteria,
        open => evaluation.status() == EvaluationStatus::Moderation,
    };
    page(
        state,
        session,
        jar,
        "moderation_bid.html",
        &format!("Agree the scores of {}", bid.provider_name),
        errors,
        values,
    )
}

/// GET /tenders/{id}/moderation/{bid}
pub async fn moderation_bid(
    State(state): State<PortalState>,
    Path((id, bid_id)): Path<(String, String)>,
    visit: StaffVisit,
) -> Result<Response, PageError> {
    let StaffVisit { session, jar, person } = visit.with_role(Role::Evaluator)?;
    let evaluation = moderated_by(&state, &person, &id).await?;
    let bid = bid_of(&evaluation, &bid_id)?;
    Ok(bid_page(&state, &session, jar, &evaluation, bid, None, &FormErrors::default()))
}

/// POST /tenders/{id}/moderation/{bid}: the agreed score and reason of each criterion of the bid.
pub async fn moderate_bid(
    State(state): State<PortalState>,
    headers: HeaderMap,
    Path((id, bid_id)): Path<(String, String)>,
    visit: Visit,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    visit.check_form(&headers, form.get("csrf_token").map_or("", String::as_str))?;
    let StaffVisit { session, jar, person } = StaffVisit::try_from(visit)?.with_role(Role::Evaluator)?;
    let evaluation = moderated_by(&state, &person, &id).await?;
    let bid = bid_of(&evaluation, &bid_id)?;
    let mut errors = FormErrors::default();
    let mut agreed = Vec::new();
    for (index, criterion) in scored(&evaluation).enumerate() {
        if let Some(typed) = typed_score(&form, index + 1, criterion, &mut errors) {
            agreed.push((index + 1, criterion.id.clone(), typed));
        }
    }
    if !errors.is_empty() {
        return Ok(bid_page(&state, &session, jar, &evaluation, bid, Some(&form), &errors));
    }
    for (number, criterion_id, typed) in agreed {
        let request = ModerateScoreRequest {
            evaluation_id: evaluation.id.clone(),
            bid_id: bid.bid_id.clone(),
            criterion_id,
            score: typed.score,
            pass_fail: typed.pass_fail as i32,
            reason: typed.reason,
        };
        match state.evaluation().moderate_score(state.as_person(&person, request)?).await {
            Ok(_) => {}
            Err(status) if status.code() == tonic::Code::InvalidArgument => {
                for (path, description) in field_violations(&status) {
                    let name = if path.contains("reason") { "reason" } else { "score" };
                    errors.add(&format!("{name}-{number}"), sentence(&description));
                }
                if errors.is_empty() {
                    errors.add(&format!("score-{number}"), sentence(status.message()));
                }
                return Ok(bid_page(&state, &session, jar, &evaluation, bid, Some(&form), &errors));
            }
            Err(status) if status.code() == tonic::Code::FailedPrecondition => {
                errors.add(&format!("score-{number}"), format!("The score could not be agreed: {}", status.message()));
                return Ok(bid_page(&state, &session, jar, &evaluation, bid, Some(&form), &errors));
            }
            Err(status) => return Err(status.into()),
        }
    }
    Ok((jar, Redirect::to(&format!("/tenders/{id}/moderation"))).into_response())
}

/// POST /tenders/{id}/moderation/start: moderation before every evaluator has finished.
pub async fn start_moderation(
    State(state): State<PortalState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    visit: Visit,
    Form(form): Form<ButtonForm>,
) -> Result<Response, PageError> {
    visit.check_form(&headers, &form.csrf_token)?;
    let StaffVisit { session, jar, person } = StaffVisit::try_from(visit)?.with_role(Role::Evaluator)?;
    let evaluation = moderated_by(&state, &person, &id).await?;
    let request = StartModerationRequest { evaluation_id: evaluation.id.clone() };
    match state.evaluation().start_moderation(state.as_person(&person, request)?).await {
        Ok(_) => Ok((jar, Redirect::to(&format!("/tenders/{id}/moderation"))).into_response()),
        Err(status) if status.code() == tonic::Code::FailedPrecondition => {
            let mut errors = FormErrors::default();
            errors.add("start", format!("Moderation could not start: {}", status.message()));
            Ok(moderation_page(&state, &session, jar, &evaluation, &errors))
        }
        Err(status) => Err(status.into()),
    }
}

/// POST /tenders/{id}/moderation/complete: ranks the bids; refused, each missing score named,
/// while a bid and criterion have no agreed score.
pub async fn complete_evaluation(
    State(state): State<PortalState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    visit: Visit,
    Form(form): Form<ButtonForm>,
) -> Result<Response, PageError> {
    visit.check_form(&headers, &form.csrf_token)?;
    let StaffVisit { session, jar, person } = StaffVisit::try_from(visit)?.with_role(Role::Evaluator)?;
    let evaluation = moderated_by(&state, &person, &id).await?;
    let request = CompleteEvaluationRequest { evaluation_id: evaluation.id.clone() };
    match state.evaluation().complete_evaluation(state.as_person(&person, request)?).await {
        Ok(_) => Ok((jar, Redirect::to(&format!("/tenders/{id}/moderation"))).into_response()),
        Err(status) if status.code() == tonic::Code::FailedPrecondition => {
            let missing: Vec<String> = status
                .get_details_precondition_failure()
                .map(|failure| failure.violations.into_iter().map(|violation| violation.description).collect())
                .unwrap_or_default();
            let why = if missing.is_empty() { status.message().to_owned() } else { missing.join("; ") };
            let mut errors = FormErrors::default();
            errors.add("complete", format!("The evaluation could not be completed: {why}"));
            Ok(moderation_page(&state, &session, jar, &evaluation, &errors))
        }
        Err(status) => Err(status.into()),
    }
}
