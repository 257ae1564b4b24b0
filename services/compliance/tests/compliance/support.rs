//! Starting the service, and uploading as a provider's member would.

use chrono::{Days, NaiveDate};
use compliance::Compliance;
use platform::auth::Role;
use platform::dates::date_to_proto;
use platform::testing::{TestApp, token, with_token};
use platform::time::london_today;
use proto::commissioning::common::v1::{Date, DocumentKind, Money};
use proto::commissioning::compliance::v1::compliance_service_client::ComplianceServiceClient;
use proto::commissioning::compliance::v1::upload_document_request::Payload;
use proto::commissioning::compliance::v1::{
    Document, InsuranceDetails, ListDocumentsRequest, UploadDocumentMetadata, UploadDocumentRequest,
};
use tonic::transport::Channel;
use tonic_types::StatusExt;

pub type App = TestApp<Compliance>;

pub async fn client(app: &App) -> ComplianceServiceClient<Channel> {
    ComplianceServiceClient::new(app.channel().await)
}

/// A token of a member of provider `provider`.
pub fn member_of(provider: &str) -> String {
    token(&format!("{provider}-admin"), provider, &[Role::Provider])
}

/// A small but real PDF.
pub fn pdf() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n".to_vec()
}

/// The first day of the test certificate's cover: 30 days ago (UK date), so it is in force today.
pub fn cover_start() -> NaiveDate {
    london_today() - Days::new(30)
}

/// The last day of the test certificate's cover: a year after it started.
pub fn cover_end() -> NaiveDate {
    cover_start() + Days::new(364)
}

/// `day` on the wire.
pub fn on(day: NaiveDate) -> Option<Date> {
    Some(date_to_proto(day))
}

/// The metadata of a public liability certificate of `provider` with GBP 5m cover, from
/// [`cover_start`] to [`cover_end`].
pub fn certificate(provider: &str, request_id: &str) -> UploadDocumentMetadata {
    UploadDocumentMetadata {
        request_id: request_id.into(),
        provider_id: provider.into(),
        kind: DocumentKind::PublicLiabilityInsurance as i32,
        title: "Public liability 2026-27".into(),
        filename: "certificate.pdf".into(),
        valid_from: on(cover_start()),
        expires_on: on(cover_end()),
        insurance: Some(insurance(500_000_000)),
        ..Default::default()
    }
}

/// A certificate's particulars with a limit of `pence`.
pub fn insurance(pence: i64) -> InsuranceDetails {
    InsuranceDetails {
        insurer: "Community Mutual".into(),
        policy_number: "CM-PL-2026-0042".into(),
        limit_of_indemnity: Some(Money { amount_pence: pence, currency: "GBP".into(), vat_included: false }),
        ..Default::default()
    }
}

/// The field paths a refusal's google.rpc.BadRequest names, in order.
pub fn violated_fields(status: &tonic::Status) -> Vec<String> {
    let bad_request = status.get_details_bad_request().expect("a BadRequest detail");
    bad_request.field_violations.into_iter().map(|violation| violation.field).collect()
}

/// No document recorded in `provider`'s locker and no file left behind.
pub async fn nothing_stored(app: &App, provider: &str) {
    let listed = client(app)
        .await
        .list_documents(with_token(
            ListDocumentsRequest { provider_id: provider.into(), ..Default::default() },
            &member_of(provider),
        ))
        .await
        .expect("listed")
        .into_inner();
    assert!(listed.documents.is_empty(), "no document row: {:?}", listed.documents);
    assert!(app.service.files().keys().await.expect("files").is_empty(), "no stray file");
}

/// The messages of an upload: the metadata, then the bytes in chunks of at most 1 MiB.
pub fn messages(metadata: UploadDocumentMetadata, bytes: &[u8]) -> Vec<UploadDocumentRequest> {
    let mut messages = vec![UploadDocumentRequest { payload: Some(Payload::Metadata(metadata)) }];
    messages.extend(
        bytes.chunks(1024 * 1024).map(|chunk| UploadDocumentRequest { payload: Some(Payload::Chunk(chunk.to_vec())) }),
    );
    messages
}

/// Uploads as `token`'s holder.
pub async fn upload(
    app: &App,
    token: &str,
    metadata: UploadDocumentMetadata,
    bytes: &[u8],
) -> Result<Document, tonic::Status> {
    let request = with_token(tokio_stream::iter(messages(metadata, bytes)), token);
    let response = client(app).await.upload_document(request).await?;
    Ok(response.into_inner().document.expect("document"))
}

/// Publishes what another service would: event `event_type` of `tenant` about `aggregate`.
pub async fn publish(app: &App, event_type: &str, tenant: &str, aggregate: &str, payload: impl prost::Message) {
    platform::testing::publish_event(&app.bus, event_type, tenant, aggregate, payload).await;
}
