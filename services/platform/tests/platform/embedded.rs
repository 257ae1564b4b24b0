//! The embedded event log keeps the outbox and inbox guarantees without NATS, across a restart.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use platform::db::Database;
use platform::events::embedded::EmbeddedLog;
use platform::events::relay::Relay;
use platform::events::{ConsumerSpec, EventBus, EventsConfig, OutboundEvent, Publisher};
use platform::migrations::PlatformMigrator;
use platform::testing::{SqliteDatabase, isolated_events_config};

use super::support::{
    ApplyThroughInbox, Recorder, assert_in_order_per_aggregate, create_effects_table, wait_for_effects,
    write_concurrently,
};

async fn open(files: &SqliteDatabase, config: &EventsConfig) -> (Database, EventBus) {
    let db = files.connect::<PlatformMigrator>("service.sqlite").await;
    let log = EmbeddedLog::open(&files.dir.path().join("events.sqlite"), config.clone()).await.expect("log opens");
    (db, EventBus::Embedded(log))
}

fn spec(name: &str) -> ConsumerSpec {
    ConsumerSpec { name: name.into(), pattern: "*.tests.step_taken".into() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn nothing_is_lost_or_applied_twice_across_a_restart() {
    let files = SqliteDatabase::new();
    let config = isolated_events_config();

    let (db, bus) = open(&files, &config).await;
    create_effects_table(&db).await;
    let consumer =
        bus.consume(spec("effects"), Arc::new(ApplyThroughInbox::new(db.clone(), false))).await.expect("consumer");
    let relay = Relay::new(db.clone(), Arc::new(bus.clone()), Duration::from_millis(50)).spawn();
    let mut written = write_concurrently(&db, 0, 8, 25, 3).await;
    // Stop everything at once, wherever the relay and the consumer have got to.
    relay.abort();
    drop(consumer);
    drop((db, bus));

    let (db, bus) = open(&files, &config).await;
    let _consumer =
        bus.consume(spec("effects"), Arc::new(ApplyThroughInbox::new(db.clone(), false))).await.expect("consumer");
    let order = Arc::new(Recorder::default());
    let _order = bus.consume(spec("order"), order.clone()).await.expect("consumer");
    let _relay = Relay::new(db.clone(), Arc::new(bus.clone()), Duration::from_millis(50)).spawn();
    written.extend(write_concurrently(&db, 1, 8, 25, 3).await);

    let effects = wait_for_effects(&db, written.len(), Duration::from_secs(60)).await;
    assert!(effects.values().all(|applied| *applied == 1), "an effect applied twice");
    let applied: HashSet<_> = effects.into_keys().collect();
    assert_eq!(applied, written.iter().cloned().collect::<HashSet<_>>(), "no event lost");

    order.wait_for(written.len(), Duration::from_secs(30)).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let events = order.events.lock().expect("lock").clone();
    assert_eq!(assert_in_order_per_aggregate(&events), written.len(), "the log holds each event once");
}

#[tokio::test]
async fn the_log_drops_an_event_it_already_holds() {
    let files = SqliteDatabase::new();
    let (_db, bus) = open(&files, &isolated_events_config()).await;
    let event = OutboundEvent {
        id: uuid::Uuid::now_v7().to_string(),
        event_type: "tests.step_taken".into(),
        tenant: "platform".into(),
        aggregate_id: "a".into(),
        time: chrono::Utc::now(),
        traceparent: None,
        payload: vec![],
    };
    assert!(!bus.publish(&event).await.expect("stored").duplicate);
    assert!(bus.publish(&event).await.expect("stored").duplicate);
}
