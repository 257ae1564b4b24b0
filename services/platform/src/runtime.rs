//! Assembles what a service runs on from its settings: its database (migrated), the event bus
//! (NATS when `NATS_URL` is set, else the embedded log), the token verifier and the outbox relay.

use std::path::Path;
use std::sync::Arc;

use rand::distr::{Alphanumeric, SampleString};
use sea_orm_migration::MigratorTrait;

use crate::audit::checkpoint::AuditSigner;
use crate::audit::watch::AuditWatch;
use crate::auth::Authenticator;
use crate::config::Settings;
use crate::db::Database;
use crate::events::embedded::EmbeddedLog;
use crate::events::nats::NatsBus;
use crate::events::relay::Relay;
use crate::events::{EventBus, EventsConfig};

/// File in the data folder holding the embedded default's development token secret.
pub const DEV_SECRET_FILE: &str = "dev-token-secret";

/// A running service's shared parts. Dropping it stops the relay and the pruner.
pub struct ServiceRuntime {
    pub settings: Settings,
    pub db: Database,
    pub bus: EventBus,
    pub authenticator: Arc<Authenticator>,
    background: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for ServiceRuntime {
    fn drop(&mut self) {
        for task in &self.background {
            task.abort();
        }
    }
}

impl ServiceRuntime {
    /// Connects and migrates `service`'s database, joins the bus (`bus` when given: the
    /// all-in-one shares one), prepares token checks and starts the outbox relay.
    pub async fn start<M: MigratorTrait>(
        service: &'static str,
        mut settings: Settings,
        bus: Option<EventBus>,
    ) -> anyhow::Result<Self> {
        if settings.is_embedded_default() && settings.auth_hs256_secret.is_none() {
            settings.auth_hs256_secret = Some(dev_secret(&settings.data_dir)?);
        }
        let url = settings.database_url_for(service);
        let db =
            Database::connect_waiting(&url, settings.database_max_connections, settings.database_acquire_timeout())
                .await
                .map_err(|error| anyhow::anyhow!("cannot open the {service} database (DATABASE_URL): {error}"))?;
        db.migrate::<M>().await.map_err(|error| anyhow::anyhow!("cannot migrate the {service} database: {error}"))?;
        let bus = match bus {
            Some(bus) => bus,
            None => connect_bus(&settings).await?,
        };
        let authenticator = Authenticator::from_settings(&settings).await?;
        let signer = Arc::new(AuditSigner::from_settings(&settings)?);
        let audit = AuditWatch { service, db: db.clone(), bus: bus.clone(), signer };
        let background = vec![
            Relay::new(db.clone(), Arc::new(bus.clone()), settings.outbox_poll_interval()).spawn(),
            crate::events::retention::spawn(db.clone(), settings.events_retention()),
            audit.spawn(settings.audit_check_interval()),
        ];
        Ok(Self { settings, db, bus, authenticator, background })
    }
}

/// NATS JetStream when `NATS_URL` is set, else the embedded log in the data folder.
pub async fn connect_bus(settings: &Settings) -> anyhow::Result<EventBus> {
    let config = EventsConfig::from_settings(settings);
    Ok(match &settings.nats_url {
        Some(url) => EventBus::Nats(NatsBus::connect(url, config).await?),
        None => EventBus::Embedded(EmbeddedLog::open(&settings.data_dir.join("events.sqlite"), config).await?),
    })
}

/// The embedded default's token secret: made once, kept in the data folder, so `marketplace
/// token` can mint development tokens the running marketplace accepts.
pub fn dev_secret(data_dir: &Path) -> anyhow::Result<String> {
    dev_secret_file(data_dir, DEV_SECRET_FILE, || Ok(Alphanumeric.sample_string(&mut rand::rng(), 48)))
}

/// A secret of the embedded default kept in `data_dir/file_name`, made by `make` the first time;
/// readable by its owner only.
pub fn dev_secret_file(
    data_dir: &Path,
    file_name: &str,
    make: impl FnOnce() -> anyhow::Result<String>,
) -> anyhow::Result<String> {
    let path = data_dir.join(file_name);
    if let Ok(secret) = std::fs::read_to_string(&path) {
        return Ok(secret.trim().to_owned());
    }
    std::fs::create_dir_all(data_dir)?;
    let secret = make()?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options.open(&path).and_then(|mut file| std::io::Write::write_all(&mut file, secret.as_bytes()));
    match written {
        Ok(()) => Ok(secret),
        // Another service of the all-in-one made it first.
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
            Ok(std::fs::read_to_string(&path)?.trim().to_owned())
        }
        Err(error) => Err(anyhow::anyhow!("cannot write {}: {error}", path.display())),
    }
}

impl Settings {
    /// No database URL and no NATS URL: everything local under `DATA_DIR`.
    pub fn is_embedded_default(&self) -> bool {
        self.database_url.is_none() && self.nats_url.is_none()
    }
}

/// What a service crate tells the platform, so one start-up serves every service alike.
pub trait Service: Send + Sync + Sized + 'static {
    /// Short name: the database file, the log field, the event source (`providers`).
    const NAME: &'static str;
    /// Port the service's own binary listens on by default.
    const DEFAULT_PORT: u16;
    /// Fully-qualified gRPC service name, for health and reflection.
    const GRPC_NAME: &'static str;
    /// The service's schema, platform tables included.
    type Migrator: MigratorTrait;

    /// Builds the service on its started runtime (and starts its consumers).
    fn new(runtime: Arc<ServiceRuntime>) -> impl std::future::Future<Output = anyhow::Result<Self>> + Send;

    /// What it runs on: its database is probed for health.
    fn runtime(&self) -> &ServiceRuntime;

    /// Adds the service's gRPC server, behind the bearer-token check, to `routes`.
    fn add_routes(&self, routes: &mut tonic::service::RoutesBuilder);
}

/// Starts `S` on `settings`, sharing `bus` when given.
pub async fn start_service<S: Service>(settings: Settings, bus: Option<EventBus>) -> anyhow::Result<S> {
    let runtime = ServiceRuntime::start::<S::Migrator>(S::NAME, settings, bus).await?;
    S::new(Arc::new(runtime)).await
}

/// The whole `main` of a service's own binary: settings, telemetry, runtime, gRPC server, and a
/// graceful stop on SIGTERM or Ctrl-C.
pub async fn run_single<S: Service>() -> anyhow::Result<()> {
    crate::allocator::return_large_buffers_to_the_system();
    let verify_audit = read_command_line::<S>();
    let settings = Settings::load(S::DEFAULT_PORT)?;
    if verify_audit {
        return audit_verify(&settings, &[S::NAME]).await;
    }
    let _telemetry =
        crate::telemetry::init(S::NAME, settings.log_format, settings.otel_exporter_otlp_endpoint.as_deref())?;
    let options = crate::grpc::ServerOptions::from_settings(&settings);
    let service = start_service::<S>(settings, None).await?;
    let mut routes = tonic::service::RoutesBuilder::default();
    service.add_routes(&mut routes);
    let mut server = crate::grpc::start(&options, routes.routes(), &[S::GRPC_NAME]).await?;
    server.watch_database(S::GRPC_NAME, service.runtime().db.clone());
    server.serve_until_signalled().await
}

/// `audit verify` for `services`: prints what it found, and fails (exit status 1) when a log is
/// damaged.
pub async fn audit_verify(settings: &Settings, services: &[&str]) -> anyhow::Result<()> {
    if crate::audit::command::verify_services(settings, services).await? {
        Ok(())
    } else {
        anyhow::bail!("an audit log is damaged (see above): keep the database as it is and investigate")
    }
}

/// A service's binary takes no arguments but `audit verify`, `--help` and `--version` (anything
/// else is an error): it never starts serving on a mistyped command line. Says whether `audit
/// verify` was asked for.
fn read_command_line<S: Service>() -> bool {
    let variables = Settings::variable_names().join(", ");
    clap::Command::new(S::NAME)
        .version(env!("CARGO_PKG_VERSION"))
        .about(format!(
            "The {} service of the commissioning marketplace: serves {} over gRPC (with health \
             checking and reflection) on 127.0.0.1:{} unless GRPC_LISTEN_ADDR says otherwise, until \
             SIGTERM or Ctrl-C.",
            S::NAME,
            S::GRPC_NAME,
            S::DEFAULT_PORT
        ))
        .after_help(format!(
            "Settings come from environment variables, optionally layered over the TOML file named \
             by {}: {variables}. The README's Configuration table says what each means.",
            crate::config::CONFIG_FILE_VAR
        ))
        .subcommand(clap::Command::new("audit").about("The service's audit log").subcommand_required(true).subcommand(
            clap::Command::new("verify").about(
                "Walk the audit chain and check it against the signed checkpoints on the event bus, \
                     naming the first bad row; exit status 1 when it is damaged",
            ),
        ))
        .get_matches()
        .subcommand_matches("audit")
        .is_some()
}
