//! The gRPC face of the providers service: maps `commissioning.providers.v1` messages to the service
//! and back. Every call not yet built answers UNIMPLEMENTED (the generated default).

use proto::commissioning::providers::v1::providers_service_server::ProvidersService;

/// Serves `ProvidersService`.
pub struct ProvidersApi;

#[tonic::async_trait]
impl ProvidersService for ProvidersApi {}
