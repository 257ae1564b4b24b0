//! Services: listed with filters and pages, updated through a mask, removed, and refused to
//! anyone but the provider's members.

use platform::auth::Role;
use prost_types::FieldMask;
use proto::commissioning::common::v1::ServiceCategory;
use proto::commissioning::providers::v1::{
    AddServiceRequest, ListServicesRequest, RemoveServiceRequest, Service, ServiceLocation, ServiceStatus,
    UpdateServiceRequest,
};
use tonic::Code;

use super::support::client;
use super::support::{App, area, charity, create, from, member, service};

async fn services_can_be_listed_changed_and_removed(app: App) {
    let mut client = client(&app).await;
    let ours = create(&mut client, "amira", charity("Lambeth Visitors", "1500001")).await;
    let theirs = create(&mut client, "bella", charity("Woking Friends", "1500002")).await;
    let mut added = Vec::new();
    for (index, name) in ["Visits", "Calls", "Lunch club"].into_iter().enumerate() {
        let mut offered = service(name, ServiceCategory::BefriendingFaceToFace, vec![area("lambeth", None)]);
        offered.locations =
            vec![ServiceLocation { id: "chosen-by-client".into(), name: "Hall".into(), ..Default::default() }];
        offered.locations[0].address = charity("x", "1").registered_address;
        let request = AddServiceRequest {
            request_id: format!("add-{index}"),
            provider_id: ours.id.clone(),
            service: Some(offered),
        };
        let service = client
            .add_service(member("amira", &ours.id, request))
            .await
            .expect("added")
            .into_inner()
            .service
            .expect("service");
        assert_ne!(service.locations[0].id, "chosen-by-client", "location ids are the server's");
        added.push(service);
    }
    // A retried add returns the first service.
    let retry = AddServiceRequest {
        request_id: "add-0".into(),
        provider_id: ours.id.clone(),
        service: Some(service("Visits", ServiceCategory::BefriendingFaceToFace, vec![area("lambeth", None)])),
    };
    let again = client
        .add_service(member("amira", &ours.id, retry))
        .await
        .expect("retried")
        .into_inner()
        .service
        .expect("service");
    assert_eq!(again.id, added[0].id);

    // Two pages of two, in name order.
    let first = ListServicesRequest { provider_id: ours.id.clone(), page_size: 2, ..Default::default() };
    let page = client.list_services(member("amira", &ours.id, first.clone())).await.expect("listed").into_inner();
    let names: Vec<_> = page.services.iter().map(|service| service.name.clone()).collect();
    assert_eq!(names, ["Calls", "Lunch club"]);
    let second = ListServicesRequest { page_token: page.next_page_token, ..first };
    let page = client.list_services(member("amira", &ours.id, second)).await.expect("listed").into_inner();
    assert_eq!(page.services.len(), 1);
    assert!(page.next_page_token.is_empty());

    // Close one through a mask: only its status changes.
    let close = UpdateServiceRequest {
        service: Some(Service {
            id: added[1].id.clone(),
            status: ServiceStatus::TemporarilyClosed as i32,
            name: "ignored".into(),
            ..Default::default()
        }),
        update_mask: Some(FieldMask { paths: vec!["status".into()] }),
    };
    let closed = client
        .update_service(member("amira", &ours.id, close))
        .await
        .expect("updated")
        .into_inner()
        .service
        .expect("service");
    assert_eq!(closed.status, ServiceStatus::TemporarilyClosed as i32);
    assert_eq!(closed.name, "Calls");
    assert_eq!(closed.locations[0].id, added[1].locations[0].id, "a location keeps its id");
    let active = ListServicesRequest {
        provider_id: ours.id.clone(),
        statuses: vec![ServiceStatus::Active as i32],
        ..Default::default()
    };
    assert_eq!(
        client.list_services(member("amira", &ours.id, active)).await.expect("listed").into_inner().services.len(),
        2
    );

    // Others may not touch it; a removed service is gone.
    let remove = RemoveServiceRequest { service_id: added[2].id.clone() };
    let stranger = client.remove_service(from(remove.clone(), "bella", &theirs.id, &[Role::Provider])).await;
    assert_eq!(stranger.expect_err("not hers").code(), Code::PermissionDenied);
    let officer = client.remove_service(from(remove.clone(), "olu", "lambeth", &[Role::Officer])).await;
    assert_eq!(officer.expect_err("officers read only").code(), Code::PermissionDenied);
    client.remove_service(member("amira", &ours.id, remove.clone())).await.expect("removed");
    assert_eq!(
        client.remove_service(member("amira", &ours.id, remove)).await.expect_err("gone").code(),
        Code::NotFound
    );
    let bad_mask = UpdateServiceRequest {
        service: Some(Service { id: added[0].id.clone(), ..Default::default() }),
        update_mask: Some(FieldMask { paths: vec!["cpv_codes".into()] }),
    };
    assert_eq!(
        client.update_service(member("amira", &ours.id, bad_mask)).await.expect_err("output only").code(),
        Code::InvalidArgument
    );
    app.stop().await;
}

#[tokio::test]
async fn services_on_postgres() {
    services_can_be_listed_changed_and_removed(App::on_postgres().await).await;
}

#[tokio::test]
async fn services_on_sqlite() {
    services_can_be_listed_changed_and_removed(App::on_sqlite().await).await;
}
