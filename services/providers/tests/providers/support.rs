//! Starting the service as a user would reach it, and the requests the tests send.

use platform::auth::Role;
use platform::testing::token;
use proto::commissioning::common::v1::{Area, OrgIdScheme, OrgIdentifier, PostalAddress, ServiceCategory, area};
use proto::commissioning::providers::v1::providers_service_client::ProvidersServiceClient;
use proto::commissioning::providers::v1::{
    CreateProviderRequest, DeliveryMode, IncomeBand, LegalForm, Provider, Service, ServiceStatus,
};
use providers::Providers;
use tonic::transport::Channel;

/// The providers service, started for one test.
pub type App = platform::testing::TestApp<Providers>;

/// A client of the service.
pub async fn client(app: &App) -> ProvidersServiceClient<Channel> {
    ProvidersServiceClient::new(app.channel().await)
}

/// A request from `user` of `organisation` with `roles`.
pub fn from<T>(message: T, user: &str, organisation: &str, roles: &[Role]) -> tonic::Request<T> {
    platform::testing::with_token(message, &token(user, organisation, roles))
}

/// A request from a member of provider `provider_id`.
pub fn member<T>(user: &str, provider_id: &str, message: T) -> tonic::Request<T> {
    from(message, user, provider_id, &[Role::Provider])
}

/// A request from a charity worker with no provider yet.
pub fn from_charity_worker<T>(message: T, user: &str) -> tonic::Request<T> {
    from(message, user, "platform", &[Role::Provider])
}

/// A valid profile of a small registered charity.
pub fn charity(name: &str, charity_number: &str) -> Provider {
    Provider {
        legal_name: name.into(),
        description: format!("{name} runs befriending and coffee mornings for older people"),
        legal_form: LegalForm::RegisteredCharity as i32,
        identifiers: vec![OrgIdentifier { scheme: OrgIdScheme::GbChc as i32, value: charity_number.into() }],
        registered_address: Some(PostalAddress {
            line1: "1 Acre Lane".into(),
            town: "London".into(),
            postcode: "sw2 5sg".into(),
            ..Default::default()
        }),
        contact_email: "hello@example.org".into(),
        income_band: IncomeBand::From10kTo100k as i32,
        paid_staff_count: 2,
        volunteer_count: 25,
        ..Default::default()
    }
}

/// Creates `provider` as `user` and returns it.
pub async fn create(client: &mut ProvidersServiceClient<Channel>, user: &str, provider: Provider) -> Provider {
    let request = CreateProviderRequest { request_id: uuid::Uuid::new_v4().to_string(), provider: Some(provider) };
    client
        .create_provider(from_charity_worker(request, user))
        .await
        .expect("created")
        .into_inner()
        .provider
        .expect("provider")
}

/// An area: a whole council, or one postcode district of it.
pub fn area(council: &str, district: Option<&str>) -> Area {
    Area {
        council_id: council.into(),
        part: district.map(|district| area::Part::PostcodeDistrict(district.into())),
        label: String::new(),
    }
}

/// A valid active service.
pub fn service(name: &str, category: ServiceCategory, areas: Vec<Area>) -> Service {
    Service {
        name: name.into(),
        description: format!("{name}: weekly friendly contact for isolated older people"),
        category: category as i32,
        areas,
        delivery_modes: vec![DeliveryMode::InPerson as i32],
        capacity_per_week: 40,
        status: ServiceStatus::Active as i32,
        ..Default::default()
    }
}
