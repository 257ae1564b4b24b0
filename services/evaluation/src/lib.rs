//! The evaluation service: a council panel (officers and resident members) scores each closed
//! tender's opened bids independently, a moderator agrees consensus scores, the bids are ranked with
//! each bidder's evidence status beside them, and after the award every bidder reads its assessment
//! summary.
//!
//! `domain` holds the scoring and ranking maths with no I/O, `store` (evaluations, sealed at rest)
//! and `awards` the database, `evidence` the bidders' evidence from compliance, `grpc` the contract
//! (`commissioning.evaluation.v1.EvaluationService`), `consumers` what it hears from tendering and
//! `events` what it publishes.

pub mod awards;
pub mod consumers;
pub mod domain;
pub mod events;
pub mod evidence;
pub mod grpc;
pub mod migrations;
pub mod store;
pub mod who_may_call;

use std::sync::Arc;

use platform::calls::{Peer, ServiceIdentity};
use platform::events::{ConsumerHandle, ConsumerSpec};
use platform::runtime::{Service, ServiceRuntime};
use platform::sealing::MasterKey;
use proto::commissioning::evaluation::v1::evaluation_service_server::EvaluationServiceServer;

/// The evaluation service on its runtime.
pub struct Evaluation {
    runtime: Arc<ServiceRuntime>,
    master: Arc<MasterKey>,
    tendering: Peer,
    compliance: Peer,
    // Held so the consumer runs as long as the service does.
    _tender_events: ConsumerHandle,
}

impl Evaluation {
    /// The tendering service, from which opened bids are fetched; the all-in-one points it at
    /// itself once it knows its address.
    pub fn tendering(&self) -> &Peer {
        &self.tendering
    }

    /// The compliance service, asked for bidders' evidence.
    pub fn compliance(&self) -> &Peer {
        &self.compliance
    }
}

impl Service for Evaluation {
    const NAME: &'static str = "evaluation";
    const DEFAULT_PORT: u16 = 50064;
    const GRPC_NAME: &'static str = proto::commissioning::evaluation::v1::evaluation_service_server::SERVICE_NAME;
    type Migrator = migrations::Migrator;

    async fn new(runtime: Arc<ServiceRuntime>) -> anyhow::Result<Self> {
        let settings = &runtime.settings;
        let master = MasterKey::from_settings(settings)?;
        let sealed = store::seal_clear_rows(&runtime.db, &master).await?;
        if sealed > 0 {
            tracing::info!(sealed, "evaluations stored in clear are now sealed");
        }
        let identity = Arc::new(ServiceIdentity::from_settings(Self::NAME, settings));
        let tendering = Peer::new("tendering", settings.tendering_url.clone(), identity.clone());
        let compliance = Peer::new("compliance", settings.compliance_url.clone(), identity);
        let handler = consumers::TenderEvents {
            db: runtime.db.clone(),
            master: master.clone(),
            tendering: tendering.clone(),
            compliance: compliance.clone(),
        };
        let tender_events = runtime
            .bus
            .consume(
                ConsumerSpec { name: consumers::TENDER_EVENTS.into(), pattern: "*.tendering.*".into() },
                Arc::new(handler),
            )
            .await?;
        Ok(Self { runtime, master, tendering, compliance, _tender_events: tender_events })
    }

    fn runtime(&self) -> &ServiceRuntime {
        &self.runtime
    }

    fn add_routes(&self, routes: &mut tonic::service::RoutesBuilder) {
        let limit = self.runtime.settings.grpc_max_message_bytes;
        let api = grpc::EvaluationApi::new(
            self.runtime.db.clone(),
            self.master.clone(),
            self.compliance.clone(),
            self.tendering.clone(),
        );
        let server =
            EvaluationServiceServer::new(api).max_decoding_message_size(limit).max_encoding_message_size(limit);
        routes.add_service(platform::grpc::authenticated(
            server,
            &self.runtime.authenticator,
            who_may_call::WHO_MAY_CALL,
        ));
    }
}
