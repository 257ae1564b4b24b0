//! Pruning: sent outbox rows and inbox marks are kept for a while (so lost events can be sent
//! again and redeliveries recognised), then deleted. Unsent rows are never pruned.

use std::time::Duration;

use chrono::Utc;
use sea_orm::{ColumnTrait, DbErr, EntityTrait, QueryFilter};

use super::{inbox, outbox};
use crate::db::Database;

/// How often the pruner runs.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

/// Deletes outbox rows sent, and inbox marks made, more than `retention` ago. Returns how many
/// of each went.
pub async fn prune(db: &Database, retention: Duration) -> Result<(u64, u64), DbErr> {
    let cutoff = Utc::now() - chrono::Duration::from_std(retention).unwrap_or(chrono::Duration::MAX);
    let sent = outbox::Entity::delete_many()
        .filter(outbox::Column::SentAt.is_not_null())
        .filter(outbox::Column::SentAt.lt(cutoff))
        .exec(db.conn())
        .await?;
    let marks = inbox::Entity::delete_many().filter(inbox::Column::ProcessedAt.lt(cutoff)).exec(db.conn()).await?;
    Ok((sent.rows_affected, marks.rows_affected))
}

/// Prunes every hour until aborted.
pub fn spawn(db: Database, retention: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match prune(&db, retention).await {
                Ok((0, 0)) => {}
                Ok((sent, marks)) => tracing::info!(sent, marks, "pruned old outbox rows and inbox marks"),
                Err(error) => tracing::warn!(%error, "pruning failed; will retry"),
            }
            tokio::time::sleep(PRUNE_EVERY).await;
        }
    })
}
