//! The tendering service. Micro-tendering: tenders from templates, clarification questions, sealed bids, awards, contracts (micro and block), finance references and OCDS publication.
//!
//! `grpc` maps the contract (`commissioning.tendering.v1.TenderingService`) to the service. Calls not built
//! yet answer UNIMPLEMENTED.

pub mod grpc;

use std::sync::Arc;

use platform::runtime::{Service, ServiceRuntime};
use proto::commissioning::tendering::v1::tendering_service_server::TenderingServiceServer;

/// The tendering service on its runtime.
pub struct Tendering {
    runtime: Arc<ServiceRuntime>,
}

impl Service for Tendering {
    const NAME: &'static str = "tendering";
    const DEFAULT_PORT: u16 = 50063;
    const GRPC_NAME: &'static str = proto::commissioning::tendering::v1::tendering_service_server::SERVICE_NAME;
    type Migrator = platform::migrations::PlatformMigrator;

    async fn new(runtime: Arc<ServiceRuntime>) -> anyhow::Result<Self> {
        Ok(Self { runtime })
    }

    fn add_routes(&self, routes: &mut tonic::service::RoutesBuilder) {
        let limit = self.runtime.settings.grpc_max_message_bytes;
        let server = TenderingServiceServer::new(grpc::TenderingApi)
            .max_decoding_message_size(limit)
            .max_encoding_message_size(limit);
        routes.add_service(platform::grpc::authenticated(server, &self.runtime.authenticator));
    }
}
