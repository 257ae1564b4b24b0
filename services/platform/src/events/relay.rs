//! The outbox relay: publishes unsent outbox rows and marks them sent only once the bus has
//! acknowledged them. It never tracks "the last id sent" (a lower id can commit later); it always
//! looks for unsent rows. On PostgreSQL each relay locks the first unsent row of each aggregate
//! with `FOR UPDATE SKIP LOCKED`, then that aggregate's other unsent rows, so several replicas can
//! relay at once, no row is published by two of them, and each aggregate's events go out in order.

use std::sync::Arc;
use std::time::Duration;

use sea_orm::sea_query::{Expr, LockType};
use sea_orm::{ColumnTrait, EntityTrait};
use sea_orm::{ConnectionTrait, DatabaseBackend, DbErr, QueryFilter, QueryOrder, QuerySelect, Statement};

use super::outbox::{Column, Entity};
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
    pub fn spawn(self) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let committed = self.db.committed();
            loop {
                let notified = committed.notified();
                tokio::pin!(notified);
                notified.as_mut().enable();
                match self.relay_once().await {
                    Ok(0) => {}
                    Ok(_) => continue,
                    Err(error) => tracing::warn!(%error, "outbox relay failed; will retry"),
                }
                let _ = tokio::time::timeout(self.poll_interval, notified).await;
            }
        })
    }

    /// Publishes one batch and returns how many events the bus acknowledged. A publish failure
    /// ends the batch: what was acknowledged is marked sent, the rest waits for the next run.
    pub async fn relay_once(&self) -> Result<usize, DbErr> {
        let txn = self.db.begin().await?;
        let heads = txn.query_all_raw(claim_heads(txn.get_database_backend())).await?;
        if heads.is_empty() {
            txn.commit().await?;
            return Ok(0);
        }
        let aggregates =
            heads.iter().map(|row| row.try_get::<String>("", "aggregate_id")).collect::<Result<Vec<_>, _>>()?;
        let mut pending = Entity::find()
            .filter(Column::SentAt.is_null())
            .filter(Column::AggregateId.is_in(aggregates))
            .order_by_asc(Column::Seq)
            .limit(EVENTS_PER_BATCH);
        if txn.get_database_backend() == DatabaseBackend::Postgres {
            pending = pending.lock(LockType::Update);
        }
        let rows = pending.all(&txn).await?;

        let mut sent = Vec::with_capacity(rows.len());
        for row in rows {
            let seq = row.seq;
            let event = OutboundEvent::from(row);
            match self.publisher.publish(&event).await {
                Ok(receipt) => {
                    if receipt.duplicate {
                        tracing::debug!(event_id = %event.id, "bus already had this event");
                    }
                    sent.push(seq);
                }
                Err(error) => {
                    tracing::warn!(event_id = %event.id, %error, "publish failed; the event stays in the outbox");
                    break;
                }
            }
        }
        if !sent.is_empty() {
            Entity::update_many()
                .col_expr(Column::SentAt, Expr::value(chrono::Utc::now()))
                .filter(Column::Seq.is_in(sent.clone()))
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(sent.len())
    }
}

/// The first unsent row of each aggregate that no other relay holds. `FOR UPDATE SKIP LOCKED`
/// only exists on PostgreSQL; SQLite runs one writer at a time anyway.
fn claim_heads(backend: DatabaseBackend) -> Statement {
    let lock = match backend {
        DatabaseBackend::Postgres => " FOR UPDATE OF o SKIP LOCKED",
        _ => "",
    };
    Statement::from_string(
        backend,
        format!(
            "SELECT o.seq, o.aggregate_id FROM outbox o \
             WHERE o.sent_at IS NULL AND NOT EXISTS ( \
                 SELECT 1 FROM outbox e WHERE e.aggregate_id = o.aggregate_id AND e.sent_at IS NULL AND e.seq < o.seq) \
             ORDER BY o.seq LIMIT {AGGREGATES_PER_BATCH}{lock}"
        ),
    )
}
