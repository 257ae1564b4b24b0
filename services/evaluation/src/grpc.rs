//! The gRPC face of the evaluation service: maps `commissioning.evaluation.v1` messages to the service
//! and back. Every call not yet built answers UNIMPLEMENTED (the generated default).

use proto::commissioning::evaluation::v1::evaluation_service_server::EvaluationService;

/// Serves `EvaluationService`.
pub struct EvaluationApi;

#[tonic::async_trait]
impl EvaluationService for EvaluationApi {}
