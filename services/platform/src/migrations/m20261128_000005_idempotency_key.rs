//! Idempotency keys: which resource a caller's create call made, by its `request_id`.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum IdempotencyKey {
    Table,
    Caller,
    Operation,
    RequestId,
    ResourceId,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(IdempotencyKey::Table)
                    .col(string(IdempotencyKey::Caller))
                    .col(string(IdempotencyKey::Operation))
                    .col(string(IdempotencyKey::RequestId))
                    .col(string(IdempotencyKey::ResourceId))
                    .col(timestamp_with_time_zone(IdempotencyKey::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(IdempotencyKey::Caller)
                            .col(IdempotencyKey::Operation)
                            .col(IdempotencyKey::RequestId),
                    )
                    .to_owned(),
            )
            .await
    }
}
