//! The transactional outbox and its relay on PostgreSQL and NATS JetStream.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use platform::events::relay::Relay;
use platform::events::{ConsumerSpec, EventBus, outbox};
use platform::migrations::PlatformMigrator;
use platform::testing::{PostgresDatabase, delete_stream, isolated_events_config, nats_bus};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

use super::support::{Counting, Recorder, assert_in_order_per_aggregate, write_concurrently};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_thousand_events_from_eight_writers_are_all_published_in_order_per_aggregate() {
    let database = PostgresDatabase::create().await;
    let db = database.connect::<PlatformMigrator>().await;
    let nats = nats_bus(isolated_events_config()).await;
    let bus = EventBus::Nats(nats.clone());
    let recorder = Arc::new(Recorder::default());
    let _consumer = bus
        .consume(ConsumerSpec { name: "order-check".into(), pattern: ">".into() }, recorder.clone())
        .await
        .expect("consumer starts");
    let relay = Relay::new(db.clone(), Arc::new(bus.clone()), Duration::from_millis(100)).spawn();

    let written = write_concurrently(&db, 0, 8, 125, 5).await;
    assert_eq!(written.len(), 1000);
    recorder.wait_for(1000, Duration::from_secs(60)).await;
    // Give a stray duplicate the chance to show up before counting.
    tokio::time::sleep(Duration::from_millis(300)).await;

    let events = recorder.events.lock().expect("lock").clone();
    assert_eq!(assert_in_order_per_aggregate(&events), 1000, "each event delivered once");
    let received: HashSet<_> = events.iter().map(|event| event.id.clone()).collect();
    let expected: HashSet<_> = written.into_iter().collect();
    assert_eq!(received, expected, "no event skipped");
    let unsent = outbox::Entity::find().filter(outbox::Column::SentAt.is_null()).count(db.conn()).await.expect("count");
    assert_eq!(unsent, 0, "every row marked sent");
    let kept = outbox::Entity::find().count(db.conn()).await.expect("count");
    assert_eq!(kept, 1000, "rows are kept after sending");

    relay.abort();
    delete_stream(&nats).await;
    database.drop_database().await;
}

#[tokio::test]
async fn a_relay_stopped_before_marking_sent_publishes_again_and_jetstream_drops_the_copy() {
    let database = PostgresDatabase::create().await;
    let db = database.connect::<PlatformMigrator>().await;
    let nats = nats_bus(isolated_events_config()).await;
    write_concurrently(&db, 0, 1, 3, 1).await;

    let published = Arc::new(Mutex::new(HashMap::new()));
    let crashing = Counting::new(nats.clone(), published.clone());
    *crashing.lose_acks.lock().expect("lock") = 1;
    let relay = Relay::new(db.clone(), Arc::new(crashing), Duration::from_secs(60));
    assert_eq!(relay.relay_once().await.expect("relay runs"), 0, "nothing is marked sent");
    let unsent = outbox::Entity::find().filter(outbox::Column::SentAt.is_null()).count(db.conn()).await.expect("count");
    assert_eq!(unsent, 3);

    let restarted = Arc::new(Counting::new(nats.clone(), published.clone()));
    let relay = Relay::new(db.clone(), restarted.clone(), Duration::from_secs(60));
    assert_eq!(relay.relay_once().await.expect("relay runs"), 3);
    let receipts = restarted.receipts.lock().expect("lock").clone();
    assert!(receipts[0].duplicate, "JetStream recognised the first event as a duplicate");
    assert!(!receipts[1].duplicate && !receipts[2].duplicate);

    let mut stream = nats.jetstream().get_stream(&nats.config().stream).await.expect("stream");
    assert_eq!(stream.info().await.expect("info").state.messages, 3, "the stream holds each event once");
    delete_stream(&nats).await;
    database.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_relays_on_one_database_never_both_publish_a_row() {
    let database = PostgresDatabase::create().await;
    let db = database.connect::<PlatformMigrator>().await;
    let nats = nats_bus(isolated_events_config()).await;
    // More aggregates than one relay claims per batch, so both have work at once.
    let written = write_concurrently(&db, 0, 4, 150, 50).await;

    let published = Arc::new(Mutex::new(HashMap::new()));
    let mut relays = Vec::new();
    for _ in 0..2 {
        // Each relay has its own connection pool, as a separate replica would.
        let replica = platform::db::Database::connect(&database.url, 4).await.expect("connect");
        let relay =
            Relay::new(replica, Arc::new(Counting::new(nats.clone(), published.clone())), Duration::from_secs(60));
        let db = db.clone();
        relays.push(tokio::spawn(async move {
            let mut total = 0;
            loop {
                let sent = relay.relay_once().await.expect("relay runs");
                total += sent;
                if sent == 0 {
                    let unsent = outbox::Entity::find().filter(outbox::Column::SentAt.is_null()).count(db.conn());
                    if unsent.await.expect("count") == 0 {
                        return total;
                    }
                    // The other relay holds what is left.
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            }
        }));
    }
    let mut total = 0;
    for relay in relays {
        total += relay.await.expect("relay finished");
    }
    assert_eq!(total, written.len(), "together the relays sent every row once");
    let published = published.lock().expect("lock").clone();
    assert_eq!(published.len(), written.len());
    let twice: Vec<_> = published.iter().filter(|(_, count)| **count > 1).collect();
    assert!(twice.is_empty(), "published by both relays: {twice:?}");
    delete_stream(&nats).await;
    database.drop_database().await;
}

#[tokio::test]
async fn an_event_the_bus_refuses_holds_back_only_its_own_aggregate() {
    let database = PostgresDatabase::create().await;
    let db = database.connect::<PlatformMigrator>().await;
    let nats = nats_bus(isolated_events_config()).await;
    // Three aggregates of four events each: r0-w0-a0, r0-w0-a1, r0-w0-a2.
    write_concurrently(&db, 0, 1, 12, 3).await;

    let publisher = Counting::new(nats.clone(), Arc::new(Mutex::new(HashMap::new())));
    *publisher.refuse_aggregate.lock().expect("lock") = Some("r0-w0-a1".into());
    let relay = Relay::new(db.clone(), Arc::new(publisher), Duration::from_secs(60));
    assert_eq!(relay.relay_once().await.expect("relay runs"), 8, "the other two aggregates go out");
    assert_eq!(relay.relay_once().await.expect("relay runs"), 0);
    let unsent = outbox::Entity::find().filter(outbox::Column::SentAt.is_null()).all(db.conn()).await.expect("read");
    assert_eq!(unsent.len(), 4);
    assert!(unsent.iter().all(|row| row.aggregate_id == "r0-w0-a1"));
    delete_stream(&nats).await;
    database.drop_database().await;
}

#[tokio::test]
async fn old_sent_rows_and_inbox_marks_are_pruned_and_unsent_rows_never() {
    use platform::events::{inbox, retention};
    use sea_orm::{ActiveValue::Set, sea_query::Expr};

    let database = PostgresDatabase::create().await;
    let db = database.connect::<PlatformMigrator>().await;
    let written = write_concurrently(&db, 0, 1, 4, 1).await;
    let long_ago = chrono::Utc::now() - chrono::Duration::days(30);
    // Two rows sent a month ago, one sent just now, one never sent.
    for (id, sent_at) in
        [(&written[0], Some(long_ago)), (&written[1], Some(long_ago)), (&written[2], Some(chrono::Utc::now()))]
    {
        outbox::Entity::update_many()
            .col_expr(outbox::Column::SentAt, Expr::value(sent_at))
            .filter(outbox::Column::EventId.eq(id.as_str()))
            .exec(db.conn())
            .await
            .expect("marked");
    }
    inbox::Entity::insert(inbox::ActiveModel {
        consumer: Set("c".into()),
        event_id: Set("old".into()),
        processed_at: Set(long_ago),
    })
    .exec(db.conn())
    .await
    .expect("inbox mark");

    let pruned = retention::prune(&db, Duration::from_secs(7 * 86_400)).await.expect("pruned");
    assert_eq!(pruned, (2, 1));
    let left: Vec<_> = outbox::Entity::find()
        .order_by_asc(outbox::Column::Seq)
        .all(db.conn())
        .await
        .expect("read")
        .into_iter()
        .map(|row| row.event_id)
        .collect();
    assert_eq!(left, [written[2].clone(), written[3].clone()], "the recent and the unsent rows stay");
    database.drop_database().await;
}
