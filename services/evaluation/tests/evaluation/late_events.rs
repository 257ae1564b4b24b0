//! A user's next step works straight after the step before it, though the event between the
//! services has not arrived: the evaluation service hears events on a stream of its own here, so
//! `evaluation.completed` and `tendering.bidders_notified` reach the other side only when the test
//! delivers them, after the award and the feedback. Each then changes nothing a second time. And
//! with compliance out of reach when the evaluation opens, it opens all the same and the evidence
//! is filled in on the panel's next read.

use platform::testing::with_token;
use proto::commissioning::common::v1::RequirementStatus;
use proto::commissioning::evaluation::v1::*;
use proto::commissioning::tendering::v1::{AwardTenderRequest, ContractRoute, ListContractsRequest, TenderStatus};

use super::panel::{insured_and_verified, seen_by};
use super::support::*;

/// Nothing listens here: the evaluation service's compliance calls fail until the test points it
/// at the real one.
const OUT_OF_REACH: &str = "http://127.0.0.1:9";

fn score(bid_id: &str, criterion: &str, points: i32) -> ScoreInput {
    ScoreInput {
        bid_id: bid_id.into(),
        criterion_id: criterion.into(),
        score: points,
        reason: "as read".into(),
        ..Default::default()
    }
}

fn pass(bid_id: &str) -> ScoreInput {
    ScoreInput {
        bid_id: bid_id.into(),
        criterion_id: "safeguarding".into(),
        pass_fail: PassFailOutcome::Pass as i32,
        reason: "policy and named lead".into(),
        ..Default::default()
    }
}

async fn each_step_works_before_the_event_arrives(market: Marketplace) {
    let compliance_url = format!("http://{}", market.compliance.addr());
    let tender = published_tender(&market).await;
    let friends = bid(&market, &tender, "brixton-friends", 7_500).await.bid_id;
    let club = bid(&market, &tender, "tulse-hill-club", 7_200).await.bid_id;
    insured_and_verified(&market).await;

    // The tender closes; its closing reaches evaluation when delivered, while compliance is out of
    // reach: the evaluation opens all the same, the evidence not yet checked, and reading it works.
    forward(&market.tendering, &market.evaluation, "tendering.tender_closed").await;
    let officer = lambeth_officer();
    let opened =
        eventually("the evaluation opening", || async { seen_by(&market, &officer, &tender.id).await.ok() }).await;
    assert_eq!((opened.status(), opened.bids.len()), (EvaluationStatus::Scoring, 2));
    assert!(
        opened.bids.iter().all(|bid| bid.evidence_check_time.is_none() && bid.evidence.is_empty()),
        "not checked while compliance is out of reach: {:?}",
        opened.bids
    );
    // Once compliance answers, the panel's next read shows each bidder's evidence, and keeps it.
    market.evaluation.service.compliance().set_url(compliance_url);
    let checked = seen_by(&market, &officer, &tender.id).await.expect("read");
    let evidence_of = |evaluation: &Evaluation, bid_id: &str| {
        let bid = evaluation.bids.iter().find(|bid| bid.bid_id == bid_id).expect("bid").clone();
        (bid.evidence.first().map(|result| result.status()), bid.evidence_all_met, bid.evidence_check_time.is_some())
    };
    assert_eq!(evidence_of(&checked, &friends), (Some(RequirementStatus::Met), true, true));
    assert_eq!(evidence_of(&checked, &club), (Some(RequirementStatus::NotMet), false, true));

    // A panel of two scores, the moderator agrees and completes.
    let id = checked.id.clone();
    let mut evaluations = market.evaluations().await;
    for (user, role) in [("eve", PanelRole::Evaluator), ("mo", PanelRole::Moderator)] {
        let member =
            PanelMember { user_id: user.into(), display_name: user.into(), role: role as i32, ..Default::default() };
        let request = AssignEvaluatorRequest { evaluation_id: id.clone(), member: Some(member) };
        evaluations.assign_evaluator(with_token(request, &officer)).await.expect("assigned");
    }
    let agreed = [
        score(&friends, "reach", 5),
        score(&friends, "social", 3),
        pass(&friends),
        score(&club, "reach", 2),
        score(&club, "social", 3),
        pass(&club),
    ];
    let scores = SubmitScoresRequest { evaluation_id: id.clone(), scores: agreed.to_vec(), finished: true };
    evaluations.submit_scores(with_token(scores, &panellist("eve"))).await.expect("scored");
    for given in agreed {
        let request = ModerateScoreRequest {
            evaluation_id: id.clone(),
            bid_id: given.bid_id,
            criterion_id: given.criterion_id,
            score: given.score,
            pass_fail: given.pass_fail,
            reason: given.reason,
        };
        evaluations.moderate_score(with_token(request, &panellist("mo"))).await.expect("moderated");
    }
    let complete = CompleteEvaluationRequest { evaluation_id: id.clone() };
    let completed = evaluations.complete_evaluation(with_token(complete, &panellist("mo"))).await.expect("completed");
    let completed = completed.into_inner().evaluation.expect("evaluation");
    assert_eq!(completed.results[0].recommended_bid_id, friends);

    // Straight away the officer awards: tendering has not heard evaluation.completed, and asks.
    let award = AwardTenderRequest {
        request_id: uuid::Uuid::new_v4().to_string(),
        tender_id: tender.id.clone(),
        bid_id: friends.clone(),
        ..Default::default()
    };
    let awarded = market.tenders().await.award_tender(with_token(award, &officer)).await.expect("awarded at once");
    let awarded = awarded.into_inner().tender.expect("tender");
    assert_eq!(awarded.status(), TenderStatus::Awarded);
    assert_eq!(awarded.lot_awards.iter().map(|award| award.bid_id.as_str()).collect::<Vec<_>>(), [friends.as_str()]);

    // Straight away each bidder reads its feedback: evaluation has not heard bidders_notified, and asks.
    let shared = &market;
    let feedback = |provider: &str| {
        let request = GetBidFeedbackRequest { tender_id: tender.id.clone(), ..Default::default() };
        let token = member_of(provider);
        async move {
            let response = shared.evaluations().await.get_bid_feedback(with_token(request, &token)).await;
            response.expect("feedback at once").into_inner().feedback.expect("feedback").lots.remove(0)
        }
    };
    let club_lot = feedback("tulse-hill-club").await;
    let winning_total = completed.results[0].ranking[0].total_score_hundredths;
    assert_eq!(
        (club_lot.successful, club_lot.rank, club_lot.winning_total_score_hundredths),
        (false, 2, winning_total)
    );
    assert!(feedback("brixton-friends").await.successful);

    // The held-back events arrive at last, and change nothing a second time.
    let tendering_db = market.tendering.database().await;
    let kept = "SELECT rankings FROM evaluation_result";
    let before: Vec<Vec<u8>> =
        rows(&tendering_db, kept).await.iter().map(|row| row.try_get("", "rankings").expect("bytes")).collect();
    for id in forward(&market.evaluation, &market.tendering, "evaluation.completed").await {
        handled(&market.tendering, tendering::consumers::EVALUATION_RESULTS, &id).await;
    }
    let after: Vec<Vec<u8>> =
        rows(&tendering_db, kept).await.iter().map(|row| row.try_get("", "rankings").expect("bytes")).collect();
    assert_eq!((before.len(), &after), (1, &before), "the ranking is kept once, as first recorded");
    let contracts = ListContractsRequest {
        council_id: "lambeth".into(),
        routes: vec![ContractRoute::MicroTender as i32],
        ..Default::default()
    };
    let contracts = market.tenders().await.list_contracts(with_token(contracts, &officer)).await.expect("listed");
    assert_eq!(contracts.into_inner().contracts.len(), 1, "one contract");

    let audit_before = market.evaluation.audit_rows().await;
    for id in forward(&market.tendering, &market.evaluation, "tendering.bidders_notified").await {
        handled(&market.evaluation, evaluation::consumers::TENDER_EVENTS, &id).await;
    }
    assert_eq!(market.evaluation.audit_rows().await, audit_before, "feedback released and audited once");
    let evaluation_db = market.evaluation.database().await;
    let released = "SELECT seq FROM audit_log WHERE action = 'evaluation.feedback_released'";
    assert_eq!(rows(&evaluation_db, released).await.len(), 1);
    assert_eq!(rows(&evaluation_db, "SELECT bid_id FROM lot_award").await.len(), 1);
    assert_eq!(feedback("tulse-hill-club").await, club_lot, "the same feedback as before the event");
    market.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn late_events_on_postgres_and_nats() {
    let market = Marketplace::apart_on_postgres(|settings| settings.compliance_url = Some(OUT_OF_REACH.into())).await;
    each_step_works_before_the_event_arrives(market).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn late_events_on_sqlite_and_the_embedded_log() {
    let market = Marketplace::apart_on_sqlite(|settings| settings.compliance_url = Some(OUT_OF_REACH.into())).await;
    each_step_works_before_the_event_arrives(market).await;
}
