//! The officer's ranking of a completed evaluation: each lot's bids best first, with their total,
//! quality and price scores, how a tie was broken, a failed bid's reason, and each bidder's
//! evidence against the tender's requirements (met, or each shortfall in words), which the award
//! checks again.

use axum::extract::{Path, State};
use axum::response::Response;
use minijinja::context;
use platform::auth::Role;
use proto::commissioning::common::v1::RequirementStatus;
use proto::commissioning::evaluation::v1::{EvaluatedBid, Evaluation, EvaluationStatus, RankedBid};

use super::super::outcome::percent;
use super::super::{FormErrors, PageError, page};
use super::{evaluation_of, tender_values};
use crate::PortalState;
use crate::visitor::StaffVisit;

/// A bidder's evidence as a tag and the shortfalls in words.
pub fn evidence_values(bid: Option<&EvaluatedBid>) -> minijinja::Value {
    let Some(bid) = bid else {
        return context! { tag => context! { text => "Not checked", classes => "govuk-tag--grey" } };
    };
    let shortfalls: Vec<String> = bid
        .evidence
        .iter()
        .filter(|result| !matches!(result.status(), RequirementStatus::Met | RequirementStatus::NotApplicable))
        .map(|result| result.explanation.clone())
        .collect();
    let tag = if bid.evidence_check_time.is_none() {
        context! { text => "Not checked yet", classes => "govuk-tag--grey" }
    } else if shortfalls.is_empty() {
        context! { text => "Evidence complete", classes => "govuk-tag--green" }
    } else {
        context! { text => "Evidence falls short", classes => "govuk-tag--yellow" }
    };
    context! { tag, shortfalls }
}

fn ranked_card(evaluation: &Evaluation, ranked: &RankedBid) -> minijinja::Value {
    let bid = evaluation.bids.iter().find(|bid| bid.bid_id == ranked.bid_id);
    let place = if ranked.failed { "Not ranked".to_owned() } else { ranked.rank.to_string() };
    context! {
        title => format!("{place}: {}", ranked.provider_name),
        failed => ranked.failed,
        fail_reason => &ranked.fail_reason,
        total => percent(ranked.total_score_hundredths),
        quality => percent(ranked.quality_score_hundredths),
        price => percent(ranked.price_score_hundredths),
        tie_break => &ranked.tie_break_note,
        partner_unconfirmed => bid.is_some_and(|bid| bid.partner_unconfirmed),
        evidence => evidence_values(bid),
    }
}

/// GET /tenders/{id}/ranking
pub async fn ranking(
    State(state): State<PortalState>,
    Path(id): Path<String>,
    visit: StaffVisit,
) -> Result<Response, PageError> {
    let StaffVisit { session, jar, person } = visit.with_role(Role::Officer)?;
    let evaluation = evaluation_of(&state, &person, &id).await?;
    let lots: Vec<_> = evaluation
        .results
        .iter()
        .map(|result| {
            let title = evaluation.lots.iter().find(|lot| lot.id == result.lot_id).map_or("", |lot| lot.title.as_str());
            let bids: Vec<_> = result.ranking.iter().map(|ranked| ranked_card(&evaluation, ranked)).collect();
            context! { title, bids }
        })
        .collect();
    let values = context! {
        tender => tender_values(&evaluation),
        completed => evaluation.status() == EvaluationStatus::Completed,
        several_lots => lots.len() > 1,
        lots,
    };
    Ok(page(&state, &session, jar, "ranking.html", "The ranking", &FormErrors::default(), values))
}
