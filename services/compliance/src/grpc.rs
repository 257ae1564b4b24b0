//! The gRPC face of the compliance service: maps `commissioning.compliance.v1` messages to the service
//! and back. Every call not yet built answers UNIMPLEMENTED (the generated default).

use proto::commissioning::compliance::v1::compliance_service_server::ComplianceService;

/// Serves `ComplianceService`.
pub struct ComplianceApi;

#[tonic::async_trait]
impl ComplianceService for ComplianceApi {}
