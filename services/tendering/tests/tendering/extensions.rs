//! Long contracts with an option to extend, as Wigan commissions local area coordination: three
//! years from 1 April 2027 plus an optional two to 31 March 2032, GBP 165,000 for the three years.
//! The value with the option decides the duties and is what OCDS shows; the cover asked is what a
//! community organisation holds; a contract longer than five years with its extension is refused at
//! publishing; the contract awarded carries the option, and the council exercises it once, audited
//! and told to its finance system; the tender completes only after the extended end. It is open to
//! everyone, with no eligibility criteria, said as a value that the event and the open data carry.

use std::time::Duration;

use chrono::Utc;
use platform::auth::Role;
use platform::events::outbox;
use platform::testing::{named_token, publish_event, with_token};
use prost::Message;
use proto::commissioning::common::v1::{Area, Date, DateRange, DocumentKind, Money, ServiceCategory};
use proto::commissioning::events::v1::{
    ContractExtended, EvaluationCompleted, LotRanking, ProviderProfile, ProviderRegistered, RankedBidSummary,
};
use proto::commissioning::tendering::v1::*;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use tonic::Code;
use tonic_types::StatusExt;

use super::support::*;

fn wigan_officer() -> String {
    named_token("wendy", "wigan", "Wigan", &[Role::Officer])
}

fn date(year: i32, month: i32, day: i32) -> Option<Date> {
    Some(Date { year, month, day })
}

/// Wigan's tender as its officer fills in the local area coordination template.
fn wigan(extension_end: Option<Date>) -> Tender {
    let now = Utc::now();
    Tender {
        title: "Local area coordination, Wigan borough".into(),
        summary: "Three local area coordinators across the borough, for anyone who wants support to stay \
                  connected, with no eligibility criteria."
            .into(),
        description_sections: [
            (
                "What we want",
                "Three local area coordinators, one for each locality, who get to know people and \
              help them build their own networks of support.",
            ),
            ("Who it is for", "Anyone in the borough who wants support to stay connected: no referral needed."),
            ("Where", "The whole of Wigan borough."),
            ("Outcomes we are looking for", "People saying they feel more connected, and fewer crises."),
        ]
        .map(|(heading, body)| DescriptionSection { heading: heading.into(), body: body.into() })
        .to_vec(),
        areas: vec![Area { council_id: "wigan".into(), label: "Wigan borough".into(), part: None }],
        eligibility: Some(TenderEligibility { open_to_everyone: true, ..Default::default() }),
        estimated_value: Some(gbp(165_000)),
        contract_period: Some(DateRange { start_date: date(2027, 4, 1), end_date: date(2030, 3, 31) }),
        extension: Some(ContractExtension {
            max_end_date: extension_end,
            included_in_estimated_value: false,
            value: Some(gbp(110_000)),
            description: "Up to two more years, on the same terms, if the service meets its outcomes.".into(),
        }),
        enquiry_period_end: Some(platform::time::to_timestamp(now + Duration::from_secs(1))),
        bid_deadline: Some(platform::time::to_timestamp(now + Duration::from_secs(4))),
        ..Default::default()
    }
}

async fn update(app: &App, tender: Tender, paths: &[&str]) -> Result<Tender, tonic::Status> {
    let request = UpdateTenderRequest {
        tender: Some(tender),
        update_mask: Some(prost_types::FieldMask { paths: paths.iter().map(|path| (*path).to_owned()).collect() }),
        ..Default::default()
    };
    let response = client(app).await.update_tender(with_token(request, &wigan_officer())).await?;
    Ok(response.into_inner().tender.expect("tender"))
}

async fn publish(app: &App, id: &str) -> Result<Tender, tonic::Status> {
    let request = PublishTenderRequest { tender_id: id.into() };
    let response = client(app).await.publish_tender(with_token(request, &wigan_officer())).await?;
    Ok(response.into_inner().tender.expect("tender"))
}

fn extend(contract_id: &str, request_id: &str, reference: &str) -> ExerciseContractExtensionRequest {
    ExerciseContractExtensionRequest {
        request_id: request_id.into(),
        contract_id: contract_id.into(),
        reference: reference.into(),
        added_value: None,
    }
}

async fn exercise(
    app: &App,
    request: ExerciseContractExtensionRequest,
    token: &str,
) -> Result<Contract, tonic::Status> {
    let response = client(app).await.exercise_contract_extension(with_token(request, token)).await?;
    Ok(response.into_inner().contract.expect("contract"))
}

fn pounds(money: Option<&Money>) -> i64 {
    money.expect("an amount").amount_pence / 100
}

async fn the_wigan_tender_is_published_awarded_extended_and_exported(app: App) {
    // The draft shows the value with the option and asks the cover community organisations hold.
    let create = CreateTenderRequest {
        request_id: uuid::Uuid::new_v4().to_string(),
        template_id: "local-area-coordination".into(),
        tender: Some(wigan(date(2032, 4, 1))),
    };
    let draft = client(&app).await.create_tender(with_token(create, &wigan_officer())).await;
    let draft = draft.expect("created").into_inner().tender.expect("tender");
    assert_eq!(draft.category(), ServiceCategory::LocalAreaCoordination);
    assert_eq!(pounds(draft.estimated_value.as_ref()), 165_000);
    assert_eq!(pounds(draft.estimated_value_with_options.as_ref()), 275_000, "GBP 165,000 plus the option's 110,000");
    let public_liability = draft
        .evidence_requirements
        .iter()
        .find(|requirement| requirement.kind() == DocumentKind::PublicLiabilityInsurance)
        .expect("public liability proposed");
    assert_eq!(pounds(public_liability.minimum_cover.as_ref()), 5_000_000, "not GBP 10m");
    assert!(public_liability.note.contains("community organisations commonly hold"), "{}", public_liability.note);

    // One day past five years with the extension: one violation with the rule's reason.
    let long = publish(&app, &draft.id).await.expect_err("longer than five years");
    assert_eq!(long.code(), Code::FailedPrecondition);
    let violations = long.get_details_precondition_failure().expect("violations").violations;
    assert_eq!(violations.len(), 1, "{violations:?}");
    assert_eq!(violations[0].subject, "extension.max_end_date");
    let reason = &violations[0].description;
    assert!(reason.contains("1 April 2032") && reason.contains("5 years"), "{reason}");
    assert!(reason.contains("go back to the market"), "{reason}");

    // An extension ending before the contract is refused as a field; then Wigan's own dates, and
    // evidence the officer leaves to the award (lowered to none here).
    let before = update(&app, Tender { id: draft.id.clone(), ..wigan(date(2029, 3, 31)) }, &["extension"]).await;
    let before = before.expect_err("ends before the contract");
    assert_eq!(before.code(), Code::InvalidArgument);
    let fields = before.get_details_bad_request().expect("field violations").field_violations;
    assert_eq!(fields[0].field, "tender.extension.max_end_date", "{fields:?}");
    let fixed = Tender { id: draft.id.clone(), ..wigan(date(2032, 3, 31)) };
    let fixed = update(&app, fixed, &["extension", "enquiry_period_end", "bid_deadline", "evidence_requirements"])
        .await
        .expect("updated");
    assert_eq!(fixed.extension.as_ref().and_then(|extension| extension.max_end_date), date(2032, 3, 31));

    // Open to everyone is a value, with no age limit beside it.
    let aged = Tender {
        id: draft.id.clone(),
        eligibility: Some(TenderEligibility { open_to_everyone: true, minimum_age: 18, ..Default::default() }),
        ..Default::default()
    };
    let aged = update(&app, aged, &["eligibility"]).await.expect_err("an age limit on a service open to everyone");
    assert_eq!(aged.code(), Code::InvalidArgument);
    let fields = aged.get_details_bad_request().expect("field violations").field_violations;
    assert_eq!(fields[0].field, "tender.eligibility.minimum_age", "{fields:?}");

    let tender = publish(&app, &draft.id).await.expect("published");
    assert!(tender.eligibility.as_ref().is_some_and(|eligibility| eligibility.open_to_everyone));
    let published = outbox(&app, "tendering.tender_published").await;
    let event = proto::commissioning::events::v1::TenderPublished::decode(published[0].as_slice()).expect("an event");
    let facts = event.tender.expect("the published facts");
    assert!(facts.eligibility.is_some_and(|eligibility| eligibility.open_to_everyone), "matching can use it");
    let duties = tender.publication_duties.clone().expect("duties");
    assert_eq!(pounds(duties.assessed_value.as_ref()), 275_000, "decided on the value with every option");
    assert!(duties.central_digital_platform_notice_required && duties.contract_details_notice_required);

    // Once published, an amendment may not stretch it past five years either.
    let stretched = UpdateTenderRequest {
        tender: Some(Tender { id: tender.id.clone(), ..wigan(date(2033, 3, 31)) }),
        update_mask: Some(prost_types::FieldMask { paths: vec!["extension".into()] }),
        amendment_reason: "a longer option".into(),
        material: true,
    };
    let stretched = client(&app).await.update_tender(with_token(stretched, &wigan_officer())).await;
    let stretched = stretched.expect_err("longer than five years");
    assert_eq!(stretched.code(), Code::FailedPrecondition);
    let violations = stretched.get_details_precondition_failure().expect("violations").violations;
    assert_eq!(violations[0].subject, "extension.max_end_date", "{violations:?}");

    // Bid, close, evaluation, award.
    let profile = ProviderProfile {
        provider_id: "wigan-connect".into(),
        legal_name: "Wigan Connect CIO".into(),
        vcse: true,
        ..Default::default()
    };
    let registered = ProviderRegistered { provider: Some(profile), ..Default::default() };
    publish_event(&app.bus, "providers.provider_registered", "platform", "wigan-connect", registered).await;
    run_scheduler_after(&app, tender.enquiry_period_end.as_ref().expect("end")).await;
    let bid = submit(&app, bid(&tender, "wigan-connect", 160_000, "Three coordinators, one per locality.")).await;
    let bid = bid.expect("bid");
    run_scheduler_after(&app, tender.bid_deadline.as_ref().expect("deadline")).await;
    let completed = EvaluationCompleted {
        evaluation_id: "evaluation-wigan".into(),
        tender_id: tender.id.clone(),
        council_id: "wigan".into(),
        rankings: vec![LotRanking {
            lot_id: tender.lots[0].id.clone(),
            ranking: vec![RankedBidSummary {
                bid_id: bid.bid_id.clone(),
                provider_id: "wigan-connect".into(),
                rank: 1,
                ..Default::default()
            }],
            recommended_bid_id: bid.bid_id.clone(),
        }],
        complete_time: None,
    };
    publish_event(&app.bus, "evaluation.completed", "wigan", "evaluation-wigan", completed).await;
    let award = AwardTenderRequest {
        request_id: "award-wigan".into(),
        tender_id: tender.id.clone(),
        bid_id: bid.bid_id.clone(),
        ..Default::default()
    };
    let waited = tokio::time::Instant::now() + Duration::from_secs(20);
    let contract = loop {
        match client(&app).await.award_tender(with_token(award.clone(), &wigan_officer())).await {
            Ok(awarded) => break awarded.into_inner().contract.expect("contract"),
            Err(status) => assert!(tokio::time::Instant::now() < waited, "never awarded: {status:?}"),
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let option = contract.extension.clone().expect("the contract carries the option");
    assert_eq!((option.max_end_date, pounds(option.value.as_ref())), (date(2032, 3, 31), 110_000));
    assert_eq!(contract.period.and_then(|period| period.end_date), date(2030, 3, 31));
    assert!(contract.extension_exercise.is_none());

    // Who may extend, and what a request needs.
    let lambeth = exercise(&app, extend(&contract.id, "x1", "WBC-EXT-1"), &lambeth_officer()).await;
    assert_eq!(lambeth.expect_err("another council").code(), Code::PermissionDenied);
    // Still another council's with no request id and no reference: who may call comes first.
    let lambeth = exercise(&app, extend(&contract.id, "", ""), &lambeth_officer()).await;
    assert_eq!(lambeth.expect_err("another council").code(), Code::PermissionDenied);
    let integrator = named_token("fin", "wigan", "Wigan", &[Role::Integrator]);
    let integrator = exercise(&app, extend(&contract.id, "x2", "WBC-EXT-1"), &integrator).await;
    assert_eq!(integrator.expect_err("not an officer").code(), Code::PermissionDenied);
    let unnamed = exercise(&app, extend(&contract.id, "x3", " "), &wigan_officer()).await.expect_err("no reference");
    assert_eq!(unnamed.code(), Code::InvalidArgument);
    assert_eq!(unnamed.get_details_bad_request().expect("fields").field_violations[0].field, "reference");
    let missing = exercise(&app, extend("no-such-contract", "x4", "WBC-EXT-1"), &wigan_officer()).await;
    assert_eq!(missing.expect_err("no contract").code(), Code::NotFound);

    // Extended once: new end date and value; a retry returns it; a second exercise is refused.
    let extended = exercise(&app, extend(&contract.id, "x5", "WBC-EXT-1"), &wigan_officer()).await.expect("extended");
    assert_eq!(extended.period.and_then(|period| period.end_date), date(2032, 3, 31));
    assert_eq!(pounds(extended.value.as_ref()), 270_000, "GBP 160,000 bid plus the option's GBP 110,000");
    let exercised = extended.extension_exercise.clone().expect("recorded");
    assert_eq!((exercised.reference.as_str(), exercised.previous_end_date), ("WBC-EXT-1", date(2030, 3, 31)));
    assert_eq!(exercised.exercised_by_user_id, "wendy");
    let retried = exercise(&app, extend(&contract.id, "x5", "WBC-EXT-1"), &wigan_officer()).await.expect("retried");
    assert_eq!(pounds(retried.value.as_ref()), 270_000, "a retry extends nothing more");
    let twice = exercise(&app, extend(&contract.id, "x6", "WBC-EXT-2"), &wigan_officer()).await.expect_err("once");
    assert_eq!(twice.code(), Code::FailedPrecondition);
    let violation = &twice.get_details_precondition_failure().expect("violations").violations[0];
    assert_eq!(violation.subject, "extension_exercise");
    assert!(violation.description.contains("WBC-EXT-1"), "{}", violation.description);

    // A block contract has no option to extend.
    let block = Contract {
        title: "Day opportunities".into(),
        supplier: Some(Supplier { name: "Large Care Group plc".into(), ..Default::default() }),
        value: Some(gbp(90_000)),
        period: Some(DateRange { start_date: date(2027, 4, 1), end_date: date(2029, 3, 31) }),
        category: ServiceCategory::GroupActivities as i32,
        ..Default::default()
    };
    let register = RegisterContractRequest { request_id: "block-wigan".into(), contract: Some(block) };
    let block = client(&app).await.register_contract(with_token(register, &wigan_officer())).await;
    let block = block.expect("registered").into_inner().contract.expect("contract");
    let none = exercise(&app, extend(&block.id, "x7", "WBC-EXT-3"), &wigan_officer()).await.expect_err("no option");
    assert_eq!(none.code(), Code::FailedPrecondition);
    assert_eq!(none.get_details_precondition_failure().expect("violations").violations[0].subject, "extension");

    // The finance system hears of it once, on Wigan's subject.
    let db = app.database().await;
    let rows = outbox::Entity::find()
        .filter(outbox::Column::EventType.eq("tendering.contract_extended"))
        .all(db.conn())
        .await
        .expect("outbox read");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].tenant, "wigan");
    let event = ContractExtended::decode(rows[0].payload.as_slice()).expect("a ContractExtended");
    assert_eq!((event.contract_id.as_str(), event.reference.as_str()), (contract.id.as_str(), "WBC-EXT-1"));
    assert_eq!((event.previous_end_date, event.new_end_date), (date(2030, 3, 31), date(2032, 3, 31)));
    assert_eq!((pounds(event.added_value.as_ref()), pounds(event.new_value.as_ref())), (110_000, 270_000));

    // The tender completes after the extended end, not the original one.
    let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).expect("a date");
    assert_eq!(tendering::scheduler::complete_ended(&db, day(2030, 4, 1)).await.expect("ran"), 0);
    assert_eq!(tendering::scheduler::complete_ended(&db, day(2032, 4, 1)).await.expect("ran"), 1);

    // Open data: the value with the option, and the periods with their maximum extent.
    let package =
        ocds_package(&app, GetOcdsReleasePackageRequest { tender_id: tender.id.clone(), ..Default::default() }).await;
    let last = package["releases"].as_array().and_then(|releases| releases.last()).expect("a release");
    let published = &last["tender"];
    assert_eq!(published["value"]["amount"].as_f64(), Some(275_000.0));
    assert_eq!(published["contractPeriod"]["endDate"], "2030-03-31T00:00:00Z");
    assert_eq!(published["contractPeriod"]["maxExtentDate"], "2032-03-31T00:00:00Z");
    let description = published["description"].as_str().expect("a description");
    assert!(description.ends_with("Eligibility\nOpen to everyone, with no eligibility criteria."), "{description}");
    assert_eq!(last["contracts"][0]["period"]["endDate"], "2032-03-31T00:00:00Z");
    assert_eq!(last["contracts"][0]["period"]["maxExtentDate"], "2032-03-31T00:00:00Z");
    assert_eq!(last["contracts"][0]["value"]["amount"].as_f64(), Some(270_000.0));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wigan_tender_on_postgres_and_nats() {
    the_wigan_tender_is_published_awarded_extended_and_exported(on_postgres().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wigan_tender_on_sqlite_and_the_embedded_log() {
    the_wigan_tender_is_published_awarded_extended_and_exported(on_sqlite().await).await;
}
