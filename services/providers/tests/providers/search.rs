//! SearchProviders by each filter and by combinations, most relevant first, paged.

use platform::auth::Role;
use platform::events::{OutboundEvent, Publisher};
use prost::Message;
use proto::commissioning::common::v1::{DocumentKind, Money, ServiceCategory, SizeClass};
use proto::commissioning::compliance::v1::DocumentStatus;
use proto::commissioning::events::v1::{DocumentFacts, DocumentVerified};
use proto::commissioning::providers::v1::providers_service_client::ProvidersServiceClient;
use proto::commissioning::providers::v1::{
    AddServiceRequest, IncomeBand, LegalForm, Provider, SafeguardingLead, SearchProvidersRequest, Service,
};
use tonic::transport::Channel;

use super::support::client;
use super::support::{App, area, charity, create, from, service};

async fn provider_with(
    client: &mut ProvidersServiceClient<Channel>,
    user: &str,
    profile: Provider,
    offered: Vec<Service>,
) -> String {
    let provider = create(client, user, profile).await;
    for (index, offered) in offered.into_iter().enumerate() {
        let request = AddServiceRequest {
            request_id: format!("{user}-{index}"),
            provider_id: provider.id.clone(),
            service: Some(offered),
        };
        client.add_service(from(request, user, &provider.id, &[Role::Provider])).await.expect("service added");
    }
    provider.id
}

async fn names(client: &mut ProvidersServiceClient<Channel>, request: SearchProvidersRequest) -> Vec<String> {
    let response = client.search_providers(from(request, "olu", "lambeth", &[Role::Officer])).await.expect("search");
    response.into_inner().results.into_iter().map(|result| result.provider.expect("provider").legal_name).collect()
}

/// Three providers: a micro befriending charity in Lambeth SW2, a small group-activities CIC across
/// Lambeth, and a large company befriending by phone in Woking.
async fn seed(app: &App) -> (ProvidersServiceClient<Channel>, String) {
    let mut client = client(app).await;
    let mut befrienders = charity("Brixton Befrienders", "1200001");
    befrienders.safeguarding_lead = Some(SafeguardingLead {
        name: "Sam Lead".into(),
        email: "sam@example.org".into(),
        phone: "020 7946 0000".into(),
    });
    let brixton = provider_with(
        &mut client,
        "amira",
        befrienders,
        vec![service("Friendly visits", ServiceCategory::BefriendingFaceToFace, vec![area("lambeth", Some("SW2"))])],
    )
    .await;
    let mut cic = charity("Coffee Morning Collective", "1200002");
    cic.legal_form = LegalForm::CommunityInterestCompany as i32;
    cic.income_band = IncomeBand::From100kTo1m as i32;
    cic.paid_staff_count = 12;
    cic.description = "Lunch clubs and coffee mornings in sheltered housing".into();
    provider_with(
        &mut client,
        "bella",
        cic,
        vec![service("Tuesday coffee morning", ServiceCategory::GroupActivities, vec![area("lambeth", None)])],
    )
    .await;
    let mut company = charity("CareCall Ltd", "1200003");
    company.identifiers.clear();
    company.legal_form = LegalForm::Other as i32;
    company.income_band = IncomeBand::Over10m as i32;
    company.paid_staff_count = 400;
    company.description = "National telephone befriending".into();
    provider_with(
        &mut client,
        "chen",
        company,
        vec![service("Phone befriending", ServiceCategory::BefriendingTelephone, vec![area("woking", Some("GU21"))])],
    )
    .await;
    (client, brixton)
}

async fn each_filter_narrows_the_results(app: App) {
    let (mut client, brixton) = seed(&app).await;
    // Results carry public fields only, whoever searches.
    let response =
        client.search_providers(from(SearchProvidersRequest::default(), "olu", "lambeth", &[Role::Officer])).await;
    for result in response.expect("search").into_inner().results {
        let provider = result.provider.expect("provider");
        assert!(provider.members.is_empty(), "no members in search results");
        if let Some(lead) = provider.safeguarding_lead {
            assert_eq!((lead.email.as_str(), lead.phone.as_str()), ("", ""), "no personal contact details");
            assert_eq!(lead.name, "Sam Lead", "the lead's name is public");
        }
    }
    let all = names(&mut client, SearchProvidersRequest::default()).await;
    assert_eq!(all, ["Brixton Befrienders", "CareCall Ltd", "Coffee Morning Collective"], "by name without a query");

    let befriending = SearchProvidersRequest {
        categories: vec![ServiceCategory::BefriendingFaceToFace as i32, ServiceCategory::BefriendingTelephone as i32],
        ..Default::default()
    };
    assert_eq!(names(&mut client, befriending).await, ["Brixton Befrienders", "CareCall Ltd"]);
    let lambeth = SearchProvidersRequest { council_id: "lambeth".into(), ..Default::default() };
    assert_eq!(names(&mut client, lambeth).await, ["Brixton Befrienders", "Coffee Morning Collective"]);
    let district = SearchProvidersRequest { postcode_district: "sw2".into(), ..Default::default() };
    assert_eq!(names(&mut client, district).await, ["Brixton Befrienders"]);
    let district_or_whole =
        SearchProvidersRequest { council_id: "lambeth".into(), postcode_district: "SW9".into(), ..Default::default() };
    assert_eq!(names(&mut client, district_or_whole).await, ["Coffee Morning Collective"], "covers all of Lambeth");
    let small = SearchProvidersRequest { size_classes: vec![SizeClass::Small as i32], ..Default::default() };
    assert_eq!(names(&mut client, small).await, ["Coffee Morning Collective"]);
    let not_vcse = SearchProvidersRequest { vcse: Some(false), ..Default::default() };
    assert_eq!(names(&mut client, not_vcse).await, ["CareCall Ltd"]);
    let text = SearchProvidersRequest { query: "Coffee".into(), ..Default::default() };
    assert_eq!(
        names(&mut client, text).await,
        ["Coffee Morning Collective", "Brixton Befrienders"],
        "its name says coffee; Brixton's description only mentions it"
    );
    let befriending_text = SearchProvidersRequest { query: "befriend".into(), ..Default::default() };
    assert_eq!(
        names(&mut client, befriending_text).await,
        ["Brixton Befrienders", "CareCall Ltd"],
        "a name match (3) before a description match (1)"
    );
    let combined = SearchProvidersRequest {
        query: "befriend".into(),
        council_id: "lambeth".into(),
        vcse: Some(true),
        size_classes: vec![SizeClass::Micro as i32],
        ..Default::default()
    };
    assert_eq!(names(&mut client, combined).await, ["Brixton Befrienders"]);
    let nothing = SearchProvidersRequest { query: "100%".into(), ..Default::default() };
    assert!(names(&mut client, nothing).await.is_empty(), "wildcards in a query are literal");

    // Evidence: only once compliance says Brixton's public liability cover is verified.
    let insured = SearchProvidersRequest {
        verified_evidence_kinds: vec![DocumentKind::PublicLiabilityInsurance as i32],
        ..Default::default()
    };
    assert!(names(&mut client, insured.clone()).await.is_empty());
    verify_insurance(&app, &brixton).await;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        if names(&mut client, insured.clone()).await == ["Brixton Befrienders"] {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "the verified evidence never counted");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    // A refusal that quotes a long value stays small enough for HTTP/2 headers, so the client reads
    // INVALID_ARGUMENT rather than its own "h2 protocol error" (the fault suite found this).
    let long = SearchProvidersRequest { postcode_district: "x".repeat(4_000), ..Default::default() };
    let refused = client.search_providers(from(long, "olu", "lambeth", &[Role::Officer])).await;
    let refused = refused.expect_err("not a district");
    assert_eq!(refused.code(), tonic::Code::InvalidArgument, "{refused:?}");
    assert!(
        refused.message().contains("postcode_district") && refused.message().len() < 4_000,
        "{}",
        refused.message()
    );

    // A page of two, then the last page.
    let first = SearchProvidersRequest { page_size: 2, ..Default::default() };
    let response = client
        .search_providers(from(first.clone(), "olu", "lambeth", &[Role::Officer]))
        .await
        .expect("page 1")
        .into_inner();
    assert_eq!(response.results.len(), 2);
    let second = SearchProvidersRequest { page_token: response.next_page_token, ..first };
    let response =
        client.search_providers(from(second, "olu", "lambeth", &[Role::Officer])).await.expect("page 2").into_inner();
    assert_eq!(response.results.len(), 1);
    assert!(response.next_page_token.is_empty());
    app.stop().await;
}

/// What the compliance service publishes when an officer verifies a certificate.
async fn verify_insurance(app: &App, provider_id: &str) {
    let facts = DocumentFacts {
        document_id: "doc-1".into(),
        provider_id: provider_id.into(),
        kind: DocumentKind::PublicLiabilityInsurance as i32,
        status: DocumentStatus::Verified as i32,
        cover: Some(Money { amount_pence: 500_000_000, currency: "GBP".into(), vat_included: false }),
        verified: true,
        ..Default::default()
    };
    let event = OutboundEvent {
        id: uuid::Uuid::now_v7().to_string(),
        event_type: "compliance.document_verified".into(),
        tenant: "platform".into(),
        aggregate_id: "doc-1".into(),
        time: chrono::Utc::now(),
        traceparent: None,
        payload: DocumentVerified { document: Some(facts), verification: None }.encode_to_vec(),
    };
    app.bus.publish(&event).await.expect("published");
}

#[tokio::test]
async fn search_filters_on_postgres() {
    each_filter_narrows_the_results(App::on_postgres().await).await;
}

#[tokio::test]
async fn search_filters_on_sqlite() {
    each_filter_narrows_the_results(App::on_sqlite().await).await;
}
