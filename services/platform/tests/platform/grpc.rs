//! A started server answers health checks and lists its services by reflection without a token,
//! refuses its own calls without one (but for those open to anyone), or from a caller without a
//! role the call serves, or when the call has no access rule, and stops gracefully.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use platform::auth::{Authenticator, Role, Who, WhoMayCall};
use platform::grpc::{ServerOptions, authenticated};
use platform::testing::{
    TEST_AUDIENCE, TEST_ISSUER, TEST_SECRET, channel, health_status, reflected_services, token, with_token,
};
use proto::commissioning::providers::v1::providers_service_client::ProvidersServiceClient;
use proto::commissioning::providers::v1::providers_service_server::{
    ProvidersService, ProvidersServiceServer, SERVICE_NAME,
};
use proto::commissioning::providers::v1::{
    AddServiceRequest, GetProviderRequest, ListServicesRequest, SearchProvidersRequest,
};
use tonic::Code;
use tonic_health::pb::health_check_response::ServingStatus;

/// The providers contract with every call left UNIMPLEMENTED.
struct Unbuilt;

#[tonic::async_trait]
impl ProvidersService for Unbuilt {}

/// Access rules for the tests: one open call, one for any caller, one for providers.
const RULES: WhoMayCall =
    &[("SearchProviders", Who::Anyone), ("GetProvider", Who::AnyCaller), ("AddService", Who::Roles(&[Role::Provider]))];

pub fn options() -> ServerOptions {
    ServerOptions {
        listen_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        request_timeout: Duration::from_secs(10),
        concurrency_limit: 16,
    }
}

pub fn authenticator() -> Arc<Authenticator> {
    Arc::new(Authenticator::hs256(TEST_SECRET.as_bytes(), TEST_ISSUER, TEST_AUDIENCE, Duration::from_secs(5)))
}

#[tokio::test]
async fn health_and_reflection_are_open_and_the_service_needs_a_token() {
    let mut routes = tonic::service::RoutesBuilder::default();
    routes.add_service(authenticated(ProvidersServiceServer::new(Unbuilt), &authenticator(), RULES));
    let server = platform::grpc::start(&options(), routes.routes(), &[SERVICE_NAME]).await.expect("server starts");
    let addr = server.local_addr();

    assert_eq!(health_status(addr, "").await, ServingStatus::Serving);
    assert_eq!(health_status(addr, SERVICE_NAME).await, ServingStatus::Serving);
    let services = reflected_services(addr).await;
    assert!(services.contains(&SERVICE_NAME.to_owned()), "{services:?}");
    assert!(services.contains(&"grpc.health.v1.Health".to_owned()), "{services:?}");
    assert!(
        !services.iter().any(|name| name.contains("TenderingService")),
        "only what is served is listed: {services:?}"
    );

    let mut client = ProvidersServiceClient::new(channel(addr).await);
    let refused = client.get_provider(GetProviderRequest::default()).await.expect_err("no token");
    assert_eq!(refused.code(), Code::Unauthenticated);
    assert!(refused.message().contains("bearer token"), "{}", refused.message());
    let garbage =
        client.get_provider(with_token(GetProviderRequest::default(), "not-a-jwt")).await.expect_err("bad token");
    assert_eq!(garbage.code(), Code::Unauthenticated);
    let signed = token("officer-1", "lambeth", &[Role::Officer]);
    let unbuilt = client.get_provider(with_token(GetProviderRequest::default(), &signed)).await.expect_err("not built");
    assert_eq!(unbuilt.code(), Code::Unimplemented);

    server.shutdown().await.expect("stops gracefully");
    assert!(tonic::transport::Endpoint::from_shared(format!("http://{addr}")).expect("uri").connect().await.is_err());
}

#[tokio::test]
async fn each_call_admits_only_whom_its_rule_names() {
    let mut routes = tonic::service::RoutesBuilder::default();
    routes.add_service(authenticated(ProvidersServiceServer::new(Unbuilt), &authenticator(), RULES));
    let server = platform::grpc::start(&options(), routes.routes(), &[SERVICE_NAME]).await.expect("server starts");
    let mut client = ProvidersServiceClient::new(channel(server.local_addr()).await);

    let open = client.search_providers(SearchProvidersRequest::default()).await.expect_err("not built");
    assert_eq!(open.code(), Code::Unimplemented, "it reached the service without a token: {open:?}");
    let closed = client.get_provider(GetProviderRequest::default()).await.expect_err("no token");
    assert_eq!(closed.code(), Code::Unauthenticated);
    let checked = client
        .search_providers(with_token(SearchProvidersRequest::default(), "not-a-jwt"))
        .await
        .expect_err("a token that is sent is checked");
    assert_eq!(checked.code(), Code::Unauthenticated);
    assert!(checked.message().contains("sign in again"), "{}", checked.message());

    let officer = token("officer-1", "lambeth", &[Role::Officer]);
    let refused = client.add_service(with_token(AddServiceRequest::default(), &officer)).await.expect_err("refused");
    assert_eq!(refused.code(), Code::PermissionDenied, "{refused:?}");
    assert!(refused.message().contains("needs the provider role"), "{}", refused.message());
    let provider = token("volunteer-1", "age-uk-lambeth", &[Role::Provider]);
    let admitted =
        client.add_service(with_token(AddServiceRequest::default(), &provider)).await.expect_err("not built");
    assert_eq!(admitted.code(), Code::Unimplemented, "{admitted:?}");
    let admin = token("admin-1", "platform", &[Role::Admin]);
    let admitted = client.add_service(with_token(AddServiceRequest::default(), &admin)).await.expect_err("not built");
    assert_eq!(admitted.code(), Code::Unimplemented, "admins may make any call: {admitted:?}");

    let unruled = client.list_services(with_token(ListServicesRequest::default(), &admin)).await.expect_err("closed");
    assert_eq!(unruled.code(), Code::PermissionDenied, "a call without a rule is closed: {unruled:?}");
    assert!(unruled.message().contains("ListServices has no access rule"), "{}", unruled.message());
    server.shutdown().await.expect("stops gracefully");
}

/// The files reflection answers `request` with, as a client such as grpcurl asks when it meets a
/// type it does not know (the error details in a status, say) and then each file it imports.
async fn reflected_files(
    addr: SocketAddr,
    request: tonic_reflection::pb::v1::server_reflection_request::MessageRequest,
) -> Vec<prost_types::FileDescriptorProto> {
    use prost::Message;
    use tonic_reflection::pb::v1::ServerReflectionRequest;
    use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
    use tonic_reflection::pb::v1::server_reflection_response::MessageResponse;
    let request = ServerReflectionRequest { host: String::new(), message_request: Some(request.clone()) };
    let mut responses = ServerReflectionClient::new(channel(addr).await)
        .server_reflection_info(tokio_stream::iter([request]))
        .await
        .expect("reflection")
        .into_inner();
    let response = responses.message().await.expect("an answer").expect("one answer");
    match response.message_response {
        Some(MessageResponse::FileDescriptorResponse(files)) => files
            .file_descriptor_proto
            .iter()
            .map(|bytes| prost_types::FileDescriptorProto::decode(bytes.as_slice()).expect("a file"))
            .collect(),
        other => panic!("reflection answered {other:?}"),
    }
}

#[tokio::test]
async fn reflection_serves_the_error_details_so_clients_can_decode_them() {
    use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
    let mut routes = tonic::service::RoutesBuilder::default();
    routes.add_service(authenticated(ProvidersServiceServer::new(Unbuilt), &authenticator(), RULES));
    let server = platform::grpc::start(&options(), routes.routes(), &[SERVICE_NAME]).await.expect("server starts");
    let addr = server.local_addr();
    for symbol in ["BadRequest", "PreconditionFailure", "ErrorInfo"] {
        let files = reflected_files(addr, MessageRequest::FileContainingSymbol(format!("google.rpc.{symbol}"))).await;
        let file = files.iter().find(|file| file.package() == "google.rpc").expect("the google.rpc file");
        assert!(file.message_type.iter().any(|message| message.name() == symbol), "{symbol} in {}", file.name());
        for import in &file.dependency {
            let imported = reflected_files(addr, MessageRequest::FileByFilename(import.clone())).await;
            assert!(imported.iter().any(|file| file.name() == import), "{import}, imported by {}", file.name());
        }
    }
    server.shutdown().await.expect("stops gracefully");
}
