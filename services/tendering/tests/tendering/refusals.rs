//! Every refusal a user can meet, with the right code and the field or state at fault.

use std::time::Duration;

use platform::testing::with_token;
use proto::commissioning::tendering::v1::*;
use tonic::Code;

use super::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_name_the_field_or_the_state() {
    let app = on_postgres().await;

    // Weights not adding to 100, and funder shares not adding to 100%, at creation.
    let mut lopsided = befriending(Duration::from_secs(60), Duration::from_secs(120));
    lopsided.criteria =
        vec![Criterion { name: "Price".into(), kind: CriterionKind::Price as i32, weight: 90, ..Default::default() }];
    lopsided.funders = vec![Funder {
        organisation: Some(proto::commissioning::common::v1::OrganisationRef {
            name: "Lambeth".into(),
            ..Default::default()
        }),
        share_basis_points: 9_000,
    }];
    let create =
        CreateTenderRequest { request_id: "bad".into(), template_id: "befriending".into(), tender: Some(lopsided) };
    let refused = client(&app).await.create_tender(with_token(create, &lambeth_officer())).await.expect_err("refused");
    assert_eq!(refused.code(), Code::InvalidArgument);
    let bad = fields(&refused);
    assert!(bad.contains(&"tender.criteria".to_owned()) && bad.contains(&"tender.funders".to_owned()), "{bad:?}");

    // Only officers create; a provider may not.
    let create = CreateTenderRequest { request_id: "p".into(), template_id: "befriending".into(), tender: None };
    let refused = client(&app).await.create_tender(with_token(create, &member_of("brixton-friends"))).await;
    assert_eq!(refused.expect_err("not an officer").code(), Code::PermissionDenied);

    // A draft: hidden from others, not open for bids; incomplete, so not publishable.
    let create = CreateTenderRequest { request_id: "d".into(), template_id: "blank".into(), tender: None };
    let draft = client(&app).await.create_tender(with_token(create, &lambeth_officer())).await.expect("draft");
    let draft = draft.into_inner().tender.expect("tender");
    assert_eq!(get(&app, &draft.id, &woking_officer()).await.expect_err("hidden").code(), Code::NotFound);
    let on_draft = submit(&app, bid(&draft, "brixton-friends", 5_000, "Hello.")).await;
    assert_eq!(on_draft.expect_err("a draft takes no bids").code(), Code::NotFound);
    let publish = PublishTenderRequest { tender_id: draft.id.clone() };
    let refused =
        client(&app).await.publish_tender(with_token(publish, &lambeth_officer())).await.expect_err("incomplete");
    assert_eq!(refused.code(), Code::FailedPrecondition);
    use tonic_types::StatusExt;
    let problems = refused.get_details_precondition_failure().expect("one violation per problem").violations;
    let subjects: Vec<_> = problems.iter().map(|problem| problem.subject.as_str()).collect();
    assert!(subjects.contains(&"title") && subjects.contains(&"bid_deadline"), "{subjects:?}");

    // A published tender: another council may not change it; an answer over its word limit.
    let tender = published(&app, befriending(Duration::from_secs(1), Duration::from_secs(4))).await;
    let update = UpdateTenderRequest {
        tender: Some(Tender { id: tender.id.clone(), title: "Taken over".into(), ..Default::default() }),
        amendment_reason: "ours now".into(),
        ..Default::default()
    };
    let refused = client(&app).await.update_tender(with_token(update, &woking_officer())).await;
    assert_eq!(refused.expect_err("another council's").code(), Code::PermissionDenied);
    run_scheduler_after(&app, tender.enquiry_period_end.as_ref().expect("end")).await;
    // Every answer exactly at its own limit, then the first one word over.
    let mut at_limit = bid(&tender, "brixton-friends", 5_000, "");
    let answers = &mut at_limit.content.as_mut().expect("content").answers;
    for (answer, question) in answers.iter_mut().zip(&tender.bid_questions) {
        answer.text = vec!["word"; usize::try_from(question.word_limit).expect("limit")].join(" ");
    }
    let mut too_long = at_limit.clone();
    too_long.request_id = "too-long".into();
    too_long.content.as_mut().expect("content").answers[0].text.push_str(" more");
    let refused = submit(&app, too_long).await.expect_err("too long");
    assert_eq!(refused.code(), Code::InvalidArgument);
    assert_eq!(fields(&refused), ["content.answers[0].text"]);
    submit(&app, at_limit).await.expect("at the limit is fine");

    // After the deadline: no edit, no bid.
    run_scheduler_after(&app, tender.bid_deadline.as_ref().expect("deadline")).await;
    let update = UpdateTenderRequest {
        tender: Some(Tender { id: tender.id.clone(), title: "Too late".into(), ..Default::default() }),
        amendment_reason: "typo".into(),
        ..Default::default()
    };
    let refused = client(&app).await.update_tender(with_token(update, &lambeth_officer())).await;
    assert_eq!(refused.expect_err("closed").code(), Code::FailedPrecondition);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bid_one_millisecond_late_is_refused() {
    let app = on_postgres().await;
    let tender = published(&app, befriending(Duration::from_secs(1), Duration::from_millis(3_000))).await;
    let deadline = platform::time::from_timestamp(tender.bid_deadline.as_ref().expect("deadline")).expect("time");
    // Without the scheduler closing it, the database clock alone refuses a bid after the deadline.
    let wait = (deadline - chrono::Utc::now()).to_std().unwrap_or_default() + Duration::from_millis(1);
    tokio::time::sleep(wait).await;
    let late = submit(&app, bid(&tender, "brixton-friends", 5_000, "Just too late.")).await.expect_err("late");
    assert_eq!(late.code(), Code::FailedPrecondition);
    assert!(late.message().contains(&deadline.to_rfc3339()), "names the deadline: {}", late.message());
    app.stop().await;
}

/// PostgreSQL cannot store a NUL character: an id holding one is the caller's mistake, never
/// INTERNAL, even where no handler checks for it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nul_character_in_an_id_is_invalid_argument_on_postgres() {
    let app = on_postgres().await;
    let request = GetTenderRequest { tender_id: "a\u{0}b".into() };
    let refused = client(&app).await.get_tender(with_token(request, &lambeth_officer())).await.expect_err("refused");
    assert_eq!(refused.code(), Code::InvalidArgument, "{refused:?}");
    assert!(refused.message().contains("NUL character"), "{}", refused.message());
    app.stop().await;
}
