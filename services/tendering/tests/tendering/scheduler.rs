//! The scheduler closes a tender exactly once, even with several instances running at once.

use std::time::Duration;

use super::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_schedulers_close_a_tender_once() {
    let app = on_postgres().await;
    let tender = published(&app, befriending(Duration::from_secs(1), Duration::from_millis(3_500))).await;
    run_scheduler_after(&app, tender.enquiry_period_end.as_ref().expect("end")).await;
    submit(&app, bid(&tender, "brixton-friends", 5_000, "We visit weekly.")).await.expect("bid");
    let deadline = platform::time::from_timestamp(tender.bid_deadline.as_ref().expect("deadline")).expect("time");
    tokio::time::sleep((deadline - chrono::Utc::now()).to_std().unwrap_or_default()).await;

    // Two more instances' schedulers, on their own connections, race the service's own.
    let (first, second) = (app.database().await, app.database().await);
    let (a, b, c) = tokio::join!(
        tendering::scheduler::tick(&first),
        tendering::scheduler::tick(&second),
        app.service.run_scheduler(),
    );
    assert_eq!(a.expect("ran") + b.expect("ran") + c.expect("ran"), 1, "one of them closed it");

    let db = app.database().await;
    let closings = count(&db, "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'tender.closed'").await;
    let events = count(&db, "SELECT COUNT(*) AS n FROM outbox WHERE event_type = 'tendering.tender_closed'").await;
    assert_eq!((closings, events), (1, 1));
    app.stop().await;
}

async fn count(db: &platform::db::Database, sql: &str) -> i64 {
    use sea_orm::ConnectionTrait;
    let statement = sea_orm::Statement::from_string(db.backend(), sql);
    let row = db.conn().query_one_raw(statement).await.expect("counted").expect("a row");
    row.try_get("", "n").expect("a number")
}
