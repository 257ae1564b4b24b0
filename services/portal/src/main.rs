//! `portal`: the web portal on its own, beside services running apart (production), hearing their
//! events on the bus they share (`NATS_URL`).

use platform::config::Settings;
use portal::{Portal, TokenSigner};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    platform::allocator::return_large_buffers_to_the_system();
    let settings = Settings::load(8080)?;
    let _telemetry =
        platform::telemetry::init("portal", settings.log_format, settings.otel_exporter_otlp_endpoint.as_deref())?;
    // Without PORTAL_GRPC_URL, each service's own URL setting is needed (checked at start).
    let grpc_url = settings.portal_grpc_url.clone().unwrap_or_default();
    let signer = match (&settings.portal_signing_key_file, &settings.auth_hs256_secret) {
        (Some(path), _) => TokenSigner::from_key_file(path)?,
        (None, Some(secret)) => TokenSigner::development(secret),
        (None, None) => anyhow::bail!(
            "PORTAL_SIGNING_KEY_FILE: set the portal's ES256 key (production), or AUTH_HS256_SECRET for development"
        ),
    };
    let bus = platform::runtime::connect_bus(&settings).await?;
    let portal = Portal::start(&settings, &grpc_url, signer, bus).await?;
    println!("portal: {}", portal.url());
    tokio::signal::ctrl_c().await?;
    portal.shutdown().await
}
