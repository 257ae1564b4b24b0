//! Starting the service as a user would reach it, and the requests the tests send.

use platform::auth::Role;
use platform::events::embedded::EmbeddedLog;
use platform::events::nats::NatsBus;
use platform::events::{EventBus, EventsConfig};
use platform::grpc::{RunningServer, ServerOptions};
use platform::runtime::{Service as _, start_service};
use platform::testing::{PostgresDatabase, channel, delete_stream, isolated_events_config, nats_bus, settings, token};
use proto::commissioning::common::v1::{Area, OrgIdScheme, OrgIdentifier, PostalAddress, ServiceCategory, area};
use proto::commissioning::providers::v1::providers_service_client::ProvidersServiceClient;
use proto::commissioning::providers::v1::{
    CreateProviderRequest, DeliveryMode, IncomeBand, LegalForm, Provider, Service, ServiceStatus,
};
use providers::Providers;
use tonic::transport::Channel;

/// The providers service, started for one test.
pub struct App {
    pub bus: EventBus,
    server: RunningServer,
    _service: Providers,
    postgres: Option<(PostgresDatabase, NatsBus)>,
    _files: tempfile::TempDir,
    _log_files: Option<tempfile::TempDir>,
}

impl App {
    /// On a fresh PostgreSQL database and an isolated NATS stream.
    pub async fn on_postgres() -> Self {
        let database = PostgresDatabase::create().await;
        let events = isolated_events_config();
        let nats = nats_bus(events.clone()).await;
        Self::start(Some(database.url.clone()), EventBus::Nats(nats.clone()), events, Some((database, nats))).await
    }

    /// On SQLite files and the embedded event log in a temporary folder.
    pub async fn on_sqlite() -> Self {
        let events = isolated_events_config();
        let files = tempfile::tempdir().expect("temporary folder");
        let log = EmbeddedLog::open(&files.path().join("events.sqlite"), events.clone()).await.expect("log");
        let mut app = Self::start(None, EventBus::Embedded(log), events, None).await;
        app._log_files = Some(files);
        app
    }

    async fn start(
        url: Option<String>,
        bus: EventBus,
        events: EventsConfig,
        postgres: Option<(PostgresDatabase, NatsBus)>,
    ) -> Self {
        platform::testing::init_tracing();
        let files = tempfile::tempdir().expect("temporary folder");
        let settings = settings(files.path(), url, &events, postgres.is_some());
        let options = ServerOptions::from_settings(&settings);
        let service = start_service::<Providers>(settings, Some(bus.clone())).await.expect("service starts");
        let mut routes = tonic::service::RoutesBuilder::default();
        service.add_routes(&mut routes);
        let server = platform::grpc::start(&options, routes.routes(), &[Providers::GRPC_NAME]).await.expect("server");
        Self { bus, server, _service: service, postgres, _files: files, _log_files: None }
    }

    /// A connection to the service's own database.
    pub async fn database(&self) -> platform::db::Database {
        let url = match &self.postgres {
            Some((database, _)) => database.url.clone(),
            None => format!("sqlite://{}", self._files.path().join("providers.sqlite").display()),
        };
        platform::db::Database::connect(&url, 2).await.expect("connect")
    }

    /// The audit log's length, after checking its chain.
    pub async fn audit_rows(&self) -> i64 {
        platform::audit::verify(self.database().await.conn()).await.expect("audit chain intact")
    }

    pub async fn client(&self) -> ProvidersServiceClient<Channel> {
        ProvidersServiceClient::new(channel(self.server.local_addr()).await)
    }

    pub async fn stop(self) {
        self.server.shutdown().await.expect("stops");
        if let Some((database, nats)) = self.postgres {
            delete_stream(&nats).await;
            database.drop_database().await;
        }
    }
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
