//! The providers service. Provider profiles: the small charities and community groups, the services they offer (what, where, capacity), their members, search, and the Open Referral UK export. Hears of published tenders and tells matching providers.
//!
//! `grpc` maps the contract (`commissioning.providers.v1.ProvidersService`) to the service. Calls not built
//! yet answer UNIMPLEMENTED.

pub mod grpc;

use std::sync::Arc;

use platform::runtime::{Service, ServiceRuntime};
use proto::commissioning::providers::v1::providers_service_server::ProvidersServiceServer;

/// The providers service on its runtime.
pub struct Providers {
    runtime: Arc<ServiceRuntime>,
}

impl Service for Providers {
    const NAME: &'static str = "providers";
    const DEFAULT_PORT: u16 = 50061;
    const GRPC_NAME: &'static str = proto::commissioning::providers::v1::providers_service_server::SERVICE_NAME;
    type Migrator = platform::migrations::PlatformMigrator;

    async fn new(runtime: Arc<ServiceRuntime>) -> anyhow::Result<Self> {
        Ok(Self { runtime })
    }

    fn add_routes(&self, routes: &mut tonic::service::RoutesBuilder) {
        let limit = self.runtime.settings.grpc_max_message_bytes;
        let server = ProvidersServiceServer::new(grpc::ProvidersApi)
            .max_decoding_message_size(limit)
            .max_encoding_message_size(limit);
        routes.add_service(platform::grpc::authenticated(server, &self.runtime.authenticator));
    }
}
