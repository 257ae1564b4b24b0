//! Starting the service, and uploading as a provider's member would.

use compliance::Compliance;
use platform::auth::Role;
use platform::testing::{TestApp, token, with_token};
use proto::commissioning::common::v1::{Date, DocumentKind, Money};
use proto::commissioning::compliance::v1::compliance_service_client::ComplianceServiceClient;
use proto::commissioning::compliance::v1::upload_document_request::Payload;
use proto::commissioning::compliance::v1::{Document, InsuranceDetails, UploadDocumentMetadata, UploadDocumentRequest};
use tonic::transport::Channel;

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

/// The metadata of a public liability certificate of `provider` with GBP 5m cover.
pub fn certificate(provider: &str, request_id: &str) -> UploadDocumentMetadata {
    UploadDocumentMetadata {
        request_id: request_id.into(),
        provider_id: provider.into(),
        kind: DocumentKind::PublicLiabilityInsurance as i32,
        title: "Public liability 2026-27".into(),
        filename: "certificate.pdf".into(),
        valid_from: Some(Date { year: 2026, month: 4, day: 1 }),
        expires_on: Some(Date { year: 2027, month: 3, day: 31 }),
        insurance: Some(InsuranceDetails {
            insurer: "Community Mutual".into(),
            limit_of_indemnity: Some(Money { amount_pence: 500_000_000, currency: "GBP".into(), vat_included: false }),
            ..Default::default()
        }),
        ..Default::default()
    }
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
