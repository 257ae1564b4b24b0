//! Test helpers (feature `testing`): a fresh PostgreSQL database per test, an isolated NATS
//! stream per test (its own subject root), a SQLite database in a temporary folder, tokens, and
//! a tracing subscriber with OpenTelemetry ids. The real servers must be running: when they are
//! not, the helpers panic with what to start, so a test fails instead of skipping.

use std::sync::OnceLock;
use std::time::Duration;

use sea_orm::ConnectionTrait;
use sea_orm_migration::MigratorTrait;

use crate::auth::{Claims, Role};
use crate::db::Database;
use crate::events::EventsConfig;
use crate::events::nats::NatsBus;

mod private_postgres;
pub use private_postgres::PrivatePostgres;
pub use tonic_health::pb::health_check_response::ServingStatus;

/// Variable naming the PostgreSQL server tests create their databases on.
pub const TEST_DATABASE_URL: &str = "TEST_DATABASE_URL";
/// Variable naming the NATS server tests use.
pub const TEST_NATS_URL: &str = "TEST_NATS_URL";
/// Prefix of every database the tests create, followed by the creating process's id (see
/// [`test_database_name`]), so that `scripts/test` drops only the leftovers of runs that have ended.
pub const TEST_DATABASE_PREFIX: &str = "mkt_test_";
/// HS256 secret, issuer and audience of test tokens.
pub const TEST_SECRET: &str = "test-secret-test-secret-test-secret-0123";
/// The key that wraps tenders' bid keys in tests (32 bytes, base64).
pub const TEST_BIDS_MASTER_KEY: &str = "dGVzdC1iaWRzLW1hc3Rlci1rZXktMzItYnl0ZXMhISE=";
pub const TEST_ISSUER: &str = "commissioning-marketplace";
pub const TEST_AUDIENCE: &str = "commissioning";

/// A unique database name, `mkt_test_<process id>_<uuid>`: `scripts/test` drops those whose
/// process is no longer running, never those of a run in progress.
pub fn test_database_name() -> String {
    format!("{TEST_DATABASE_PREFIX}{}_{}", std::process::id(), uuid::Uuid::new_v4().simple())
}

fn admin_url() -> String {
    std::env::var(TEST_DATABASE_URL).unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// The NATS server tests use.
pub fn nats_url() -> String {
    std::env::var(TEST_NATS_URL).unwrap_or_else(|_| "nats://127.0.0.1:4222".into())
}

/// A fresh, uniquely named PostgreSQL database; dropped by [`PostgresDatabase::drop_database`].
pub struct PostgresDatabase {
    pub url: String,
    pub name: String,
    admin: Database,
}

impl PostgresDatabase {
    /// Creates the database. Panics, naming what to start, when PostgreSQL is unreachable.
    pub async fn create() -> Self {
        Self::create_named(&test_database_name()).await
    }

    /// A fresh database called `name`, which should start with [`test_database_name`] so that an
    /// interrupted run's leftovers are dropped.
    pub async fn create_named(name: &str) -> Self {
        let name = name.to_owned();
        let admin_url = admin_url();
        let admin = Database::connect(&admin_url, 2).await.unwrap_or_else(|error| {
            panic!(
                "PostgreSQL is not reachable at {admin_url} ({error}); start it (see README) or set {TEST_DATABASE_URL}"
            )
        });
        admin
            .conn()
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap_or_else(|error| panic!("cannot create test database {name}: {error}"));
        let base = admin_url.rsplit_once('/').map_or(admin_url.as_str(), |(base, _)| base);
        Self { url: format!("{base}/{name}"), name, admin }
    }

    /// Connects to the database and applies `M`'s migrations.
    pub async fn connect<M: MigratorTrait>(&self) -> Database {
        let db = Database::connect(&self.url, 10)
            .await
            .unwrap_or_else(|error| panic!("cannot connect to {}: {error}", self.url));
        db.migrate::<M>().await.unwrap_or_else(|error| panic!("migrations failed on {}: {error}", self.url));
        db
    }

    /// Drops the database, closing whatever still holds it.
    pub async fn drop_database(self) {
        let statement = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        if let Err(error) = self.admin.conn().execute_unprepared(&statement).await {
            eprintln!("could not drop {}: {error}", self.name);
        }
    }
}

/// A SQLite database in its own temporary folder (removed when this is dropped).
pub struct SqliteDatabase {
    pub dir: tempfile::TempDir,
}

impl SqliteDatabase {
    pub fn new() -> Self {
        Self { dir: tempfile::tempdir().unwrap_or_else(|error| panic!("no temporary folder: {error}")) }
    }

    /// Opens (or reopens) `name` in the folder and applies `M`'s migrations.
    pub async fn connect<M: MigratorTrait>(&self, name: &str) -> Database {
        let url = format!("sqlite://{}?mode=rwc", self.dir.path().join(name).display());
        let db = Database::connect(&url, 5).await.unwrap_or_else(|error| panic!("cannot open {url}: {error}"));
        db.migrate::<M>().await.unwrap_or_else(|error| panic!("migrations failed on {url}: {error}"));
        db
    }
}

impl Default for SqliteDatabase {
    fn default() -> Self {
        Self::new()
    }
}

/// Events settings isolated to one test: a unique subject root and stream, quick retries.
pub fn isolated_events_config() -> EventsConfig {
    let id = uuid::Uuid::new_v4().simple().to_string();
    EventsConfig {
        subject_root: format!("t{}", &id[..12]),
        stream: format!("T{}", &id[..12].to_uppercase()),
        replicas: 1,
        duplicate_window: Duration::from_secs(120),
        max_deliver: 5,
        backoff: vec![Duration::from_millis(50), Duration::from_millis(100)],
        ack_wait: Duration::from_secs(2),
    }
}

/// A NATS bus on an isolated stream. Panics, naming what to start, when NATS is unreachable.
pub async fn nats_bus(config: EventsConfig) -> NatsBus {
    let url = nats_url();
    NatsBus::connect(&url, config).await.unwrap_or_else(|error| {
        panic!("NATS JetStream is not reachable at {url} ({error}); start it (see README) or set {TEST_NATS_URL}")
    })
}

/// Publishes what another service would: event `event_type` of `tenant` about `aggregate`.
pub async fn publish_event(
    bus: &crate::events::EventBus,
    event_type: &str,
    tenant: &str,
    aggregate: &str,
    payload: impl prost::Message,
) {
    use crate::events::Publisher;
    let event = crate::events::OutboundEvent {
        id: uuid::Uuid::now_v7().to_string(),
        event_type: event_type.into(),
        tenant: tenant.into(),
        aggregate_id: aggregate.into(),
        time: chrono::Utc::now(),
        traceparent: None,
        payload: payload.encode_to_vec(),
    };
    bus.publish(&event).await.unwrap_or_else(|error| panic!("cannot publish {event_type}: {error}"));
}

/// Deletes a test's stream.
pub async fn delete_stream(bus: &NatsBus) {
    if let Err(error) = bus.jetstream().delete_stream(&bus.config().stream).await {
        eprintln!("could not delete stream {}: {error}", bus.config().stream);
    }
}

/// Claims for a test token valid for an hour.
pub fn claims(user: &str, organisation: &str, roles: &[Role]) -> Claims {
    let now = chrono::Utc::now().timestamp();
    Claims {
        sub: user.into(),
        org: organisation.into(),
        org_name: None,
        roles: roles.to_vec(),
        iss: TEST_ISSUER.into(),
        aud: TEST_AUDIENCE.into(),
        exp: now + 3600,
        iat: now,
    }
}

/// An HS256 token signed with [`TEST_SECRET`].
pub fn token(user: &str, organisation: &str, roles: &[Role]) -> String {
    crate::auth::mint_hs256(TEST_SECRET.as_bytes(), &claims(user, organisation, roles))
        .unwrap_or_else(|error| panic!("cannot sign a test token: {error}"))
}

/// An HS256 token whose organisation also carries the name people know it by (`org_name`).
pub fn named_token(user: &str, organisation: &str, organisation_name: &str, roles: &[Role]) -> String {
    let claims = Claims { org_name: Some(organisation_name.into()), ..claims(user, organisation, roles) };
    crate::auth::mint_hs256(TEST_SECRET.as_bytes(), &claims)
        .unwrap_or_else(|error| panic!("cannot sign a test token: {error}"))
}

/// Installs, once per test binary, a subscriber whose spans carry OpenTelemetry trace ids, and
/// which also keeps every line in memory for [`captured_logs`].
pub fn init_tracing() {
    static GUARD: OnceLock<Option<crate::telemetry::TelemetryGuard>> = OnceLock::new();
    GUARD.get_or_init(|| {
        crate::telemetry::install("tests", crate::config::LogFormat::Text, None, true, Some(log_capture().clone())).ok()
    });
}

fn log_capture() -> &'static crate::telemetry::LogCapture {
    static CAPTURE: OnceLock<crate::telemetry::LogCapture> = OnceLock::new();
    CAPTURE.get_or_init(crate::telemetry::LogCapture::default)
}

/// Every log line and closed span (with its fields) written in this test binary so far, from
/// every test: look for a marker unique to yours.
pub fn captured_logs() -> String {
    log_capture().text()
}

/// A gRPC channel to a server started on `addr`.
pub async fn channel(addr: std::net::SocketAddr) -> tonic::transport::Channel {
    tonic::transport::Endpoint::from_shared(format!("http://{addr}"))
        .unwrap_or_else(|error| panic!("bad address {addr}: {error}"))
        .connect()
        .await
        .unwrap_or_else(|error| panic!("cannot connect to {addr}: {error}"))
}

/// What health checking answers for `service` ("" is the whole server), asked without a token.
pub async fn health_status(addr: std::net::SocketAddr, service: &str) -> ServingStatus {
    use tonic_health::pb::HealthCheckRequest;
    use tonic_health::pb::health_client::HealthClient;
    let response = HealthClient::new(channel(addr).await)
        .check(HealthCheckRequest { service: service.into() })
        .await
        .unwrap_or_else(|status| panic!("health check of {service:?} failed: {status}"));
    response.into_inner().status()
}

/// Asks health every 100 ms until it reports `wanted` for `service`, for at most `within`.
pub async fn wait_for_health(addr: std::net::SocketAddr, service: &str, wanted: ServingStatus, within: Duration) {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let now = health_status(addr, service).await;
        if now == wanted {
            return;
        }
        assert!(tokio::time::Instant::now() < deadline, "{service} stayed {now:?}, not {wanted:?}, for {within:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The services a server lists through reflection v1 (and, checked alike, v1alpha), asked
/// without a token.
pub async fn reflected_services(addr: std::net::SocketAddr) -> Vec<String> {
    use tonic_reflection::pb::v1::ServerReflectionRequest;
    use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
    use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
    use tonic_reflection::pb::v1::server_reflection_response::MessageResponse;
    let request = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::ListServices(String::new())),
    };
    let mut responses = ServerReflectionClient::new(channel(addr).await)
        .server_reflection_info(tokio_stream::iter([request]))
        .await
        .unwrap_or_else(|status| panic!("reflection failed: {status}"))
        .into_inner();
    let response = responses
        .message()
        .await
        .unwrap_or_else(|status| panic!("reflection answer failed: {status}"))
        .unwrap_or_else(|| panic!("reflection sent no answer"));
    match response.message_response {
        Some(MessageResponse::ListServicesResponse(list)) => {
            list.service.into_iter().map(|service| service.name).collect()
        }
        other => panic!("reflection answered {other:?}"),
    }
}

/// Adds a bearer token to a request.
pub fn with_token<T>(message: T, token: &str) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    let value =
        format!("Bearer {token}").parse().unwrap_or_else(|error| panic!("token is not a header value: {error}"));
    request.metadata_mut().insert("authorization", value);
    request
}

/// Settings for a service under test: a free port, `data_dir` for files, the test token secret,
/// and the given database and events (isolated subject root and stream on NATS when `nats`).
pub fn settings(
    data_dir: &std::path::Path,
    database_url: Option<String>,
    events: &EventsConfig,
    nats: bool,
) -> crate::config::Settings {
    let mut settings = crate::config::Settings::defaults(0);
    settings.data_dir = data_dir.to_path_buf();
    settings.database_url = database_url;
    settings.nats_url = nats.then(nats_url);
    settings.events_subject_root = events.subject_root.clone();
    settings.events_stream = events.stream.clone();
    settings.auth_hs256_secret = Some(TEST_SECRET.into());
    settings.bids_master_key = Some(TEST_BIDS_MASTER_KEY.into());
    settings
}

/// A service started for one test, reached over gRPC on a free port: on a fresh PostgreSQL
/// database with an isolated NATS stream, or on SQLite files with the embedded log.
pub struct TestApp<S> {
    /// The bus the service runs on, for publishing what other services would.
    pub bus: crate::events::EventBus,
    pub service: S,
    server: crate::grpc::RunningServer,
    postgres: Option<(PostgresDatabase, NatsBus)>,
    files: tempfile::TempDir,
    events: EventsConfig,
    /// Whether stopping deletes the stream (not when it joined another service's).
    owns_stream: bool,
}

impl<S: crate::runtime::Service> TestApp<S> {
    /// On a fresh PostgreSQL database and an isolated NATS stream.
    pub async fn on_postgres() -> Self {
        Self::on_postgres_with(|_| {}).await
    }

    /// On SQLite files and the embedded event log in a temporary folder.
    pub async fn on_sqlite() -> Self {
        Self::on_sqlite_with(|_| {}).await
    }

    /// On PostgreSQL and NATS, with the settings changed by `configure` first.
    pub async fn on_postgres_with(configure: impl FnOnce(&mut crate::config::Settings)) -> Self {
        let database = PostgresDatabase::create().await;
        let events = isolated_events_config();
        let nats = nats_bus(events.clone()).await;
        let url = Some(database.url.clone());
        let files = tempfile::tempdir().unwrap_or_else(|error| panic!("no temporary folder: {error}"));
        let bus = crate::events::EventBus::Nats(nats.clone());
        Self::start_in(files, url, bus, events, Some((database, nats)), configure).await
    }

    /// On its own PostgreSQL database but on `other`'s NATS stream, as services of one marketplace
    /// are: each hears what the other publishes. Stop it before `other`, which owns the stream.
    pub async fn on_postgres_beside<T>(
        other: &TestApp<T>,
        configure: impl FnOnce(&mut crate::config::Settings),
    ) -> Self {
        let Some((_, nats)) = &other.postgres else { panic!("{} runs on the embedded log, not NATS", S::NAME) };
        let database = PostgresDatabase::create().await;
        let url = Some(database.url.clone());
        let files = tempfile::tempdir().unwrap_or_else(|error| panic!("no temporary folder: {error}"));
        let mut app = Self::start_in(
            files,
            url,
            other.bus.clone(),
            other.events.clone(),
            Some((database, nats.clone())),
            configure,
        )
        .await;
        app.owns_stream = false;
        app
    }

    /// On its own SQLite files but on `other`'s embedded event log.
    pub async fn on_sqlite_beside<T>(other: &TestApp<T>, configure: impl FnOnce(&mut crate::config::Settings)) -> Self {
        if other.postgres.is_some() {
            panic!("{} runs on NATS, not the embedded log", S::NAME);
        }
        let files = tempfile::tempdir().unwrap_or_else(|error| panic!("no temporary folder: {error}"));
        Self::start_in(files, None, other.bus.clone(), other.events.clone(), None, configure).await
    }

    /// On SQLite and the embedded log, with the settings changed by `configure` first.
    pub async fn on_sqlite_with(configure: impl FnOnce(&mut crate::config::Settings)) -> Self {
        let events = isolated_events_config();
        let files = tempfile::tempdir().unwrap_or_else(|error| panic!("no temporary folder: {error}"));
        let log = crate::events::embedded::EmbeddedLog::open(&files.path().join("events.sqlite"), events.clone())
            .await
            .unwrap_or_else(|error| panic!("embedded log: {error}"));
        Self::start_in(files, None, crate::events::EventBus::Embedded(log), events, None, configure).await
    }

    async fn start_in(
        files: tempfile::TempDir,
        url: Option<String>,
        bus: crate::events::EventBus,
        events: EventsConfig,
        postgres: Option<(PostgresDatabase, NatsBus)>,
        configure: impl FnOnce(&mut crate::config::Settings),
    ) -> Self {
        init_tracing();
        let mut settings = settings(files.path(), url, &events, postgres.is_some());
        configure(&mut settings);
        let options = crate::grpc::ServerOptions::from_settings(&settings);
        let service = crate::runtime::start_service::<S>(settings, Some(bus.clone()))
            .await
            .unwrap_or_else(|error| panic!("{} does not start: {error:#}", S::NAME));
        let mut routes = tonic::service::RoutesBuilder::default();
        service.add_routes(&mut routes);
        let mut server = crate::grpc::start(&options, routes.routes(), &[S::GRPC_NAME])
            .await
            .unwrap_or_else(|error| panic!("{} does not serve: {error:#}", S::NAME));
        server.watch_database(S::GRPC_NAME, service.runtime().db.clone());
        Self { bus, service, server, postgres, files, events, owns_stream: true }
    }

    /// The first token of this test's event subjects: subscribe to `<root>.>` to see them all.
    pub fn subject_root(&self) -> &str {
        &self.events.subject_root
    }

    /// Where the service listens.
    pub fn addr(&self) -> std::net::SocketAddr {
        self.server.local_addr()
    }

    /// A channel to the service.
    pub async fn channel(&self) -> tonic::transport::Channel {
        channel(self.addr()).await
    }

    /// The service's own database URL.
    pub fn database_url(&self) -> String {
        match &self.postgres {
            Some((database, _)) => database.url.clone(),
            None => format!("sqlite://{}", self.files.path().join(format!("{}.sqlite", S::NAME)).display()),
        }
    }

    /// A connection to the service's own database.
    pub async fn database(&self) -> Database {
        let url = self.database_url();
        Database::connect(&url, 2).await.unwrap_or_else(|error| panic!("cannot connect to {url}: {error}"))
    }

    /// The audit log's length, after checking its chain.
    pub async fn audit_rows(&self) -> i64 {
        crate::audit::verify(self.database().await.conn())
            .await
            .unwrap_or_else(|error| panic!("audit chain broken: {error}"))
    }

    /// Stops the server, then drops the test's database and stream.
    pub async fn stop(self) {
        if let Err(error) = self.server.shutdown().await {
            panic!("{} did not stop cleanly: {error:#}", S::NAME);
        }
        drop(self.service);
        if let Some((database, nats)) = self.postgres {
            if self.owns_stream {
                delete_stream(&nats).await;
            }
            database.drop_database().await;
        }
    }
}
