//! Expiry with a controllable clock: each notice and the move to expired happen exactly once, even
//! with two schedulers sweeping at the same time.

use chrono::NaiveDate;
use compliance::expiry::sweep;
use platform::events::outbox;
use proto::commissioning::compliance::v1::{DocumentStatus, GetDocumentRequest};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use platform::testing::with_token;

use super::support::{App, certificate, client, member_of, pdf, upload};

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

async fn expiry_happens_once(app: App) {
    let provider = member_of("charity-1");
    // The certificate ends on 31 March 2027.
    let document = upload(&app, &provider, certificate("charity-1", "pl"), &pdf()).await.expect("uploaded");
    let day = |month, day| NaiveDate::from_ymd_opt(2027, month, day).expect("date");
    let status = || async {
        let request = with_token(GetDocumentRequest { document_id: document.id.clone() }, &provider);
        client(&app).await.get_document(request).await.expect("read").into_inner().document.expect("document").status()
    };

    two_schedulers_sweep(&app, day(2, 28)).await;
    assert_eq!(events_of(&app, "compliance.document_expiring").await, 0, "32 days before: nothing yet");
    two_schedulers_sweep(&app, day(3, 1)).await;
    two_schedulers_sweep(&app, day(3, 2)).await;
    assert_eq!(events_of(&app, "compliance.document_expiring").await, 1, "the 30-day notice, once");
    assert_eq!(status().await, DocumentStatus::Expiring);
    two_schedulers_sweep(&app, day(3, 24)).await;
    two_schedulers_sweep(&app, day(3, 31)).await;
    assert_eq!(events_of(&app, "compliance.document_expiring").await, 2, "then the 7-day notice, once");
    assert_eq!(status().await, DocumentStatus::Expiring, "still valid on its last day");
    two_schedulers_sweep(&app, day(4, 1)).await;
    two_schedulers_sweep(&app, day(4, 2)).await;
    assert_eq!(events_of(&app, "compliance.document_expired").await, 1, "expired once");
    assert_eq!(status().await, DocumentStatus::Expired);
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
