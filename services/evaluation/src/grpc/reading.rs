//! GetEvaluation and ListEvaluations, for the buying council's officers and the panel. While the
//! panel is scoring, each person sees only their own scores: evaluators score blind.

use platform::Error;
use platform::auth::{Caller, Role};
use platform::paging::Page;
use proto::commissioning::evaluation::v1::*;
use tonic::{Request, Response};

use super::{Answer, EvaluationApi, is_officer, locked, panel_member};
use crate::{evidence, store};

/// The identity of the tendering service, which reads a completed evaluation to award when
/// `evaluation.completed` has not reached it yet.
const TENDERING_SERVICE: &str = "service:tendering";

impl EvaluationApi {
    pub(super) async fn get(&self, request: Request<GetEvaluationRequest>) -> Answer<GetEvaluationResponse> {
        let caller = Caller::of(&request)?.clone();
        let request = request.into_inner();
        let found = match (request.evaluation_id.trim(), request.tender_id.trim()) {
            (id, "") if !id.is_empty() => store::find(self.db.conn(), &self.master, id).await?,
            ("", tender) if !tender.is_empty() => store::of_tender(self.db.conn(), &self.master, tender).await?,
            _ => return Err(Error::invalid("evaluation_id", "give either evaluation_id or tender_id").into()),
        };
        let mut evaluation =
            found.ok_or_else(|| Error::NotFound { kind: "evaluation", id: request.evaluation_id.clone() })?;
        let tendering = caller.has_role(Role::Service) && caller.user_id == TENDERING_SERVICE;
        if !(is_officer(&caller, &evaluation) || panel_member(&caller, &evaluation).is_some() || tendering) {
            return Err(Error::PermissionDenied(
                "an evaluation is for the buying council's officers and its panel".into(),
            )
            .into());
        }
        let open = matches!(evaluation.status(), EvaluationStatus::Scoring | EvaluationStatus::Moderation);
        if open && evidence::unchecked(&evaluation) {
            evaluation = self.check_evidence_now(evaluation).await;
        }
        Ok(Response::new(GetEvaluationResponse { evaluation: Some(as_seen_by(&caller, evaluation)) }))
    }

    pub(super) async fn list(&self, request: Request<ListEvaluationsRequest>) -> Answer<ListEvaluationsResponse> {
        let caller = Caller::of(&request)?.clone();
        let page = Page::of(request.get_ref())?;
        let request = request.into_inner();
        let found =
            store::of_council(self.db.conn(), &self.master, &caller.organisation_id, &request.statuses, page).await?;
        let next_page_token = page.next_token(found.len());
        let evaluations = found
            .into_iter()
            .filter(|evaluation| {
                let on_panel = panel_member(&caller, evaluation).is_some();
                on_panel || (!request.assigned_to_me && is_officer(&caller, evaluation))
            })
            .map(|evaluation| as_seen_by(&caller, evaluation))
            .collect();
        Ok(Response::new(ListEvaluationsResponse { evaluations, next_page_token }))
    }
}

impl EvaluationApi {
    /// The evaluation with the evidence compliance could not give at opening, if it can now; kept
    /// for the next reader. Still unchecked, as it was, while compliance cannot answer.
    async fn check_evidence_now(&self, evaluation: Evaluation) -> Evaluation {
        let master = self.master.clone();
        let found = match evidence::check(&self.compliance, &evaluation).await {
            Ok(found) => found,
            Err(error) => {
                tracing::warn!(evaluation_id = %evaluation.id, %error, "evidence still not checked");
                return evaluation;
            }
        };
        let id = evaluation.id.clone();
        let checked = self
            .db
            .unit_of_work(|txn| {
                Box::pin(async move {
                    let mut current = locked(txn, &master, &id).await?;
                    evidence::fill(&mut current, &found);
                    store::save(txn, &master, &current).await?;
                    Ok::<_, Error>(current)
                })
            })
            .await;
        checked.unwrap_or_else(|error| {
            tracing::warn!(%error, "evidence checked but not kept");
            evaluation
        })
    }
}

/// The evaluation with, while scoring, only the caller's own scores.
fn as_seen_by(caller: &Caller, mut evaluation: Evaluation) -> Evaluation {
    if evaluation.status == EvaluationStatus::Scoring as i32 {
        evaluation.scores.retain(|score| score.evaluator_user_id == caller.user_id);
    }
    evaluation
}
