//! `marketplace audit verify`, as an operator runs it: on the embedded default it reports each
//! service's log intact and vouched for by the signed checkpoints the running marketplace
//! published, and once a row is edited behind the service's back it names that row and exits
//! with status 1.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use marketplace::Marketplace;
use platform::auth::Role;
use platform::testing::{channel, with_token};
use proto::commissioning::common::v1::{OrgIdScheme, OrgIdentifier, PostalAddress};
use proto::commissioning::providers::v1::providers_service_client::ProvidersServiceClient;
use proto::commissioning::providers::v1::{CreateProviderRequest, IncomeBand, LegalForm, Provider};
use sea_orm::ConnectionTrait;

fn audit_verify(data_dir: &Path) -> (Option<i32>, String) {
    let output = std::process::Command::new(e2e::processes::binary("marketplace"))
        .args(["audit", "verify", "--data-dir"])
        .arg(data_dir)
        .output()
        .expect("runs");
    (
        output.status.code(),
        format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr)),
    )
}

async fn create_a_provider(addr: SocketAddr, data_dir: &Path) {
    let secret = platform::runtime::dev_secret(data_dir).expect("development secret");
    let claims = platform::testing::claims("amira", "platform", &[Role::Provider]);
    let token = platform::auth::mint_hs256(secret.as_bytes(), &claims).expect("sign");
    let provider = Provider {
        legal_name: "Audited Friends".into(),
        description: "Befriending for older people".into(),
        legal_form: LegalForm::RegisteredCharity as i32,
        identifiers: vec![OrgIdentifier { scheme: OrgIdScheme::GbChc as i32, value: "1100777".into() }],
        registered_address: Some(PostalAddress {
            line1: "1 Acre Lane".into(),
            town: "London".into(),
            postcode: "SW2 5SG".into(),
            ..Default::default()
        }),
        contact_email: "hello@example.org".into(),
        income_band: IncomeBand::From10kTo100k as i32,
        ..Default::default()
    };
    let request = CreateProviderRequest { request_id: "audited".into(), provider: Some(provider) };
    ProvidersServiceClient::new(channel(addr).await)
        .create_provider(with_token(request, &token))
        .await
        .expect("created");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_verify_reports_intact_logs_then_names_an_edited_row() {
    let files = tempfile::tempdir().expect("temporary folder");
    let mut settings = platform::config::Settings::defaults(0);
    settings.data_dir = files.path().to_path_buf();
    settings.grpc_listen_addr = SocketAddr::from(([127, 0, 0, 1], 0));
    settings.audit_check_interval_secs = 1;
    let marketplace = Marketplace::start(settings).await.expect("starts");
    create_a_provider(marketplace.local_addr(), files.path()).await;

    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let (status, text) = audit_verify(files.path());
        if text.contains("providers: the audit log is intact: 1 rows, 1 signed checkpoints matched") {
            assert_eq!(status, Some(0), "{text}");
            assert!(text.contains("tendering: the audit log is intact: 0 rows"), "{text}");
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "no checkpoint vouched for the provider's row: {text}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    marketplace.shutdown().await.expect("stops");

    let url = format!("sqlite://{}", files.path().join("providers.sqlite").display());
    let db = platform::db::Database::connect(&url, 1).await.expect("the providers database");
    for statement in ["DROP TRIGGER audit_log_no_update", "UPDATE audit_log SET actor = 'someone-else' WHERE seq = 1"] {
        db.conn().execute_unprepared(statement).await.expect("tampered");
    }
    let (status, text) = audit_verify(files.path());
    assert_eq!(status, Some(1), "{text}");
    assert!(text.contains("providers: the audit log is damaged: row 1: its contents do not match its hash"), "{text}");
    assert!(text.contains("compliance: the audit log is intact"), "the other logs are still checked: {text}");
}
