//! The whole marketplace in one process: the four services on one gRPC port, sharing one event
//! bus. With no configuration it runs on the embedded default (SQLite files, the embedded event
//! log and a document folder under `DATA_DIR`), so a newcomer needs no servers; given
//! `DATABASE_URL` (with `{service}` for each service's own database) and `NATS_URL`, it runs on
//! PostgreSQL and NATS.

pub mod demo;

use compliance::Compliance;
use evaluation::Evaluation;
use platform::config::Settings;
use platform::events::EventBus;
use platform::grpc::{RunningServer, ServerOptions};
use platform::runtime::{Service, start_service};
use providers::Providers;
use tendering::Tendering;

/// Port the all-in-one listens on by default.
pub const DEFAULT_PORT: u16 = 50051;

/// The services the all-in-one runs, by name (each one's database and audit log).
pub const SERVICE_NAMES: [&str; 4] = [Providers::NAME, Compliance::NAME, Tendering::NAME, Evaluation::NAME];

/// The running marketplace.
pub struct Marketplace {
    server: RunningServer,
    /// The bus the services share, which the portal hears too.
    bus: EventBus,
    // Held so their relays and consumers run as long as the server does.
    _services: (Providers, Compliance, Tendering, Evaluation),
}

impl Marketplace {
    /// Starts all four services and serves them on `GRPC_LISTEN_ADDR`.
    pub async fn start(settings: Settings) -> anyhow::Result<Self> {
        // Services never share a database: one URL must name each service's own.
        if settings.database_url.as_deref().is_some_and(|url| !url.contains(platform::config::SERVICE_PLACEHOLDER)) {
            anyhow::bail!(
                "DATABASE_URL: the all-in-one gives each service its own database; put {{service}} where its name goes, \
                 for example postgres://localhost/marketplace_{{service}} (databases marketplace_providers, \
                 marketplace_compliance, marketplace_tendering and marketplace_evaluation must exist)"
            );
        }
        let bus = platform::runtime::connect_bus(&settings).await?;
        let providers = start_service::<Providers>(settings.clone(), Some(bus.clone())).await?;
        let compliance = start_service::<Compliance>(settings.clone(), Some(bus.clone())).await?;
        let tendering = start_service::<Tendering>(settings.clone(), Some(bus.clone())).await?;
        let evaluation = start_service::<Evaluation>(settings.clone(), Some(bus.clone())).await?;

        let mut routes = tonic::service::RoutesBuilder::default();
        providers.add_routes(&mut routes);
        compliance.add_routes(&mut routes);
        tendering.add_routes(&mut routes);
        evaluation.add_routes(&mut routes);
        let names = [Providers::GRPC_NAME, Compliance::GRPC_NAME, Tendering::GRPC_NAME, Evaluation::GRPC_NAME];
        let mut server =
            platform::grpc::start(&ServerOptions::from_settings(&settings), routes.routes(), &names).await?;
        server.watch_database(Providers::GRPC_NAME, providers.runtime().db.clone());
        server.watch_database(Compliance::GRPC_NAME, compliance.runtime().db.clone());
        server.watch_database(Tendering::GRPC_NAME, tendering.runtime().db.clone());
        server.watch_database(Evaluation::GRPC_NAME, evaluation.runtime().db.clone());
        // The services call each other on the one port, once it is known.
        let own_address = format!("http://{}", server.local_addr());
        tendering.compliance().set_url(own_address.clone());
        tendering.evaluation().set_url(own_address.clone());
        evaluation.compliance().set_url(own_address.clone());
        evaluation.tendering().set_url(own_address);
        Ok(Self { server, bus, _services: (providers, compliance, tendering, evaluation) })
    }

    /// Where it listens.
    pub fn local_addr(&self) -> std::net::SocketAddr {
        self.server.local_addr()
    }

    /// The event bus the services share.
    pub fn bus(&self) -> EventBus {
        self.bus.clone()
    }

    /// Stops gracefully: NOT_SERVING first, then the calls in flight finish.
    pub async fn shutdown(self) -> anyhow::Result<()> {
        self.server.shutdown().await
    }

    /// Serves until SIGTERM or Ctrl-C.
    pub async fn serve_until_signalled(self) -> anyhow::Result<()> {
        self.server.serve_until_signalled().await
    }
}

/// The secret development tokens are minted with: `AUTH_HS256_SECRET`, or the embedded default's
/// own. Refused when production keys (a JWKS) are configured: tokens then come from the identity
/// provider.
pub fn development_token_secret(settings: &Settings) -> anyhow::Result<String> {
    if settings.auth_jwks_path.is_some() || settings.auth_jwks_url.is_some() {
        anyhow::bail!("production token keys are configured (AUTH_JWKS_*); get a token from the identity provider");
    }
    match &settings.auth_hs256_secret {
        Some(secret) => Ok(secret.clone()),
        None => platform::runtime::dev_secret(&settings.data_dir),
    }
}
