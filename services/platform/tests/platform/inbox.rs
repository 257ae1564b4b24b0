//! The inbox: an event delivered twice has its effect once, on NATS with PostgreSQL and on the
//! embedded log with SQLite.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use platform::db::Database;
use platform::events::embedded::EmbeddedLog;
use platform::events::relay::Relay;
use platform::events::{ConsumerSpec, EventBus};
use platform::migrations::PlatformMigrator;
use platform::testing::{PostgresDatabase, SqliteDatabase, delete_stream, isolated_events_config, nats_bus};

use super::support::{ApplyThroughInbox, create_effects_table, wait_for_effects, write_concurrently};

/// Writes events, lets the consumer "crash" after each first commit, and checks that the
/// redelivered events changed nothing more.
async fn each_redelivered_event_applies_once(db: Database, bus: EventBus) {
    create_effects_table(&db).await;
    let handler = Arc::new(ApplyThroughInbox::new(db.clone(), true));
    let _consumer = bus
        .consume(ConsumerSpec { name: "effects".into(), pattern: ">".into() }, handler.clone())
        .await
        .expect("consumer starts");
    let _relay = Relay::new(db.clone(), Arc::new(bus.clone()), Duration::from_millis(50)).spawn();
    let written = write_concurrently(&db, 0, 2, 10, 2).await;

    let effects = wait_for_effects(&db, written.len(), Duration::from_secs(30)).await;
    // Every event is handled twice (the first "crash", then the redelivery) before it settles.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while handler.calls.load(Ordering::SeqCst) < 2 * written.len() {
        assert!(tokio::time::Instant::now() < deadline, "redeliveries did not all arrive");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let effects_after = super::support::effects_per_event(&db).await;
    assert_eq!(effects, effects_after);
    assert_eq!(effects_after.len(), written.len());
    assert!(effects_after.values().all(|applied| *applied == 1), "an effect applied twice: {effects_after:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_delivered_twice_by_nats_has_its_effect_once() {
    let database = PostgresDatabase::create().await;
    let nats = nats_bus(isolated_events_config()).await;
    each_redelivered_event_applies_once(database.connect::<PlatformMigrator>().await, EventBus::Nats(nats.clone()))
        .await;
    delete_stream(&nats).await;
    database.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_delivered_twice_by_the_embedded_log_has_its_effect_once() {
    let files = SqliteDatabase::new();
    let log =
        EmbeddedLog::open(&files.dir.path().join("events.sqlite"), isolated_events_config()).await.expect("log opens");
    each_redelivered_event_applies_once(
        files.connect::<PlatformMigrator>("service.sqlite").await,
        EventBus::Embedded(log),
    )
    .await;
}
