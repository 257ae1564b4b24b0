//! The compliance service: the tell-us-once evidence locker. Providers keep their compliance
//! documents (insurance certificates, policies) here once; councils verify them and rely on them.
//!
//! `domain` holds the rules (what counts as evidence, in plain English; what a file may be),
//! `files` the document files, `store` the database, `grpc` the contract
//! (`commissioning.compliance.v1.ComplianceService`) and `events` what it publishes. Built so far:
//! every call, and the expiry scheduler; the malware scan is still to come.

pub mod consumers;
pub mod domain;
pub mod events;
pub mod expiry;
pub mod files;
pub mod grpc;
pub mod locker;
pub mod migrations;
pub mod store;

use std::sync::Arc;

use platform::events::{ConsumerHandle, ConsumerSpec};
use platform::runtime::{Service, ServiceRuntime};
use proto::commissioning::compliance::v1::compliance_service_server::ComplianceServiceServer;

use crate::files::DocumentFiles;

/// The compliance service on its runtime.
pub struct Compliance {
    runtime: Arc<ServiceRuntime>,
    files: DocumentFiles,
    // Held so the consumer runs as long as the service does.
    _access: ConsumerHandle,
    expiry: tokio::task::JoinHandle<()>,
}

impl Drop for Compliance {
    fn drop(&mut self) {
        self.expiry.abort();
    }
}

impl Compliance {
    /// The document files, for checks that nothing stray was stored.
    pub fn files(&self) -> &DocumentFiles {
        &self.files
    }
}

impl Service for Compliance {
    const NAME: &'static str = "compliance";
    const DEFAULT_PORT: u16 = 50062;
    const GRPC_NAME: &'static str = proto::commissioning::compliance::v1::compliance_service_server::SERVICE_NAME;
    type Migrator = migrations::Migrator;

    async fn new(runtime: Arc<ServiceRuntime>) -> anyhow::Result<Self> {
        let files = DocumentFiles::in_folder(&runtime.settings.data_dir.join("documents"))?;
        let access = runtime
            .bus
            .consume(
                ConsumerSpec { name: consumers::ACCESS_TRACKER.into(), pattern: "*.tendering.*".into() },
                Arc::new(consumers::AccessTracker { db: runtime.db.clone() }),
            )
            .await?;
        let expiry = expiry::spawn(runtime.db.clone());
        Ok(Self { runtime, files, _access: access, expiry })
    }

    fn add_routes(&self, routes: &mut tonic::service::RoutesBuilder) {
        let settings = &self.runtime.settings;
        let api = grpc::ComplianceApi::new(self.runtime.db.clone(), self.files.clone(), settings.documents_max_bytes);
        // A chunk message is at most 1 MiB plus framing; the whole file is capped separately.
        let limit = settings.grpc_max_message_bytes;
        let server =
            ComplianceServiceServer::new(api).max_decoding_message_size(limit).max_encoding_message_size(limit);
        routes.add_service(platform::grpc::authenticated(server, &self.runtime.authenticator));
    }
}
