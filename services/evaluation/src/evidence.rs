//! Each bidder's evidence status beside its bid, from compliance's CheckCompliance (asked as the
//! evaluation service's own identity) against the tender's requirements on the contract start:
//! for information only, as evidence is never a condition of taking part. Checked when the
//! evaluation opens and again when it completes.
//!
//! When compliance cannot answer at opening, the evaluation opens all the same with the evidence
//! not yet checked (no `evidence_check_time`); the panel's next GetEvaluation asks again and keeps
//! the answer, and completion always checks afresh.

use std::collections::HashMap;

use platform::Error;
use platform::calls::Peer;
use proto::commissioning::common::v1::EvidenceCheckResult;
use proto::commissioning::compliance::v1::CheckComplianceRequest;
use proto::commissioning::compliance::v1::compliance_service_client::ComplianceServiceClient;
use proto::commissioning::evaluation::v1::Evaluation;

/// One bid's evidence: each requirement's result, and whether all are met.
pub type Status = (Vec<EvidenceCheckResult>, bool);

/// Each bidder's evidence by bid id; empty when the tender asks for none.
pub async fn check(compliance: &Peer, evaluation: &Evaluation) -> Result<HashMap<String, Status>, Error> {
    let mut found = HashMap::new();
    if evaluation.evidence_requirements.is_empty() {
        return Ok(found);
    }
    let (channel, bearer) = compliance.connect()?;
    let mut client = ComplianceServiceClient::new(channel);
    for bid in &evaluation.bids {
        let request = CheckComplianceRequest {
            provider_id: bid.provider_id.clone(),
            requirements: evaluation.evidence_requirements.clone(),
            on_date: evaluation.contract_period.and_then(|period| period.start_date),
            tender_id: evaluation.tender_id.clone(),
        };
        let answer = client
            .check_compliance(compliance.request(request, &bearer)?)
            .await
            .map_err(|status| compliance.error(status))?
            .into_inner();
        found.insert(bid.bid_id.clone(), (answer.results, answer.all_met));
    }
    Ok(found)
}

/// Puts each bid's evidence beside it, as checked now; a bid the tender asks nothing of meets all.
pub fn fill(evaluation: &mut Evaluation, found: &HashMap<String, Status>) {
    let checked_at = Some(platform::time::to_timestamp(chrono::Utc::now()));
    for bid in &mut evaluation.bids {
        let (results, all_met) = found.get(&bid.bid_id).cloned().unwrap_or((Vec::new(), true));
        bid.evidence = results;
        bid.evidence_all_met = all_met;
        bid.evidence_check_time = checked_at;
    }
}

/// Whether some bid's evidence is still to be checked (compliance could not answer at opening).
pub fn unchecked(evaluation: &Evaluation) -> bool {
    evaluation.bids.iter().any(|bid| bid.evidence_check_time.is_none())
}
