//! The outbox relay: publishes unsent outbox rows and marks them sent only once the bus has
//! acknowledged them. It never tracks "the last id sent" (a lower id can commit later); it always
//! looks for unsent rows.
//!
//! On PostgreSQL each relay locks the first unsent row of each aggregate with `FOR UPDATE SKIP
//! LOCKED`, then that aggregate's other unsent rows, and keeps the locks while it publishes, so
//! several replicas can relay at once, no row is published by two of them, and each aggregate's
//! events go out in order. SQLite has one writer and one relay, so there the relay reads without
//! holding the write lock and marks rows sent in a short write afterwards.

use std::collections::HashSet;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use futures::FutureExt;
use sea_orm::sea_query::{Expr, LockType};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use sea_orm::{Statement, TransactionTrait};

use super::outbox::{Column, Entity, Model};
use super::{OutboundEvent, Publisher};
use crate::db::Database;

/// Aggregates claimed per batch.
const AGGREGATES_PER_BATCH: u64 = 64;
/// Events published per batch at most.
const EVENTS_PER_BATCH: u64 = 512;

/// Publishes a service's outbox.
pub struct Relay<P> {
    db: Database,
    publisher: Arc<P>,
    poll_interval: Duration,
}

impl<P: Publisher> Relay<P> {
    pub fn new(db: Database, publisher: Arc<P>, poll_interval: Duration) -> Self {
        Self { db, publisher, poll_interval }
    }

    /// Runs until aborted: drains the outbox whenever a unit of work commits, and at every poll.
    /// A failed or even panicking batch is logged and retried; the relay itself never stops.
    pub fn spawn(self) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let committed = self.db.committed();
            loop {
                let notified = committed.notified();
                tokio::pin!(notified);
                notified.as_mut().enable();
                match AssertUnwindSafe(self.relay_once()).catch_unwind().await {
                    Ok(Ok(0)) => {}
                    Ok(Ok(_)) => continue,
                    Ok(Err(error)) => tracing::warn!(%error, "outbox relay failed; will retry"),
                    Err(_) => tracing::error!("outbox relay batch panicked; will retry"),
                }
                let _ = tokio::time::timeout(self.poll_interval, notified).await;
            }
        })
    }

    /// Publishes one batch and returns how many events the bus acknowledged. When an event fails
    /// to publish, the rest of its aggregate waits for the next run (to keep the order); other
    /// aggregates go on.
    pub async fn relay_once(&self) -> Result<usize, DbErr> {
        if self.db.backend() != DatabaseBackend::Postgres {
            let rows = pending(self.db.conn(), false).await?;
            let sent = self.publish_in_order(rows).await;
            mark_sent(self.db.conn(), &sent).await?;
            return Ok(sent.len());
        }
        let txn = self.db.conn().begin().await?;
        let rows = pending(&txn, true).await?;
        let sent = self.publish_in_order(rows).await;
        mark_sent(&txn, &sent).await?;
        txn.commit().await?;
        Ok(sent.len())
    }

    /// Publishes `rows` (in `seq` order) and returns the `seq` of each acknowledged one.
    async fn publish_in_order(&self, rows: Vec<Model>) -> Vec<i64> {
        let mut held_back = HashSet::new();
        let mut sent = Vec::with_capacity(rows.len());
        for row in rows {
            if held_back.contains(&row.aggregate_id) {
                continue;
            }
            let seq = row.seq;
            let event = OutboundEvent::from(row);
            match self.publisher.publish(&event).await {
                Ok(_) => sent.push(seq),
                Err(error) => {
                    tracing::warn!(event_id = %event.id, %error, "publish failed; the event stays in the outbox");
                    held_back.insert(event.aggregate_id);
                }
            }
        }
        sent
    }
}

/// The unsent rows of up to [`AGGREGATES_PER_BATCH`] aggregates, in `seq` order. With `lock`
/// (PostgreSQL), the first unsent row of each aggregate is claimed with `FOR UPDATE SKIP LOCKED`
/// and the rest of those aggregates' rows are locked too.
async fn pending<C: ConnectionTrait>(db: &C, lock: bool) -> Result<Vec<Model>, DbErr> {
    let clause = if lock { " FOR UPDATE OF o SKIP LOCKED" } else { "" };
    let heads = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            format!(
                "SELECT o.aggregate_id FROM outbox o \
                 WHERE o.sent_at IS NULL AND NOT EXISTS ( \
                     SELECT 1 FROM outbox e WHERE e.aggregate_id = o.aggregate_id AND e.sent_at IS NULL AND e.seq < o.seq) \
                 ORDER BY o.seq LIMIT {AGGREGATES_PER_BATCH}{clause}"
            ),
        ))
        .await?;
    if heads.is_empty() {
        return Ok(Vec::new());
    }
    let aggregates =
        heads.iter().map(|row| row.try_get::<String>("", "aggregate_id")).collect::<Result<Vec<_>, _>>()?;
    let mut query = Entity::find()
        .filter(Column::SentAt.is_null())
        .filter(Column::AggregateId.is_in(aggregates))
        .order_by_asc(Column::Seq)
        .limit(EVENTS_PER_BATCH);
    if lock {
        query = query.lock(LockType::Update);
    }
    query.all(db).await
}

async fn mark_sent<C: ConnectionTrait>(db: &C, sent: &[i64]) -> Result<(), DbErr> {
    if sent.is_empty() {
        return Ok(());
    }
    Entity::update_many()
        .col_expr(Column::SentAt, Expr::value(chrono::Utc::now()))
        .filter(Column::Seq.is_in(sent.to_vec()))
        .exec(db)
        .await
        .map(|_| ())
}
