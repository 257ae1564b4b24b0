//! The compliance service: the tell-us-once evidence locker. Providers keep their compliance
//! documents (insurance certificates, policies) here once; councils verify them and rely on them.
//!
//! `domain` holds the rules (what counts as evidence, in plain English; what a file may be),
//! `files` the document files, `store` the database, `grpc` the contract
//! (`commissioning.compliance.v1.ComplianceService`), `events` what it publishes and `consumers`
//! what it hears; `expiry` and `rescan` are its schedulers, `scan` the malware scanner's client.

pub mod consumers;
pub mod domain;
pub mod events;
pub mod expiry;
pub mod files;
pub mod grpc;
pub mod locker;
pub mod migrations;
pub mod rescan;
pub mod scan;
pub mod store;
pub mod who_may_call;

use std::sync::Arc;

use platform::events::{ConsumerHandle, ConsumerSpec};
use platform::runtime::{Service, ServiceRuntime};
use proto::commissioning::compliance::v1::compliance_service_server::ComplianceServiceServer;

use crate::files::DocumentFiles;
use crate::scan::Scanner;

/// The compliance service on its runtime.
pub struct Compliance {
    runtime: Arc<ServiceRuntime>,
    files: DocumentFiles,
    // Held so the consumers run as long as the service does.
    _access: ConsumerHandle,
    _staff: ConsumerHandle,
    expiry: tokio::task::JoinHandle<()>,
    rescans: tokio::task::JoinHandle<()>,
    scanner: Scanner,
}

impl Drop for Compliance {
    fn drop(&mut self) {
        self.expiry.abort();
        self.rescans.abort();
    }
}

impl Compliance {
    /// The document files, for checks that nothing stray was stored.
    pub fn files(&self) -> &DocumentFiles {
        &self.files
    }

    /// Scans the documents left pending while the scanner was down, now rather than at the next
    /// minute; returns how many it moved.
    pub async fn rescan_pending(&self) -> Result<usize, platform::Error> {
        rescan::rescan_pending(&self.runtime.db, &self.files, &self.scanner).await
    }
}

impl Service for Compliance {
    const NAME: &'static str = "compliance";
    const DEFAULT_PORT: u16 = 50062;
    const GRPC_NAME: &'static str = proto::commissioning::compliance::v1::compliance_service_server::SERVICE_NAME;
    type Migrator = migrations::Migrator;

    async fn new(runtime: Arc<ServiceRuntime>) -> anyhow::Result<Self> {
        let files = DocumentFiles::from_settings(&runtime.settings)?;
        let access = runtime
            .bus
            .consume(
                ConsumerSpec { name: consumers::ACCESS_TRACKER.into(), pattern: "*.tendering.*".into() },
                Arc::new(consumers::AccessTracker { db: runtime.db.clone() }),
            )
            .await?;
        let staff = runtime
            .bus
            .consume(
                ConsumerSpec { name: consumers::STAFF_TRACKER.into(), pattern: "*.providers.*".into() },
                Arc::new(consumers::StaffTracker { db: runtime.db.clone() }),
            )
            .await?;
        let expiry = expiry::spawn(runtime.db.clone());
        let scanner = Scanner::new(runtime.settings.clamd_address.clone());
        let rescans = rescan::spawn(runtime.db.clone(), files.clone(), scanner.clone());
        Ok(Self { runtime, files, _access: access, _staff: staff, expiry, rescans, scanner })
    }

    fn runtime(&self) -> &ServiceRuntime {
        &self.runtime
    }

    fn add_routes(&self, routes: &mut tonic::service::RoutesBuilder) {
        let settings = &self.runtime.settings;
        let api = grpc::ComplianceApi::new(
            self.runtime.db.clone(),
            self.files.clone(),
            settings.documents_max_bytes,
            self.scanner.clone(),
        );
        // A chunk message is at most 1 MiB plus framing; the whole file is capped separately.
        let limit = settings.grpc_max_message_bytes;
        let server =
            ComplianceServiceServer::new(api).max_decoding_message_size(limit).max_encoding_message_size(limit);
        routes.add_service(platform::grpc::authenticated(
            server,
            &self.runtime.authenticator,
            who_may_call::WHO_MAY_CALL,
        ));
    }
}
