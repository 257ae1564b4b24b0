//! One trace from a gRPC call, through the outbox and NATS, to the consumer.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use platform::auth::{Role, Who, WhoMayCall};
use platform::db::Database;
use platform::events::relay::Relay;
use platform::events::{ConsumerSpec, EventBus, EventHandler, HandlerError, InboundEvent, outbox};
use platform::grpc::authenticated;
use platform::migrations::PlatformMigrator;
use platform::telemetry::{current_trace_id, inject_traceparent, set_remote_parent, trace_id_of};
use platform::testing::{
    PostgresDatabase, channel, delete_stream, init_tracing, isolated_events_config, nats_bus, token, with_token,
};
use proto::commissioning::events::v1::ProviderRegistered;
use proto::commissioning::providers::v1::providers_service_client::ProvidersServiceClient;
use proto::commissioning::providers::v1::providers_service_server::{
    ProvidersService, ProvidersServiceServer, SERVICE_NAME,
};
use proto::commissioning::providers::v1::{CreateProviderRequest, CreateProviderResponse};
use tonic::{Request, Response, Status};

use super::grpc::{authenticator, options};

const CREATE_PROVIDER: WhoMayCall = &[("CreateProvider", Who::Roles(&[Role::Provider]))];

/// A providers double whose CreateProvider writes an event to the outbox.
struct Registering {
    db: Database,
}

#[tonic::async_trait]
impl ProvidersService for Registering {
    async fn create_provider(
        &self,
        _request: Request<CreateProviderRequest>,
    ) -> Result<Response<CreateProviderResponse>, Status> {
        self.db
            .unit_of_work(|txn| {
                Box::pin(async move {
                    outbox::enqueue(
                        txn,
                        "providers.provider_registered",
                        "platform",
                        "provider-1",
                        &ProviderRegistered::default(),
                    )
                    .await
                })
            })
            .await?;
        Ok(Response::new(CreateProviderResponse::default()))
    }
}

/// Notes the trace the consumer's span belongs to.
#[derive(Default)]
struct TraceWitness {
    seen: Mutex<Vec<(Option<String>, Option<String>)>>,
}

impl EventHandler for TraceWitness {
    async fn handle(&self, event: &InboundEvent) -> Result<(), HandlerError> {
        self.seen.lock().expect("lock").push((event.traceparent.clone(), current_trace_id()));
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trace_id_survives_grpc_outbox_nats_and_the_consumer() {
    init_tracing();
    let database = PostgresDatabase::create().await;
    let db = database.connect::<PlatformMigrator>().await;
    let nats = nats_bus(isolated_events_config()).await;
    let bus = EventBus::Nats(nats.clone());
    let witness = Arc::new(TraceWitness::default());
    let _consumer = bus
        .consume(ConsumerSpec { name: "witness".into(), pattern: "platform.providers.*".into() }, witness.clone())
        .await
        .expect("consumer");
    let _relay = Relay::new(db.clone(), Arc::new(bus), Duration::from_millis(50)).spawn();
    let mut routes = tonic::service::RoutesBuilder::default();
    routes.add_service(authenticated(
        ProvidersServiceServer::new(Registering { db: db.clone() }),
        &authenticator(),
        CREATE_PROVIDER,
    ));
    let server = platform::grpc::start(&options(), routes.routes(), &[SERVICE_NAME]).await.expect("server");

    // The caller's span belongs to a trace that began elsewhere (a web front end, say).
    let trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
    let caller = tracing::info_span!("caller");
    set_remote_parent(&caller, Some(&format!("00-{trace_id}-00f067aa0ba902b7-01")));
    let mut request = with_token(CreateProviderRequest::default(), &token("u", "charity-1", &[Role::Provider]));
    caller.in_scope(|| inject_traceparent(request.metadata_mut()));
    let sent = request.metadata().get("traceparent").and_then(|value| value.to_str().ok()).map(str::to_owned);
    assert_eq!(sent.as_deref().and_then(trace_id_of), Some(trace_id), "the call carries the caller's trace");
    ProvidersServiceClient::new(channel(server.local_addr()).await)
        .create_provider(request)
        .await
        .expect("call succeeds");

    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while witness.seen.lock().expect("lock").is_empty() {
        assert!(tokio::time::Instant::now() < deadline, "the event never reached the consumer");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (header, consumer_trace) = witness.seen.lock().expect("lock")[0].clone();
    let header = header.expect("the NATS message carries a traceparent");
    assert_eq!(trace_id_of(&header), Some(trace_id), "NATS header {header}");
    assert_eq!(consumer_trace.as_deref(), Some(trace_id), "the consumer's span joined the caller's trace");

    server.shutdown().await.expect("stops");
    delete_stream(&nats).await;
    database.drop_database().await;
}
