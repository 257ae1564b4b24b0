//! Drafts of bids, sealed under the tender's key: one per provider and tender.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum BidDraft {
    Table,
    TenderId,
    ProviderId,
    SealedContent,
    UpdatedBy,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(BidDraft::Table)
                    .col(string(BidDraft::TenderId))
                    .col(string(BidDraft::ProviderId))
                    .col(blob(BidDraft::SealedContent))
                    .col(string(BidDraft::UpdatedBy))
                    .col(timestamp_with_time_zone(BidDraft::UpdatedAt))
                    .primary_key(Index::create().col(BidDraft::TenderId).col(BidDraft::ProviderId))
                    .to_owned(),
            )
            .await
    }
}
