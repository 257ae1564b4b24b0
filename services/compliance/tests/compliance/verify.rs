//! Officers verify and reject documents of providers that bid to their council or hold its
//! contracts (learned from tendering events); nobody else may, and CheckCompliance follows.

use std::time::Duration;

use platform::auth::Role;
use platform::testing::{named_token, token, with_token};
use platform::time::london_today;
use proto::commissioning::common::v1::{DocumentKind, EvidenceRequirement, Money, RequirementStatus};
use proto::commissioning::compliance::v1::{
    CheckComplianceRequest, DocumentStatus, GetDocumentRequest, RejectDocumentRequest, UploadDocumentMetadata,
    VerifyDocumentRequest,
};
use proto::commissioning::events::v1::TenderClosed;
use proto::commissioning::tendering::v1::{OpeningEntry, OpeningRecord};
use tonic::Code;

use super::support::{
    App, certificate, client, cover_end, cover_start, insurance, member_of, on, pdf, publish, upload,
};

/// What tendering publishes when a tender closes with charity-1's bid in it.
async fn charity_bids_to_lambeth(app: &App) {
    let closed = TenderClosed {
        tender_id: "tender-1".into(),
        council_id: "lambeth".into(),
        opening_record: Some(OpeningRecord {
            entries: vec![OpeningEntry { provider_id: "charity-1".into(), ..Default::default() }],
            ..Default::default()
        }),
        ..Default::default()
    };
    publish(app, "tendering.tender_closed", "lambeth", "tender-1", closed).await;
}

async fn officers_decide_for_their_council_only(app: App) {
    let provider = member_of("charity-1");
    let insurance = upload(&app, &provider, certificate("charity-1", "pl"), &pdf()).await.expect("uploaded");
    let policy_metadata = UploadDocumentMetadata {
        kind: DocumentKind::HealthAndSafetyPolicy as i32,
        title: "Health and safety policy".into(),
        insurance: None,
        ..certificate("charity-1", "hs")
    };
    let policy = upload(&app, &provider, policy_metadata, &pdf()).await.expect("uploaded");
    let lambeth = named_token("olu", "lambeth", "Lambeth", &[Role::Officer]);
    let woking = token("wes", "woking", &[Role::Officer]);
    let verify = |id: &str| VerifyDocumentRequest { document_id: id.into(), note: "checked the schedule".into() };

    // Before any bid, Lambeth may not see or decide.
    let early = client(&app).await.verify_document(with_token(verify(&insurance.id), &lambeth)).await;
    assert_eq!(early.expect_err("no bid yet").code(), Code::PermissionDenied);
    charity_bids_to_lambeth(&app).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let seen = client(&app)
            .await
            .get_document(with_token(GetDocumentRequest { document_id: insurance.id.clone() }, &lambeth))
            .await;
        if seen.is_ok() {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "the bid never gave Lambeth access");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let verified =
        client(&app).await.verify_document(with_token(verify(&insurance.id), &lambeth)).await.expect("verified");
    let verified = verified.into_inner().document.expect("document");
    assert_eq!(verified.status(), DocumentStatus::Verified);
    let verification = verified.verification.expect("verification");
    assert_eq!((verification.council_id.as_str(), verification.council_name.as_str()), ("lambeth", "Lambeth"));
    let twice = client(&app).await.verify_document(with_token(verify(&insurance.id), &lambeth)).await;
    assert_eq!(twice.expect_err("already verified").code(), Code::FailedPrecondition);
    let other_council = client(&app).await.verify_document(with_token(verify(&policy.id), &woking)).await;
    assert_eq!(other_council.expect_err("no bid to Woking").code(), Code::PermissionDenied);
    let own = client(&app).await.verify_document(with_token(verify(&policy.id), &provider)).await;
    assert_eq!(own.expect_err("not an officer").code(), Code::PermissionDenied);

    let no_reason = RejectDocumentRequest { document_id: policy.id.clone(), reason: " ".into() };
    let refused = client(&app).await.reject_document(with_token(no_reason, &lambeth)).await;
    assert_eq!(refused.expect_err("a reason is required").code(), Code::InvalidArgument);
    let reject = RejectDocumentRequest { document_id: policy.id.clone(), reason: "not signed".into() };
    client(&app).await.reject_document(with_token(reject, &lambeth)).await.expect("rejected");

    let requirements = vec![
        EvidenceRequirement {
            kind: DocumentKind::PublicLiabilityInsurance as i32,
            minimum_cover: Some(Money { amount_pence: 200_000_000, currency: "GBP".into(), vat_included: true }),
            ..Default::default()
        },
        EvidenceRequirement { kind: DocumentKind::HealthAndSafetyPolicy as i32, ..Default::default() },
    ];
    let check = CheckComplianceRequest {
        provider_id: "charity-1".into(),
        requirements,
        on_date: on(london_today()),
        tender_id: "tender-1".into(),
    };
    let response =
        client(&app).await.check_compliance(with_token(check, &lambeth)).await.expect("checked").into_inner();
    assert_eq!(response.results[0].status(), RequirementStatus::Met, "{response:#?}");
    assert_eq!(response.results[1].status(), RequirementStatus::NotMet);
    let explanation = &response.results[1].explanation;
    assert!(explanation.contains("rejected by Lambeth on ") && explanation.contains("not signed"), "{explanation}");
    // Two uploads, a verification and a rejection.
    assert_eq!(app.audit_rows().await, 4);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verification_on_postgres_and_nats() {
    officers_decide_for_their_council_only(App::on_postgres().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verification_on_sqlite_and_the_embedded_log() {
    officers_decide_for_their_council_only(App::on_sqlite().await).await;
}

#[tokio::test]
async fn a_renewal_supersedes_the_old_certificate_and_once_verified_meets_the_requirement() {
    use proto::commissioning::compliance::v1::renew_document_request::Payload;
    use proto::commissioning::compliance::v1::{RenewDocumentMetadata, RenewDocumentRequest};

    let app = App::on_sqlite().await;
    let provider = member_of("charity-1");
    let lambeth = token("olu", "lambeth", &[Role::Officer]);
    let mut low = certificate("charity-1", "low");
    low.insurance.as_mut().expect("insurance").limit_of_indemnity =
        Some(Money { amount_pence: 200_000_000, currency: "GBP".into(), vat_included: false });
    let old = upload(&app, &provider, low, &pdf()).await.expect("uploaded");
    charity_bids_to_lambeth(&app).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while client(&app)
        .await
        .verify_document(with_token(
            VerifyDocumentRequest { document_id: old.id.clone(), note: String::new() },
            &lambeth,
        ))
        .await
        .is_err()
    {
        assert!(tokio::time::Instant::now() < deadline, "never verified");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let five_million = || {
        let requirement = EvidenceRequirement {
            kind: DocumentKind::PublicLiabilityInsurance as i32,
            minimum_cover: Some(Money { amount_pence: 500_000_000, currency: "GBP".into(), vat_included: true }),
            ..Default::default()
        };
        let request = CheckComplianceRequest {
            provider_id: "charity-1".into(),
            requirements: vec![requirement],
            on_date: on(london_today()),
            tender_id: String::new(),
        };
        with_token(request, &lambeth)
    };
    let before = client(&app).await.check_compliance(five_million()).await.expect("checked").into_inner();
    assert_eq!(before.results[0].status(), RequirementStatus::NotMet);

    // The charity renews with higher cover.
    let mut bytes = pdf();
    bytes.extend_from_slice(b"% renewed\n");
    let metadata = RenewDocumentMetadata {
        request_id: "renew-1".into(),
        document_id: old.id.clone(),
        size_bytes: i64::try_from(bytes.len()).expect("size"),
        valid_from: on(cover_start()),
        expires_on: on(cover_end()),
        insurance: Some(insurance(500_000_000)),
        ..Default::default()
    };
    let messages = vec![
        RenewDocumentRequest { payload: Some(Payload::Metadata(metadata.clone())) },
        RenewDocumentRequest { payload: Some(Payload::Chunk(bytes.clone())) },
    ];
    let renewed = client(&app).await.renew_document(with_token(tokio_stream::iter(messages.clone()), &provider)).await;
    let renewed = renewed.expect("renewed").into_inner();
    let (new, superseded) = (renewed.document.expect("new"), renewed.superseded_document.expect("old"));
    assert_eq!(new.status(), DocumentStatus::Submitted, "a renewal is checked again");
    assert_eq!(new.supersedes_document_id, old.id);
    assert_eq!(superseded.status(), DocumentStatus::Superseded);
    assert_eq!(superseded.superseded_by_document_id, new.id);

    // Renewing the superseded one again is refused; a stranger may not renew.
    let again = RenewDocumentMetadata { request_id: "renew-2".into(), ..metadata };
    let stale = vec![
        RenewDocumentRequest { payload: Some(Payload::Metadata(again)) },
        RenewDocumentRequest { payload: Some(Payload::Chunk(bytes)) },
    ];
    let refused = client(&app).await.renew_document(with_token(tokio_stream::iter(stale), &provider)).await;
    assert_eq!(refused.expect_err("already renewed").code(), Code::FailedPrecondition);
    let stranger =
        client(&app).await.renew_document(with_token(tokio_stream::iter(messages), &member_of("charity-2"))).await;
    assert_eq!(stranger.expect_err("not theirs").code(), Code::PermissionDenied);

    client(&app)
        .await
        .verify_document(with_token(
            VerifyDocumentRequest { document_id: new.id.clone(), note: String::new() },
            &lambeth,
        ))
        .await
        .expect("renewal verified");
    let after = client(&app).await.check_compliance(five_million()).await.expect("checked").into_inner();
    assert_eq!(after.results[0].status(), RequirementStatus::Met, "{after:#?}");
    assert!(after.all_met);
    assert_eq!(app.service.files().keys().await.expect("files").len(), 2, "no file left by the refused renewal");
    app.stop().await;
}
