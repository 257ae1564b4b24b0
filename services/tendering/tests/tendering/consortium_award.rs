//! Awarding a consortium, beside a running compliance service on the same event stream: the award is
//! refused while a partner's evidence falls short (employer's liability for a partner with paid
//! staff, and so on), each shortfall naming the partner; once the partner's documents are verified
//! it is made, and the contract, `contract_awarded` and OCDS carry the partner as a supplier.

use std::time::Duration;

use compliance::Compliance;
use platform::testing::{TestApp, with_token};
use proto::commissioning::common::v1::{DocumentKind, EvidenceRequirement, SizeClass};
use proto::commissioning::compliance::v1::VerifyDocumentRequest;
use proto::commissioning::compliance::v1::compliance_service_client::ComplianceServiceClient;
use proto::commissioning::events::v1::ContractAwarded;
use proto::commissioning::tendering::v1::*;
use sea_orm::ConnectionTrait;
use tonic::Code;
use tonic_types::StatusExt;

use super::consortium::{LEAD, confirm, consortium_bid, profile, register};
use super::support::*;

const PARTNER: &str = "knaphill-friends";

fn settings(settings: &mut platform::config::Settings, compliance_url: String) {
    settings.tendering_minimum_bid_period_secs = MINIMUM_PERIOD.as_secs();
    settings.tendering_scheduler_interval_ms = 3_600_000;
    settings.compliance_url = Some(compliance_url);
}

/// Lambeth verifies `document`, once compliance has heard that its provider bid to Lambeth.
async fn verified(compliance: &TestApp<Compliance>, document: String) {
    let mut documents = ComplianceServiceClient::new(compliance.channel().await);
    let verify = VerifyDocumentRequest { document_id: document, note: "schedule checked".into() };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while documents.verify_document(with_token(verify.clone(), &lambeth_officer())).await.is_err() {
        assert!(tokio::time::Instant::now() < deadline, "never verified");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn a_consortium_is_awarded_once_every_partner_shows_its_evidence(compliance: TestApp<Compliance>, app: App) {
    register(
        &compliance.bus,
        vec![
            profile(LEAD, "Brixton Good Neighbours", "1234567", 0),
            profile(PARTNER, "Knaphill Friends", "1170002", 3),
        ],
    )
    .await;
    let mut wanted = befriending(Duration::from_secs(1), Duration::from_secs(5));
    // The covers proportionate to a befriending service of GBP 8,000.
    wanted.evidence_requirements =
        [(DocumentKind::PublicLiabilityInsurance, 2_000_000), (DocumentKind::EmployersLiabilityInsurance, 5_000_000)]
            .into_iter()
            .map(|(kind, pounds)| EvidenceRequirement {
                kind: kind as i32,
                minimum_cover: Some(gbp(pounds)),
                ..Default::default()
            })
            .collect();
    let tender = published(&app, wanted).await;
    let lead_cover = insure(&compliance, LEAD, DocumentKind::PublicLiabilityInsurance, "lead-pl", 5_000_000).await;
    run_scheduler_after(&app, tender.enquiry_period_end.as_ref().expect("end")).await;
    let receipt = consortium_bid(&app, &tender, 7_200, &[PARTNER]).await;
    confirm(&app, &receipt.bid_id, &member_of(PARTNER)).await.expect("the partner confirms");
    run_scheduler_after(&app, tender.bid_deadline.as_ref().expect("deadline")).await;
    verified(&compliance, lead_cover).await;
    evaluation_completed(&compliance.bus, &tender, &[&receipt]).await;
    let request = |request_id: &str| AwardTenderRequest {
        request_id: request_id.into(),
        tender_id: tender.id.clone(),
        bid_id: receipt.bid_id.clone(),
        ..Default::default()
    };
    let awarding = |request: AwardTenderRequest| {
        let app = &app;
        async move { client(app).await.award_tender(with_token(request, &lambeth_officer())).await }
    };

    // The partner, which employs staff, has neither cover: both shortfalls are named as its own.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let short = loop {
        let attempt = awarding(request("short")).await.expect_err("the partner's evidence is short");
        if !attempt.message().contains("evaluation has not been completed") {
            break attempt;
        }
        assert!(tokio::time::Instant::now() < deadline, "the evaluation never arrived");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(short.code(), Code::FailedPrecondition, "{short:?}");
    let violations = short.get_details_precondition_failure().expect("violations").violations;
    let named: Vec<(&str, &str)> = violations
        .iter()
        .map(|violation| (violation.subject.as_str(), violation.description.split(": ").next().unwrap_or_default()))
        .collect();
    assert_eq!(
        named,
        [
            ("DOCUMENT_KIND_PUBLIC_LIABILITY_INSURANCE", "Knaphill Friends"),
            ("DOCUMENT_KIND_EMPLOYERS_LIABILITY_INSURANCE", "Knaphill Friends")
        ],
        "{violations:?}"
    );
    assert!(violations.iter().all(|violation| violation.r#type == "EVIDENCE"));

    // Its certificates go in; Lambeth, which the partner bid to as part of the consortium, verifies them.
    for (kind, request_id) in [
        (DocumentKind::PublicLiabilityInsurance, "partner-pl"),
        (DocumentKind::EmployersLiabilityInsurance, "partner-el"),
    ] {
        verified(&compliance, insure(&compliance, PARTNER, kind, request_id, 5_000_000).await).await;
    }
    let awarded = awarding(request("made")).await.expect("awarded").into_inner();
    let contract = awarded.contract.expect("contract");
    let expected = Supplier {
        provider_id: PARTNER.into(),
        name: "Knaphill Friends".into(),
        identifiers: profile(PARTNER, "", "1170002", 0).identifiers,
        address: profile(PARTNER, "", "1170002", 0).registered_address,
        size_class: SizeClass::Micro as i32,
        vcse: true,
    };
    assert_eq!(contract.partners, std::slice::from_ref(&expected));
    assert_eq!(contract.supplier.as_ref().map(|lead| lead.name.as_str()), Some("Brixton Good Neighbours"));

    let db = app.database().await;
    let sql = "SELECT payload FROM outbox WHERE event_type = 'tendering.contract_awarded'";
    let rows = db.conn().query_all_raw(sea_orm::Statement::from_string(db.backend(), sql)).await.expect("read");
    let payload: Vec<u8> = rows[0].try_get("", "payload").expect("bytes");
    let event: ContractAwarded = prost::Message::decode(payload.as_slice()).expect("decodes");
    assert_eq!(event.contract.expect("contract").partners, [expected]);

    let package =
        ocds_package(&app, GetOcdsReleasePackageRequest { tender_id: tender.id.clone(), ..Default::default() }).await;
    let last = package["releases"].as_array().and_then(|releases| releases.last()).expect("a release");
    let suppliers: Vec<&str> = last["awards"][0]["suppliers"]
        .as_array()
        .expect("suppliers")
        .iter()
        .filter_map(|supplier| supplier["id"].as_str())
        .collect();
    assert_eq!(suppliers, [LEAD, PARTNER]);
    let party =
        last["parties"].as_array().expect("parties").iter().find(|party| party["id"] == PARTNER).expect("party");
    assert_eq!(party["roles"], serde_json::json!(["supplier"]));
    assert_eq!(
        (party["identifier"]["scheme"].as_str(), party["identifier"]["id"].as_str()),
        (Some("GB-CHC"), Some("1170002"))
    );
    app.stop().await;
    compliance.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_consortium_is_awarded_once_every_partner_shows_its_evidence_on_postgres() {
    let compliance = TestApp::<Compliance>::on_postgres().await;
    let url = format!("http://{}", compliance.addr());
    let app = App::on_postgres_beside(&compliance, |s| settings(s, url)).await;
    a_consortium_is_awarded_once_every_partner_shows_its_evidence(compliance, app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_consortium_is_awarded_once_every_partner_shows_its_evidence_on_sqlite() {
    let compliance = TestApp::<Compliance>::on_sqlite().await;
    let url = format!("http://{}", compliance.addr());
    let app = App::on_sqlite_beside(&compliance, |s| settings(s, url)).await;
    a_consortium_is_awarded_once_every_partner_shows_its_evidence(compliance, app).await;
}
