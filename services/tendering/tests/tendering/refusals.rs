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

/// An officer acts only for their own council: naming another council's id is refused, naming
/// the field, not stored as the officer's own; and who may call is checked before what they sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_councils_id_is_refused_and_who_may_call_comes_first() {
    let app = on_postgres().await;
    let mut tender = befriending(Duration::from_secs(60), Duration::from_secs(120));
    tender.council_id = "woking".into();
    let create =
        CreateTenderRequest { request_id: "c".into(), template_id: "befriending".into(), tender: Some(tender) };
    let refused = client(&app).await.create_tender(with_token(create, &lambeth_officer())).await.expect_err("woking's");
    assert_eq!(refused.code(), Code::PermissionDenied);
    assert!(refused.message().starts_with("tender.council_id names another organisation"), "{}", refused.message());

    // Incomplete as well as another council's: the council is what is refused.
    let contract = Contract { council_id: "woking".into(), ..Default::default() };
    let register = RegisterContractRequest { request_id: String::new(), contract: Some(contract) };
    let refused =
        client(&app).await.register_contract(with_token(register, &lambeth_officer())).await.expect_err("woking's");
    assert_eq!(refused.code(), Code::PermissionDenied);
    assert!(refused.message().starts_with("contract.council_id names another organisation"), "{}", refused.message());

    // Their own council's id, given, is fine.
    let mut tender = befriending(Duration::from_secs(60), Duration::from_secs(120));
    tender.council_id = "lambeth".into();
    let create =
        CreateTenderRequest { request_id: "l".into(), template_id: "befriending".into(), tender: Some(tender) };
    let created = client(&app).await.create_tender(with_token(create, &lambeth_officer())).await.expect("own council");
    assert_eq!(created.into_inner().tender.expect("tender").council_id, "lambeth");

    // A bid for another provider, or an award of another council's tender, with no request id.
    let published = published(&app, befriending(Duration::from_secs(1), Duration::from_secs(60))).await;
    let mut theirs = bid(&published, "brixton-friends", 5_000, "Hello.");
    theirs.request_id = String::new();
    let token = member_of("woking-friends");
    let refused = client(&app).await.submit_bid(with_token(theirs, &token)).await.expect_err("not theirs");
    assert_eq!(refused.code(), Code::PermissionDenied);
    let award = AwardTenderRequest { tender_id: published.id.clone(), ..Default::default() };
    let refused = client(&app).await.award_tender(with_token(award, &woking_officer())).await.expect_err("lambeth's");
    assert_eq!(refused.code(), Code::PermissionDenied);
    app.stop().await;
}

/// A control character anywhere in a request is refused at the edge, naming the field, on both
/// backends alike (PostgreSQL could not store a NUL; no field needs one); line breaks are text.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_control_character_is_refused_naming_its_field_on_both_backends() {
    for app in [on_postgres().await, on_sqlite().await] {
        let request = GetTenderRequest { tender_id: "a\u{0}b".into() };
        let refused =
            client(&app).await.get_tender(with_token(request, &lambeth_officer())).await.expect_err("refused");
        assert_eq!(refused.code(), Code::InvalidArgument, "{refused:?}");
        assert_eq!(fields(&refused), ["tender_id"]);
        assert!(refused.message().contains("control character"), "{}", refused.message());

        let tender = published(&app, befriending(Duration::from_secs(1), Duration::from_secs(60))).await;
        run_scheduler_after(&app, tender.enquiry_period_end.as_ref().expect("end")).await;
        let mut stray = bid(&tender, "brixton-friends", 5_000, "We meet on Tuesdays.\nAnd\tThursdays.\u{1b}[31m");
        let refused = submit(&app, stray.clone()).await.expect_err("an escape character");
        assert_eq!(refused.code(), Code::InvalidArgument);
        assert_eq!(fields(&refused), ["content.answers[0].text"]);

        // Nothing was kept: the same bid without the stray character goes in as the first.
        for answer in &mut stray.content.as_mut().expect("content").answers {
            answer.text = answer.text.replace('\u{1b}', "");
        }
        submit(&app, stray).await.expect("tabs and line breaks are text");
        app.stop().await;
    }
}
