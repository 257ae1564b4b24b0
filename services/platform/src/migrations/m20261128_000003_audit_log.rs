//! The append-only, hash-chained audit log and its head (the last sequence number and hash), which
//! serialises appends and lets a truncated tail be detected.

use sea_orm_migration::prelude::*;

use super::execute_for_backend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let genesis = format!("INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '{}')", crate::audit::GENESIS_HASH);
        execute_for_backend(
            manager,
            &[
                "CREATE TABLE audit_log (
                    seq BIGINT PRIMARY KEY,
                    recorded_at TIMESTAMPTZ NOT NULL,
                    actor TEXT NOT NULL,
                    organisation TEXT NOT NULL,
                    action TEXT NOT NULL,
                    entity_kind TEXT NOT NULL,
                    entity_id TEXT NOT NULL,
                    details TEXT NOT NULL,
                    prev_hash TEXT NOT NULL,
                    hash TEXT NOT NULL
                )",
                "CREATE TABLE audit_head (id INTEGER PRIMARY KEY CHECK (id = 1), seq BIGINT NOT NULL, hash TEXT NOT NULL)",
                &genesis,
            ],
            &[
                "CREATE TABLE audit_log (
                    seq INTEGER PRIMARY KEY,
                    recorded_at TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    organisation TEXT NOT NULL,
                    action TEXT NOT NULL,
                    entity_kind TEXT NOT NULL,
                    entity_id TEXT NOT NULL,
                    details TEXT NOT NULL,
                    prev_hash TEXT NOT NULL,
                    hash TEXT NOT NULL
                )",
                "CREATE TABLE audit_head (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL, hash TEXT NOT NULL)",
                &genesis,
            ],
        )
        .await
    }
}
