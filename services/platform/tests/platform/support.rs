//! What the platform tests share: a small event payload, recording consumers and publishers.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use platform::db::Database;
use platform::events::{
    BusError, EventHandler, HandlerError, InboundEvent, OutboundEvent, PublishReceipt, Publisher, outbox,
};
use rand::Rng;

/// The payload of test events: which aggregate, and its position in that aggregate's history.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Step {
    #[prost(string, tag = "1")]
    pub aggregate: String,
    #[prost(uint64, tag = "2")]
    pub position: u64,
}

/// Writes `count` events per writer from `writers` concurrent writers, each event in its own
/// transaction that sleeps a random few milliseconds before and after writing, spread over
/// `aggregates_per_writer` aggregates each (named after `round`, so a later round starts new
/// histories). Returns every event id written.
pub async fn write_concurrently(
    db: &Database,
    round: usize,
    writers: usize,
    count: usize,
    aggregates_per_writer: usize,
) -> Vec<String> {
    let mut tasks = Vec::new();
    for writer in 0..writers {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            let mut ids = Vec::new();
            for n in 0..count {
                let aggregate = format!("r{round}-w{writer}-a{}", n % aggregates_per_writer);
                let step = Step { aggregate: aggregate.clone(), position: (n / aggregates_per_writer) as u64 };
                let id = db
                    .unit_of_work(|txn| {
                        Box::pin(async move {
                            random_pause().await;
                            let id = outbox::enqueue(txn, "tests.step_taken", "lambeth", &aggregate, &step).await?;
                            random_pause().await;
                            Ok::<_, platform::Error>(id)
                        })
                    })
                    .await
                    .expect("write an event");
                ids.push(id);
            }
            ids
        }));
    }
    let mut ids = Vec::new();
    for task in tasks {
        ids.extend(task.await.expect("writer finished"));
    }
    ids
}

async fn random_pause() {
    let millis = rand::rng().random_range(0..4);
    tokio::time::sleep(Duration::from_millis(millis)).await;
}

/// Records every event it is handed, in order.
#[derive(Default)]
pub struct Recorder {
    pub events: Mutex<Vec<InboundEvent>>,
}

impl EventHandler for Recorder {
    async fn handle(&self, event: &InboundEvent) -> Result<(), HandlerError> {
        self.events.lock().expect("lock").push(event.clone());
        Ok(())
    }
}

impl Recorder {
    pub fn len(&self) -> usize {
        self.events.lock().expect("lock").len()
    }

    /// Waits until `count` events have arrived, or panics after `limit`.
    pub async fn wait_for(&self, count: usize, limit: Duration) {
        let deadline = tokio::time::Instant::now() + limit;
        while self.len() < count {
            assert!(tokio::time::Instant::now() < deadline, "only {} of {count} events arrived", self.len());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Asserts every aggregate's steps arrived in order, and returns how many arrived.
pub fn assert_in_order_per_aggregate(events: &[InboundEvent]) -> usize {
    let mut last: HashMap<String, u64> = HashMap::new();
    for event in events {
        let step: Step = event.decode().expect("payload decodes");
        if let Some(previous) = last.insert(step.aggregate.clone(), step.position) {
            assert!(
                step.position > previous,
                "{}: step {} arrived after step {previous}",
                step.aggregate,
                step.position
            );
        }
    }
    events.len()
}

/// Publishes through another publisher, counting each event id and keeping each receipt.
pub struct Counting<P> {
    pub inner: P,
    pub published: Arc<Mutex<HashMap<String, usize>>>,
    pub receipts: Mutex<Vec<PublishReceipt>>,
    /// When set, the acknowledgement of this many publishes is "lost": the event is published
    /// but the relay is told it failed, as when a relay stops between publishing and marking sent.
    pub lose_acks: Mutex<usize>,
    /// Events of this aggregate are refused by the bus every time (too large, say).
    pub refuse_aggregate: Mutex<Option<String>>,
}

impl<P> Counting<P> {
    pub fn new(inner: P, published: Arc<Mutex<HashMap<String, usize>>>) -> Self {
        Self {
            inner,
            published,
            receipts: Mutex::new(Vec::new()),
            lose_acks: Mutex::new(0),
            refuse_aggregate: Mutex::new(None),
        }
    }
}

impl<P: Publisher> Publisher for Counting<P> {
    async fn publish(&self, event: &OutboundEvent) -> Result<PublishReceipt, BusError> {
        if self.refuse_aggregate.lock().expect("lock").as_deref() == Some(event.aggregate_id.as_str()) {
            return Err(BusError("message too large".into()));
        }
        let receipt = self.inner.publish(event).await?;
        *self.published.lock().expect("lock").entry(event.id.clone()).or_default() += 1;
        self.receipts.lock().expect("lock").push(receipt);
        let mut lose = self.lose_acks.lock().expect("lock");
        if *lose > 0 {
            *lose -= 1;
            return Err(BusError("acknowledgement lost".into()));
        }
        Ok(receipt)
    }
}

/// The test effect table: one row per applied event.
pub async fn create_effects_table(db: &Database) {
    use sea_orm::ConnectionTrait;
    db.conn()
        .execute_unprepared(
            "CREATE TABLE effects (event_id TEXT NOT NULL, aggregate TEXT NOT NULL, position BIGINT NOT NULL)",
        )
        .await
        .expect("create effects table");
}

/// Applies each event through the inbox, writing one effect row. The first delivery of each
/// event can be made to "crash" after its transaction committed and before it is acknowledged,
/// so the bus delivers it again.
pub struct ApplyThroughInbox {
    pub db: Database,
    pub crash_after_first_commit: bool,
    pub calls: std::sync::atomic::AtomicUsize,
}

impl ApplyThroughInbox {
    pub fn new(db: Database, crash_after_first_commit: bool) -> Self {
        Self { db, crash_after_first_commit, calls: Default::default() }
    }
}

impl EventHandler for ApplyThroughInbox {
    async fn handle(&self, event: &InboundEvent) -> Result<(), HandlerError> {
        use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};
        self.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let step: Step = event.decode()?;
        let event_id = event.id.clone();
        let applied = platform::events::inbox::apply_once(&self.db, "effects", event, |txn| {
            Box::pin(async move {
                let sql = match txn.get_database_backend() {
                    DatabaseBackend::Postgres => {
                        "INSERT INTO effects (event_id, aggregate, position) VALUES ($1, $2, $3)"
                    }
                    _ => "INSERT INTO effects (event_id, aggregate, position) VALUES (?, ?, ?)",
                };
                let values = [event_id.into(), step.aggregate.into(), (step.position as i64).into()];
                txn.execute_raw(Statement::from_sql_and_values(txn.get_database_backend(), sql, values)).await?;
                Ok(())
            })
        })
        .await?;
        if applied && self.crash_after_first_commit && event.delivery == 1 {
            return Err(HandlerError::Retry("crashed after commit, before acknowledging".into()));
        }
        Ok(())
    }
}

/// Effect rows per event id.
pub async fn effects_per_event(db: &Database) -> HashMap<String, i64> {
    use sea_orm::{ConnectionTrait, Statement};
    let rows = db
        .conn()
        .query_all_raw(Statement::from_string(
            db.backend(),
            "SELECT event_id, COUNT(*) AS applied FROM effects GROUP BY event_id",
        ))
        .await
        .expect("read effects");
    rows.into_iter()
        .map(|row| (row.try_get("", "event_id").expect("event_id"), row.try_get("", "applied").expect("applied")))
        .collect()
}

/// Waits until `count` distinct events have an effect, or panics after `limit`.
pub async fn wait_for_effects(db: &Database, count: usize, limit: Duration) -> HashMap<String, i64> {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        let effects = effects_per_event(db).await;
        if effects.len() >= count {
            return effects;
        }
        assert!(tokio::time::Instant::now() < deadline, "only {} of {count} events applied", effects.len());
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}
