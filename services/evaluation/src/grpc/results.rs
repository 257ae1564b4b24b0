//! CompleteEvaluation and GetBidFeedback: the bids are ranked per lot from the moderated scores
//! with each bidder's evidence status beside them (for information only: insurance is never a
//! condition of taking part), and after the award each bidder reads its assessment summary.

use std::collections::HashMap;

use platform::auth::{Caller, Role};
use platform::time::{from_timestamp, to_timestamp};
use platform::{Error, PreconditionViolation};
use proto::commissioning::evaluation::v1::*;
use proto::commissioning::tendering::v1::tendering_service_client::TenderingServiceClient;
use proto::commissioning::tendering::v1::{Criterion, CriterionKind, GetTenderRequest, TieBreakRule};
use tonic::{Request, Response};

use super::{Answer, EvaluationApi, ensure_moderator, ensure_status, is_officer, locked, record};
use crate::domain::{BidInput, Outcome, price_for_lot, rank_lot};
use crate::{awards, events, evidence, store};

impl EvaluationApi {
    pub(super) async fn complete(
        &self,
        request: Request<CompleteEvaluationRequest>,
    ) -> Answer<CompleteEvaluationResponse> {
        let master = self.master.clone();
        let caller = Caller::of(&request)?.clone();
        let id = request.into_inner().evaluation_id;
        // Checked before the evidence is asked for, and again on the locked row.
        let current = store::find(self.db.conn(), &master, &id)
            .await?
            .ok_or_else(|| Error::NotFound { kind: "evaluation", id: id.clone() })?;
        ensure_moderator(&caller, &current)?;
        ensure_status(&current, EvaluationStatus::Moderation, "the evaluation can be completed")?;
        ensure_all_moderated(&current)?;
        let evidence = evidence::check(&self.compliance, &current).await?;
        let evaluation = self
            .db
            .unit_of_work(|txn| {
                Box::pin(async move {
                    let mut evaluation = locked(txn, &master, &id).await?;
                    ensure_moderator(&caller, &evaluation)?;
                    ensure_status(&evaluation, EvaluationStatus::Moderation, "the evaluation can be completed")?;
                    ensure_all_moderated(&evaluation)?;
                    evidence::fill(&mut evaluation, &evidence);
                    evaluation.results = rank(&evaluation)?;
                    evaluation.status = EvaluationStatus::Completed as i32;
                    evaluation.complete_time = Some(to_timestamp(chrono::Utc::now()));
                    store::save(txn, &master, &evaluation).await?;
                    let recommended: Vec<_> = evaluation
                        .results
                        .iter()
                        .map(|lot| (lot.lot_id.clone(), lot.recommended_bid_id.clone()))
                        .collect();
                    record(
                        txn,
                        &caller,
                        "evaluation.completed",
                        &evaluation,
                        serde_json::json!({ "recommended": recommended }),
                    )
                    .await?;
                    events::completed(txn, &evaluation).await?;
                    Ok::<_, Error>(evaluation)
                })
            })
            .await?;
        Ok(Response::new(CompleteEvaluationResponse { evaluation: Some(evaluation) }))
    }

    pub(super) async fn feedback(&self, request: Request<GetBidFeedbackRequest>) -> Answer<GetBidFeedbackResponse> {
        let caller = Caller::of(&request)?.clone();
        let request = request.into_inner();
        let mut evaluation = store::of_tender(self.db.conn(), &self.master, &request.tender_id)
            .await?
            .ok_or_else(|| Error::NotFound { kind: "evaluation of tender", id: request.tender_id.clone() })?;
        if evaluation.status() == EvaluationStatus::Completed && !evaluation.feedback_released {
            // Tendering's `bidders_notified` may not have arrived yet: ask it.
            evaluation = self.learn_awards(evaluation).await?;
        }
        let bid = if is_officer(&caller, &evaluation) {
            if evaluation.status() != EvaluationStatus::Completed {
                return Err(
                    Error::precondition("NOT_COMPLETED", "feedback exists once the evaluation is completed").into()
                );
            }
            evaluation.bids.iter().find(|bid| bid.bid_id == request.bid_id)
        } else if caller.has_role(Role::Provider) {
            let own = evaluation.bids.iter().find(|bid| bid.provider_id == caller.organisation_id);
            if !request.bid_id.is_empty() && own.is_none_or(|bid| bid.bid_id != request.bid_id) {
                return Err(Error::PermissionDenied("a bidder reads only its own feedback".into()).into());
            }
            if own.is_some() && !evaluation.feedback_released {
                return Err(Error::precondition(
                    "NOT_AWARDED",
                    "feedback is released once the tender is awarded; check back then",
                )
                .into());
            }
            own
        } else {
            return Err(
                Error::PermissionDenied("feedback is for the bidder and the buying council's officers".into()).into()
            );
        };
        let bid = bid.ok_or_else(|| Error::NotFound { kind: "bid", id: request.bid_id.clone() })?;
        let mut lots = Vec::new();
        for result in &evaluation.results {
            let winner = awards::winner(self.db.conn(), &evaluation.tender_id, &result.lot_id).await?;
            if let Some(lot) = lot_feedback(&evaluation, result, &bid.bid_id, winner.as_deref()) {
                lots.push(lot);
            }
        }
        let ranked = evaluation.results.iter().flat_map(|lot| &lot.ranking).find(|ranked| ranked.bid_id == bid.bid_id);
        let feedback = BidFeedback {
            tender_id: evaluation.tender_id.clone(),
            tender_title: evaluation.tender_title.clone(),
            bid_id: bid.bid_id.clone(),
            provider_id: bid.provider_id.clone(),
            failed: ranked.is_some_and(|ranked| ranked.failed),
            fail_reason: ranked.map(|ranked| ranked.fail_reason.clone()).unwrap_or_default(),
            lots,
        };
        Ok(Response::new(GetBidFeedbackResponse { feedback: Some(feedback) }))
    }

    /// The evaluation once tendering's word on its tender's awards is recorded: asked with GetTender
    /// as this service's identity, for when `tendering.bidders_notified` has not arrived yet. Each
    /// award is recorded as the event would record it, so the event changes nothing when it comes.
    async fn learn_awards(&self, evaluation: Evaluation) -> Result<Evaluation, Error> {
        let master = self.master.clone();
        let (channel, bearer) = self.tendering.connect()?;
        let request = GetTenderRequest { tender_id: evaluation.tender_id.clone() };
        let tender = TenderingServiceClient::new(channel)
            .get_tender(self.tendering.request(request, &bearer)?)
            .await
            .map_err(|status| self.tendering.error(status))?
            .into_inner()
            .tender
            .unwrap_or_default();
        if tender.lot_awards.is_empty() {
            return Ok(evaluation);
        }
        self.db
            .unit_of_work(|txn| {
                Box::pin(async move {
                    for award in &tender.lot_awards {
                        awards::release(txn, &master, &tender.id, &award.lot_id, &award.bid_id).await?;
                    }
                    store::of_tender(txn, &master, &tender.id)
                        .await?
                        .ok_or_else(|| Error::NotFound { kind: "evaluation of tender", id: tender.id.clone() })
                })
            })
            .await
    }
}

/// FAILED_PRECONDITION naming each bid and criterion still without a moderated score.
fn ensure_all_moderated(evaluation: &Evaluation) -> Result<(), Error> {
    let mut violations = Vec::new();
    for bid in &evaluation.bids {
        for criterion in evaluation.criteria.iter().filter(|criterion| criterion.kind() != CriterionKind::Price) {
            let moderated = evaluation
                .moderated_scores
                .iter()
                .any(|score| score.bid_id == bid.bid_id && score.criterion_id == criterion.id);
            if !moderated {
                violations.push(PreconditionViolation {
                    kind: "MODERATION".into(),
                    subject: format!("{}/{}", bid.bid_id, criterion.id),
                    description: format!(
                        "no moderated score for the bid from {} on {}",
                        bid.provider_name, criterion.name
                    ),
                });
            }
        }
    }
    if violations.is_empty() {
        return Ok(());
    }
    Err(Error::FailedPreconditions {
        message: "every bid needs a moderated score on every criterion before the evaluation completes".into(),
        reason: "NOT_MODERATED",
        violations,
    })
}

/// Each lot's ranking from the moderated scores and the bids' prices.
fn rank(evaluation: &Evaluation) -> Result<Vec<LotResult>, Error> {
    let tie_break = TieBreakRule::try_from(evaluation.tie_break_rule).unwrap_or(TieBreakRule::Unspecified);
    let mut results = Vec::new();
    for lot in &evaluation.lots {
        let inputs: Vec<BidInput> = evaluation
            .bids
            .iter()
            .filter_map(|bid| {
                let price = price_for_lot(bid.content.as_ref()?, &lot.id, evaluation.lots.len())?;
                let received =
                    bid.receipt.as_ref().and_then(|receipt| receipt.receive_time.as_ref()).and_then(from_timestamp);
                Some(BidInput {
                    bid_id: bid.bid_id.clone(),
                    provider_id: bid.provider_id.clone(),
                    provider_name: bid.provider_name.clone(),
                    price_pence: price,
                    received: received.unwrap_or_default(),
                    outcomes: outcomes(evaluation, &bid.bid_id),
                    evidence_all_met: bid.evidence_all_met,
                })
            })
            .collect();
        let ranked = rank_lot(&lot.id, &evaluation.criteria, tie_break, &inputs).map_err(|problems| {
            Error::FailedPreconditions {
                message: "the bids cannot be ranked".into(),
                reason: "NOT_RANKABLE",
                violations: problems
                    .into_iter()
                    .map(|problem| PreconditionViolation {
                        kind: "RANKING".into(),
                        subject: lot.id.clone(),
                        description: problem,
                    })
                    .collect(),
            }
        })?;
        results.push(ranked);
    }
    Ok(results)
}

/// A bid's moderated outcome on each criterion.
fn outcomes(evaluation: &Evaluation, bid_id: &str) -> HashMap<String, Outcome> {
    evaluation
        .moderated_scores
        .iter()
        .filter(|moderated| moderated.bid_id == bid_id)
        .map(|moderated| {
            let outcome = match moderated.pass_fail() {
                PassFailOutcome::Pass => Outcome::Pass,
                PassFailOutcome::Fail => Outcome::Fail { reason: moderated.reason.clone() },
                PassFailOutcome::Unspecified => Outcome::Score(u32::try_from(moderated.score).unwrap_or(0)),
            };
            (moderated.criterion_id.clone(), outcome)
        })
        .collect()
}

/// A bid's result in one lot beside the winner's, or `None` when it did not bid for the lot.
fn lot_feedback(
    evaluation: &Evaluation,
    result: &LotResult,
    bid_id: &str,
    winner: Option<&str>,
) -> Option<LotFeedback> {
    let ranked = result.ranking.iter().find(|ranked| ranked.bid_id == bid_id)?;
    let winning = winner.and_then(|winner| result.ranking.iter().find(|ranked| ranked.bid_id == winner));
    let lot_title =
        evaluation.lots.iter().find(|lot| lot.id == result.lot_id).map(|lot| lot.title.clone()).unwrap_or_default();
    let moderated = |bid: &str, criterion: &str| {
        evaluation.moderated_scores.iter().find(|score| score.bid_id == bid && score.criterion_id == criterion)
    };
    let weighted = |ranked: &RankedBid, criterion: &str| {
        ranked
            .criterion_results
            .iter()
            .find(|result| result.criterion_id == criterion)
            .map_or(0, |result| result.weighted_score_hundredths)
    };
    let criteria = evaluation
        .criteria
        .iter()
        .map(|criterion: &Criterion| {
            let own = moderated(bid_id, &criterion.id);
            let theirs = winning.and_then(|winning| moderated(&winning.bid_id, &criterion.id));
            CriterionFeedback {
                criterion_id: criterion.id.clone(),
                name: criterion.name.clone(),
                kind: criterion.kind,
                weight: criterion.weight,
                max_score: criterion.max_score,
                score: own.map_or(0, |score| score.score),
                pass_fail: own.map_or(0, |score| score.pass_fail),
                weighted_score_hundredths: weighted(ranked, &criterion.id),
                reason: own.map(|score| score.reason.clone()).unwrap_or_default(),
                winning_score: theirs.map_or(0, |score| score.score),
                winning_weighted_score_hundredths: winning.map_or(0, |winning| weighted(winning, &criterion.id)),
                winning_reason: theirs.map(|score| score.reason.clone()).unwrap_or_default(),
            }
        })
        .collect();
    Some(LotFeedback {
        lot_id: result.lot_id.clone(),
        lot_title,
        rank: ranked.rank,
        ranked_bid_count: i32::try_from(result.ranking.iter().filter(|ranked| !ranked.failed).count())
            .unwrap_or(i32::MAX),
        successful: winner == Some(bid_id),
        total_score_hundredths: ranked.total_score_hundredths,
        winning_total_score_hundredths: winning.map_or(0, |winning| winning.total_score_hundredths),
        criteria,
    })
}
