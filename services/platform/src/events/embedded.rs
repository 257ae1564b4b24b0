//! The embedded event log: what the all-in-one default uses instead of NATS. Events are stored in
//! a SQLite file (synchronous, so an acknowledged event survives a crash) and de-duplicated by id;
//! durable named consumers keep a cursor and a row per pending delivery, both updated in one
//! transaction, so a restart resumes where it stopped, redelivers what was not acknowledged and
//! loses nothing. Retries, back-off, bounded deliveries and termination match the NATS consumer.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseBackend, DbErr, Statement, Value};
use sea_orm_migration::MigratorTrait;
use tokio::sync::Notify;

use super::dispatch::{Outcome, deliver, unreadable, with_progress};
use super::{
    BusError, ConsumerSpec, EventHandler, EventsConfig, InboundEvent, OutboundEvent, PublishReceipt, Publisher,
};
use crate::db::Database;

/// Longest a consumer sleeps when nothing wakes it.
const IDLE_POLL: Duration = Duration::from_millis(250);
/// Events scanned into a consumer's deliveries per step.
const SCAN_BATCH: i64 = 256;

/// A handle to the log; clones share the file and the wake-up signal.
#[derive(Clone)]
pub struct EmbeddedLog {
    db: Database,
    published: Arc<Notify>,
    config: Arc<EventsConfig>,
}

impl EmbeddedLog {
    /// Opens (creating if needed) the log file at `path`.
    pub async fn open(path: &Path, config: EventsConfig) -> Result<Self, BusError> {
        let url = format!("sqlite://{}?mode=rwc", path.display());
        let db = Database::connect(&url, 4).await.map_err(BusError::new)?;
        db.migrate::<LogMigrator>().await.map_err(BusError::new)?;
        Ok(Self { db, published: Arc::new(Notify::new()), config: Arc::new(config) })
    }

    pub fn config(&self) -> &EventsConfig {
        &self.config
    }

    /// Registers (or resumes) a durable consumer and runs it until the handle is dropped.
    pub(super) async fn consume<H: EventHandler>(
        &self,
        spec: ConsumerSpec,
        handler: Arc<H>,
    ) -> Result<tokio::task::JoinHandle<()>, BusError> {
        let filter = self.config.filter(&spec.pattern);
        // A new consumer starts with the events already in the log, as a JetStream one does.
        self.db
            .conn()
            .execute_raw(statement(
                "INSERT INTO log_consumer (name, filter, cursor) VALUES (?, ?, 0) \
                 ON CONFLICT (name) DO UPDATE SET filter = excluded.filter",
                [spec.name.clone().into(), filter.into()],
            ))
            .await
            .map_err(BusError::new)?;
        let log = self.clone();
        Ok(tokio::spawn(async move {
            loop {
                let notified = log.published.notified();
                tokio::pin!(notified);
                notified.as_mut().enable();
                match log.step(&spec.name, handler.as_ref()).await {
                    Ok(true) => continue,
                    Ok(false) => {}
                    Err(error) => tracing::warn!(consumer = %spec.name, %error, "embedded consumer step failed"),
                }
                let _ = tokio::time::timeout(IDLE_POLL, notified).await;
            }
        }))
    }

    /// Scans new events into pending deliveries, then handles the first due one. `Ok(true)` when
    /// there may be more to do at once.
    async fn step<H: EventHandler>(&self, consumer: &str, handler: &H) -> Result<bool, DbErr> {
        let scanned = self.scan(consumer).await?;
        let Some(delivery) = self.next_due(consumer).await? else { return Ok(scanned) };
        let outcome = match delivery.event(&self.config.subject_root) {
            Ok(event) => {
                let handling = deliver(consumer, &self.config, handler, &event);
                with_progress(handling, self.config.progress_interval(), || self.extend_lease(consumer, delivery.seq))
                    .await
            }
            Err(reason) => {
                unreadable(consumer, &delivery.subject, &reason);
                Outcome::Terminate
            }
        };
        match outcome {
            Outcome::Ack | Outcome::Terminate => {
                self.execute(
                    "DELETE FROM log_delivery WHERE consumer = ? AND seq = ?",
                    [consumer.into(), delivery.seq.into()],
                )
                .await?;
            }
            Outcome::RetryAfter(delay) => {
                self.execute(
                    "UPDATE log_delivery SET due_at_ms = ? WHERE consumer = ? AND seq = ?",
                    [(now_ms() + millis(delay)).into(), consumer.into(), delivery.seq.into()],
                )
                .await?;
            }
        }
        Ok(true)
    }

    /// Moves the consumer's cursor over new events, adding a pending delivery for each that
    /// matches its filter, in one transaction.
    async fn scan(&self, consumer: &str) -> Result<bool, DbErr> {
        let txn = self.db.begin().await?;
        let Some(row) = txn
            .query_one_raw(statement("SELECT filter, cursor FROM log_consumer WHERE name = ?", [consumer.into()]))
            .await?
        else {
            return Err(DbErr::RecordNotFound(format!("consumer {consumer}")));
        };
        let filter: String = row.try_get("", "filter")?;
        let cursor: i64 = row.try_get("", "cursor")?;
        let events = txn
            .query_all_raw(statement(
                "SELECT seq, subject FROM event_log WHERE seq > ? ORDER BY seq LIMIT ?",
                [cursor.into(), SCAN_BATCH.into()],
            ))
            .await?;
        let Some(last) = events.last() else { return Ok(false) };
        let last_seq: i64 = last.try_get("", "seq")?;
        for event in &events {
            let subject: String = event.try_get("", "subject")?;
            if super::subject_matches(&filter, &subject) {
                let seq: i64 = event.try_get("", "seq")?;
                txn.execute_raw(statement(
                    "INSERT OR IGNORE INTO log_delivery (consumer, seq, delivered, due_at_ms) VALUES (?, ?, 0, 0)",
                    [consumer.into(), seq.into()],
                ))
                .await?;
            }
        }
        txn.execute_raw(statement(
            "UPDATE log_consumer SET cursor = ? WHERE name = ?",
            [last_seq.into(), consumer.into()],
        ))
        .await?;
        txn.commit().await?;
        Ok(true)
    }

    /// Takes the earliest due delivery, counting the delivery and leasing it for `ack_wait`, so a
    /// crash while handling it leads to a redelivery once the lease runs out.
    async fn next_due(&self, consumer: &str) -> Result<Option<Delivery>, DbErr> {
        let now = now_ms();
        let txn = self.db.begin().await?;
        let row = txn
            .query_one_raw(statement(
                "SELECT d.seq, d.delivered, e.subject, e.headers, e.payload \
                 FROM log_delivery d JOIN event_log e ON e.seq = d.seq \
                 WHERE d.consumer = ? AND d.due_at_ms <= ? ORDER BY d.seq LIMIT 1",
                [consumer.into(), now.into()],
            ))
            .await?;
        let Some(row) = row else { return Ok(None) };
        let delivery = Delivery {
            seq: row.try_get("", "seq")?,
            delivered: row.try_get::<i64>("", "delivered")? + 1,
            subject: row.try_get("", "subject")?,
            headers: row.try_get("", "headers")?,
            payload: row.try_get("", "payload")?,
        };
        txn.execute_raw(statement(
            "UPDATE log_delivery SET delivered = ?, due_at_ms = ? WHERE consumer = ? AND seq = ?",
            [
                delivery.delivered.into(),
                (now + millis(self.config.ack_wait)).into(),
                consumer.into(),
                delivery.seq.into(),
            ],
        ))
        .await?;
        txn.commit().await?;
        Ok(Some(delivery))
    }

    /// Every event in the log matching `pattern`, oldest first.
    pub(super) async fn replay(&self, pattern: &str) -> Result<Vec<InboundEvent>, BusError> {
        let filter = self.config.filter(pattern);
        let rows = self
            .db
            .conn()
            .query_all_raw(statement("SELECT seq, subject, headers, payload FROM event_log ORDER BY seq", []))
            .await
            .map_err(BusError::new)?;
        let mut events = Vec::new();
        for row in rows {
            let subject: String = row.try_get("", "subject").map_err(BusError::new)?;
            if !super::subject_matches(&filter, &subject) {
                continue;
            }
            let delivery = Delivery {
                seq: row.try_get("", "seq").map_err(BusError::new)?,
                delivered: 1,
                subject,
                headers: row.try_get("", "headers").map_err(BusError::new)?,
                payload: row.try_get("", "payload").map_err(BusError::new)?,
            };
            match delivery.event(&self.config.subject_root) {
                Ok(event) => events.push(event),
                Err(reason) => {
                    tracing::warn!(subject = &delivery.subject, %reason, "replay skipped an unreadable event")
                }
            }
        }
        Ok(events)
    }

    /// Keeps a delivery still being handled from falling due again.
    async fn extend_lease(&self, consumer: &str, seq: i64) {
        let due = now_ms() + millis(self.config.ack_wait);
        let extended = self
            .execute(
                "UPDATE log_delivery SET due_at_ms = ? WHERE consumer = ? AND seq = ?",
                [due.into(), consumer.into(), seq.into()],
            )
            .await;
        if let Err(error) = extended {
            tracing::warn!(consumer, %error, "lease of a delivery in progress not extended");
        }
    }

    async fn execute<const N: usize>(&self, sql: &str, values: [Value; N]) -> Result<(), DbErr> {
        self.db.conn().execute_raw(statement(sql, values)).await.map(|_| ())
    }
}

impl Publisher for EmbeddedLog {
    /// Stores an event unless one with its id is already stored.
    async fn publish(&self, event: &OutboundEvent) -> Result<PublishReceipt, BusError> {
        let headers: BTreeMap<&str, String> = event.headers().into_iter().collect();
        let headers = serde_json::to_string(&headers).map_err(BusError::new)?;
        let result = self
            .db
            .conn()
            .execute_raw(statement(
                "INSERT OR IGNORE INTO event_log (event_id, subject, headers, payload, stored_at_ms) VALUES (?, ?, ?, ?, ?)",
                [
                    event.id.clone().into(),
                    event.subject(&self.config.subject_root).into(),
                    headers.into(),
                    event.payload.clone().into(),
                    now_ms().into(),
                ],
            ))
            .await
            .map_err(BusError::new)?;
        self.published.notify_waiters();
        Ok(PublishReceipt { duplicate: result.rows_affected() == 0 })
    }
}

/// One pending delivery read from the log.
struct Delivery {
    seq: i64,
    delivered: i64,
    subject: String,
    headers: String,
    payload: Vec<u8>,
}

impl Delivery {
    fn event(&self, root: &str) -> Result<InboundEvent, String> {
        let headers: BTreeMap<String, String> =
            serde_json::from_str(&self.headers).map_err(|error| format!("headers are not JSON: {error}"))?;
        InboundEvent::parse(
            root,
            &self.subject,
            |name| headers.get(name).cloned(),
            self.payload.clone(),
            u32::try_from(self.delivered).unwrap_or(u32::MAX),
        )
    }
}

fn statement<const N: usize>(sql: &str, values: [Value; N]) -> Statement {
    Statement::from_sql_and_values(DatabaseBackend::Sqlite, sql, values)
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// The log's own schema.
struct LogMigrator;

impl MigratorTrait for LogMigrator {
    fn migrations() -> Vec<Box<dyn sea_orm_migration::MigrationTrait>> {
        vec![Box::new(crate::migrations::m20261128_000004_embedded_event_log::Migration)]
    }
}
