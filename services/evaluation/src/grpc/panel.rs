//! AssignEvaluator, SubmitScores, StartModeration, ModerateScore: the panel scores independently,
//! each within their scope and with a written reason; the moderator agrees consensus scores.

use platform::Error;
use platform::FieldViolation;
use platform::auth::Caller;
use platform::time::to_timestamp;
use platform::validation::{element, field, required_text};
use proto::commissioning::evaluation::v1::*;
use proto::commissioning::tendering::v1::{Criterion, CriterionKind};
use tonic::{Request, Response};

use super::{
    Answer, EvaluationApi, ensure_moderator, ensure_status, is_officer, locked, panel_member, record, scored_criterion,
};
use crate::store;

const REASON_MAX: usize = 4_000;
const NAME_MAX: usize = 200;

impl EvaluationApi {
    pub(super) async fn assign(&self, request: Request<AssignEvaluatorRequest>) -> Answer<AssignEvaluatorResponse> {
        let master = self.master.clone();
        let caller = Caller::of(&request)?.clone();
        let request = request.into_inner();
        let mut member = request.member.unwrap_or_default();
        let member = self
            .db
            .unit_of_work(|txn| {
                Box::pin(async move {
                    let mut evaluation = locked(txn, &master, &request.evaluation_id).await?;
                    if !is_officer(&caller, &evaluation) {
                        return Err(Error::PermissionDenied("only the buying council's officers assign the panel".into()));
                    }
                    // Who may call before what they sent.
                    if member.user_id.trim().is_empty() {
                        return Err(Error::invalid("member.user_id", "required: who joins the panel"));
                    }
                    if matches!(evaluation.status(), EvaluationStatus::Completed | EvaluationStatus::Cancelled) {
                        return Err(Error::precondition(
                            "WRONG_STAGE",
                            format!("the evaluation is {}; the panel can no longer change", evaluation.status().as_str_name()),
                        ));
                    }
                    check_member(&member, &evaluation.criteria).map_err(Error::InvalidArgument)?;
                    if evaluation.panel.iter().any(|existing| existing.user_id == member.user_id && existing.scoring_finished) {
                        return Err(Error::precondition(
                            "MEMBER_FINISHED",
                            "this member has finished scoring; their role can no longer change",
                        ));
                    }
                    evaluation.panel.retain(|existing| existing.user_id != member.user_id);
                    member.scoring_finished = false;
                    member.finish_time = None;
                    member.assign_time = Some(to_timestamp(chrono::Utc::now()));
                    if member.role() != PanelRole::ResidentEvaluator {
                        member.criterion_ids.clear();
                    }
                    evaluation.panel.push(member.clone());
                    store::save(txn, &master, &evaluation).await?;
                    let details = serde_json::json!({ "user_id": member.user_id, "role": member.role().as_str_name(), "criteria": member.criterion_ids });
                    record(txn, &caller, "evaluation.panel_assigned", &evaluation, details).await?;
                    Ok::<_, Error>(member)
                })
            })
            .await?;
        Ok(Response::new(AssignEvaluatorResponse { member: Some(member) }))
    }

    pub(super) async fn score(&self, request: Request<SubmitScoresRequest>) -> Answer<SubmitScoresResponse> {
        let master = self.master.clone();
        let caller = Caller::of(&request)?.clone();
        let request = request.into_inner();
        let response = self
            .db
            .unit_of_work(|txn| {
                Box::pin(async move {
                    let mut evaluation = locked(txn, &master, &request.evaluation_id).await?;
                    let member = match panel_member(&caller, &evaluation) {
                        Some(member) if member.role() != PanelRole::Moderator => member.clone(),
                        _ => return Err(Error::PermissionDenied("only evaluators on this panel score".into())),
                    };
                    ensure_status(&evaluation, EvaluationStatus::Scoring, "scores are taken")?;
                    if member.scoring_finished {
                        return Err(Error::precondition("MEMBER_FINISHED", "you have finished scoring; your scores can no longer change"));
                    }
                    let scope = scope_of(&member, &evaluation.criteria);
                    let mut violations = Vec::new();
                    let now = to_timestamp(chrono::Utc::now());
                    for (index, input) in request.scores.iter().enumerate() {
                        let path = element("", "scores", index);
                        let scored_by_panel = scored_criterion(&evaluation, &input.criterion_id).is_ok();
                        if scored_by_panel && !scope.iter().any(|criterion| criterion.id == input.criterion_id) {
                            return Err(Error::PermissionDenied(format!("criterion {} is outside your part of the panel's work", input.criterion_id)));
                        }
                        match checked(&evaluation, input.bid_id.as_str(), &input.criterion_id, input.score, input.pass_fail(), &input.reason, &path) {
                            Ok(()) => {
                                let score = Score {
                                    bid_id: input.bid_id.clone(),
                                    criterion_id: input.criterion_id.clone(),
                                    evaluator_user_id: caller.user_id.clone(),
                                    evaluator_name: member.display_name.clone(),
                                    score: input.score,
                                    pass_fail: input.pass_fail,
                                    reason: input.reason.trim().to_owned(),
                                    update_time: Some(now),
                                };
                                evaluation.scores.retain(|earlier| {
                                    !(earlier.bid_id == score.bid_id && earlier.criterion_id == score.criterion_id && earlier.evaluator_user_id == score.evaluator_user_id)
                                });
                                evaluation.scores.push(score);
                            }
                            Err(mut bad) => violations.append(&mut bad),
                        }
                    }
                    if !violations.is_empty() {
                        return Err(Error::InvalidArgument(violations));
                    }
                    if request.finished {
                        let missing = missing_scores(&evaluation, &caller.user_id, &scope);
                        if !missing.is_empty() {
                            return Err(Error::invalid("finished", format!("{} scores are still missing: {}", missing.len(), missing.join("; "))));
                        }
                        if let Some(me) = evaluation.panel.iter_mut().find(|existing| existing.user_id == caller.user_id) {
                            me.scoring_finished = true;
                            me.finish_time = Some(now);
                        }
                        let scorers = evaluation.panel.iter().filter(|member| member.role() != PanelRole::Moderator);
                        if scorers.clone().count() > 0 && scorers.clone().all(|member| member.scoring_finished) {
                            evaluation.status = EvaluationStatus::Moderation as i32;
                            evaluation.moderation_start_time = Some(now);
                        }
                    }
                    store::save(txn, &master, &evaluation).await?;
                    let given: Vec<_> = request.scores.iter().map(|score| serde_json::json!({ "bid_id": score.bid_id, "criterion_id": score.criterion_id, "score": score.score, "pass_fail": score.pass_fail })).collect();
                    record(txn, &caller, "evaluation.scored", &evaluation, serde_json::json!({ "scores": given, "finished": request.finished })).await?;
                    let mine = evaluation.scores.iter().filter(|score| score.evaluator_user_id == caller.user_id).cloned().collect();
                    let finished = evaluation.panel.iter().any(|member| member.user_id == caller.user_id && member.scoring_finished);
                    Ok::<_, Error>(SubmitScoresResponse { scores: mine, finished, status: evaluation.status })
                })
            })
            .await?;
        Ok(Response::new(response))
    }

    pub(super) async fn start_moderating(
        &self,
        request: Request<StartModerationRequest>,
    ) -> Answer<StartModerationResponse> {
        let master = self.master.clone();
        let caller = Caller::of(&request)?.clone();
        let id = request.into_inner().evaluation_id;
        let evaluation = self
            .db
            .unit_of_work(|txn| {
                Box::pin(async move {
                    let mut evaluation = locked(txn, &master, &id).await?;
                    ensure_moderator(&caller, &evaluation)?;
                    ensure_status(&evaluation, EvaluationStatus::Scoring, "moderation can be started")?;
                    evaluation.status = EvaluationStatus::Moderation as i32;
                    evaluation.moderation_start_time = Some(to_timestamp(chrono::Utc::now()));
                    store::save(txn, &master, &evaluation).await?;
                    record(txn, &caller, "evaluation.moderation_started", &evaluation, serde_json::json!({})).await?;
                    Ok::<_, Error>(evaluation)
                })
            })
            .await?;
        Ok(Response::new(StartModerationResponse { evaluation: Some(evaluation) }))
    }

    pub(super) async fn moderate(&self, request: Request<ModerateScoreRequest>) -> Answer<ModerateScoreResponse> {
        let master = self.master.clone();
        let caller = Caller::of(&request)?.clone();
        let request = request.into_inner();
        let moderated = self
            .db
            .unit_of_work(|txn| {
                Box::pin(async move {
                    let mut evaluation = locked(txn, &master, &request.evaluation_id).await?;
                    ensure_moderator(&caller, &evaluation)?;
                    ensure_status(&evaluation, EvaluationStatus::Moderation, "scores are moderated")?;
                    checked(&evaluation, &request.bid_id, &request.criterion_id, request.score, request.pass_fail(), &request.reason, "")
                        .map_err(Error::InvalidArgument)?;
                    let individual: Vec<Score> = evaluation
                        .scores
                        .iter()
                        .filter(|score| score.bid_id == request.bid_id && score.criterion_id == request.criterion_id)
                        .cloned()
                        .collect();
                    let values = individual.iter().map(|score| if score.pass_fail == 0 { score.score } else { score.pass_fail });
                    let spread = values.clone().max().unwrap_or(0) - values.min().unwrap_or(0);
                    let moderated = ModeratedScore {
                        bid_id: request.bid_id.clone(),
                        criterion_id: request.criterion_id.clone(),
                        score: request.score,
                        pass_fail: request.pass_fail,
                        reason: request.reason.trim().to_owned(),
                        moderator_user_id: caller.user_id.clone(),
                        moderate_time: Some(to_timestamp(chrono::Utc::now())),
                        individual_scores: individual,
                        spread,
                    };
                    evaluation.moderated_scores.retain(|earlier| !(earlier.bid_id == moderated.bid_id && earlier.criterion_id == moderated.criterion_id));
                    evaluation.moderated_scores.push(moderated.clone());
                    store::save(txn, &master, &evaluation).await?;
                    let details = serde_json::json!({ "bid_id": moderated.bid_id, "criterion_id": moderated.criterion_id, "score": moderated.score, "pass_fail": moderated.pass_fail, "spread": spread });
                    record(txn, &caller, "evaluation.moderated", &evaluation, details).await?;
                    Ok::<_, Error>(moderated)
                })
            })
            .await?;
        Ok(Response::new(ModerateScoreResponse { moderated_score: Some(moderated) }))
    }
}

/// A panel member as assigned: a role, a name within bounds, and for a resident a scope of quality
/// or social value criteria.
fn check_member(member: &PanelMember, criteria: &[Criterion]) -> Result<(), Vec<FieldViolation>> {
    let mut violations = Vec::new();
    if member.role() == PanelRole::Unspecified {
        violations.push(FieldViolation::new("member.role", "required: EVALUATOR, RESIDENT_EVALUATOR or MODERATOR"));
    }
    if let Err(invalid) = platform::validation::optional_text(&member.display_name, NAME_MAX) {
        violations.push(invalid.at("member.display_name"));
    }
    if member.role() == PanelRole::ResidentEvaluator {
        if member.criterion_ids.is_empty() {
            violations.push(FieldViolation::new(
                "member.criterion_ids",
                "required for a resident: the quality or social value criteria they score",
            ));
        }
        for (index, id) in member.criterion_ids.iter().enumerate() {
            let kind = criteria.iter().find(|criterion| &criterion.id == id).map(Criterion::kind);
            if !matches!(kind, Some(CriterionKind::Quality | CriterionKind::SocialValue)) {
                violations.push(FieldViolation::new(
                    element("member", "criterion_ids", index),
                    format!("{id} is not a quality or social value criterion of this tender"),
                ));
            }
        }
    }
    if violations.is_empty() { Ok(()) } else { Err(violations) }
}

/// The criteria a member scores: a resident's chosen ones, everyone else's every non-price one.
fn scope_of<'a>(member: &PanelMember, criteria: &'a [Criterion]) -> Vec<&'a Criterion> {
    criteria
        .iter()
        .filter(|criterion| criterion.kind() != CriterionKind::Price)
        .filter(|criterion| {
            member.role() != PanelRole::ResidentEvaluator || member.criterion_ids.contains(&criterion.id)
        })
        .collect()
}

/// A score or moderated score for `bid_id` and `criterion_id`, on the criterion's scale, with a reason.
fn checked(
    evaluation: &Evaluation,
    bid_id: &str,
    criterion_id: &str,
    score: i32,
    pass_fail: PassFailOutcome,
    reason: &str,
    path: &str,
) -> Result<(), Vec<FieldViolation>> {
    let mut violations = Vec::new();
    if !evaluation.bids.iter().any(|bid| bid.bid_id == bid_id) {
        violations.push(FieldViolation::new(field(path, "bid_id"), format!("no bid {bid_id} in this evaluation")));
    }
    match scored_criterion(evaluation, criterion_id) {
        Err(problem) => violations.push(FieldViolation::new(field(path, "criterion_id"), problem)),
        Ok(criterion) if criterion.kind() == CriterionKind::PassFail => {
            if pass_fail == PassFailOutcome::Unspecified {
                violations.push(FieldViolation::new(
                    field(path, "pass_fail"),
                    "required for a pass/fail criterion: PASS or FAIL",
                ));
            }
        }
        Ok(criterion) => {
            if !(0..=criterion.max_score).contains(&score) {
                violations.push(FieldViolation::new(
                    field(path, "score"),
                    format!("{score} is off the scale: give 0 to {}", criterion.max_score),
                ));
            }
        }
    }
    if let Err(invalid) = required_text(reason, REASON_MAX) {
        violations.push(invalid.at(field(path, "reason")));
    }
    if violations.is_empty() { Ok(()) } else { Err(violations) }
}

/// "bid X on Y" for each bid and criterion in scope the evaluator has not scored.
fn missing_scores(evaluation: &Evaluation, user_id: &str, scope: &[&Criterion]) -> Vec<String> {
    let mut missing = Vec::new();
    for bid in &evaluation.bids {
        for criterion in scope {
            let scored = evaluation.scores.iter().any(|score| {
                score.bid_id == bid.bid_id && score.criterion_id == criterion.id && score.evaluator_user_id == user_id
            });
            if !scored {
                missing.push(format!("bid from {} on {}", bid.provider_name, criterion.name));
            }
        }
    }
    missing
}
