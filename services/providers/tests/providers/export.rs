//! The Open Referral UK export validates against the Open Referral UK service schema.

use platform::auth::Role;
use proto::commissioning::common::v1::{Money, PostalAddress, ServiceCategory};
use proto::commissioning::providers::v1::{
    AddServiceRequest, CostOption, Eligibility, ExportOpenReferralRequest, RegularSchedule, ScheduleFrequency,
    ServiceLocation, TimeOfDay, Weekday,
};

use super::support::client;
use super::support::{App, area, charity, create, from, service};

const SERVICE_SCHEMA: &str = include_str!("../fixtures/service.schema.verbose.json");

#[tokio::test]
async fn exported_services_are_valid_open_referral_uk() {
    let app = App::on_postgres().await;
    let mut client = client(&app).await;
    let mut profile = charity("Brixton Befrienders", "1400001");
    profile.website = "https://brixton-befrienders.example.org".into();
    let provider = create(&mut client, "amira", profile).await;
    let mut full = service("Coffee morning", ServiceCategory::GroupActivities, vec![area("lambeth", Some("SW2"))]);
    full.url = "https://brixton-befrienders.example.org/coffee".into();
    full.email = "coffee@example.org".into();
    full.schedules = vec![RegularSchedule {
        weekday: Weekday::Tuesday as i32,
        opens_at: Some(TimeOfDay { hours: 10, minutes: 0 }),
        closes_at: Some(TimeOfDay { hours: 12, minutes: 0 }),
        frequency: ScheduleFrequency::Weekly as i32,
        interval: 1,
        ..Default::default()
    }];
    full.eligibility = Some(Eligibility { minimum_age: 65, maximum_age: 0, description: "Older people".into() });
    full.cost_options = vec![CostOption {
        amount: Some(Money { amount_pence: 150, currency: "GBP".into(), vat_included: true }),
        description: "per session, with cake".into(),
    }];
    full.locations = vec![ServiceLocation {
        id: "hall".into(),
        name: "St Jude's Hall".into(),
        address: Some(PostalAddress {
            line1: "Dulwich Road".into(),
            town: "London".into(),
            postcode: "SE24 0PA".into(),
            ..Default::default()
        }),
        ..Default::default()
    }];
    let plain = service("Friendly visits", ServiceCategory::BefriendingFaceToFace, vec![area("woking", None)]);
    for (index, offered) in [full, plain].into_iter().enumerate() {
        let request = AddServiceRequest {
            request_id: format!("s{index}"),
            provider_id: provider.id.clone(),
            service: Some(offered),
        };
        client.add_service(from(request, "amira", &provider.id, &[Role::Provider])).await.expect("service added");
    }

    let schema: serde_json::Value = serde_json::from_str(SERVICE_SCHEMA).expect("schema is JSON");
    let validator = jsonschema::options().should_validate_formats(true).build(&schema).expect("schema compiles");
    let everywhere = client
        .export_open_referral(from(ExportOpenReferralRequest::default(), "olu", "lambeth", &[Role::Officer]))
        .await
        .expect("export")
        .into_inner();
    assert_eq!(everywhere.services_json.len(), 2);
    assert_eq!(everywhere.total_size, 2);
    for text in &everywhere.services_json {
        let service: serde_json::Value = serde_json::from_str(text).expect("JSON");
        let errors: Vec<String> =
            validator.iter_errors(&service).map(|error| format!("{} at {}", error, error.instance_path())).collect();
        assert!(errors.is_empty(), "invalid Open Referral UK service {service}: {errors:#?}");
    }
    let coffee: serde_json::Value = serde_json::from_str(
        everywhere.services_json.iter().find(|text| text.contains("Coffee morning")).expect("coffee exported"),
    )
    .expect("JSON");
    assert_eq!(coffee["organization"]["id"], provider.id);
    assert_eq!(coffee["cost_options"][0]["amount"], serde_json::json!(1.5));
    assert_eq!(coffee["regular_schedules"][0]["byday"], "TU");
    assert!(
        coffee["service_taxonomies"]
            .as_array()
            .expect("terms")
            .iter()
            .any(|term| term["taxonomy"]["vocabulary"] == "CPV")
    );

    let lambeth = ExportOpenReferralRequest { council_id: "lambeth".into(), ..Default::default() };
    let lambeth = client
        .export_open_referral(from(lambeth, "olu", "lambeth", &[Role::Officer]))
        .await
        .expect("export")
        .into_inner();
    assert_eq!(lambeth.services_json.len(), 1, "only the services in Lambeth's area");
    app.stop().await;
}
