//! `marketplace`: run the whole marketplace in one process, or mint a development token for it.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};
use figment::providers::Serialized;
use marketplace::demo::{Connection, Pace, Tokens};
use marketplace::{DEFAULT_PORT, Marketplace};
use platform::auth::{Claims, Role};
use platform::config::Settings;

#[derive(Parser)]
#[command(version, about = "The commissioning marketplace: micro-tenders for small charities, in one process")]
struct Cli {
    /// Folder for the embedded default's data (overrides DATA_DIR).
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve all four services on one port (default 127.0.0.1:50051), and the web portal on its
    /// own (default 127.0.0.1:8080).
    Serve {
        /// Address to listen on (overrides GRPC_LISTEN_ADDR).
        #[arg(long)]
        listen: Option<SocketAddr>,
        /// Address the web portal listens on (overrides PORTAL_LISTEN_ADDR).
        #[arg(long)]
        portal_listen: Option<SocketAddr>,
    },
    /// Walk the story of the people the marketplace is for, printing each step: against a running
    /// marketplace (`--address`), or one started here on a fresh embedded default.
    Demo {
        /// `http://host:port` of a running all-in-one marketplace; unset starts one for the demo.
        #[arg(long)]
        address: Option<String>,
        /// The marketplace's shortest bid period in seconds (TENDERING_MINIMUM_BID_PERIOD_SECS);
        /// the demo's tenders close this long after publishing, so it must match a running one.
        #[arg(long, default_value_t = 6)]
        bid_period_secs: u64,
        /// Stop once the tenders are published, leaving them open (for the running marketplace's bid
        /// period, a week by default) to try the portal with: Lambeth's taking bids at once,
        /// Woking's still taking questions.
        #[arg(long, conflicts_with = "stop_after_bidding")]
        stop_after_publishing: bool,
        /// Stop once the bids are in and Lambeth's tender has closed at its deadline (the bid period)
        /// and its evaluation opened, before the panel is assigned: to try the panel's pages with.
        #[arg(long)]
        stop_after_bidding: bool,
    },
    /// Work with the services' audit logs.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Print a development token for the embedded default (refused when production keys are set).
    Token {
        /// Role to grant: officer, evaluator, provider, integrator, admin or service; repeat for several.
        #[arg(long = "role", required = true, value_parser = parse_role)]
        roles: Vec<Role>,
        /// Organisation the caller acts for: a council id, a provider id, or `platform`.
        #[arg(long)]
        org: String,
        /// The organisation's name as people know it (for example "Lambeth"), shown on its decisions.
        #[arg(long)]
        org_name: Option<String>,
        /// User id (the token's subject).
        #[arg(long, default_value = "dev-user")]
        user: String,
        /// Hours until the token expires.
        #[arg(long, default_value_t = 8)]
        hours: i64,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Walk each service's audit chain and check it against the signed checkpoints on the event
    /// bus, naming the first bad row; exit status 1 when a log is damaged.
    Verify,
}

fn parse_role(text: &str) -> Result<Role, String> {
    serde_json::from_value(serde_json::Value::String(text.to_lowercase()))
        .map_err(|_| format!("unknown role {text:?}: use officer, evaluator, provider, integrator, admin or service"))
}

fn settings(cli: &Cli, listen: Option<SocketAddr>) -> anyhow::Result<Settings> {
    let mut figment = Settings::figment(DEFAULT_PORT);
    if let Some(dir) = &cli.data_dir {
        figment = figment.merge(Serialized::default("data_dir", dir));
    }
    if let Some(addr) = listen {
        figment = figment.merge(Serialized::default("grpc_listen_addr", addr));
    }
    Ok(Settings::from_figment(figment)?)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    platform::allocator::return_large_buffers_to_the_system();
    let cli = Cli::parse();
    match &cli.command {
        Command::Serve { listen, portal_listen } => {
            let mut settings = settings(&cli, *listen)?;
            if let Some(address) = portal_listen {
                settings.portal_listen_addr = *address;
            }
            let _telemetry = platform::telemetry::init(
                "marketplace",
                settings.log_format,
                settings.otel_exporter_otlp_endpoint.as_deref(),
            )?;
            let marketplace = Marketplace::start(settings.clone()).await?;
            println!("marketplace listening on {}", marketplace.local_addr());
            let signer = match &settings.portal_signing_key_file {
                Some(path) => portal::TokenSigner::from_key_file(path)?,
                None => portal::TokenSigner::development(&marketplace::development_token_secret(&settings)?),
            };
            let grpc_url = format!("http://{}", marketplace.local_addr());
            let portal = portal::Portal::start(&settings, &grpc_url, signer, marketplace.bus()).await?;
            println!("portal: {}", portal.url());
            marketplace.serve_until_signalled().await?;
            portal.shutdown().await
        }
        Command::Audit { command: AuditCommand::Verify } => {
            platform::runtime::audit_verify(&settings(&cli, None)?, &marketplace::SERVICE_NAMES).await
        }
        Command::Demo { address, bid_period_secs, stop_after_publishing, stop_after_bidding } => {
            let pace = Pace {
                bid_period: std::time::Duration::from_secs(*bid_period_secs),
                stop_after_publishing: *stop_after_publishing,
                stop_after_bidding: *stop_after_bidding,
            };
            demo(&cli, address.as_deref(), pace).await
        }
        Command::Token { roles, org, org_name, user, hours } => {
            let settings = settings(&cli, None)?;
            let secret = marketplace::development_token_secret(&settings)?;
            let now = chrono::Utc::now().timestamp();
            let claims = Claims {
                sub: user.clone(),
                org: org.clone(),
                org_name: org_name.clone(),
                roles: roles.clone(),
                iss: settings.auth_issuer,
                aud: settings.auth_audience,
                exp: now + hours * 3600,
                iat: now,
            };
            println!("{}", platform::auth::mint_hs256(secret.as_bytes(), &claims)?);
            Ok(())
        }
    }
}

/// Runs the demo against `address`, or against a marketplace it starts on a fresh data folder.
async fn demo(cli: &Cli, address: Option<&str>, pace: Pace) -> anyhow::Result<()> {
    let bid_period_secs = pace.bid_period.as_secs();
    let mut settings = settings(cli, None)?;
    let scratch = tempfile::tempdir()?;
    let (connection, running) = match address {
        Some(address) => {
            let channel = tonic::transport::Endpoint::from_shared(address.to_owned())?.connect().await?;
            (Connection::all_in_one(channel), None)
        }
        None => {
            if cli.data_dir.is_none() {
                settings.data_dir = scratch.path().to_path_buf();
            }
            settings.grpc_listen_addr = SocketAddr::from(([127, 0, 0, 1], 0));
            settings.tendering_minimum_bid_period_secs = bid_period_secs;
            settings.tendering_scheduler_interval_ms = 250;
            println!("Starting a marketplace on the embedded default in {}", settings.data_dir.display());
            let marketplace = Marketplace::start(settings.clone()).await?;
            let url = format!("http://{}", marketplace.local_addr());
            let channel = tonic::transport::Endpoint::from_shared(url)?.connect().await?;
            (Connection::all_in_one(channel), Some(marketplace))
        }
    };
    let tokens = Tokens {
        secret: marketplace::development_token_secret(&settings)?,
        issuer: settings.auth_issuer.clone(),
        audience: settings.auth_audience.clone(),
    };
    let outcome = marketplace::demo::run(&connection, &tokens, &pace, std::io::stdout(), async |_| Ok(())).await;
    if let Some(marketplace) = running {
        marketplace.shutdown().await?;
    }
    outcome.map(|_| ())
}
