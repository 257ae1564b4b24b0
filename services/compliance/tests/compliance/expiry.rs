//! Expiry with a controllable clock: each notice and the move to expired happen exactly once, even
//! with two schedulers sweeping at the same time; a policy with no review date never expires.

use chrono::{Days, NaiveDate};
use compliance::expiry::sweep;
use platform::events::outbox;
use proto::commissioning::common::v1::DocumentKind;
use proto::commissioning::compliance::v1::{DocumentStatus, GetDocumentRequest, UploadDocumentMetadata};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use platform::testing::with_token;

use super::support::{App, certificate, client, cover_end, cover_start, member_of, on, pdf, upload};

async fn events_of(app: &App, event_type: &str) -> u64 {
    outbox::Entity::find()
        .filter(outbox::Column::EventType.eq(event_type))
        .count(app.database().await.conn())
        .await
        .expect("outbox read")
}

/// Two replicas' schedulers sweep on `day` at once.
async fn two_schedulers_sweep(app: &App, day: NaiveDate) {
    let (first, second) = (app.database().await, app.database().await);
    let (a, b) = tokio::join!(sweep(&first, day), sweep(&second, day));
    a.expect("first sweep");
    b.expect("second sweep");
}

/// The status `provider`'s member reads for document `id`.
async fn status_of(app: &App, provider: &str, id: &str) -> DocumentStatus {
    let request = with_token(GetDocumentRequest { document_id: id.into() }, provider);
    client(app).await.get_document(request).await.expect("read").into_inner().document.expect("document").status()
}

async fn expiry_happens_once(app: App) {
    let provider = member_of("charity-1");
    let document = upload(&app, &provider, certificate("charity-1", "pl"), &pdf()).await.expect("uploaded");
    let end = cover_end();
    let before = |days| end - Days::new(days);
    let status = || status_of(&app, &provider, &document.id);

    two_schedulers_sweep(&app, before(31)).await;
    assert_eq!(events_of(&app, "compliance.document_expiring").await, 0, "31 days before: nothing yet");
    two_schedulers_sweep(&app, before(30)).await;
    two_schedulers_sweep(&app, before(29)).await;
    assert_eq!(events_of(&app, "compliance.document_expiring").await, 1, "the 30-day notice, once");
    assert_eq!(status().await, DocumentStatus::Expiring);
    two_schedulers_sweep(&app, before(7)).await;
    two_schedulers_sweep(&app, end).await;
    assert_eq!(events_of(&app, "compliance.document_expiring").await, 2, "then the 7-day notice, once");
    assert_eq!(status().await, DocumentStatus::Expiring, "still valid on its last day");
    two_schedulers_sweep(&app, end + Days::new(1)).await;
    two_schedulers_sweep(&app, end + Days::new(2)).await;
    assert_eq!(events_of(&app, "compliance.document_expired").await, 1, "expired once");
    assert_eq!(status().await, DocumentStatus::Expired);
    app.stop().await;
}

/// A policy with only the date it was adopted has no end: sweeps years on leave it in force, and
/// one with a review date expires after that date like a certificate.
async fn a_policy_without_a_review_date_never_expires(app: App) {
    let provider = member_of("charity-1");
    let adopted_only = UploadDocumentMetadata {
        kind: DocumentKind::SafeguardingAdultsPolicy as i32,
        title: "Safeguarding adults policy".into(),
        expires_on: None,
        insurance: None,
        ..certificate("charity-1", "safeguarding")
    };
    let open_ended = upload(&app, &provider, adopted_only, &pdf()).await.expect("a policy with its adoption date");
    assert_eq!(open_ended.expires_on, None);
    let reviewed = UploadDocumentMetadata {
        kind: DocumentKind::HealthAndSafetyPolicy as i32,
        title: "Health and safety policy".into(),
        valid_from: None,
        insurance: None,
        ..certificate("charity-1", "health-and-safety")
    };
    let reviewed = upload(&app, &provider, reviewed, &pdf()).await.expect("a policy with its review date");
    assert_eq!((reviewed.valid_from, reviewed.expires_on), (None, on(cover_end())));

    for day in [cover_start(), cover_end(), cover_end() + Days::new(1), cover_end() + Days::new(3650)] {
        two_schedulers_sweep(&app, day).await;
    }
    assert_eq!(status_of(&app, &provider, &open_ended.id).await, DocumentStatus::Submitted);
    assert_eq!(status_of(&app, &provider, &reviewed.id).await, DocumentStatus::Expired);
    assert_eq!(events_of(&app, "compliance.document_expired").await, 1, "only the reviewed policy expired");
    assert_eq!(events_of(&app, "compliance.document_expiring").await, 2, "its two notices, none for the other");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expiry_on_postgres() {
    expiry_happens_once(App::on_postgres().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expiry_on_sqlite() {
    expiry_happens_once(App::on_sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_ended_policies_on_postgres() {
    a_policy_without_a_review_date_never_expires(App::on_postgres().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_ended_policies_on_sqlite() {
    a_policy_without_a_review_date_never_expires(App::on_sqlite().await).await;
}
