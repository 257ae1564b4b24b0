//! Each provider's evidence, kept from compliance events, decides the evidence filter of search
//! and the summaries a profile shows: verified counts, expired or rejected does not, and news
//! that arrives out of order does not undo newer news.

use std::time::Duration;

use chrono::{DateTime, Utc};
use platform::auth::Role;
use platform::events::{OutboundEvent, Publisher};
use prost::Message;
use proto::commissioning::common::v1::{Date, DocumentKind};
use proto::commissioning::compliance::v1::DocumentStatus;
use proto::commissioning::events::v1::{DocumentExpired, DocumentFacts, DocumentSubmitted, DocumentVerified};
use proto::commissioning::providers::v1::{GetProviderRequest, SearchProvidersRequest};

use super::support::{App, charity, client, create, from};

fn facts(provider: &str, document: &str, kind: DocumentKind, status: DocumentStatus, verified: bool) -> DocumentFacts {
    DocumentFacts {
        document_id: document.into(),
        provider_id: provider.into(),
        kind: kind as i32,
        status: status as i32,
        verified,
        expires_on: Some(Date { year: 2099, month: 1, day: 31 }),
        ..Default::default()
    }
}

async fn publish(app: &App, event_type: &str, time: DateTime<Utc>, document: &str, payload: Vec<u8>) {
    let event = OutboundEvent {
        id: uuid::Uuid::now_v7().to_string(),
        event_type: event_type.into(),
        tenant: "platform".into(),
        aggregate_id: document.into(),
        time,
        traceparent: None,
        payload,
    };
    app.bus.publish(&event).await.expect("published");
}

async fn verified_kinds(app: &App, provider: &str) -> Vec<i32> {
    let request = GetProviderRequest { provider_id: provider.into() };
    let provider = client(app).await.get_provider(from(request, "olu", "lambeth", &[Role::Officer])).await;
    let provider = provider.expect("read").into_inner().provider.expect("provider");
    provider.evidence.iter().filter(|summary| summary.verified).map(|summary| summary.kind).collect()
}

/// Waits until the provider's verified kinds are `expected`.
async fn settles_at(app: &App, provider: &str, expected: &[i32]) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let kinds = verified_kinds(app, provider).await;
        if kinds == expected {
            return;
        }
        assert!(tokio::time::Instant::now() < deadline, "verified kinds stayed {kinds:?}, expected {expected:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn evidence_follows_the_documents(app: App) {
    let provider = create(&mut client(&app).await, "amira", charity("Insured Trust", "1600001")).await.id;
    let public_liability = DocumentKind::PublicLiabilityInsurance;
    let employers = DocumentKind::EmployersLiabilityInsurance;
    let start = Utc::now();
    let at = |seconds| start + chrono::Duration::seconds(seconds);

    // Public liability submitted, then verified.
    let submitted = facts(&provider, "pl-1", public_liability, DocumentStatus::Submitted, false);
    publish(
        &app,
        "compliance.document_submitted",
        at(1),
        "pl-1",
        DocumentSubmitted { document: Some(submitted), ..Default::default() }.encode_to_vec(),
    )
    .await;
    let verified = facts(&provider, "pl-1", public_liability, DocumentStatus::Verified, true);
    publish(
        &app,
        "compliance.document_verified",
        at(2),
        "pl-1",
        DocumentVerified { document: Some(verified), ..Default::default() }.encode_to_vec(),
    )
    .await;
    // Employer's liability: the verification arrives before the (older) submission.
    let verified = facts(&provider, "el-1", employers, DocumentStatus::Verified, true);
    publish(
        &app,
        "compliance.document_verified",
        at(4),
        "el-1",
        DocumentVerified { document: Some(verified), ..Default::default() }.encode_to_vec(),
    )
    .await;
    let submitted = facts(&provider, "el-1", employers, DocumentStatus::Submitted, false);
    publish(
        &app,
        "compliance.document_submitted",
        at(3),
        "el-1",
        DocumentSubmitted { document: Some(submitted), ..Default::default() }.encode_to_vec(),
    )
    .await;
    settles_at(&app, &provider, &[public_liability as i32, employers as i32]).await;

    let insured =
        SearchProvidersRequest { verified_evidence_kinds: vec![public_liability as i32], ..Default::default() };
    let search = || async {
        let response =
            client(&app).await.search_providers(from(insured.clone(), "olu", "lambeth", &[Role::Officer])).await;
        response.expect("search").into_inner().results.len()
    };
    assert_eq!(search().await, 1);

    // Every kind asked for must be held; a kind asked for twice is asked for once; a list of
    // 100 (the most a request may hold) is one flat query, and a longer one is refused.
    let holding = |kinds: Vec<DocumentKind>| {
        let request = SearchProvidersRequest {
            verified_evidence_kinds: kinds.into_iter().map(|kind| kind as i32).collect(),
            ..Default::default()
        };
        let app = &app;
        async move { client(app).await.search_providers(from(request, "olu", "lambeth", &[Role::Officer])).await }
    };
    let found = |response: Result<tonic::Response<_>, tonic::Status>| {
        let response: proto::commissioning::providers::v1::SearchProvidersResponse =
            response.expect("search").into_inner();
        response.results.len()
    };
    assert_eq!(found(holding(vec![public_liability, employers, public_liability]).await), 1);
    assert_eq!(found(holding(vec![public_liability, DocumentKind::SafeguardingAdultsPolicy]).await), 0);
    let hundred = [vec![employers; 50], vec![public_liability; 50]].concat();
    assert_eq!(found(holding(hundred).await), 1);
    let refused = holding(vec![public_liability; 101]).await.expect_err("101 entries");
    assert_eq!(refused.code(), tonic::Code::InvalidArgument);
    use tonic_types::StatusExt;
    let bad = refused.get_details_bad_request().expect("the field at fault").field_violations;
    assert_eq!(bad[0].field, "verified_evidence_kinds", "{refused:?}");

    // The public liability certificate expires: it no longer counts.
    let expired = facts(&provider, "pl-1", public_liability, DocumentStatus::Expired, true);
    publish(
        &app,
        "compliance.document_expired",
        at(5),
        "pl-1",
        DocumentExpired { document: Some(expired), ..Default::default() }.encode_to_vec(),
    )
    .await;
    settles_at(&app, &provider, &[employers as i32]).await;
    assert_eq!(search().await, 0);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evidence_on_postgres_and_nats() {
    evidence_follows_the_documents(App::on_postgres().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evidence_on_sqlite_and_the_embedded_log() {
    evidence_follows_the_documents(App::on_sqlite().await).await;
}
