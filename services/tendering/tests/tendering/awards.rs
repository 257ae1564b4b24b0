//! Awards and the portfolio: an award waits for the completed evaluation, is refused while the
//! winner's evidence (asked of a running compliance service) falls short, names the shortfall, and
//! then creates the contract a finance system needs; the council's integrator writes back its
//! purchase order; block and micro contracts sit side by side in the portfolio.

use std::time::Duration;

use compliance::Compliance;
use platform::auth::Role;
use platform::testing::{TestApp, named_token, publish_event, with_token};
use proto::commissioning::common::v1::{
    Date, DateRange, DocumentKind, EvidenceRequirement, OrgIdScheme, OrgIdentifier, ServiceCategory, SizeClass,
};
use proto::commissioning::compliance::v1::VerifyDocumentRequest;
use proto::commissioning::compliance::v1::compliance_service_client::ComplianceServiceClient;
use proto::commissioning::events::v1::{ProviderProfile, ProviderRegistered, TenderClosed};
use proto::commissioning::tendering::v1::*;
use tonic::Code;
use tonic_types::StatusExt;

use super::support::*;

async fn award(app: &App, request: AwardTenderRequest, token: &str) -> Result<AwardTenderResponse, tonic::Status> {
    Ok(client(app).await.award_tender(with_token(request, token)).await?.into_inner())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_award_waits_for_the_evaluation_and_the_winners_evidence() {
    let compliance = TestApp::<Compliance>::on_postgres().await;
    let compliance_url = format!("http://{}", compliance.addr());
    let app = App::on_postgres_with(|settings| {
        settings.tendering_minimum_bid_period_secs = MINIMUM_PERIOD.as_secs();
        settings.tendering_scheduler_interval_ms = 3_600_000;
        settings.compliance_url = Some(compliance_url);
    })
    .await;
    let profile = ProviderProfile {
        provider_id: "brixton-friends".into(),
        legal_name: "Brixton Good Neighbours".into(),
        identifiers: vec![OrgIdentifier { scheme: OrgIdScheme::GbChc as i32, value: "1234567".into() }],
        size_class: SizeClass::Micro as i32,
        vcse: true,
        ..Default::default()
    };
    let registered = ProviderRegistered { provider: Some(profile), ..Default::default() };
    publish_event(&app.bus, "providers.provider_registered", "platform", "brixton-friends", registered).await;

    // GBP 25,000: GBP 5m public liability cover is proportionate to befriending of this value.
    let mut wanted = befriending(Duration::from_secs(1), Duration::from_secs(4));
    wanted.estimated_value = Some(gbp(25_000));
    wanted.evidence_requirements = vec![EvidenceRequirement {
        kind: DocumentKind::PublicLiabilityInsurance as i32,
        minimum_cover: Some(gbp(5_000_000)),
        ..Default::default()
    }];
    let tender = published(&app, wanted).await;
    run_scheduler_after(&app, tender.enquiry_period_end.as_ref().expect("end")).await;
    let winner = submit(&app, bid(&tender, "brixton-friends", 7_200, "We visit weekly.")).await.expect("bid");
    let runner_up = submit(&app, bid(&tender, "tulse-hill-club", 7_900, "Coffee mornings.")).await.expect("bid");
    run_scheduler_after(&app, tender.bid_deadline.as_ref().expect("deadline")).await;
    let lambeth = lambeth_officer();
    let request = |bid_id: &str, request_id: &str| AwardTenderRequest {
        request_id: request_id.into(),
        tender_id: tender.id.clone(),
        bid_id: bid_id.into(),
        cost_centre: "ASC-PREV-01".into(),
        ..Default::default()
    };

    // No evaluation yet.
    let early = award(&app, request(&winner.bid_id, "a1"), &lambeth).await.expect_err("no evaluation");
    assert_eq!(early.code(), Code::FailedPrecondition);
    assert!(early.message().contains("evaluation"), "{}", early.message());

    evaluation_completed(&app.bus, &tender, &[&winner, &runner_up]).await;

    // The runner-up needs a reason; another council may not award; the winner's cover is too low.
    insure(&compliance, "brixton-friends", DocumentKind::PublicLiabilityInsurance, "low-cover", 2_000_000).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let short = loop {
        let attempt = award(&app, request(&winner.bid_id, "a2"), &lambeth).await.expect_err("evidence short");
        if !attempt.message().contains("evaluation has not been completed") {
            break attempt;
        }
        assert!(tokio::time::Instant::now() < deadline, "the evaluation never arrived");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(short.code(), Code::FailedPrecondition);
    let shortfall = short.get_details_precondition_failure().expect("violations").violations;
    assert_eq!(shortfall[0].subject, "DOCUMENT_KIND_PUBLIC_LIABILITY_INSURANCE");
    assert!(
        shortfall[0].description.contains("GBP 2,000,000 is below the required GBP 5,000,000"),
        "{}",
        shortfall[0].description
    );
    let unexplained = award(&app, request(&runner_up.bid_id, "a3"), &lambeth).await.expect_err("reason needed");
    assert_eq!(unexplained.code(), Code::InvalidArgument);
    let foreign = award(&app, request(&winner.bid_id, "a4"), &woking_officer()).await.expect_err("not Woking's");
    assert_eq!(foreign.code(), Code::PermissionDenied);

    // The charity renews with GBP 5m (a new document here) and Lambeth, which it bid to, verifies it.
    let covered =
        insure(&compliance, "brixton-friends", DocumentKind::PublicLiabilityInsurance, "full-cover", 5_000_000).await;
    let closed = TenderClosed {
        tender_id: tender.id.clone(),
        council_id: "lambeth".into(),
        opening_record: Some(OpeningRecord {
            entries: vec![OpeningEntry { provider_id: "brixton-friends".into(), ..Default::default() }],
            ..Default::default()
        }),
        ..Default::default()
    };
    publish_event(&compliance.bus, "tendering.tender_closed", "lambeth", &tender.id, closed).await;
    let mut documents = ComplianceServiceClient::new(compliance.channel().await);
    let verify = VerifyDocumentRequest { document_id: covered.clone(), note: "schedule checked".into() };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while documents.verify_document(with_token(verify.clone(), &lambeth)).await.is_err() {
        assert!(tokio::time::Instant::now() < deadline, "never verified");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let awarded = award(&app, request(&winner.bid_id, "a5"), &lambeth).await.expect("awarded");
    let retried = award(&app, request(&winner.bid_id, "a5"), &lambeth).await.expect("retried");
    let contract = awarded.contract.expect("contract");
    assert_eq!(retried.contract.expect("contract").id, contract.id, "a retried award returns the first contract");
    assert_eq!(awarded.tender.expect("tender").status(), TenderStatus::Awarded);
    let supplier = contract.supplier.clone().expect("supplier");
    assert_eq!(
        (supplier.name.as_str(), supplier.identifiers[0].value.as_str()),
        ("Brixton Good Neighbours", "1234567")
    );
    assert_eq!(contract.value.as_ref().expect("value").amount_pence, 720_000);
    assert_eq!((contract.route(), contract.cost_centre.as_str()), (ContractRoute::MicroTender, "ASC-PREV-01"));
    let again = award(&app, request(&runner_up.bid_id, "a6"), &lambeth).await.expect_err("already awarded");
    assert_eq!(again.code(), Code::FailedPrecondition);

    // The finance write-back: Lambeth's integrator only.
    let finance = RecordFinanceReferenceRequest {
        contract_id: contract.id.clone(),
        purchase_order_number: "PO-448812".into(),
        ..Default::default()
    };
    let woking_integrator = named_token("fin", "woking", "Woking", &[Role::Integrator]);
    let refused = client(&app).await.record_finance_reference(with_token(finance.clone(), &woking_integrator)).await;
    assert_eq!(refused.expect_err("not Woking's").code(), Code::PermissionDenied);
    let lambeth_integrator = named_token("fin", "lambeth", "Lambeth", &[Role::Integrator]);
    let linked = client(&app).await.record_finance_reference(with_token(finance, &lambeth_integrator)).await;
    let linked = linked.expect("linked").into_inner().contract.expect("contract");
    assert_eq!(linked.finance.expect("finance").purchase_order_number, "PO-448812");

    // A block contract beside it, and the portfolio over the year.
    let block = Contract {
        title: "Day opportunities, borough-wide".into(),
        supplier: Some(Supplier {
            name: "Large Care Group plc".into(),
            size_class: SizeClass::Large as i32,
            ..Default::default()
        }),
        value: Some(gbp(450_000)),
        period: Some(DateRange {
            start_date: Some(Date { year: 2027, month: 4, day: 1 }),
            end_date: Some(Date { year: 2030, month: 3, day: 31 }),
        }),
        category: ServiceCategory::GroupActivities as i32,
        ..Default::default()
    };
    let register = RegisterContractRequest { request_id: "block-1".into(), contract: Some(block) };
    let registered = client(&app).await.register_contract(with_token(register, &lambeth)).await.expect("registered");
    assert_eq!(registered.into_inner().contract.expect("contract").route(), ContractRoute::Block);
    let listed = ListContractsRequest { council_id: "lambeth".into(), ..Default::default() };
    let listed = client(&app).await.list_contracts(with_token(listed, &lambeth)).await.expect("listed");
    assert_eq!(listed.into_inner().contracts.len(), 2);
    let summary = GetCommissioningSummaryRequest {
        council_id: "lambeth".into(),
        period: Some(DateRange {
            start_date: Some(Date { year: 2027, month: 4, day: 1 }),
            end_date: Some(Date { year: 2028, month: 3, day: 31 }),
        }),
    };
    let summary = client(&app).await.get_commissioning_summary(with_token(summary, &lambeth)).await.expect("summary");
    let summary = summary.into_inner().summary.expect("summary");
    assert_eq!(summary.contract_count, 2);
    assert_eq!(summary.total_value.expect("total").amount_pence, 45_720_000);
    assert_eq!(summary.vcse_value.expect("vcse").amount_pence, 720_000);
    assert_eq!(summary.vcse_share_basis_points, 157, "7,200 of 457,200 is 1.57%");
    assert_eq!(summary.awarded_tender_count, 1);

    // The day after the contract ends, the tender is complete; not a day before.
    let db = app.database().await;
    let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).expect("a date");
    assert_eq!(tendering::scheduler::complete_ended(&db, day(2028, 3, 31)).await.expect("ran"), 0);
    assert_eq!(tendering::scheduler::complete_ended(&db, day(2028, 4, 1)).await.expect("ran"), 1);
    assert_eq!(get(&app, &tender.id, &lambeth).await.expect("tender").status(), TenderStatus::Complete);

    // Open data: the award and its contract, and the council's block contract beside it.
    let awarded_package =
        ocds_package(&app, GetOcdsReleasePackageRequest { tender_id: tender.id.clone(), ..Default::default() }).await;
    let last = awarded_package["releases"].as_array().and_then(|releases| releases.last()).expect("a release");
    assert_eq!(last["tag"], serde_json::json!(["award", "contract"]));
    assert_eq!(last["awards"][0]["value"]["amount"].as_f64(), Some(7_200.0));
    let council = GetOcdsReleasePackageRequest { council_id: "lambeth".into(), ..Default::default() };
    let portfolio = ocds_package(&app, council).await;
    let ocids: std::collections::HashSet<_> = portfolio["releases"]
        .as_array()
        .expect("releases")
        .iter()
        .filter_map(|release| release["ocid"].as_str())
        .collect();
    assert_eq!(ocids.len(), 2, "the micro-tender's process and the block contract's");

    use sea_orm::ConnectionTrait;
    let sql = "SELECT event_type FROM outbox WHERE event_type IN ('tendering.contract_awarded', 'tendering.bidders_notified', 'tendering.finance_linked', 'tendering.contract_registered') ORDER BY event_type";
    let rows = db.conn().query_all_raw(sea_orm::Statement::from_string(db.backend(), sql)).await.expect("read");
    let types: Vec<String> = rows.iter().map(|row| row.try_get("", "event_type").expect("text")).collect();
    assert_eq!(
        types,
        [
            "tendering.bidders_notified",
            "tendering.contract_awarded",
            "tendering.contract_registered",
            "tendering.finance_linked"
        ]
    );
    app.stop().await;
    compliance.stop().await;
}
