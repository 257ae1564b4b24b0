//! The compliance service. The tell-us-once evidence locker: compliance documents (insurance certificates, policies), their files, verification by councils, expiry, and the compliance check an award relies on.
//!
//! `grpc` maps the contract (`commissioning.compliance.v1.ComplianceService`) to the service. Calls not built
//! yet answer UNIMPLEMENTED.

pub mod domain;
pub mod grpc;

use std::sync::Arc;

use platform::runtime::{Service, ServiceRuntime};
use proto::commissioning::compliance::v1::compliance_service_server::ComplianceServiceServer;

/// The compliance service on its runtime.
pub struct Compliance {
    runtime: Arc<ServiceRuntime>,
}

impl Service for Compliance {
    const NAME: &'static str = "compliance";
    const DEFAULT_PORT: u16 = 50062;
    const GRPC_NAME: &'static str = proto::commissioning::compliance::v1::compliance_service_server::SERVICE_NAME;
    type Migrator = platform::migrations::PlatformMigrator;

    async fn new(runtime: Arc<ServiceRuntime>) -> anyhow::Result<Self> {
        Ok(Self { runtime })
    }

    fn add_routes(&self, routes: &mut tonic::service::RoutesBuilder) {
        let limit = self.runtime.settings.grpc_max_message_bytes;
        let server = ComplianceServiceServer::new(grpc::ComplianceApi)
            .max_decoding_message_size(limit)
            .max_encoding_message_size(limit);
        routes.add_service(platform::grpc::authenticated(server, &self.runtime.authenticator));
    }
}
