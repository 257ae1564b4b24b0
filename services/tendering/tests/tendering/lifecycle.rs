//! A tender's whole life so far through gRPC: draft, published, a question answered for all,
//! sealed bids (one replaced), the deadline, the opening record and the opened bids.

use std::time::Duration;

use platform::testing::with_token;
use proto::commissioning::tendering::v1::*;
use tonic::Code;

use super::support::*;

async fn from_draft_to_opened_bids(app: App) {
    let tender = published(&app, befriending(Duration::from_secs(3), Duration::from_secs(6))).await;
    assert_eq!(tender.status(), TenderStatus::ActiveEnquiries);
    assert_eq!(tender.council_name, "Lambeth");
    assert!(!tender.criteria.is_empty() && !tender.bid_questions.is_empty(), "the template filled them");
    assert_eq!(tender.lots.len(), 1, "a tender without lots has one");
    let duties = tender.publication_duties.clone().expect("duties");
    assert!(duties.transparency_publication_required && !duties.central_digital_platform_notice_required);
    let one_tender = GetOcdsReleasePackageRequest { tender_id: tender.id.clone(), ..Default::default() };
    let published = ocds_package(&app, one_tender.clone()).await;
    let releases = published["releases"].as_array().expect("releases");
    assert_eq!(releases.len(), 1);
    assert_eq!(
        (releases[0]["tag"][0].as_str(), releases[0]["tender"]["status"].as_str()),
        (Some("tender"), Some("active"))
    );
    assert_eq!(releases[0]["ocid"].as_str(), Some(tender.ocid.as_str()));

    // A provider asks; the officer answers; everyone sees the answer but not who asked.
    let ask = AskQuestionRequest {
        request_id: "q-1".into(),
        tender_id: tender.id.clone(),
        text: "Can volunteers use their own cars?".into(),
    };
    let asked = client(&app).await.ask_question(with_token(ask, &member_of("brixton-friends"))).await;
    let asked = asked.expect("asked").into_inner().question.expect("question");
    let hidden = ListQuestionsRequest { tender_id: tender.id.clone(), ..Default::default() };
    let before = client(&app).await.list_questions(with_token(hidden.clone(), &member_of("tulse-hill-club"))).await;
    assert!(before.expect("listed").into_inner().questions.is_empty(), "unanswered questions stay private");
    let answer = AnswerQuestionRequest {
        question_id: asked.id.clone(),
        answer: "Yes, with business insurance; mileage is paid.".into(),
        published_text: String::new(),
    };
    client(&app).await.answer_question(with_token(answer, &lambeth_officer())).await.expect("answered");
    let after = client(&app).await.list_questions(with_token(hidden.clone(), &member_of("tulse-hill-club"))).await;
    let after = after.expect("listed").into_inner().questions;
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].status(), QuestionStatus::Answered);
    assert!(!after[0].asked_by_caller);
    let own = client(&app).await.list_questions(with_token(hidden, &member_of("brixton-friends"))).await;
    assert!(own.expect("listed").into_inner().questions[0].asked_by_caller);

    // Bidding opens when the enquiry period ends.
    let early = submit(&app, bid(&tender, "brixton-friends", 7_500, "We visit weekly.")).await;
    assert_eq!(early.expect_err("enquiries still open").code(), Code::FailedPrecondition);
    assert_eq!(run_scheduler_after(&app, tender.enquiry_period_end.as_ref().expect("end")).await, 1);
    assert_eq!(
        get(&app, &tender.id, &lambeth_officer()).await.expect("tender").status(),
        TenderStatus::ActiveTendering
    );

    let first = submit(&app, bid(&tender, "brixton-friends", 7_500, "We visit weekly.")).await.expect("bid");
    let replaced = submit(&app, bid(&tender, "brixton-friends", 7_200, "We visit weekly and call daily.")).await;
    let replaced = replaced.expect("replaced");
    assert_eq!((replaced.bid_id.as_str(), replaced.version), (first.bid_id.as_str(), 2));
    let retry_request = bid(&tender, "tulse-hill-club", 7_900, "Coffee mornings and visits.");
    let second = submit(&app, retry_request.clone()).await.expect("bid");
    let retried = submit(&app, retry_request).await.expect("retried");
    assert_eq!(retried, second, "a retried submission returns the first receipt");
    assert_eq!(get(&app, &tender.id, &lambeth_officer()).await.expect("tender").bid_count, 2);
    assert_eq!(get(&app, &tender.id, &member_of("tulse-hill-club")).await.expect("tender").bid_count, 0);

    let mine = client(&app)
        .await
        .get_my_bid(with_token(
            GetMyBidRequest { tender_id: tender.id.clone(), ..Default::default() },
            &member_of("brixton-friends"),
        ))
        .await
        .expect("own bid")
        .into_inner()
        .bid
        .expect("bid");
    let content = mine.content.expect("contents for its own provider");
    assert_eq!(content.total_price.as_ref().expect("price").amount_pence, 720_000);
    let hash_input = BidHashInput {
        tender_id: tender.id.clone(),
        bid_id: mine.id.clone(),
        provider_id: "brixton-friends".into(),
        version: 2,
        nonce_hex: replaced.nonce_hex.clone(),
        content: Some(content),
    };
    use sha2::Digest;
    let recomputed = hex::encode(sha2::Sha256::digest(prost::Message::encode_to_vec(&hash_input)));
    assert_eq!(recomputed, replaced.sha256_hex, "a bidder can recompute its receipt's hash");

    // The deadline: the tender closes, the opening record lists each bid's latest hash.
    let not_yet = client(&app)
        .await
        .get_opening_record(with_token(GetOpeningRecordRequest { tender_id: tender.id.clone() }, &lambeth_officer()))
        .await;
    assert_eq!(not_yet.expect_err("not closed").code(), Code::FailedPrecondition);
    assert_eq!(run_scheduler_after(&app, tender.bid_deadline.as_ref().expect("deadline")).await, 1);
    assert_eq!(app.service.run_scheduler().await.expect("ran"), 0, "closed once");
    let closed = get(&app, &tender.id, &lambeth_officer()).await.expect("tender");
    assert_eq!(closed.status(), TenderStatus::ActiveEvaluation);
    let record = client(&app)
        .await
        .get_opening_record(with_token(
            GetOpeningRecordRequest { tender_id: tender.id.clone() },
            &member_of("tulse-hill-club"),
        ))
        .await
        .expect("record")
        .into_inner()
        .opening_record
        .expect("record");
    let hashes: Vec<_> = record.entries.iter().map(|entry| entry.sha256_hex.as_str()).collect();
    assert_eq!(hashes, [replaced.sha256_hex.as_str(), second.sha256_hex.as_str()]);
    assert_eq!(record.entries[0].provider_name, "brixton-friends charity");
    let closed_package = ocds_package(&app, one_tender).await;
    let latest = closed_package["releases"].as_array().and_then(|releases| releases.last()).expect("a release");
    assert_eq!(latest["tender"]["numberOfTenderers"].as_i64(), Some(2));
    let tenderers = latest["parties"]
        .as_array()
        .expect("parties")
        .iter()
        .filter(|party| party["roles"].as_array().is_some_and(|roles| roles.iter().any(|role| role == "tenderer")));
    assert_eq!(tenderers.count(), 2);
    assert!(
        !closed_package.to_string().contains("720000") && !closed_package.to_string().contains("7200"),
        "no bid prices"
    );

    // Only the evaluation service reads the opened bids.
    let opened_request = ListOpenedBidsRequest { tender_id: tender.id.clone(), ..Default::default() };
    let refused = client(&app).await.list_opened_bids(with_token(opened_request.clone(), &lambeth_officer())).await;
    assert_eq!(refused.expect_err("officers may not").code(), Code::PermissionDenied);
    let opened = client(&app).await.list_opened_bids(with_token(opened_request, &evaluation_service())).await;
    let opened = opened.expect("opened").into_inner().bids;
    let prices: Vec<_> = opened
        .iter()
        .map(|bid| bid.content.as_ref().and_then(|c| c.total_price.as_ref()).map(|p| p.amount_pence))
        .collect();
    assert_eq!(prices, [Some(720_000), Some(790_000)]);

    // After the deadline nothing changes.
    let late = submit(&app, bid(&tender, "late-charity", 6_000, "Too late.")).await;
    let late = late.expect_err("closed");
    assert_eq!(late.code(), Code::FailedPrecondition);
    assert!(late.message().contains("closed at"), "{}", late.message());
    let withdraw = WithdrawBidRequest { bid_id: first.bid_id.clone() };
    let withdrawn = client(&app).await.withdraw_bid(with_token(withdraw, &member_of("brixton-friends"))).await;
    assert_eq!(withdrawn.expect_err("closed").code(), Code::FailedPrecondition);
    assert!(app.audit_rows().await >= 9, "every change is audited");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lifecycle_on_postgres_and_nats() {
    from_draft_to_opened_bids(on_postgres().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lifecycle_on_sqlite_and_the_embedded_log() {
    from_draft_to_opened_bids(on_sqlite().await).await;
}
