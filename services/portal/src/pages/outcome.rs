//! After the award: the outcome of the charity's own bid and its assessment summary, criterion by
//! criterion beside the winning bid's (evaluation's GetBidFeedback, which shows a provider only
//! its own bid, and only once the council has awarded). Before the award, or without a bid, the
//! page says so plainly.

use axum::extract::{Path, State};
use axum::response::Response;
use minijinja::context;
use proto::commissioning::evaluation::v1::{
    BidFeedback, CriterionFeedback, GetBidFeedbackRequest, LotFeedback, PassFailOutcome,
};
use proto::commissioning::tendering::v1::{CriterionKind, GetTenderRequest};

use super::{FormErrors, PageError, page};
use crate::PortalState;
use crate::visitor::CharityVisit;

/// GET /tenders/{id}/outcome
pub async fn outcome(
    State(state): State<PortalState>,
    Path(id): Path<String>,
    CharityVisit { session, jar, person }: CharityVisit,
) -> Result<Response, PageError> {
    let request = state.as_person(&person, GetTenderRequest { tender_id: id.clone() })?;
    let tender = state.tendering().get_tender(request).await?.into_inner().tender.ok_or(PageError::NotFound)?;
    let request =
        state.as_person(&person, GetBidFeedbackRequest { tender_id: tender.id.clone(), bid_id: String::new() })?;
    let feedback = match state.evaluation().get_bid_feedback(request).await {
        Ok(found) => found.into_inner().feedback,
        // Not awarded yet, or no bid of this charity's: said on the page, not as a fault.
        Err(status) if matches!(status.code(), tonic::Code::FailedPrecondition | tonic::Code::NotFound) => None,
        Err(status) => return Err(status.into()),
    };
    let values = context! {
        tender => context! { id => &tender.id, title => &tender.title, council => &tender.council_name },
        feedback => feedback.as_ref().map(summary),
    };
    Ok(page(&state, &session, jar, "outcome.html", "The outcome of your bid", &FormErrors::default(), values))
}

fn summary(feedback: &BidFeedback) -> minijinja::Value {
    context! {
        failed => feedback.failed,
        fail_reason => &feedback.fail_reason,
        successful => feedback.lots.iter().any(|lot| lot.successful),
        lots => feedback.lots.iter().map(lot).collect::<Vec<_>>(),
    }
}

fn lot(lot: &LotFeedback) -> minijinja::Value {
    let rank = if lot.rank > 0 { format!("{} of {}", lot.rank, lot.ranked_bid_count) } else { "Not ranked".to_owned() };
    let rows = vec![
        row("Your place", rank),
        row("Your total score", percent(lot.total_score_hundredths)),
        row("The winning bid's total score", percent(lot.winning_total_score_hundredths)),
    ];
    context! {
        title => &lot.lot_title,
        successful => lot.successful,
        rows,
        criteria => lot.criteria.iter().map(|criterion| criterion_card(criterion, lot.successful)).collect::<Vec<_>>(),
    }
}

/// A criterion as its card shows it: this bid's score and why, then the winner's.
fn criterion_card(criterion: &CriterionFeedback, won: bool) -> minijinja::Value {
    let kind = CriterionKind::try_from(criterion.kind).unwrap_or(CriterionKind::Unspecified);
    // A pass/fail criterion carries no weight: every bid must pass it.
    let mut rows = if kind == CriterionKind::PassFail {
        vec![row("Weight", "None: every bid must pass".into())]
    } else {
        vec![row("Weight", format!("{}%", criterion.weight))]
    };
    match kind {
        CriterionKind::PassFail => {
            let outcome = PassFailOutcome::try_from(criterion.pass_fail).unwrap_or(PassFailOutcome::Unspecified);
            rows.push(row("Your bid", if outcome == PassFailOutcome::Fail { "Did not pass" } else { "Passed" }.into()));
        }
        CriterionKind::Price => {
            rows.push(row("Your score", points(criterion.weighted_score_hundredths, criterion.weight)));
        }
        _ => {
            rows.push(row(
                "Your score",
                format!(
                    "{} out of {} ({})",
                    criterion.score,
                    criterion.max_score,
                    points(criterion.weighted_score_hundredths, criterion.weight)
                ),
            ));
        }
    }
    if !criterion.reason.is_empty() {
        rows.push(row("Why it scored this", criterion.reason.clone()));
    }
    if !won {
        match kind {
            CriterionKind::PassFail => {}
            CriterionKind::Price => {
                rows.push(row(
                    "The winning bid",
                    points(criterion.winning_weighted_score_hundredths, criterion.weight),
                ));
            }
            _ => rows.push(row(
                "The winning bid",
                format!(
                    "{} out of {} ({})",
                    criterion.winning_score,
                    criterion.max_score,
                    points(criterion.winning_weighted_score_hundredths, criterion.weight)
                ),
            )),
        }
        if !criterion.winning_reason.is_empty() {
            rows.push(row("Why the winning bid scored this", criterion.winning_reason.clone()));
        }
    }
    context! { name => &criterion.name, rows }
}

fn row(key: &str, value: String) -> minijinja::Value {
    context! { key => context! { text => key }, value => context! { text => value } }
}

/// Hundredths of a point out of 100 as "72.5%".
pub(super) fn percent(hundredths: i32) -> String {
    format!("{}%", decimal(hundredths))
}

/// A weighted score as "18.75 of 25 points".
fn points(hundredths: i32, weight: i32) -> String {
    format!("{} of {weight} points", decimal(hundredths))
}

/// 7250 as "72.5", 7200 as "72".
fn decimal(hundredths: i32) -> String {
    let text = format!("{}.{:02}", hundredths / 100, (hundredths % 100).abs());
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_read_as_people_write_them() {
        assert_eq!(percent(7250), "72.5%");
        assert_eq!(percent(7200), "72%");
        assert_eq!(percent(0), "0%");
        assert_eq!(points(1875, 25), "18.75 of 25 points");
        assert_eq!(points(1000, 10), "10 of 10 points");
    }
}
