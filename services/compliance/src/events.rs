//! The events the compliance service publishes, through the outbox. A provider's locker belongs to
//! no one council, so they go to tenant `platform`; they describe documents, never their bytes.

use platform::Error;
use platform::events::outbox::enqueue;
use proto::commissioning::compliance::v1::Document;
use proto::commissioning::events::v1::{
    DocumentExpired, DocumentExpiring, DocumentFacts, DocumentRejected, DocumentSubmitted, DocumentSuperseded,
    DocumentVerified,
};
use sea_orm::ConnectionTrait;

/// What every document event says of its document.
pub fn facts(document: &Document) -> DocumentFacts {
    let insurance = document.insurance.as_ref();
    DocumentFacts {
        document_id: document.id.clone(),
        provider_id: document.provider_id.clone(),
        kind: document.kind,
        title: document.title.clone(),
        status: document.status,
        cover: insurance.and_then(|insurance| insurance.limit_of_indemnity.clone()),
        cover_basis: insurance.map_or(0, |insurance| insurance.cover_basis),
        valid_from: document.valid_from,
        expires_on: document.expires_on,
        verified: document.verification.is_some(),
        sha256_hex: document.file.as_ref().map(|file| file.sha256_hex.clone()).unwrap_or_default(),
    }
}

pub async fn submitted<C: ConnectionTrait>(txn: &C, document: &Document) -> Result<(), Error> {
    let event = DocumentSubmitted {
        document: Some(facts(document)),
        supersedes_document_id: document.supersedes_document_id.clone(),
        uploaded_by_user_id: document.uploaded_by_user_id.clone(),
    };
    enqueue(txn, "compliance.document_submitted", "platform", &document.id, &event).await.map(|_| ())
}

pub async fn verified<C: ConnectionTrait>(txn: &C, document: &Document) -> Result<(), Error> {
    let event = DocumentVerified { document: Some(facts(document)), verification: document.verification.clone() };
    enqueue(txn, "compliance.document_verified", "platform", &document.id, &event).await.map(|_| ())
}

pub async fn rejected<C: ConnectionTrait>(txn: &C, document: &Document) -> Result<(), Error> {
    let event = DocumentRejected { document: Some(facts(document)), rejection: document.rejection.clone() };
    enqueue(txn, "compliance.document_rejected", "platform", &document.id, &event).await.map(|_| ())
}

pub async fn superseded<C: ConnectionTrait>(txn: &C, document: &Document) -> Result<(), Error> {
    let event = DocumentSuperseded {
        document: Some(facts(document)),
        superseded_by_document_id: document.superseded_by_document_id.clone(),
    };
    enqueue(txn, "compliance.document_superseded", "platform", &document.id, &event).await.map(|_| ())
}

pub async fn expiring<C: ConnectionTrait>(txn: &C, document: &Document, days_before_expiry: i32) -> Result<(), Error> {
    let event = DocumentExpiring { document: Some(facts(document)), days_before_expiry };
    enqueue(txn, "compliance.document_expiring", "platform", &document.id, &event).await.map(|_| ())
}

pub async fn expired<C: ConnectionTrait>(txn: &C, document: &Document) -> Result<(), Error> {
    let event = DocumentExpired {
        document: Some(facts(document)),
        expire_time: Some(platform::time::to_timestamp(chrono::Utc::now())),
    };
    enqueue(txn, "compliance.document_expired", "platform", &document.id, &event).await.map(|_| ())
}
