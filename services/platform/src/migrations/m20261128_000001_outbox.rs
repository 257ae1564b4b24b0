//! The transactional outbox: events written with the change that caused them, relayed later.
//! Rows are kept after sending (and pruned later) so they can be sent again if the broker loses them.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Outbox {
    Table,
    Seq,
    EventId,
    EventType,
    Tenant,
    AggregateId,
    Payload,
    Traceparent,
    CreatedAt,
    SentAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Outbox::Table)
                    .col(big_pk_auto(Outbox::Seq))
                    .col(text_uniq(Outbox::EventId))
                    .col(text(Outbox::EventType))
                    .col(text(Outbox::Tenant))
                    .col(text(Outbox::AggregateId))
                    .col(blob(Outbox::Payload))
                    .col(text_null(Outbox::Traceparent))
                    .col(timestamp_with_time_zone(Outbox::CreatedAt))
                    .col(timestamp_with_time_zone_null(Outbox::SentAt))
                    .to_owned(),
            )
            .await?;
        // Partial indexes (same SQL on PostgreSQL and SQLite): the relay only ever looks for unsent rows.
        let connection = manager.get_connection();
        connection
            .execute_unprepared(
                "CREATE INDEX outbox_unsent_by_aggregate ON outbox (aggregate_id, seq) WHERE sent_at IS NULL",
            )
            .await?;
        connection.execute_unprepared("CREATE INDEX outbox_unsent ON outbox (seq) WHERE sent_at IS NULL").await?;
        Ok(())
    }
}
