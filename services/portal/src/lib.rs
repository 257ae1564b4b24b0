//! The marketplace's web portal: server-rendered pages over the services' gRPC calls, for the
//! people the marketplace is for. It keeps only sessions and who acts for which organisation in
//! its own small database; every rule stays in the services, which it calls as the person signed
//! in, with a short-lived token it signs itself. Pages work without JavaScript; every form posts
//! with a CSRF token, and every response carries a Content-Security-Policy. It hears the events
//! that concern a provider and keeps them as the provider's notifications, mailed when SMTP is set,
//! and keeps each council's events for its finance integrators to read.

mod assets;
mod calls;
pub mod feed;
pub mod migrations;
pub mod notifications;
mod oidc;
mod pages;
pub mod people;
mod security;
pub mod sessions;
mod signing;
pub mod templates;
mod visitor;

use std::net::SocketAddr;
use std::sync::Arc;

use platform::config::Settings;
use platform::db::Database;
use platform::events::{ConsumerHandle, EventBus};
use tokio::sync::{Notify, oneshot};

pub use signing::TokenSigner;

/// What every page handler shares.
#[derive(Clone)]
pub struct PortalState(Arc<Shared>);

struct Shared {
    db: Database,
    channels: calls::Channels,
    signer: TokenSigner,
    issuer: String,
    audience: String,
    /// The councils commissioning through the marketplace (id, name), from `PORTAL_COUNCILS`.
    councils: Vec<(String, String)>,
    /// The identity provider people sign in through; `None` means the development sign-in.
    oidc: Option<oidc::Oidc>,
    /// The largest document the compliance service takes (`DOCUMENTS_MAX_BYTES`).
    max_document_bytes: u64,
}

/// The running portal.
pub struct Portal {
    local_addr: SocketAddr,
    stop: oneshot::Sender<()>,
    served: tokio::task::JoinHandle<std::io::Result<()>>,
    // Held so the notification consumers run as long as the portal does.
    _consumers: Vec<ConsumerHandle>,
    _background: Background,
}

/// The mail sender and the inbox pruner, stopped with the portal.
struct Background(Vec<tokio::task::JoinHandle<()>>);

impl Drop for Background {
    fn drop(&mut self) {
        for task in &self.0 {
            task.abort();
        }
    }
}

impl Portal {
    /// Serves the portal on `PORTAL_LISTEN_ADDR`, calling the services at `grpc_url` (each at its
    /// own `PROVIDERS_URL`, `COMPLIANCE_URL`, ... when set) and signing
    /// their tokens with `signer`, and turns the events on `bus` into notifications (mailed
    /// through `PORTAL_SMTP_URL` when it is set).
    pub async fn start(
        settings: &Settings,
        grpc_url: &str,
        signer: TokenSigner,
        bus: EventBus,
    ) -> anyhow::Result<Self> {
        let db = Database::connect(&settings.database_url_for("portal"), settings.database_max_connections).await?;
        db.migrate::<migrations::Migrator>().await?;
        let channels = calls::Channels::new(settings, grpc_url)?;
        let councils = councils(&settings.portal_councils)?;
        let oidc = oidc::Oidc::from_settings(settings, &councils).await?;
        if oidc.is_none() && !signer.is_development() {
            anyhow::bail!(
                "PORTAL_OIDC_ISSUER_URL: production signing (PORTAL_SIGNING_KEY_FILE) needs production sign-in; set \
                 PORTAL_OIDC_ISSUER_URL, PORTAL_OIDC_CLIENT_ID, PORTAL_OIDC_CLIENT_SECRET and PORTAL_PUBLIC_URL"
            );
        }
        let state = PortalState(Arc::new(Shared {
            db,
            channels,
            signer,
            issuer: settings.auth_issuer.clone(),
            audience: settings.auth_audience.clone(),
            councils,
            oidc,
            max_document_bytes: settings.documents_max_bytes,
        }));
        let listener = tokio::net::TcpListener::bind(settings.portal_listen_addr)
            .await
            .map_err(|error| anyhow::anyhow!("PORTAL_LISTEN_ADDR {}: {error}", settings.portal_listen_addr))?;
        let local_addr = listener.local_addr()?;
        let public_url = settings.portal_public_url.clone().unwrap_or_else(|| format!("http://{local_addr}"));
        let mailer = notifications::mail::Mailer::from_settings(settings, &public_url)?;
        match &mailer {
            Some(mailer) => {
                tracing::info!(server = mailer.server(), "notifications are shown in the portal and mailed")
            }
            None => {
                tracing::warn!("PORTAL_SMTP_URL is not set: notifications are shown in the portal, and no mail is sent")
            }
        }
        let wake = Arc::new(Notify::new());
        let mut consumers = notifications::consumer::start(&bus, &state, mailer.is_some(), wake.clone()).await?;
        consumers.extend(feed::consumer::start(&bus, &state).await?);
        let mut background = vec![platform::events::retention::spawn(state.0.db.clone(), settings.events_retention())];
        if let Some(mailer) = mailer {
            background.push(notifications::mail::spawn(mailer, state.clone(), wake));
        }
        let (stop, stopped) = oneshot::channel::<()>();
        let app = pages::router(state);
        let served = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await
        });
        Ok(Self { local_addr, stop, served, _consumers: consumers, _background: Background(background) })
    }

    /// Where it listens.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Its address as a URL for people: `http://127.0.0.1:8080/`.
    pub fn url(&self) -> String {
        format!("http://{}/", self.local_addr)
    }

    /// Stops taking requests and lets those in flight finish.
    pub async fn shutdown(self) -> anyhow::Result<()> {
        let _ = self.stop.send(());
        self.served.await??;
        Ok(())
    }
}

/// `PORTAL_COUNCILS` read as (id, name) pairs: `lambeth=Lambeth,woking=Woking`.
fn councils(setting: &str) -> anyhow::Result<Vec<(String, String)>> {
    setting
        .split(',')
        .map(str::trim)
        .filter(|pair| !pair.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((id, name)) if !id.trim().is_empty() && !name.trim().is_empty() => {
                Ok((id.trim().to_owned(), name.trim().to_owned()))
            }
            _ => Err(anyhow::anyhow!("PORTAL_COUNCILS: {pair:?} is not id=Name, like lambeth=Lambeth")),
        })
        .collect()
}
