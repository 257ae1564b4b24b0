//! Each service starts on PostgreSQL and NATS and serves health and reflection; the all-in-one
//! starts on the embedded default with no servers and serves all four on one port.

use std::net::SocketAddr;

use compliance::Compliance;
use evaluation::Evaluation;
use marketplace::Marketplace;
use platform::auth::Role;
use platform::runtime::Service;
use platform::testing::{TestApp, channel, health_status, reflected_services, token, with_token};
use proto::commissioning::tendering::v1::tendering_service_client::TenderingServiceClient;
use proto::commissioning::tendering::v1::{ListContractsRequest, ListTendersRequest};
use providers::Providers;
use tendering::Tendering;
use tonic::Code;
use tonic_health::pb::health_check_response::ServingStatus;

/// Starts `S` alone on a fresh PostgreSQL database and an isolated NATS stream, and checks what
/// any gRPC client can see of it.
async fn serves_alone_on_postgres_and_nats<S: Service>() {
    let app = TestApp::<S>::on_postgres().await;
    assert_eq!(health_status(app.addr(), S::GRPC_NAME).await, ServingStatus::Serving, "{}", S::NAME);
    let listed = reflected_services(app.addr()).await;
    assert!(listed.contains(&S::GRPC_NAME.to_owned()), "{}: {listed:?}", S::NAME);
    let refused = call_without_token(app.addr(), S::GRPC_NAME).await;
    assert_eq!(refused.code(), Code::Unauthenticated, "{}: {refused:?}", S::NAME);
    app.stop().await;
}

/// Any call to `service` with no token: the bearer check answers before the call is routed.
async fn call_without_token(addr: SocketAddr, service: &str) -> tonic::Status {
    let mut grpc = tonic::client::Grpc::new(channel(addr).await);
    grpc.ready().await.expect("channel ready");
    let path = format!("/{service}/AnyCall").parse().expect("path");
    grpc.unary::<(), (), _>(tonic::Request::new(()), path, tonic_prost::ProstCodec::default())
        .await
        .expect_err("refused")
}

#[tokio::test]
async fn each_service_serves_alone_on_postgres_and_nats() {
    serves_alone_on_postgres_and_nats::<Providers>().await;
    serves_alone_on_postgres_and_nats::<Compliance>().await;
    serves_alone_on_postgres_and_nats::<Tendering>().await;
    serves_alone_on_postgres_and_nats::<Evaluation>().await;
}

#[tokio::test]
async fn the_all_in_one_serves_every_service_on_the_embedded_default() {
    let files = tempfile::tempdir().expect("temporary folder");
    let mut settings = platform::config::Settings::defaults(0);
    settings.data_dir = files.path().to_path_buf();
    settings.grpc_listen_addr = SocketAddr::from(([127, 0, 0, 1], 0));
    let marketplace = Marketplace::start(settings).await.expect("starts with no configuration");
    let addr = marketplace.local_addr();

    let listed = reflected_services(addr).await;
    for name in [Providers::GRPC_NAME, Compliance::GRPC_NAME, Tendering::GRPC_NAME, Evaluation::GRPC_NAME] {
        assert_eq!(health_status(addr, name).await, ServingStatus::Serving, "{name}");
        assert!(listed.contains(&name.to_owned()), "{name} not in {listed:?}");
    }
    for file in ["providers.sqlite", "compliance.sqlite", "tendering.sqlite", "evaluation.sqlite", "events.sqlite"] {
        assert!(files.path().join(file).exists(), "{file} created in the data folder");
    }

    let mut tendering = TenderingServiceClient::new(channel(addr).await);
    // Contracts need a token (published tenders are open data, read without one).
    let refused = tendering.list_contracts(ListContractsRequest::default()).await.expect_err("no token");
    assert_eq!(refused.code(), Code::Unauthenticated);
    // A token signed with another secret is refused, even where none is needed; one from the data
    // folder's secret is not.
    let foreign = token("officer-1", "lambeth", &[Role::Officer]);
    let refused =
        tendering.list_tenders(with_token(ListTendersRequest::default(), &foreign)).await.expect_err("foreign");
    assert_eq!(refused.code(), Code::Unauthenticated);
    let secret = platform::runtime::dev_secret(files.path()).expect("development secret");
    let claims = platform::testing::claims("officer-1", "lambeth", &[Role::Officer]);
    let local = platform::auth::mint_hs256(secret.as_bytes(), &claims).expect("sign");
    let answer = tendering.list_tenders(with_token(ListTendersRequest::default(), &local)).await.expect("accepted");
    assert!(answer.into_inner().tenders.is_empty(), "a new marketplace has no tenders");
    assert!(files.path().join("bids-master.key").exists(), "the embedded default keeps its bid master key");

    marketplace.shutdown().await.expect("stops");
}

/// `--help` on a service's own binary says what it is and which settings it reads, and exits
/// without serving; an unknown argument is refused the same way.
#[test]
fn each_service_binary_prints_its_help_instead_of_serving() {
    for name in ["providers", "compliance", "tendering", "evaluation"] {
        let help = std::process::Command::new(e2e::processes::binary(name))
            .arg("--help")
            .env("DATA_DIR", "/nonexistent/never-created")
            .output()
            .expect("runs");
        let text = String::from_utf8_lossy(&help.stdout);
        assert!(help.status.success(), "{name} --help: {help:?}");
        assert!(text.contains(&format!("Usage: {name}")), "{name}: {text}");
        assert!(text.contains("DATABASE_URL") && text.contains("NATS_URL"), "{name} lists its settings: {text}");
        let mistyped = std::process::Command::new(e2e::processes::binary(name)).arg("--serve").output().expect("runs");
        assert_eq!(mistyped.status.code(), Some(2), "{name} --serve: {mistyped:?}");
    }
}

/// Every setting a service reads has its row in the README's configuration table.
#[test]
fn the_readme_documents_every_setting() {
    let readme = include_str!("../../../README.md");
    let missing: Vec<_> = platform::config::Settings::variable_names()
        .into_iter()
        .filter(|name| !readme.lines().any(|line| line.starts_with('|') && line.contains(&format!("`{name}`"))))
        .collect();
    assert!(missing.is_empty(), "settings missing from the README's configuration table: {missing:?}");
}

/// A request that is not a valid message of its call's type is the caller's mistake: every
/// service answers INVALID_ARGUMENT, never INTERNAL, whether a string holds bytes that are not
/// UTF-8 or a field comes with the wrong wire type, and goes on serving.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_that_does_not_decode_is_invalid_argument_on_every_service() {
    let files = tempfile::tempdir().expect("temporary folder");
    let mut settings = platform::config::Settings::defaults(0);
    settings.data_dir = files.path().to_path_buf();
    settings.grpc_listen_addr = SocketAddr::from(([127, 0, 0, 1], 0));
    let marketplace = Marketplace::start(settings).await.expect("starts");
    let addr = marketplace.local_addr();
    let secret = platform::runtime::dev_secret(files.path()).expect("development secret");
    let claims = platform::testing::claims("admin-1", "platform", &[Role::Admin]);
    let admin = platform::auth::mint_hs256(secret.as_bytes(), &claims).expect("sign");
    let calls = [
        "/commissioning.providers.v1.ProvidersService/GetProvider",
        "/commissioning.compliance.v1.ComplianceService/GetDocument",
        "/commissioning.tendering.v1.TenderingService/GetTender",
        "/commissioning.evaluation.v1.EvaluationService/GetEvaluation",
    ];
    for call in calls {
        // Field 1 of each request is a string id: bytes that are not UTF-8, then a number.
        let not_utf8 = FieldOneBytes { value: vec![0xff, 0xfe, 0x00] };
        let wrong_wire_type = FieldOneNumber { value: 7 };
        for status in [send_as(addr, call, not_utf8, &admin).await, send_as(addr, call, wrong_wire_type, &admin).await]
        {
            assert_eq!(status.code(), Code::InvalidArgument, "{call}: {status:?}");
            assert!(status.message().contains("could not be decoded as protobuf"), "{call}: {}", status.message());
        }
    }
    for name in [Providers::GRPC_NAME, Compliance::GRPC_NAME, Tendering::GRPC_NAME, Evaluation::GRPC_NAME] {
        assert_eq!(health_status(addr, name).await, ServingStatus::Serving, "{name} still serving");
    }
    marketplace.shutdown().await.expect("stops");
}

/// A message whose field 1 is bytes.
#[derive(Clone, PartialEq, prost::Message)]
struct FieldOneBytes {
    #[prost(bytes = "vec", tag = "1")]
    value: Vec<u8>,
}

/// A message whose field 1 is a number.
#[derive(Clone, PartialEq, prost::Message)]
struct FieldOneNumber {
    #[prost(uint64, tag = "1")]
    value: u64,
}

/// Sends `message` to `path` with `token`, returning the refusal.
async fn send_as<M: prost::Message + Default + Send + 'static>(
    addr: SocketAddr,
    path: &str,
    message: M,
    token: &str,
) -> tonic::Status {
    let mut grpc = tonic::client::Grpc::new(channel(addr).await);
    grpc.ready().await.expect("channel ready");
    let path = path.parse().expect("path");
    grpc.unary::<M, (), _>(with_token(message, token), path, tonic_prost::ProstCodec::default())
        .await
        .expect_err("refused")
}
