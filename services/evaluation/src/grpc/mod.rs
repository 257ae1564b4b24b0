//! The gRPC face of the evaluation service. `reading` shows an evaluation to those who may see it
//! (blind to other evaluators' scores while scoring), `panel` assigns the panel and records scores
//! and moderation, `results` completes the evaluation and gives each bidder its feedback.

mod panel;
mod reading;
mod results;

use std::sync::Arc;

use platform::Error;
use platform::auth::{Caller, Role};
use platform::calls::Peer;
use platform::db::Database;
use platform::sealing::MasterKey;
use proto::commissioning::evaluation::v1::evaluation_service_server::EvaluationService;
use proto::commissioning::evaluation::v1::*;
use proto::commissioning::tendering::v1::{Criterion, CriterionKind};
use sea_orm::DatabaseTransaction;
use tonic::{Request, Response, Status};

use crate::store;

/// Serves `EvaluationService`.
pub struct EvaluationApi {
    db: Database,
    /// Unseals the stored evaluations.
    master: Arc<MasterKey>,
    /// The compliance service, asked for each bidder's evidence status.
    compliance: Peer,
    /// The tendering service, asked whether a lot is awarded when its event is late.
    tendering: Peer,
}

impl EvaluationApi {
    pub fn new(db: Database, master: Arc<MasterKey>, compliance: Peer, tendering: Peer) -> Self {
        Self { db, master, compliance, tendering }
    }
}

type Answer<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl EvaluationService for EvaluationApi {
    async fn get_evaluation(&self, request: Request<GetEvaluationRequest>) -> Answer<GetEvaluationResponse> {
        self.get(request).await
    }

    async fn list_evaluations(&self, request: Request<ListEvaluationsRequest>) -> Answer<ListEvaluationsResponse> {
        self.list(request).await
    }

    async fn assign_evaluator(&self, request: Request<AssignEvaluatorRequest>) -> Answer<AssignEvaluatorResponse> {
        self.assign(request).await
    }

    async fn submit_scores(&self, request: Request<SubmitScoresRequest>) -> Answer<SubmitScoresResponse> {
        self.score(request).await
    }

    async fn start_moderation(&self, request: Request<StartModerationRequest>) -> Answer<StartModerationResponse> {
        self.start_moderating(request).await
    }

    async fn moderate_score(&self, request: Request<ModerateScoreRequest>) -> Answer<ModerateScoreResponse> {
        self.moderate(request).await
    }

    async fn complete_evaluation(
        &self,
        request: Request<CompleteEvaluationRequest>,
    ) -> Answer<CompleteEvaluationResponse> {
        self.complete(request).await
    }

    async fn get_bid_feedback(&self, request: Request<GetBidFeedbackRequest>) -> Answer<GetBidFeedbackResponse> {
        self.feedback(request).await
    }
}

/// Whether the caller is an officer of the evaluation's council (or an admin).
fn is_officer(caller: &Caller, evaluation: &Evaluation) -> bool {
    caller.has_role(Role::Admin) || (caller.has_role(Role::Officer) && caller.organisation_id == evaluation.council_id)
}

/// The caller's place on the panel, if any: same user, acting for the evaluation's council.
fn panel_member<'a>(caller: &Caller, evaluation: &'a Evaluation) -> Option<&'a PanelMember> {
    if caller.organisation_id != evaluation.council_id {
        return None;
    }
    evaluation.panel.iter().find(|member| member.user_id == caller.user_id)
}

/// PERMISSION_DENIED unless the caller is the evaluation's moderator.
fn ensure_moderator(caller: &Caller, evaluation: &Evaluation) -> Result<(), Error> {
    match panel_member(caller, evaluation) {
        Some(member) if member.role() == PanelRole::Moderator => Ok(()),
        _ => Err(Error::PermissionDenied("only the evaluation's moderator may do this".into())),
    }
}

/// FAILED_PRECONDITION unless the evaluation is in `status`.
fn ensure_status(evaluation: &Evaluation, status: EvaluationStatus, what: &str) -> Result<(), Error> {
    if evaluation.status != status as i32 {
        return Err(Error::precondition(
            "WRONG_STAGE",
            format!(
                "the evaluation is {}; {what} only while it is {}",
                evaluation.status().as_str_name(),
                status.as_str_name()
            ),
        ));
    }
    Ok(())
}

/// The evaluation `id`, locked for this unit of work.
async fn locked(txn: &DatabaseTransaction, master: &MasterKey, id: &str) -> Result<Evaluation, Error> {
    if id.trim().is_empty() {
        return Err(Error::invalid("evaluation_id", "required: the evaluation's id"));
    }
    store::lock(txn, master, id).await?.ok_or_else(|| Error::NotFound { kind: "evaluation", id: id.to_owned() })
}

/// A criterion the panel scores (quality, social value or pass/fail), by id.
fn scored_criterion<'a>(evaluation: &'a Evaluation, id: &str) -> Result<&'a Criterion, String> {
    let criterion =
        evaluation.criteria.iter().find(|criterion| criterion.id == id).ok_or_else(|| format!("no criterion {id}"))?;
    if criterion.kind() == CriterionKind::Price {
        return Err(format!("{} is scored from the prices, not by the panel", criterion.name));
    }
    Ok(criterion)
}

/// The audit row of a change a person made to an evaluation.
async fn record(
    txn: &DatabaseTransaction,
    caller: &Caller,
    action: &str,
    evaluation: &Evaluation,
    details: serde_json::Value,
) -> Result<(), Error> {
    platform::audit::record_by(txn, caller, action, ("evaluation", &evaluation.id), details).await
}
