//! The embedded event log's own file: stored events, durable consumers and their pending
//! deliveries. SQLite only.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const STATEMENTS: [&str; 4] = [
    "CREATE TABLE event_log (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        event_id TEXT NOT NULL UNIQUE,
        subject TEXT NOT NULL,
        headers TEXT NOT NULL,
        payload BLOB NOT NULL,
        stored_at_ms INTEGER NOT NULL
    )",
    "CREATE TABLE log_consumer (name TEXT PRIMARY KEY, filter TEXT NOT NULL, cursor INTEGER NOT NULL)",
    "CREATE TABLE log_delivery (
        consumer TEXT NOT NULL,
        seq INTEGER NOT NULL,
        delivered INTEGER NOT NULL,
        due_at_ms INTEGER NOT NULL,
        PRIMARY KEY (consumer, seq)
    )",
    "CREATE INDEX log_delivery_due ON log_delivery (consumer, due_at_ms, seq)",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for statement in STATEMENTS {
            manager.get_connection().execute_unprepared(statement).await?;
        }
        Ok(())
    }
}
