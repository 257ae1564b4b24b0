//! The providers service: the profiles of the small charities and community groups that deliver
//! services, the services they offer (what, where, capacity), their members, search, and the Open
//! Referral UK export. It keeps the tenders taking bids and tells providers of those that fit,
//! and keeps each provider's evidence status from the compliance service's events.
//!
//! `domain` holds the validated types and rules (no I/O), `store` the database, `grpc` the
//! contract (`commissioning.providers.v1.ProvidersService`), `events` what it publishes and
//! `consumers` what it hears.

pub mod access;
pub mod consumers;
pub mod domain;
pub mod events;
pub mod grpc;
pub mod matcher;
pub mod migrations;
pub mod openreferral;
pub mod store;
pub mod who_may_call;

use std::sync::Arc;

use platform::events::{ConsumerHandle, ConsumerSpec};
use platform::runtime::{Service, ServiceRuntime};
use proto::commissioning::providers::v1::providers_service_server::ProvidersServiceServer;

use crate::consumers::{EVIDENCE_TRACKER, EvidenceTracker, TENDER_MATCHER, TenderMatcher};

/// The providers service on its runtime.
pub struct Providers {
    runtime: Arc<ServiceRuntime>,
    // Held so the consumers run as long as the service does.
    _consumers: Vec<ConsumerHandle>,
}

impl Service for Providers {
    const NAME: &'static str = "providers";
    const DEFAULT_PORT: u16 = 50061;
    const GRPC_NAME: &'static str = proto::commissioning::providers::v1::providers_service_server::SERVICE_NAME;
    type Migrator = migrations::Migrator;

    async fn new(runtime: Arc<ServiceRuntime>) -> anyhow::Result<Self> {
        let db = runtime.db.clone();
        let tenders = runtime
            .bus
            .consume(
                ConsumerSpec { name: TENDER_MATCHER.into(), pattern: "*.tendering.*".into() },
                Arc::new(TenderMatcher { db: db.clone() }),
            )
            .await?;
        let evidence = runtime
            .bus
            .consume(
                ConsumerSpec { name: EVIDENCE_TRACKER.into(), pattern: "platform.compliance.*".into() },
                Arc::new(EvidenceTracker { db }),
            )
            .await?;
        Ok(Self { runtime, _consumers: vec![tenders, evidence] })
    }

    fn runtime(&self) -> &ServiceRuntime {
        &self.runtime
    }

    fn add_routes(&self, routes: &mut tonic::service::RoutesBuilder) {
        let limit = self.runtime.settings.grpc_max_message_bytes;
        let server = ProvidersServiceServer::new(grpc::ProvidersApi::new(self.runtime.db.clone()))
            .max_decoding_message_size(limit)
            .max_encoding_message_size(limit);
        routes.add_service(platform::grpc::authenticated(
            server,
            &self.runtime.authenticator,
            who_may_call::WHO_MAY_CALL,
        ));
    }
}
