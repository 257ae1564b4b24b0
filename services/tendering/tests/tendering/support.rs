//! Starting the service with short periods, and acting as officers, providers and the evaluation
//! service would.

use std::time::Duration;

use chrono::{DateTime, Utc};
use platform::auth::Role;
use platform::testing::{TestApp, named_token, publish_event, token, with_token};
use proto::commissioning::common::v1::{Area, Date, DateRange, DocumentKind, Money};
use proto::commissioning::compliance::v1::compliance_service_client::ComplianceServiceClient;
use proto::commissioning::compliance::v1::upload_document_request::Payload;
use proto::commissioning::compliance::v1::{InsuranceDetails, UploadDocumentMetadata, UploadDocumentRequest};
use proto::commissioning::events::v1::{EvaluationCompleted, LotRanking, RankedBidSummary};
use proto::commissioning::tendering::v1::tendering_service_client::TenderingServiceClient;
use proto::commissioning::tendering::v1::*;
use sea_orm::ConnectionTrait;
use tendering::Tendering;
use tonic::transport::Channel;

pub type App = TestApp<Tendering>;

/// The shortest time from publishing to the deadline in these tests.
pub const MINIMUM_PERIOD: Duration = Duration::from_secs(2);

pub fn short_periods(settings: &mut platform::config::Settings) {
    settings.tendering_minimum_bid_period_secs = MINIMUM_PERIOD.as_secs();
    // The tests run the scheduler themselves when they need it; this keeps it out of their way.
    settings.tendering_scheduler_interval_ms = 3_600_000;
}

pub async fn on_postgres() -> App {
    App::on_postgres_with(short_periods).await
}

pub async fn on_sqlite() -> App {
    App::on_sqlite_with(short_periods).await
}

pub async fn client(app: &App) -> TenderingServiceClient<Channel> {
    TenderingServiceClient::new(app.channel().await)
}

pub fn lambeth_officer() -> String {
    named_token("olu", "lambeth", "Lambeth", &[Role::Officer])
}

pub fn woking_officer() -> String {
    named_token("wes", "woking", "Woking", &[Role::Officer])
}

/// A member of provider `provider`, whose name is "<provider> charity".
pub fn member_of(provider: &str) -> String {
    named_token(&format!("{provider}-lead"), provider, &format!("{provider} charity"), &[Role::Provider])
}

pub fn evaluation_service() -> String {
    token("service:evaluation", "platform", &[Role::Service])
}

pub fn gbp(pounds: i64) -> Money {
    Money { amount_pence: pounds * 100, currency: "GBP".into(), vat_included: true }
}

fn at(time: DateTime<Utc>) -> prost_types::Timestamp {
    platform::time::to_timestamp(time)
}

/// What an officer writes under the befriending template's headings in place of its guidance.
pub fn own_words() -> Vec<DescriptionSection> {
    [
        ("What we want", "Weekly home visits of an hour by trained volunteers, for up to 20 people at a time."),
        ("Who it is for", "People over 65 in Brixton who live alone, referred by GPs, social workers or themselves."),
        ("Where", "Brixton (SW2), including the sheltered housing on Brixton Hill."),
        ("Outcomes we are looking for", "Fewer people saying they often feel lonely after six months."),
    ]
    .map(|(heading, body)| DescriptionSection { heading: heading.into(), body: body.into() })
    .to_vec()
}

/// What an officer fills in over the befriending template: a GBP 8,000 tender in Brixton whose
/// enquiries end after `enquiries` and bids after `deadline`.
pub fn befriending(enquiries: Duration, deadline: Duration) -> Tender {
    let now = Utc::now();
    Tender {
        title: "Befriending for isolated older people, Brixton".into(),
        summary: "Weekly visits and calls for people over 65 who live alone.".into(),
        description_sections: own_words(),
        areas: vec![Area {
            council_id: "lambeth".into(),
            label: "Brixton".into(),
            part: Some(proto::commissioning::common::v1::area::Part::PostcodeDistrict("SW2".into())),
        }],
        estimated_value: Some(gbp(8_000)),
        contract_period: Some(DateRange {
            start_date: Some(Date { year: 2027, month: 4, day: 1 }),
            end_date: Some(Date { year: 2028, month: 3, day: 31 }),
        }),
        enquiry_period_end: Some(at(now + enquiries)),
        bid_deadline: Some(at(now + deadline)),
        eligibility: Some(TenderEligibility {
            minimum_age: 65,
            description: "living alone".into(),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// Creates `tender` from `template` as Lambeth's officer: a draft.
pub async fn drafted(app: &App, template: &str, tender: Tender) -> Tender {
    let create = CreateTenderRequest {
        request_id: uuid::Uuid::new_v4().to_string(),
        template_id: template.into(),
        tender: Some(tender),
    };
    let draft = client(app).await.create_tender(with_token(create, &lambeth_officer())).await;
    draft.expect("created").into_inner().tender.expect("tender")
}

/// Publishes Lambeth's draft `id` as its officer.
pub async fn publish(app: &App, id: &str) -> Result<Tender, tonic::Status> {
    let publish = PublishTenderRequest { tender_id: id.into() };
    let done = client(app).await.publish_tender(with_token(publish, &lambeth_officer())).await?;
    Ok(done.into_inner().tender.expect("tender"))
}

/// Creates and publishes `tender` from the befriending template as Lambeth.
pub async fn published(app: &App, tender: Tender) -> Tender {
    let draft = drafted(app, "befriending", tender).await;
    publish(app, &draft.id).await.expect("published")
}

/// The (type, subject) of each PreconditionFailure violation of a refusal, and their descriptions.
pub fn violations(status: &tonic::Status) -> (Vec<(String, String)>, Vec<String>) {
    use tonic_types::StatusExt;
    let violations = status.get_details_precondition_failure().map(|failure| failure.violations).unwrap_or_default();
    let named = violations.iter().map(|violation| (violation.r#type.clone(), violation.subject.clone())).collect();
    (named, violations.into_iter().map(|violation| violation.description).collect())
}

/// A complete bid on `tender`: one answer per question of `words` words, the price in pounds.
pub fn bid(tender: &Tender, provider: &str, pounds: i64, words: &str) -> SubmitBidRequest {
    SubmitBidRequest {
        request_id: uuid::Uuid::new_v4().to_string(),
        tender_id: tender.id.clone(),
        provider_id: provider.into(),
        content: Some(BidContent {
            total_price: Some(gbp(pounds)),
            answers: tender
                .bid_questions
                .iter()
                .map(|question| Answer { bid_question_id: question.id.clone(), text: words.into() })
                .collect(),
            evidence_declaration: true,
            ..Default::default()
        }),
    }
}

/// A certificate of `kind` with `pounds` cover, valid 2026 to 2028, uploaded to `provider`'s locker.
pub async fn insure(
    compliance: &TestApp<compliance::Compliance>,
    provider: &str,
    kind: DocumentKind,
    request_id: &str,
    pounds: i64,
) -> String {
    let metadata = UploadDocumentMetadata {
        request_id: request_id.into(),
        provider_id: provider.into(),
        kind: kind as i32,
        title: "Insurance certificate".into(),
        filename: "certificate.pdf".into(),
        valid_from: Some(Date { year: 2026, month: 1, day: 1 }),
        expires_on: Some(Date { year: 2028, month: 12, day: 31 }),
        insurance: Some(InsuranceDetails {
            insurer: "Community Mutual".into(),
            policy_number: "CM-PL-0042".into(),
            limit_of_indemnity: Some(gbp(pounds)),
            ..Default::default()
        }),
        ..Default::default()
    };
    let pdf = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n".to_vec();
    let messages = vec![
        UploadDocumentRequest { payload: Some(Payload::Metadata(metadata)) },
        UploadDocumentRequest { payload: Some(Payload::Chunk(pdf)) },
    ];
    let mut client = ComplianceServiceClient::new(compliance.channel().await);
    let uploaded = client.upload_document(with_token(tokio_stream::iter(messages), &member_of(provider))).await;
    uploaded.expect("uploaded").into_inner().document.expect("document").id
}

pub async fn submit(app: &App, request: SubmitBidRequest) -> Result<BidReceipt, tonic::Status> {
    let token = member_of(&request.provider_id);
    let response = client(app).await.submit_bid(with_token(request, &token)).await?;
    Ok(response.into_inner().receipt.expect("receipt"))
}

/// Publishes on `bus` what the evaluation service would: `tender`'s one lot ranked in the order of
/// `ranked`, the first recommended.
pub async fn evaluation_completed(bus: &platform::events::EventBus, tender: &Tender, ranked: &[&BidReceipt]) {
    let ranking = LotRanking {
        lot_id: tender.lots[0].id.clone(),
        ranking: ranked
            .iter()
            .zip(1..)
            .map(|(receipt, rank)| RankedBidSummary {
                bid_id: receipt.bid_id.clone(),
                provider_id: receipt.provider_id.clone(),
                rank,
                ..Default::default()
            })
            .collect(),
        recommended_bid_id: ranked[0].bid_id.clone(),
    };
    let completed = EvaluationCompleted {
        evaluation_id: "evaluation-1".into(),
        tender_id: tender.id.clone(),
        council_id: "lambeth".into(),
        rankings: vec![ranking],
        complete_time: None,
    };
    publish_event(bus, "evaluation.completed", "lambeth", "evaluation-1", completed).await;
}

/// Amends Lambeth's published tender (or changes its draft) as its officer, changing `paths`.
pub async fn amend(app: &App, changes: Tender, paths: &[&str], reason: &str) -> Result<Tender, tonic::Status> {
    let request = UpdateTenderRequest {
        tender: Some(changes),
        update_mask: Some(prost_types::FieldMask { paths: paths.iter().map(|path| (*path).to_owned()).collect() }),
        amendment_reason: reason.into(),
        material: false,
    };
    let response = client(app).await.update_tender(with_token(request, &lambeth_officer())).await?;
    Ok(response.into_inner().tender.expect("tender"))
}

/// The payloads of the outbox's events of `event_type`.
pub async fn outbox(app: &App, event_type: &str) -> Vec<Vec<u8>> {
    let db = app.database().await;
    let sql = format!("SELECT payload FROM outbox WHERE event_type = '{event_type}'");
    let rows = db.conn().query_all_raw(sea_orm::Statement::from_string(db.backend(), sql)).await.expect("read");
    rows.iter().map(|row| row.try_get("", "payload").expect("bytes")).collect()
}

/// Waits until `time` has passed, then runs the scheduler once.
pub async fn run_scheduler_after(app: &App, time: &prost_types::Timestamp) -> usize {
    let due = platform::time::from_timestamp(time).expect("a time");
    let wait = (due - Utc::now()).to_std().unwrap_or_default();
    tokio::time::sleep(wait + Duration::from_millis(20)).await;
    app.service.run_scheduler().await.expect("scheduler ran")
}

/// The fields an INVALID_ARGUMENT names in its field violations.
pub fn fields(status: &tonic::Status) -> Vec<String> {
    use tonic_types::StatusExt;
    status
        .get_details_bad_request()
        .map(|bad| bad.field_violations.into_iter().map(|v| v.field).collect())
        .unwrap_or_default()
}

pub async fn get(app: &App, id: &str, token: &str) -> Result<Tender, tonic::Status> {
    let response = client(app).await.get_tender(with_token(GetTenderRequest { tender_id: id.into() }, token)).await?;
    Ok(response.into_inner().tender.expect("tender"))
}

/// The OCDS release package GetOcdsReleasePackage returns for `request` to a stranger's token,
/// checked against the official OCDS 1.1.5 release package schema with the extensions it uses.
pub async fn ocds_package(app: &App, request: GetOcdsReleasePackageRequest) -> serde_json::Value {
    let response = client(app).await.get_ocds_release_package(with_token(request, &member_of("anyone"))).await;
    valid_ocds(&response.expect("package").into_inner())
}

/// The package of a GetOcdsReleasePackage response, checked against the schema.
pub fn valid_ocds(response: &GetOcdsReleasePackageResponse) -> serde_json::Value {
    let package: serde_json::Value = serde_json::from_str(&response.release_package_json).expect("JSON");
    let errors = super::ocds_schema::schema_errors(&package);
    assert!(errors.is_empty(), "not valid OCDS: {errors:#?}");
    package
}
