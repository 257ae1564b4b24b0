//! The transactional outbox: events written with the change that caused them, relayed later.
//! Rows are kept after sending (and pruned later) so they can be sent again if the broker loses them.

use sea_orm_migration::prelude::*;

use super::execute_for_backend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        execute_for_backend(
            manager,
            &[
                "CREATE TABLE outbox (
                    seq BIGSERIAL PRIMARY KEY,
                    event_id TEXT NOT NULL UNIQUE,
                    event_type TEXT NOT NULL,
                    tenant TEXT NOT NULL,
                    aggregate_id TEXT NOT NULL,
                    payload BYTEA NOT NULL,
                    traceparent TEXT,
                    created_at TIMESTAMPTZ NOT NULL,
                    sent_at TIMESTAMPTZ
                )",
                "CREATE INDEX outbox_unsent_by_aggregate ON outbox (aggregate_id, seq) WHERE sent_at IS NULL",
                "CREATE INDEX outbox_unsent ON outbox (seq) WHERE sent_at IS NULL",
            ],
            &[
                "CREATE TABLE outbox (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    event_id TEXT NOT NULL UNIQUE,
                    event_type TEXT NOT NULL,
                    tenant TEXT NOT NULL,
                    aggregate_id TEXT NOT NULL,
                    payload BLOB NOT NULL,
                    traceparent TEXT,
                    created_at TEXT NOT NULL,
                    sent_at TEXT
                )",
                "CREATE INDEX outbox_unsent_by_aggregate ON outbox (aggregate_id, seq) WHERE sent_at IS NULL",
                "CREATE INDEX outbox_unsent ON outbox (seq) WHERE sent_at IS NULL",
            ],
        )
        .await
    }
}
