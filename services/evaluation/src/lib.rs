//! The evaluation service. Bid evaluation: the panel, independent scores, moderation, ranking, each bidder's evidence status and its assessment summary.
//!
//! `grpc` maps the contract (`commissioning.evaluation.v1.EvaluationService`) to the service. Calls not built
//! yet answer UNIMPLEMENTED.

pub mod domain;
pub mod grpc;

use std::sync::Arc;

use platform::runtime::{Service, ServiceRuntime};
use proto::commissioning::evaluation::v1::evaluation_service_server::EvaluationServiceServer;

/// The evaluation service on its runtime.
pub struct Evaluation {
    runtime: Arc<ServiceRuntime>,
}

impl Service for Evaluation {
    const NAME: &'static str = "evaluation";
    const DEFAULT_PORT: u16 = 50064;
    const GRPC_NAME: &'static str = proto::commissioning::evaluation::v1::evaluation_service_server::SERVICE_NAME;
    type Migrator = platform::migrations::PlatformMigrator;

    async fn new(runtime: Arc<ServiceRuntime>) -> anyhow::Result<Self> {
        Ok(Self { runtime })
    }

    fn add_routes(&self, routes: &mut tonic::service::RoutesBuilder) {
        let limit = self.runtime.settings.grpc_max_message_bytes;
        let server = EvaluationServiceServer::new(grpc::EvaluationApi)
            .max_decoding_message_size(limit)
            .max_encoding_message_size(limit);
        routes.add_service(platform::grpc::authenticated(server, &self.runtime.authenticator));
    }
}
