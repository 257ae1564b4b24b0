//! The malware scan through gRPC against a clamd speaking INSTREAM on loopback. This machine cannot
//! fetch ClamAV's signature database, so the scanner here is a stand-in that speaks clamd's wire
//! protocol and flags the EICAR test string, as clamd does; while "down" it drops connections
//! without a verdict, as a crashed clamd would.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use platform::auth::Role;
use platform::testing::{token, with_token};
use platform::time::london_today;
use proto::commissioning::common::v1::{DocumentKind, EvidenceRequirement, RequirementStatus};
use proto::commissioning::compliance::v1::{
    CheckComplianceRequest, DocumentStatus, GetDocumentRequest, ListDocumentsRequest,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tonic::Code;

use super::support::{App, certificate, client, member_of, on, pdf};

/// The standard antivirus test string; every scanner reports it.
const EICAR: &[u8] = br"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

/// A clamd on a free loopback port.
struct Clamd {
    address: String,
    down: Arc<AtomicBool>,
    scans: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Clamd {
    async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        let address = listener.local_addr().expect("bound").to_string();
        let (down, scans) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicUsize::new(0)));
        let (is_down, counted) = (down.clone(), scans.clone());
        let task = tokio::spawn(async move {
            while let Ok((connection, _)) = listener.accept().await {
                if is_down.load(Ordering::SeqCst) {
                    continue; // dropped unanswered
                }
                counted.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(answer(connection));
            }
        });
        Self { address, down, scans, task }
    }
}

impl Drop for Clamd {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Reads `zINSTREAM\0` and the length-prefixed chunks, then answers as clamd does.
async fn answer(mut connection: TcpStream) {
    let mut command = [0u8; 10];
    connection.read_exact(&mut command).await.expect("command");
    assert_eq!(&command, b"zINSTREAM\0");
    let mut file = Vec::new();
    loop {
        let length = connection.read_u32().await.expect("chunk length");
        if length == 0 {
            break;
        }
        let mut chunk = vec![0; usize::try_from(length).expect("length")];
        connection.read_exact(&mut chunk).await.expect("chunk");
        file.extend_from_slice(&chunk);
    }
    let infected = file.windows(EICAR.len()).any(|window| window == EICAR);
    let reply: &[u8] = if infected { b"stream: Eicar-Test-Signature FOUND\0" } else { b"stream: OK\0" };
    connection.write_all(reply).await.expect("reply");
}

fn infected_pdf() -> Vec<u8> {
    let mut bytes = pdf();
    bytes.extend_from_slice(EICAR);
    bytes
}

async fn stored_documents(app: &App) -> usize {
    let request = ListDocumentsRequest { provider_id: "charity-1".into(), ..Default::default() };
    let listed = client(app).await.list_documents(with_token(request, &member_of("charity-1"))).await;
    listed.expect("listed").into_inner().documents.len()
}

async fn clean_files_pass_and_infected_files_are_refused_unstored(app: App, clamd: Clamd) {
    let provider = member_of("charity-1");
    let clean = super::support::upload(&app, &provider, certificate("charity-1", "clean"), &pdf()).await;
    assert_eq!(clean.expect("clean file stored").status(), DocumentStatus::Submitted);
    let refused = super::support::upload(&app, &provider, certificate("charity-1", "bad"), &infected_pdf()).await;
    let refused = refused.expect_err("malware refused");
    assert_eq!(refused.code(), Code::InvalidArgument);
    assert!(refused.message().contains("Eicar-Test-Signature"), "{}", refused.message());
    assert_eq!(clamd.scans.load(Ordering::SeqCst), 2, "both files went to the scanner");
    assert_eq!(stored_documents(&app).await, 1, "no row for the infected file");
    assert_eq!(app.service.files().keys().await.expect("files").len(), 1, "no object for the infected file");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scanning_uploads_on_postgres_and_nats() {
    let clamd = Clamd::start().await;
    let address = clamd.address.clone();
    let app = App::on_postgres_with(|settings| settings.clamd_address = Some(address)).await;
    clean_files_pass_and_infected_files_are_refused_unstored(app, clamd).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scanning_uploads_on_sqlite_and_the_embedded_log() {
    let clamd = Clamd::start().await;
    let address = clamd.address.clone();
    let app = App::on_sqlite_with(|settings| settings.clamd_address = Some(address)).await;
    clean_files_pass_and_infected_files_are_refused_unstored(app, clamd).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_scanner_down_documents_wait_and_never_count_until_scanned() {
    let clamd = Clamd::start().await;
    let address = clamd.address.clone();
    let app = App::on_postgres_with(|settings| settings.clamd_address = Some(address)).await;
    let provider = member_of("charity-1");
    clamd.down.store(true, Ordering::SeqCst);
    let clean = super::support::upload(&app, &provider, certificate("charity-1", "clean"), &pdf()).await;
    let clean = clean.expect("kept while the scanner is down");
    assert_eq!(clean.status(), DocumentStatus::PendingScan);
    let infected = super::support::upload(&app, &provider, certificate("charity-1", "bad"), &infected_pdf()).await;
    let infected = infected.expect("kept while the scanner is down");
    assert_eq!(infected.status(), DocumentStatus::PendingScan);

    let officer = token("olu", "lambeth", &[Role::Officer]);
    let requirement = EvidenceRequirement { kind: DocumentKind::PublicLiabilityInsurance as i32, ..Default::default() };
    let check = CheckComplianceRequest {
        provider_id: "charity-1".into(),
        requirements: vec![requirement],
        on_date: on(london_today()),
        tender_id: String::new(),
    };
    let response = client(&app).await.check_compliance(with_token(check, &officer)).await.expect("checked");
    let result = &response.get_ref().results[0];
    assert_eq!(result.status(), RequirementStatus::AwaitingVerification, "{result:?}");
    assert!(!response.get_ref().all_met, "an unscanned document never counts");

    // Still down: nothing moves.
    assert_eq!(app.service.rescan_pending().await.expect("rescan"), 0);
    clamd.down.store(false, Ordering::SeqCst);
    assert_eq!(app.service.rescan_pending().await.expect("rescan"), 2);
    assert_eq!(app.service.rescan_pending().await.expect("rescan"), 0, "each decided once");

    let get = |id: &str| with_token(GetDocumentRequest { document_id: id.into() }, &provider);
    let passed = client(&app).await.get_document(get(&clean.id)).await.expect("found").into_inner();
    assert_eq!(passed.document.expect("document").status(), DocumentStatus::Submitted);
    let caught = client(&app).await.get_document(get(&infected.id)).await.expect("found").into_inner();
    let caught = caught.document.expect("document");
    assert_eq!(caught.status(), DocumentStatus::Rejected);
    assert!(caught.rejection.expect("rejection").reason.contains("Eicar-Test-Signature"));
    assert_eq!(app.service.files().keys().await.expect("files").len(), 1, "the infected file is deleted");
    // Two uploads and two scan decisions.
    assert_eq!(app.audit_rows().await, 4);
    app.stop().await;
}
