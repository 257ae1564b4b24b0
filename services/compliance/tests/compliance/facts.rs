//! A document must carry the facts its kind needs: a certificate its insurer, policy number, cover
//! dates and a limit above GBP 0; a policy its adoption or review date and no insurance particulars.
//! Each missing fact is named by its field, all at once, before any byte is stored; a certificate
//! already expired is refused with its date; and insurance with no end date never meets a
//! requirement of cover on a date.

use chrono::{Days, Utc};
use platform::auth::Role;
use platform::dates::long_date;
use platform::testing::{token, with_token};
use platform::time::london_today;
use proto::commissioning::common::v1::{DocumentKind, EvidenceRequirement, Money, RequirementStatus};
use proto::commissioning::compliance::v1::renew_document_request::Payload as RenewPayload;
use proto::commissioning::compliance::v1::{
    CheckComplianceRequest, Document, DocumentStatus, FileInfo, GetDocumentRequest, InsuranceDetails,
    RenewDocumentMetadata, RenewDocumentRequest, UploadDocumentMetadata, Verification,
};
use tonic::Code;

use super::support::{
    App, certificate, client, cover_start, insurance, member_of, messages, nothing_stored, on, pdf, upload,
    violated_fields,
};

/// `metadata` is refused as INVALID_ARGUMENT naming exactly `fields`; returns the message.
async fn refused_naming(app: &App, case: &str, metadata: UploadDocumentMetadata, fields: &[&str]) -> String {
    let refused = upload(app, &member_of("charity-1"), metadata, &pdf()).await.expect_err(case);
    assert_eq!(refused.code(), Code::InvalidArgument, "{case}: {refused:?}");
    assert_eq!(violated_fields(&refused), fields, "{case}");
    refused.message().to_owned()
}

fn policy(kind: DocumentKind, request_id: &str) -> UploadDocumentMetadata {
    UploadDocumentMetadata {
        kind: kind as i32,
        title: "Our policy".into(),
        insurance: None,
        ..certificate("charity-1", request_id)
    }
}

async fn documents_without_their_facts_are_refused_and_nothing_is_stored(app: App) {
    let bare = UploadDocumentMetadata {
        valid_from: None,
        expires_on: None,
        insurance: None,
        ..certificate("charity-1", "bare")
    };
    let all_missing = [
        "metadata.valid_from",
        "metadata.expires_on",
        "metadata.insurance.insurer",
        "metadata.insurance.policy_number",
        "metadata.insurance.limit_of_indemnity",
    ];
    refused_naming(&app, "nothing but a kind", bare, &all_missing).await;

    let full = || certificate("charity-1", "one-missing");
    let with = |details: InsuranceDetails| UploadDocumentMetadata { insurance: Some(details), ..full() };
    let cover = || insurance(500_000_000);
    let one_missing = [
        ("metadata.valid_from", UploadDocumentMetadata { valid_from: None, ..full() }),
        ("metadata.expires_on", UploadDocumentMetadata { expires_on: None, ..full() }),
        ("metadata.insurance.insurer", with(InsuranceDetails { insurer: " ".into(), ..cover() })),
        ("metadata.insurance.policy_number", with(InsuranceDetails { policy_number: String::new(), ..cover() })),
        ("metadata.insurance.limit_of_indemnity", with(InsuranceDetails { limit_of_indemnity: None, ..cover() })),
    ];
    for (field, metadata) in one_missing {
        refused_naming(&app, field, metadata, &[field]).await;
    }

    let zero = UploadDocumentMetadata { insurance: Some(insurance(0)), ..certificate("charity-1", "zero") };
    let message = refused_naming(&app, "GBP 0", zero, &["metadata.insurance.limit_of_indemnity.amount_pence"]).await;
    assert!(message.contains("more than GBP 0"), "{message}");

    let insured_policy = UploadDocumentMetadata {
        insurance: Some(insurance(500_000_000)),
        ..policy(DocumentKind::SafeguardingAdultsPolicy, "insured-policy")
    };
    let message = refused_naming(&app, "insurance on a policy", insured_policy, &["metadata.insurance"]).await;
    assert!(message.contains("safeguarding adults policy has no insurance particulars"), "{message}");
    let undated_policy = UploadDocumentMetadata {
        valid_from: None,
        expires_on: None,
        ..policy(DocumentKind::HealthAndSafetyPolicy, "hs")
    };
    let message = refused_naming(&app, "an undated policy", undated_policy, &["metadata.valid_from"]).await;
    assert!(message.contains("adopted") && message.contains("review"), "{message}");

    // Yesterday on the UK date: the cover ended, so the certificate has expired.
    let yesterday = london_today() - Days::new(1);
    let expired = UploadDocumentMetadata {
        valid_from: on(yesterday - Days::new(364)),
        expires_on: on(yesterday),
        ..certificate("charity-1", "expired")
    };
    let message = refused_naming(&app, "expired", expired, &["metadata.expires_on"]).await;
    assert!(message.contains(&long_date(yesterday)), "says when it expired: {message}");
    assert!(message.contains("upload the current certificate"), "says what to do: {message}");
    nothing_stored(&app, "charity-1").await;

    // The refusal comes from the metadata alone, while the client still holds the stream open and
    // has sent no byte.
    let (sender, receiver) = tokio::sync::mpsc::channel(1);
    let bare = UploadDocumentMetadata { insurance: None, ..certificate("charity-1", "open-stream") };
    for message in messages(bare, &[]) {
        sender.send(message).await.expect("queued");
    }
    let mut open_client = client(&app).await;
    let call = open_client
        .upload_document(with_token(tokio_stream::wrappers::ReceiverStream::new(receiver), &member_of("charity-1")));
    // A guard, not a measure: an upload that waited for bytes would hang here instead of failing.
    let answered = tokio::time::timeout(std::time::Duration::from_secs(60), call).await;
    let refused = answered.expect("answered before any byte was sent").expect_err("no particulars");
    assert_eq!(violated_fields(&refused).len(), 3, "{refused:?}");
    drop(sender);
    nothing_stored(&app, "charity-1").await;

    // A policy with its review date alone, and one with the date it was adopted alone, are taken.
    let reviewed = UploadDocumentMetadata { valid_from: None, ..policy(DocumentKind::EqualityPolicy, "equality") };
    let reviewed = upload(&app, &member_of("charity-1"), reviewed, &pdf()).await.expect("a reviewed policy");
    assert_eq!((reviewed.status(), reviewed.valid_from, reviewed.insurance), (DocumentStatus::Submitted, None, None));
    let adopted = UploadDocumentMetadata { expires_on: None, ..policy(DocumentKind::DbsCheckingPolicy, "dbs") };
    let adopted = upload(&app, &member_of("charity-1"), adopted, &pdf()).await.expect("an adopted policy");
    assert_eq!((adopted.valid_from, adopted.expires_on), (on(cover_start()), None));
    app.stop().await;
}

#[tokio::test]
async fn facts_are_required_on_postgres_and_nats() {
    documents_without_their_facts_are_refused_and_nothing_is_stored(App::on_postgres().await).await;
}

#[tokio::test]
async fn facts_are_required_on_sqlite_and_the_embedded_log() {
    documents_without_their_facts_are_refused_and_nothing_is_stored(App::on_sqlite().await).await;
}

/// A renewal carries the facts too: refused by field, the old certificate left as it was.
async fn a_renewal_without_its_facts_is_refused_and_the_old_one_stands(app: App) {
    let provider = member_of("charity-1");
    let old = upload(&app, &provider, certificate("charity-1", "pl"), &pdf()).await.expect("uploaded");
    let yesterday = london_today() - Days::new(1);
    let renewal = RenewDocumentMetadata {
        request_id: "renew".into(),
        document_id: old.id.clone(),
        valid_from: on(yesterday - Days::new(364)),
        expires_on: on(yesterday),
        insurance: Some(InsuranceDetails { insurer: String::new(), ..insurance(0) }),
        ..Default::default()
    };
    let stream = vec![
        RenewDocumentRequest { payload: Some(RenewPayload::Metadata(renewal)) },
        RenewDocumentRequest { payload: Some(RenewPayload::Chunk(pdf())) },
    ];
    let refused = client(&app).await.renew_document(with_token(tokio_stream::iter(stream), &provider)).await;
    let refused = refused.expect_err("no facts");
    assert_eq!(refused.code(), Code::InvalidArgument);
    assert_eq!(
        violated_fields(&refused),
        ["metadata.insurance.insurer", "metadata.insurance.limit_of_indemnity.amount_pence", "metadata.expires_on"]
    );
    assert!(refused.message().contains(&long_date(yesterday)), "{}", refused.message());
    let read = with_token(GetDocumentRequest { document_id: old.id.clone() }, &provider);
    let kept = client(&app).await.get_document(read).await.expect("read").into_inner().document.expect("document");
    assert_eq!((kept.status(), kept.superseded_by_document_id.as_str()), (DocumentStatus::Submitted, ""));
    assert_eq!(app.service.files().keys().await.expect("files").len(), 1, "only the old certificate's file");
    app.stop().await;
}

#[tokio::test]
async fn renewals_need_their_facts_on_postgres_and_nats() {
    a_renewal_without_its_facts_is_refused_and_the_old_one_stands(App::on_postgres().await).await;
}

#[tokio::test]
async fn renewals_need_their_facts_on_sqlite_and_the_embedded_log() {
    a_renewal_without_its_facts_is_refused_and_the_old_one_stands(App::on_sqlite().await).await;
}

/// A verified certificate stored before its end date was required (as older lockers hold them).
async fn a_verified_certificate_without_an_end_date(app: &App) {
    let document = Document {
        id: "legacy-pl".into(),
        provider_id: "charity-1".into(),
        kind: DocumentKind::PublicLiabilityInsurance as i32,
        title: "Public liability".into(),
        status: DocumentStatus::Verified as i32,
        file: Some(FileInfo { filename: "certificate.pdf".into(), ..Default::default() }),
        valid_from: on(cover_start()),
        expires_on: None,
        insurance: Some(insurance(1_000_000_000)),
        verification: Some(Verification {
            council_id: "lambeth".into(),
            council_name: "Lambeth".into(),
            officer_user_id: "olu".into(),
            verify_time: Some(platform::time::to_timestamp(Utc::now())),
            note: String::new(),
        }),
        ..Default::default()
    };
    let db = app.database().await;
    compliance::store::documents::insert(db.conn(), &document, "charity-1/legacy-pl", Utc::now())
        .await
        .expect("stored");
}

async fn cover_with_no_end_never_meets_a_requirement_on_a_date(app: App) {
    a_verified_certificate_without_an_end_date(&app).await;
    let requirement = EvidenceRequirement {
        kind: DocumentKind::PublicLiabilityInsurance as i32,
        minimum_cover: Some(Money { amount_pence: 500_000_000, currency: "GBP".into(), vat_included: false }),
        ..Default::default()
    };
    let check = CheckComplianceRequest {
        provider_id: "charity-1".into(),
        requirements: vec![requirement],
        on_date: on(london_today()),
        tender_id: String::new(),
    };
    let officer = token("olu", "lambeth", &[Role::Officer]);
    let response = client(&app).await.check_compliance(with_token(check, &officer)).await.expect("checked");
    let response = response.into_inner();
    let result = &response.results[0];
    assert_eq!(result.status(), RequirementStatus::NotMet, "{result:?}");
    assert_eq!(result.document_id, "legacy-pl");
    assert!(result.explanation.contains("no end date recorded"), "{}", result.explanation);
    assert!(result.explanation.contains(&long_date(london_today())), "{}", result.explanation);
    assert!(!response.all_met);
    assert!(response.summary.contains("renew it with the cover dates"), "{}", response.summary);
    app.stop().await;
}

#[tokio::test]
async fn open_ended_cover_on_postgres_and_nats() {
    cover_with_no_end_never_meets_a_requirement_on_a_date(App::on_postgres().await).await;
}

#[tokio::test]
async fn open_ended_cover_on_sqlite_and_the_embedded_log() {
    cover_with_no_end_never_meets_a_requirement_on_a_date(App::on_sqlite().await).await;
}
