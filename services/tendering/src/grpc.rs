//! The gRPC face of the tendering service: maps `commissioning.tendering.v1` messages to the service
//! and back. Every call not yet built answers UNIMPLEMENTED (the generated default).

use proto::commissioning::tendering::v1::tendering_service_server::TenderingService;

/// Serves `TenderingService`.
pub struct TenderingApi;

#[tonic::async_trait]
impl TenderingService for TenderingApi {}
