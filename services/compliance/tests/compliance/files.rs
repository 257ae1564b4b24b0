//! Each file rule refuses with the right code and stores nothing (no row, no file); a download
//! gives back exactly the bytes uploaded; only the provider's members reach its locker.

use std::time::Duration;

use platform::testing::with_token;
use proto::commissioning::compliance::v1::download_document_response::Payload;
use proto::commissioning::compliance::v1::{DownloadDocumentRequest, GetDocumentRequest, UploadDocumentMetadata};
use sha2::{Digest, Sha256};
use tonic::Code;

use super::s3::S3Server;
use super::support::{App, certificate, client, member_of, messages, nothing_stored, pdf, upload};

async fn every_bad_file_is_refused_and_nothing_is_stored(app: App) {
    let token = member_of("charity-1");
    let mut elf = b"\x7fELF\x02\x01\x01\x00".to_vec();
    elf.resize(256, 0);
    let mut exe = b"MZ\x90\x00\x03\x00\x00\x00".to_vec();
    exe.resize(256, 0);
    let cases: [(&str, Vec<u8>); 6] = [
        ("an ELF program renamed .pdf", elf),
        ("a Windows program renamed .pdf", exe),
        ("an HTML page", b"<!DOCTYPE html><html><body>certificate</body></html>".to_vec()),
        ("an SVG with a script", b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".to_vec()),
        ("a shell script", b"#!/bin/sh\nrm -rf /\n".to_vec()),
        ("an empty file", Vec::new()),
    ];
    for (case, bytes) in cases {
        let refused = upload(&app, &token, certificate("charity-1", case), &bytes).await.expect_err(case);
        assert_eq!(refused.code(), Code::InvalidArgument, "{case}: {refused:?}");
        assert!(refused.message().contains("PDF, PNG"), "{case}: says what is accepted: {}", refused.message());
    }
    let cap = 20 * 1024 * 1024;
    let mut too_big = pdf();
    too_big.resize(cap + 1, b' ');
    let refused = upload(&app, &token, certificate("charity-1", "big"), &too_big).await.expect_err("over the cap");
    assert_eq!(refused.code(), Code::ResourceExhausted);
    let mut declared = certificate("charity-1", "declared");
    declared.size_bytes = i64::try_from(cap + 1).expect("size");
    let refused = upload(&app, &token, declared, &pdf()).await.expect_err("declared over the cap");
    assert_eq!(refused.code(), Code::ResourceExhausted);
    let mut at_cap = pdf();
    at_cap.resize(cap, b' ');
    let mut wrong_hash = certificate("charity-1", "hash");
    wrong_hash.sha256_hex = "0".repeat(64);
    let refused = upload(&app, &token, wrong_hash, &at_cap).await.expect_err("hash differs");
    assert_eq!(refused.code(), Code::InvalidArgument);
    nothing_stored(&app, "charity-1").await;

    // A stream cut off half-way: the client goes away after the metadata and the first of two
    // chunks (which alone still starts like a PDF).
    let mut two_chunks = pdf();
    two_chunks.resize(1536 * 1024, b' ');
    let (sender, receiver) = tokio::sync::mpsc::channel(4);
    let cut = UploadDocumentMetadata {
        size_bytes: i64::try_from(two_chunks.len()).expect("size"),
        ..certificate("charity-1", "cut")
    };
    for message in messages(cut, &two_chunks).into_iter().take(2) {
        sender.send(message).await.expect("queued");
    }
    let mut cut_client = client(&app).await;
    let call = tokio::spawn(async move {
        cut_client
            .upload_document(with_token(tokio_stream::wrappers::ReceiverStream::new(receiver), &member_of("charity-1")))
            .await
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    // The connection goes with the client; the stream never reached its end, or, where the
    // transport reports a clean end, the declared size shows the file is incomplete.
    call.abort();
    tokio::time::sleep(Duration::from_millis(300)).await;
    nothing_stored(&app, "charity-1").await;
    drop(sender);

    // A file exactly at the cap is accepted.
    let document = upload(&app, &token, certificate("charity-1", "at-cap"), &at_cap).await.expect("at the cap");
    assert_eq!(document.file.expect("file").size_bytes, i64::try_from(cap).expect("size"));
    app.stop().await;
}

#[tokio::test]
async fn file_rules_on_postgres() {
    every_bad_file_is_refused_and_nothing_is_stored(App::on_postgres().await).await;
}

#[tokio::test]
async fn file_rules_on_sqlite() {
    every_bad_file_is_refused_and_nothing_is_stored(App::on_sqlite().await).await;
}

#[tokio::test]
async fn file_rules_on_s3_compatible_storage() {
    let s3 = S3Server::start().await;
    every_bad_file_is_refused_and_nothing_is_stored(App::on_postgres_with(|settings| s3.configure(settings)).await)
        .await;
}

#[tokio::test]
async fn downloads_from_a_local_folder() {
    a_download_gives_back_the_bytes_and_their_hash_and_only_to_the_provider(App::on_postgres().await).await;
}

#[tokio::test]
async fn downloads_from_s3_compatible_storage() {
    let s3 = S3Server::start().await;
    let app = App::on_postgres_with(|settings| s3.configure(settings)).await;
    a_download_gives_back_the_bytes_and_their_hash_and_only_to_the_provider(app).await;
}

async fn a_download_gives_back_the_bytes_and_their_hash_and_only_to_the_provider(app: App) {
    let token = member_of("charity-1");
    let bytes = pdf();
    let document = upload(&app, &token, certificate("charity-1", "first"), &bytes).await.expect("uploaded");
    let file = document.file.clone().expect("file");
    assert_eq!(file.sha256_hex, hex::encode(Sha256::digest(&bytes)));
    assert_eq!(file.content_type, "application/pdf");

    let mut stream = client(&app)
        .await
        .download_document(with_token(DownloadDocumentRequest { document_id: document.id.clone() }, &token))
        .await
        .expect("download")
        .into_inner();
    let mut received = Vec::new();
    let mut described = None;
    while let Some(message) = stream.message().await.expect("message") {
        match message.payload {
            Some(Payload::Document(document)) => described = Some(document),
            Some(Payload::Chunk(chunk)) => received.extend(chunk),
            None => {}
        }
    }
    assert_eq!(received, bytes);
    assert_eq!(
        hex::encode(Sha256::digest(&received)),
        described.expect("metadata first").file.expect("file").sha256_hex
    );

    // A retried upload returns the first document and keeps one file.
    let again = upload(&app, &token, certificate("charity-1", "first"), &bytes).await.expect("retried");
    assert_eq!(again.id, document.id);
    assert_eq!(app.service.files().keys().await.expect("files").len(), 1);

    // Another provider may neither read it nor add to this locker.
    let stranger = member_of("charity-2");
    let hidden = client(&app)
        .await
        .get_document(with_token(GetDocumentRequest { document_id: document.id.clone() }, &stranger))
        .await;
    assert_eq!(hidden.expect_err("not theirs").code(), Code::PermissionDenied);
    let refused = upload(&app, &stranger, certificate("charity-1", "intruder"), &bytes).await.expect_err("not theirs");
    assert_eq!(refused.code(), Code::PermissionDenied);
    // Who may add is checked before what they sent: no request id, no title, still not theirs.
    let incomplete = UploadDocumentMetadata { provider_id: "charity-1".into(), ..Default::default() };
    let refused = upload(&app, &stranger, incomplete, &bytes).await.expect_err("not theirs");
    assert_eq!(refused.code(), Code::PermissionDenied);
    assert_eq!(app.audit_rows().await, 1, "the upload is audited once");
    app.stop().await;
}
