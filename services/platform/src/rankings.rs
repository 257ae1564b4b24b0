//! What a completed evaluation tells tendering: each lot's ranking and recommended bid, ids and
//! scores only, never bid contents. The evaluation service publishes it as `evaluation.completed`;
//! tendering rebuilds the same from GetEvaluation when it is asked to award before the event
//! has arrived.

use proto::commissioning::evaluation::v1::Evaluation;
use proto::commissioning::events::v1::{EvaluationCompleted, LotRanking, RankedBidSummary};

/// The rankings of a completed evaluation, as `evaluation.completed` carries them.
pub fn completed(evaluation: &Evaluation) -> EvaluationCompleted {
    let rankings = evaluation
        .results
        .iter()
        .map(|lot| LotRanking {
            lot_id: lot.lot_id.clone(),
            ranking: lot
                .ranking
                .iter()
                .map(|bid| RankedBidSummary {
                    bid_id: bid.bid_id.clone(),
                    provider_id: bid.provider_id.clone(),
                    rank: bid.rank,
                    failed: bid.failed,
                    total_score_hundredths: bid.total_score_hundredths,
                    quality_score_hundredths: bid.quality_score_hundredths,
                    evidence_all_met: bid.evidence_all_met,
                })
                .collect(),
            recommended_bid_id: lot.recommended_bid_id.clone(),
        })
        .collect();
    EvaluationCompleted {
        evaluation_id: evaluation.id.clone(),
        tender_id: evaluation.tender_id.clone(),
        council_id: evaluation.council_id.clone(),
        rankings,
        complete_time: evaluation.complete_time,
    }
}
