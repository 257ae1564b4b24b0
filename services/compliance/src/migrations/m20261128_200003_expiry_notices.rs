//! Which expiry notices (30 and 7 days before) each document has had, so each goes out once.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ExpiryNotice {
    Table,
    DocumentId,
    DaysBefore,
    SentAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ExpiryNotice::Table)
                    .col(string(ExpiryNotice::DocumentId))
                    .col(integer(ExpiryNotice::DaysBefore))
                    .col(timestamp_with_time_zone(ExpiryNotice::SentAt))
                    .primary_key(Index::create().col(ExpiryNotice::DocumentId).col(ExpiryNotice::DaysBefore))
                    .to_owned(),
            )
            .await
    }
}
