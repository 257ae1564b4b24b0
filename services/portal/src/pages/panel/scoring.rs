//! An evaluator's scoring: the bids of the evaluation they are on, a page per bid with what it
//! says and, for each criterion in their scope, a score on its scale (or pass or fail) and the
//! reason for it (SubmitScores), and finishing their scoring once every bid is scored. They see
//! only their own scores: the service shows no one else's until moderation.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use axum_extra::extract::cookie::CookieJar;
use minijinja::context;
use platform::auth::Role;
use proto::commissioning::evaluation::v1::{
    EvaluatedBid, Evaluation, EvaluationStatus, PanelMember, PanelRole, PassFailOutcome, ScoreInput,
    SubmitScoresRequest,
};
use proto::commissioning::tendering::v1::{Criterion, CriterionKind};

use super::super::{FormErrors, PageError, page, sentence};
use super::{
    ButtonForm, bid_contents, bid_of, evaluation_of, member_of, scale_hint, scope, score_field, tender_values,
    typed_score,
};
use crate::PortalState;
use crate::calls::field_violations;
use crate::sessions::{Person, Session};
use crate::visitor::{StaffVisit, Visit};

/// The evaluation and the visitor's place on its panel as one who scores: FORBIDDEN for anyone
/// the service shows it to who does not score (the moderator, an officer).
async fn scorer_of(
    state: &PortalState,
    person: &Person,
    tender_id: &str,
) -> Result<(Evaluation, PanelMember), PageError> {
    let evaluation = evaluation_of(state, person, tender_id).await?;
    let member = member_of(&evaluation, person)
        .filter(|member| matches!(member.role(), PanelRole::Evaluator | PanelRole::ResidentEvaluator))
        .cloned()
        .ok_or(PageError::Forbidden)?;
    Ok((evaluation, member))
}

/// The visitor's own scores of `bid` on `criterion`, as the service returned them.
fn own_score<'a>(
    evaluation: &'a Evaluation,
    person: &Person,
    bid: &str,
    criterion: &Criterion,
) -> Option<&'a proto::commissioning::evaluation::v1::Score> {
    evaluation.scores.iter().find(|score| {
        score.evaluator_user_id == person.user_id && score.bid_id == bid && score.criterion_id == criterion.id
    })
}

/// GET /tenders/{id}/scoring
pub async fn scoring(
    State(state): State<PortalState>,
    Path(id): Path<String>,
    visit: StaffVisit,
) -> Result<Response, PageError> {
    let StaffVisit { session, jar, person } = visit.with_role(Role::Evaluator)?;
    let (evaluation, member) = scorer_of(&state, &person, &id).await?;
    Ok(scoring_page(&state, &session, jar, &person, &evaluation, &member, &FormErrors::default()))
}

fn scoring_page(
    state: &PortalState,
    session: &Session,
    jar: CookieJar,
    person: &Person,
    evaluation: &Evaluation,
    member: &PanelMember,
    errors: &FormErrors,
) -> Response {
    let criteria = scope(evaluation, member);
    let bids: Vec<_> = evaluation
        .bids
        .iter()
        .map(|bid| {
            let scored = criteria
                .iter()
                .filter(|criterion| own_score(evaluation, person, &bid.bid_id, criterion).is_some())
                .count();
            let status = if scored == criteria.len() {
                context! { tag => context! { text => "Scored", classes => "govuk-tag--green" } }
            } else {
                context! { tag => context! { text => "Not scored yet", classes => "govuk-tag--blue" } }
            };
            context! {
                title => context! { text => &bid.provider_name },
                href => format!("/tenders/{}/scoring/{}", evaluation.tender_id, bid.bid_id),
                status,
            }
        })
        .collect();
    let criteria: Vec<String> = criteria.iter().map(|criterion| criterion.name.clone()).collect();
    let values = context! {
        tender => tender_values(evaluation),
        bids,
        criteria,
        scoring => evaluation.status() == EvaluationStatus::Scoring && !member.scoring_finished,
        finished => member.scoring_finished,
    };
    page(state, session, jar, "scoring.html", "Score the bids", errors, values)
}

/// The scoring form of one bid, holding `typed` (what was sent) or the visitor's own scores.
#[allow(clippy::too_many_arguments)]
fn bid_page(
    state: &PortalState,
    session: &Session,
    jar: CookieJar,
    person: &Person,
    evaluation: &Evaluation,
    member: &PanelMember,
    bid: &EvaluatedBid,
    typed: Option<&HashMap<String, String>>,
    errors: &FormErrors,
) -> Response {
    let criteria: Vec<_> = scope(evaluation, member)
        .into_iter()
        .enumerate()
        .map(|(index, criterion)| {
            let number = index + 1;
            let own = own_score(evaluation, person, &bid.bid_id, criterion);
            let typed_value = |name: &str| typed.and_then(|form| form.get(&format!("{name}-{number}"))).cloned();
            let score = typed_value("score").or_else(|| own.map(|score| score.score.to_string())).unwrap_or_default();
            let pass_fail = typed_value("pass_fail")
                .or_else(|| {
                    own.map(|score| match score.pass_fail() {
                        PassFailOutcome::Pass => "pass".to_owned(),
                        PassFailOutcome::Fail => "fail".to_owned(),
                        PassFailOutcome::Unspecified => String::new(),
                    })
                })
                .unwrap_or_default();
            let reason = typed_value("reason").or_else(|| own.map(|score| score.reason.clone())).unwrap_or_default();
            context! {
                number,
                name => &criterion.name,
                description => &criterion.description,
                pass_fail_kind => criterion.kind() == CriterionKind::PassFail,
                weight => criterion.weight,
                scale => scale_hint(criterion),
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
        open => evaluation.status() == EvaluationStatus::Scoring && !member.scoring_finished,
    };
    page(state, session, jar, "scoring_bid.html", &format!("Score {}", bid.provider_name), errors, values)
}

/// GET /tenders/{id}/scoring/{bid}
pub async fn scoring_bid(
    State(state): State<PortalState>,
    Path((id, bid_id)): Path<(String, String)>,
    visit: StaffVisit,
) -> Result<Response, PageError> {
    let StaffVisit { session, jar, person } = visit.with_role(Role::Evaluator)?;
    let (evaluation, member) = scorer_of(&state, &person, &id).await?;
    let bid = bid_of(&evaluation, &bid_id)?;
    Ok(bid_page(&state, &session, jar, &person, &evaluation, &member, bid, None, &FormErrors::default()))
}

/// POST /tenders/{id}/scoring/{bid}: the visitor's scores of the bid, each with its reason.
pub async fn score_bid(
    State(state): State<PortalState>,
    headers: HeaderMap,
    Path((id, bid_id)): Path<(String, String)>,
    visit: Visit,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    visit.check_form(&headers, form.get("csrf_token").map_or("", String::as_str))?;
    let StaffVisit { session, jar, person } = StaffVisit::try_from(visit)?.with_role(Role::Evaluator)?;
    let (evaluation, member) = scorer_of(&state, &person, &id).await?;
    let bid = bid_of(&evaluation, &bid_id)?;
    let mut errors = FormErrors::default();
    let mut scores = Vec::new();
    for (index, criterion) in scope(&evaluation, &member).into_iter().enumerate() {
        if let Some(typed) = typed_score(&form, index + 1, criterion, &mut errors) {
            scores.push(ScoreInput {
                bid_id: bid.bid_id.clone(),
                criterion_id: criterion.id.clone(),
                score: typed.score,
                pass_fail: typed.pass_fail as i32,
                reason: typed.reason,
            });
        }
    }
    if !errors.is_empty() {
        return Ok(bid_page(&state, &session, jar, &person, &evaluation, &member, bid, Some(&form), &errors));
    }
    let request = SubmitScoresRequest { evaluation_id: evaluation.id.clone(), scores, finished: false };
    match state.evaluation().submit_scores(state.as_person(&person, request)?).await {
        Ok(_) => Ok((jar, Redirect::to(&format!("/tenders/{id}/scoring"))).into_response()),
        Err(status) if status.code() == tonic::Code::InvalidArgument => {
            for (path, description) in field_violations(&status) {
                errors.add(&score_field(&path), sentence(&description));
            }
            if errors.is_empty() {
                errors.add("score-1", sentence(status.message()));
            }
            Ok(bid_page(&state, &session, jar, &person, &evaluation, &member, bid, Some(&form), &errors))
        }
        Err(status) if status.code() == tonic::Code::FailedPrecondition => {
            errors.add("score-1", format!("Your scores could not be saved: {}", status.message()));
            Ok(bid_page(&state, &session, jar, &person, &evaluation, &member, bid, Some(&form), &errors))
        }
        Err(status) => Err(status.into()),
    }
}

/// POST /tenders/{id}/scoring/finish: closes the visitor's scoring once every bid is scored.
pub async fn finish_scoring(
    State(state): State<PortalState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    visit: Visit,
    Form(form): Form<ButtonForm>,
) -> Result<Response, PageError> {
    visit.check_form(&headers, &form.csrf_token)?;
    let StaffVisit { session, jar, person } = StaffVisit::try_from(visit)?.with_role(Role::Evaluator)?;
    let (evaluation, member) = scorer_of(&state, &person, &id).await?;
    let request = SubmitScoresRequest { evaluation_id: evaluation.id.clone(), scores: Vec::new(), finished: true };
    match state.evaluation().submit_scores(state.as_person(&person, request)?).await {
        Ok(_) => Ok((jar, Redirect::to(&format!("/tenders/{id}/scoring"))).into_response()),
        Err(status) if matches!(status.code(), tonic::Code::InvalidArgument | tonic::Code::FailedPrecondition) => {
            let mut errors = FormErrors::default();
            errors.add("finish", format!("Your scoring could not be finished: {}", sentence(status.message())));
            Ok(scoring_page(&state, &session, jar, &person, &evaluation, &member, &errors))
        }
        Err(status) => Err(status.into()),
    }
}
