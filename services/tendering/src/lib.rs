//! The tendering service: micro-tenders from templates, clarification questions, sealed bids and
//! their opening at the deadline, awards checked against the evaluation and the winner's evidence,
//! contracts micro and block, the finance write-back, and open data.
//!
//! `domain` holds the rules with no I/O (thresholds and evidence bands with effective dates,
//! templates, what a tender and a bid must be), `sealing` the bid encryption, `store` the
//! database, `grpc` the contract (`commissioning.tendering.v1.TenderingService`), `events` what it
//! publishes, `consumers` what it hears and `scheduler` the moves at period ends.

pub mod consumers;
pub mod domain;
pub mod events;
pub mod grpc;
pub mod migrations;
pub mod ocds;
pub mod scheduler;
pub mod sealing;
pub mod store;
pub mod who_may_call;

use std::sync::Arc;
use std::time::Duration;

use platform::calls::{Peer, ServiceIdentity};
use platform::events::{ConsumerHandle, ConsumerSpec};
use platform::runtime::{Service, ServiceRuntime};
use proto::commissioning::tendering::v1::tendering_service_server::TenderingServiceServer;

use crate::domain::Rules;
use crate::sealing::MasterKey;

/// The tendering service on its runtime.
pub struct Tendering {
    runtime: Arc<ServiceRuntime>,
    rules: Arc<Rules>,
    master_key: Arc<MasterKey>,
    compliance: Peer,
    evaluation: Peer,
    scheduler: tokio::task::JoinHandle<()>,
    // Held so the consumers run as long as the service does.
    _consumers: [ConsumerHandle; 2],
}

impl Drop for Tendering {
    fn drop(&mut self) {
        self.scheduler.abort();
    }
}

impl Tendering {
    /// Makes every scheduled move that is due now (the scheduler also does this every
    /// `TENDERING_SCHEDULER_INTERVAL_MS`); returns how many it made.
    pub async fn run_scheduler(&self) -> Result<usize, platform::Error> {
        scheduler::tick(&self.runtime.db).await
    }

    /// The compliance service this one asks about a winner's evidence; the all-in-one points it at
    /// itself once it knows its address.
    pub fn compliance(&self) -> &Peer {
        &self.compliance
    }

    /// The evaluation service, asked for a completed evaluation whose event is late; the
    /// all-in-one points it at itself once it knows its address.
    pub fn evaluation(&self) -> &Peer {
        &self.evaluation
    }
}

impl Service for Tendering {
    const NAME: &'static str = "tendering";
    const DEFAULT_PORT: u16 = 50063;
    const GRPC_NAME: &'static str = proto::commissioning::tendering::v1::tendering_service_server::SERVICE_NAME;
    type Migrator = migrations::Migrator;

    async fn new(runtime: Arc<ServiceRuntime>) -> anyhow::Result<Self> {
        let settings = &runtime.settings;
        let rules = match &settings.tendering_rules_file {
            Some(path) => Rules::from_file(path),
            None => Rules::embedded(),
        }
        .map_err(|error| anyhow::anyhow!("TENDERING_RULES_FILE: {error}"))?;
        let master_key = MasterKey::from_settings(settings)?;
        let identity = Arc::new(ServiceIdentity::from_settings(Self::NAME, settings));
        let compliance = Peer::new("compliance", settings.compliance_url.clone(), identity.clone());
        let evaluation = Peer::new("evaluation", settings.evaluation_url.clone(), identity);
        let consumers = [
            runtime
                .bus
                .consume(
                    ConsumerSpec { name: consumers::PROVIDER_DIRECTORY.into(), pattern: "*.providers.*".into() },
                    Arc::new(consumers::ProviderDirectory { db: runtime.db.clone() }),
                )
                .await?,
            runtime
                .bus
                .consume(
                    ConsumerSpec { name: consumers::EVALUATION_RESULTS.into(), pattern: "*.evaluation.*".into() },
                    Arc::new(consumers::EvaluationResults { db: runtime.db.clone() }),
                )
                .await?,
        ];
        let interval = Duration::from_millis(settings.tendering_scheduler_interval_ms);
        let scheduler = scheduler::spawn(runtime.db.clone(), interval);
        Ok(Self {
            runtime,
            rules: Arc::new(rules),
            master_key,
            compliance,
            evaluation,
            scheduler,
            _consumers: consumers,
        })
    }

    fn runtime(&self) -> &ServiceRuntime {
        &self.runtime
    }

    fn add_routes(&self, routes: &mut tonic::service::RoutesBuilder) {
        let settings = &self.runtime.settings;
        let minimum_period = i64::try_from(settings.tendering_minimum_bid_period_secs).unwrap_or(i64::MAX);
        let setup = grpc::Setup {
            rules: self.rules.clone(),
            master_key: self.master_key.clone(),
            minimum_bid_period: chrono::Duration::seconds(minimum_period),
            ocid_prefix: settings.ocds_ocid_prefix.clone(),
            compliance: self.compliance.clone(),
            evaluation: self.evaluation.clone(),
        };
        let api = grpc::TenderingApi::new(self.runtime.db.clone(), setup);
        let limit = settings.grpc_max_message_bytes;
        let server = TenderingServiceServer::new(api).max_decoding_message_size(limit).max_encoding_message_size(limit);
        routes.add_service(platform::grpc::authenticated(
            server,
            &self.runtime.authenticator,
            who_may_call::WHO_MAY_CALL,
        ));
    }
}
