//! Starting a gRPC server the same way in every service: health checking and reflection (v1 and
//! v1alpha, for older clients such as grpcurl 1.8) always open, the service's own calls behind
//! the bearer-token check (but for the calls a service names open), a request timeout, a global concurrency limit, a span per request
//! joined to the caller's trace, and a graceful stop that reports NOT_SERVING first.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tonic::service::Routes;
use tonic::transport::server::TcpIncoming;
use tonic_health::ServingStatus;
use tonic_health::server::HealthReporter;

use crate::auth::{Authenticated, Authenticator, WhoMayCall};
use crate::config::Settings;
use crate::db::Database;

/// Limits applied to every call.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// Where to listen; port 0 picks a free port.
    pub listen_addr: SocketAddr,
    pub request_timeout: Duration,
    pub concurrency_limit: usize,
}

impl ServerOptions {
    pub fn from_settings(settings: &Settings) -> Self {
        Self {
            listen_addr: settings.grpc_listen_addr,
            request_timeout: Duration::from_secs(settings.grpc_request_timeout_secs),
            concurrency_limit: settings.grpc_concurrency_limit,
        }
    }
}

/// Puts a service behind its access rules ([`crate::auth::Authenticated`]).
pub fn authenticated<S>(service: S, authenticator: &Arc<Authenticator>, who_may_call: WhoMayCall) -> Authenticated<S> {
    Authenticated::new(service, authenticator.clone(), who_may_call)
}

/// How often each service's database is pinged for health.
const DATABASE_PROBE_INTERVAL: Duration = Duration::from_secs(1);

/// A started server.
pub struct RunningServer {
    local_addr: SocketAddr,
    health: HealthReporter,
    service_names: Vec<String>,
    /// One database probe per service, stopped with the server.
    probes: Vec<tokio::task::JoinHandle<()>>,
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<Result<(), tonic::transport::Error>>,
}

/// Binds and starts serving `routes` (the service's own calls) plus health and reflection.
/// `service_names` are the fully-qualified gRPC names served, reported SERVING by health and
/// listed by reflection.
pub async fn start(options: &ServerOptions, routes: Routes, service_names: &[&str]) -> anyhow::Result<RunningServer> {
    let listener = TcpListener::bind(options.listen_addr)
        .await
        .map_err(|error| anyhow::anyhow!("cannot listen on {} (GRPC_LISTEN_ADDR): {error}", options.listen_addr))?;
    let local_addr = listener.local_addr()?;

    let (health, health_service) = tonic_health::server::health_reporter();
    health.set_service_status("", ServingStatus::Serving).await;
    for name in service_names {
        health.set_service_status(*name, ServingStatus::Serving).await;
    }
    let reflection_v1 = reflection(service_names).build_v1()?;
    let reflection_v1alpha = reflection(service_names).build_v1alpha()?;

    let (stop, stopped) = oneshot::channel::<()>();
    let server = tonic::transport::Server::builder()
        .timeout(options.request_timeout)
        .trace_fn(crate::telemetry::grpc_request_span)
        .layer(tower::limit::GlobalConcurrencyLimitLayer::new(options.concurrency_limit))
        .add_routes(routes)
        .add_service(health_service)
        .add_service(reflection_v1)
        .add_service(reflection_v1alpha)
        // Without TCP_NODELAY a response spanning packets waits for the client's delayed ACK (~40 ms).
        .serve_with_incoming_shutdown(TcpIncoming::from(listener).with_nodelay(Some(true)), async {
            let _ = stopped.await;
        });
    let task = tokio::spawn(server);
    tracing::info!(%local_addr, services = ?service_names, "gRPC server listening");
    Ok(RunningServer {
        local_addr,
        health,
        service_names: service_names.iter().map(|name| (*name).to_owned()).collect(),
        probes: Vec::new(),
        stop,
        task,
    })
}

/// Reflection over exactly the services served, health included.
fn reflection<'b>(service_names: &[&str]) -> tonic_reflection::server::Builder<'b> {
    service_names
        .iter()
        .fold(tonic_reflection::server::Builder::configure(), |builder, name| builder.with_service_name(*name))
        .with_service_name("grpc.health.v1.Health")
        .register_encoded_file_descriptor_set(proto::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
        // The error details every error carries (BadRequest, PreconditionFailure, ErrorInfo), so
        // that grpcurl and other reflecting clients can decode them.
        .register_encoded_file_descriptor_set(tonic_types::pb::FILE_DESCRIPTOR_SET)
}

impl RunningServer {
    /// The bound address (useful when the port was 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Pings `db` every second: health reports `service_name` NOT_SERVING while it does not
    /// answer (calls fail with UNAVAILABLE then), and SERVING again once it does.
    pub fn watch_database(&mut self, service_name: &'static str, db: Database) {
        let health = self.health.clone();
        self.probes.push(tokio::spawn(async move {
            let mut reachable = true;
            let mut ticks = tokio::time::interval(DATABASE_PROBE_INTERVAL);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                let now = db.is_reachable().await;
                if now == reachable {
                    continue;
                }
                reachable = now;
                if reachable {
                    tracing::info!(service = service_name, "database reachable again: SERVING");
                    health.set_service_status(service_name, ServingStatus::Serving).await;
                } else {
                    tracing::warn!(service = service_name, "database unreachable: NOT_SERVING");
                    health.set_service_status(service_name, ServingStatus::NotServing).await;
                }
            }
        }));
    }

    /// Reports NOT_SERVING, so load balancers stop sending calls, then finishes the calls in
    /// flight and stops.
    pub async fn shutdown(self) -> anyhow::Result<()> {
        for probe in &self.probes {
            probe.abort();
        }
        self.health.set_service_status("", ServingStatus::NotServing).await;
        for name in &self.service_names {
            self.health.set_service_status(name.as_str(), ServingStatus::NotServing).await;
        }
        let _ = self.stop.send(());
        self.task.await??;
        tracing::info!(local_addr = %self.local_addr, "gRPC server stopped");
        Ok(())
    }

    /// Serves until Ctrl-C or SIGTERM, then shuts down gracefully.
    pub async fn serve_until_signalled(self) -> anyhow::Result<()> {
        shutdown_signal().await;
        self.shutdown().await
    }
}

/// Resolves on Ctrl-C or, on Unix, SIGTERM (what Kubernetes sends).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("shutdown requested");
}
