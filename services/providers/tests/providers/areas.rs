//! A service's areas in the one spelling tenders use ("wn2" and "WN 2" are "WN2"), a district that
//! does not exist refused by its field, and the whole council's area kept as one entry.

use proto::commissioning::common::v1::{Area, ServiceCategory};
use proto::commissioning::providers::v1::AddServiceRequest;
use tonic::Code;
use tonic_types::StatusExt;

use super::support::client;
use super::support::{App, area, charity, create, member, service};

async fn add(app: &App, provider_id: &str, areas: Vec<Area>) -> Result<Vec<Area>, tonic::Status> {
    let request = AddServiceRequest {
        request_id: uuid::Uuid::new_v4().to_string(),
        provider_id: provider_id.into(),
        service: Some(service("Local area coordination", ServiceCategory::LocalAreaCoordination, areas)),
    };
    let added = client(app).await.add_service(member("amira", provider_id, request)).await?;
    Ok(added.into_inner().service.expect("service").areas)
}

async fn districts_are_normalised_and_must_exist(app: App) {
    let provider = create(&mut client(&app).await, "amira", charity("Wigan Neighbours", "1600001")).await;
    let areas = vec![
        area("wigan", Some("wn2")),
        area("wigan", Some("WN 3")),
        area("wigan", Some(" Wn4 ")),
        area("wigan", None),
    ];
    let stored = add(&app, &provider.id, areas).await.expect("added");
    let expected =
        vec![area("wigan", Some("WN2")), area("wigan", Some("WN3")), area("wigan", Some("WN4")), area("wigan", None)];
    assert_eq!(stored, expected);

    let refused = add(&app, &provider.id, vec![area("wigan", Some("WN9")), area("wigan", Some("WN2"))]).await;
    let refused = refused.expect_err("there is no WN9");
    assert_eq!(refused.code(), Code::InvalidArgument);
    let details = refused.get_details_bad_request().expect("BadRequest details");
    let fields: Vec<_> = details.field_violations.iter().map(|violation| violation.field.as_str()).collect();
    assert_eq!(fields, ["service.areas[0].postcode_district"]);
    assert!(details.field_violations[0].description.contains("no UK postcode district \"WN9\""), "{details:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn districts_are_normalised_and_must_exist_on_postgres() {
    districts_are_normalised_and_must_exist(App::on_postgres().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn districts_are_normalised_and_must_exist_on_sqlite() {
    districts_are_normalised_and_must_exist(App::on_sqlite().await).await;
}
