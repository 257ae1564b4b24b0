//! A panel's whole evaluation: opened once from the tender's closing, blind independent scoring, a
//! resident member within their scope, moderation, the worked example's ranking with a failed
//! pass/fail criterion, the award, and each bidder's feedback only after it.

use platform::testing::with_token;
use proto::commissioning::common::v1::{Date, DocumentKind, RequirementStatus};
use proto::commissioning::compliance::v1::compliance_service_client::ComplianceServiceClient;
use proto::commissioning::compliance::v1::upload_document_request::Payload;
use proto::commissioning::compliance::v1::{
    InsuranceDetails, UploadDocumentMetadata, UploadDocumentRequest, VerifyDocumentRequest,
};
use proto::commissioning::evaluation::v1::*;
use proto::commissioning::tendering::v1::{AwardTenderRequest, TenderStatus};
use tonic::Code;

use super::support::*;

fn score(bid_id: &str, criterion: &str, score: i32, reason: &str) -> ScoreInput {
    ScoreInput {
        bid_id: bid_id.into(),
        criterion_id: criterion.into(),
        score,
        reason: reason.into(),
        ..Default::default()
    }
}

fn pass_fail(bid_id: &str, outcome: PassFailOutcome, reason: &str) -> ScoreInput {
    ScoreInput {
        bid_id: bid_id.into(),
        criterion_id: "safeguarding".into(),
        pass_fail: outcome as i32,
        reason: reason.into(),
        ..Default::default()
    }
}

async fn submit(
    market: &Marketplace,
    user: &str,
    id: &str,
    scores: Vec<ScoreInput>,
    finished: bool,
) -> Result<SubmitScoresResponse, tonic::Status> {
    let request = SubmitScoresRequest { evaluation_id: id.into(), scores, finished };
    Ok(market.evaluations().await.submit_scores(with_token(request, &panellist(user))).await?.into_inner())
}

pub async fn seen_by(market: &Marketplace, token: &str, tender_id: &str) -> Result<Evaluation, tonic::Status> {
    let request = GetEvaluationRequest { tender_id: tender_id.into(), ..Default::default() };
    let response = market.evaluations().await.get_evaluation(with_token(request, token)).await?;
    Ok(response.into_inner().evaluation.expect("evaluation"))
}

/// brixton-friends' public liability certificate, GBP 2m, verified by Lambeth once it may see it.
pub async fn insured_and_verified(market: &Marketplace) {
    let metadata = UploadDocumentMetadata {
        request_id: "pl".into(),
        provider_id: "brixton-friends".into(),
        kind: DocumentKind::PublicLiabilityInsurance as i32,
        title: "Public liability".into(),
        filename: "certificate.pdf".into(),
        valid_from: Some(Date { year: 2026, month: 1, day: 1 }),
        expires_on: Some(Date { year: 2028, month: 12, day: 31 }),
        insurance: Some(InsuranceDetails {
            insurer: "Community Mutual".into(),
            policy_number: "CM-PL-0042".into(),
            limit_of_indemnity: Some(gbp(2_000_000)),
            ..Default::default()
        }),
        ..Default::default()
    };
    let pdf = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n".to_vec();
    let messages = vec![
        UploadDocumentRequest { payload: Some(Payload::Metadata(metadata)) },
        UploadDocumentRequest { payload: Some(Payload::Chunk(pdf)) },
    ];
    let mut documents = ComplianceServiceClient::new(market.compliance.channel().await);
    let uploaded =
        documents.upload_document(with_token(tokio_stream::iter(messages), &member_of("brixton-friends"))).await;
    let id = uploaded.expect("uploaded").into_inner().document.expect("document").id;
    // Lambeth may verify once compliance has heard that the charity bid to it.
    let verify = VerifyDocumentRequest { document_id: id, note: "schedule checked".into() };
    eventually("verification", || {
        let verify = verify.clone();
        let mut documents = documents.clone();
        async move { documents.verify_document(with_token(verify, &lambeth_officer())).await.ok() }
    })
    .await;
}

async fn a_panel_evaluates_fairly_and_every_bidder_learns_how_it_did(market: Marketplace) {
    let tender = published_tender(&market).await;
    let friends = bid(&market, &tender, "brixton-friends", 7_500).await;
    let club = bid(&market, &tender, "tulse-hill-club", 7_200).await;
    let cheap = bid(&market, &tender, "cut-price-care", 6_000).await;

    // The deadline passes; tendering closes the tender and evaluation opens it, once.
    let officer = lambeth_officer();
    let evaluation =
        eventually("the evaluation opening", || async { seen_by(&market, &officer, &tender.id).await.ok() }).await;
    assert_eq!((evaluation.status(), evaluation.bids.len()), (EvaluationStatus::Scoring, 3));
    // Each bidder's evidence is beside its bid from the opening; none has a certificate yet.
    for bid in &evaluation.bids {
        assert!(bid.evidence_check_time.is_some(), "evidence checked at opening");
        assert_eq!(bid.evidence.len(), 1, "one result per requirement");
        assert_eq!(bid.evidence[0].status(), RequirementStatus::NotMet, "{:?}", bid.evidence[0]);
        assert!(!bid.evidence_all_met);
    }
    let id = evaluation.id.clone();
    let foreign = seen_by(&market, &woking_officer(), &tender.id).await.expect_err("another council's");
    assert_eq!(foreign.code(), Code::PermissionDenied);

    // The panel: an officer-evaluator, a resident limited to social value, a moderator.
    let assign = |user: &str, role: PanelRole, criteria: &[&str]| AssignEvaluatorRequest {
        evaluation_id: id.clone(),
        member: Some(PanelMember {
            user_id: user.into(),
            display_name: user.into(),
            role: role as i32,
            criterion_ids: criteria.iter().map(|criterion| (*criterion).to_owned()).collect(),
            ..Default::default()
        }),
    };
    let mut evaluations = market.evaluations().await;
    let no_scope =
        evaluations.assign_evaluator(with_token(assign("rosa", PanelRole::ResidentEvaluator, &[]), &officer)).await;
    assert_eq!(no_scope.expect_err("a resident needs a scope").code(), Code::InvalidArgument);
    let by_panellist =
        evaluations.assign_evaluator(with_token(assign("eve", PanelRole::Evaluator, &[]), &panellist("eve"))).await;
    assert_eq!(by_panellist.expect_err("officers assign").code(), Code::PermissionDenied);
    // Who may call before what they sent: no member at all, from a panellist, is still theirs to refuse.
    let nobody = AssignEvaluatorRequest { evaluation_id: id.clone(), member: None };
    let by_panellist = evaluations.assign_evaluator(with_token(nobody.clone(), &panellist("eve"))).await;
    assert_eq!(by_panellist.expect_err("officers assign").code(), Code::PermissionDenied);
    let by_officer = evaluations.assign_evaluator(with_token(nobody, &officer)).await;
    assert_eq!(by_officer.expect_err("who joins?").code(), Code::InvalidArgument);
    for request in [
        assign("eve", PanelRole::Evaluator, &[]),
        assign("rosa", PanelRole::ResidentEvaluator, &["social"]),
        assign("mo", PanelRole::Moderator, &[]),
    ] {
        evaluations.assign_evaluator(with_token(request, &officer)).await.expect("assigned");
    }

    // Eve scores; Rosa cannot see Eve's scores, nor score outside her scope or the price.
    let (f, c, x) = (friends.bid_id.as_str(), club.bid_id.as_str(), cheap.bid_id.as_str());
    let eves = vec![
        score(f, "reach", 4, "good reach through the GP surgery"),
        score(c, "reach", 5, "reaches housebound people by phone"),
        score(x, "reach", 5, "wide reach"),
        score(f, "social", 3, "some local volunteering"),
        score(c, "social", 2, "little local employment"),
        score(x, "social", 5, "strong local hiring"),
        pass_fail(f, PassFailOutcome::Pass, "policy in place"),
        pass_fail(c, PassFailOutcome::Pass, "policy in place"),
        pass_fail(x, PassFailOutcome::Fail, "no safeguarding lead named"),
    ];
    submit(&market, "eve", &id, eves, false).await.expect("scored");
    let blind = seen_by(&market, &panellist("rosa"), &tender.id).await.expect("rosa reads");
    assert!(blind.scores.is_empty(), "Rosa does not see Eve's scores while scoring");
    let outside =
        submit(&market, "rosa", &id, vec![score(f, "reach", 3, "ok")], false).await.expect_err("out of scope");
    assert_eq!(outside.code(), Code::PermissionDenied);
    let price = submit(&market, "rosa", &id, vec![score(f, "price", 3, "ok")], false).await.expect_err("price");
    assert_eq!(price.code(), Code::InvalidArgument);
    let unexplained = submit(&market, "rosa", &id, vec![score(f, "social", 3, " ")], false).await.expect_err("reason");
    assert_eq!(unexplained.code(), Code::InvalidArgument);
    let early = submit(&market, "rosa", &id, vec![score(f, "social", 3, "volunteers from the estate")], true).await;
    assert_eq!(early.expect_err("two bids unscored").code(), Code::InvalidArgument);

    // The refused call recorded nothing: Rosa sends all three.
    let rosas = vec![
        score(f, "social", 3, "volunteers from the estate"),
        score(c, "social", 2, "few local staff"),
        score(x, "social", 4, "local hiring"),
    ];
    submit(&market, "rosa", &id, rosas, true).await.expect("rosa finished");
    let last = submit(&market, "eve", &id, Vec::new(), true).await.expect("eve finished");
    assert_eq!(last.status(), EvaluationStatus::Moderation, "moderation starts when every evaluator has finished");
    let open = seen_by(&market, &panellist("rosa"), &tender.id).await.expect("rosa reads");
    assert!(open.scores.iter().any(|score| score.evaluator_user_id == "eve"), "all scores visible in moderation");

    // The moderator agrees the worked example's scores.
    let moderator = panellist("mo");
    let agreed = [
        (
            f,
            "reach",
            4,
            PassFailOutcome::Unspecified,
            "clear plan for the GP surgery; more on housebound people would score 5",
        ),
        (f, "social", 3, PassFailOutcome::Unspecified, "local volunteering; local paid roles would score higher"),
        (f, "safeguarding", 0, PassFailOutcome::Pass, "policy and named lead"),
        (c, "reach", 5, PassFailOutcome::Unspecified, "excellent telephone reach"),
        (c, "social", 2, PassFailOutcome::Unspecified, "few local staff"),
        (c, "safeguarding", 0, PassFailOutcome::Pass, "policy and named lead"),
        (x, "reach", 5, PassFailOutcome::Unspecified, "wide reach"),
        (x, "social", 5, PassFailOutcome::Unspecified, "strong local hiring"),
    ];
    let complete = CompleteEvaluationRequest { evaluation_id: id.clone() };
    for (bid_id, criterion, points, outcome, reason) in agreed {
        let request = ModerateScoreRequest {
            evaluation_id: id.clone(),
            bid_id: bid_id.into(),
            criterion_id: criterion.into(),
            score: points,
            pass_fail: outcome as i32,
            reason: reason.into(),
        };
        let moderated = evaluations.moderate_score(with_token(request, &moderator)).await.expect("moderated");
        assert!(!moderated.into_inner().moderated_score.expect("score").individual_scores.is_empty());
    }
    let missing =
        evaluations.complete_evaluation(with_token(complete.clone(), &moderator)).await.expect_err("one missing");
    assert_eq!(missing.code(), Code::FailedPrecondition);
    let fail = ModerateScoreRequest {
        evaluation_id: id.clone(),
        bid_id: x.into(),
        criterion_id: "safeguarding".into(),
        pass_fail: PassFailOutcome::Fail as i32,
        reason: "no safeguarding lead named".into(),
        ..Default::default()
    };
    evaluations.moderate_score(with_token(fail, &moderator)).await.expect("moderated");
    let not_moderator = evaluations.complete_evaluation(with_token(complete.clone(), &panellist("eve"))).await;
    assert_eq!(not_moderator.expect_err("the moderator completes").code(), Code::PermissionDenied);
    let completed = evaluations.complete_evaluation(with_token(complete, &moderator)).await.expect("completed");
    let completed = completed.into_inner().evaluation.expect("evaluation");

    // Lowest valid price 7,200 (the failed bid's 6,000 does not count):
    //   tulse-hill-club: price 7200/7200 x 40 = 40.00, reach 5/5 x 45 = 45.00, social 2/5 x 15 = 6.00: 91.00
    //   brixton-friends: price 7200/7500 x 40 = 38.40, reach 4/5 x 45 = 36.00, social 3/5 x 15 = 9.00: 83.40
    //   cut-price-care: failed safeguarding, rank 0.
    let ranking = &completed.results[0].ranking;
    let ranked: Vec<_> =
        ranking.iter().map(|bid| (bid.bid_id.as_str(), bid.rank, bid.total_score_hundredths)).collect();
    assert_eq!((ranked[0].0, ranked[0].1, ranked[0].2), (c, 1, 9_100));
    assert_eq!((ranked[1].0, ranked[1].1, ranked[1].2), (f, 2, 8_340));
    assert_eq!((ranked[2].0, ranked[2].1), (x, 0));
    assert!(ranking[2].failed && ranking[2].fail_reason.contains("no safeguarding lead"));
    assert_eq!(completed.results[0].recommended_bid_id, c);
    let friends_evidence = completed.bids.iter().find(|bid| bid.bid_id == f).expect("bid");
    assert!(!friends_evidence.evidence.is_empty(), "evidence status shown beside the bid");

    // Feedback waits for the award.
    // A bidder asks by tender; its own bid is found from its token.
    let feedback = || GetBidFeedbackRequest { tender_id: tender.id.clone(), ..Default::default() };
    let too_soon = evaluations.get_bid_feedback(with_token(feedback(), &member_of("brixton-friends"))).await;
    assert_eq!(too_soon.expect_err("not awarded yet").code(), Code::FailedPrecondition);

    // The club's evidence: it has none, so the award names the shortfall; the friends' is verified.
    insured_and_verified(&market).await;
    let award = |bid_id: &str, reason: &str| AwardTenderRequest {
        request_id: uuid::Uuid::new_v4().to_string(),
        tender_id: tender.id.clone(),
        bid_id: bid_id.into(),
        reason: reason.into(),
        ..Default::default()
    };
    let recommended = eventually("the ranking reaching tendering", || async {
        let attempt = market.tenders().await.award_tender(with_token(award(c, ""), &officer)).await;
        match attempt {
            Err(status) if status.message().contains("evaluation has not been completed") => None,
            other => Some(other),
        }
    })
    .await;
    assert_eq!(recommended.expect_err("no evidence").code(), Code::FailedPrecondition);
    let awarded =
        market.tenders().await.award_tender(with_token(award(f, "the club cannot evidence insurance"), &officer)).await;
    assert_eq!(awarded.expect("awarded").into_inner().tender.expect("tender").status(), TenderStatus::Awarded);

    // Once told, each bidder reads its own summary beside the winner's, and only its own.
    let summary = eventually("feedback released", || async {
        let mut evaluations = market.evaluations().await;
        evaluations.get_bid_feedback(with_token(feedback(), &member_of("tulse-hill-club"))).await.ok()
    })
    .await
    .into_inner()
    .feedback
    .expect("feedback");
    let lot = &summary.lots[0];
    assert_eq!(
        (lot.rank, lot.successful, lot.total_score_hundredths, lot.winning_total_score_hundredths),
        (1, false, 9_100, 8_340)
    );
    let social = lot.criteria.iter().find(|criterion| criterion.criterion_id == "social").expect("social");
    assert_eq!((social.score, social.reason.as_str()), (2, "few local staff"));
    assert_eq!(social.winning_reason, "local volunteering; local paid roles would score higher");
    let winner = evaluations.get_bid_feedback(with_token(feedback(), &member_of("brixton-friends"))).await;
    assert!(winner.expect("winner's feedback").into_inner().feedback.expect("feedback").lots[0].successful);
    let nosy = GetBidFeedbackRequest { tender_id: tender.id.clone(), bid_id: f.into() };
    let nosy = evaluations.get_bid_feedback(with_token(nosy, &member_of("tulse-hill-club"))).await;
    assert_eq!(nosy.expect_err("not its bid").code(), Code::PermissionDenied);
    market.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evaluation_on_postgres_and_nats() {
    a_panel_evaluates_fairly_and_every_bidder_learns_how_it_did(Marketplace::on_postgres().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evaluation_on_sqlite_and_the_embedded_log() {
    a_panel_evaluates_fairly_and_every_bidder_learns_how_it_did(Marketplace::on_sqlite().await).await;
}
