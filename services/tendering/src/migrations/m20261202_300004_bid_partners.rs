//! Consortium partners' answers to being named in a bid, kept beside the sealed bid (never in it):
//! one row per bid and partner, so a partner's members can find the bids that name it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum BidPartner {
    Table,
    BidId,
    ProviderId,
    TenderId,
    Name,
    Position,
    Status,
    RespondedAt,
    RespondedBy,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(BidPartner::Table)
                    .col(string(BidPartner::BidId))
                    .col(string(BidPartner::ProviderId))
                    .col(string(BidPartner::TenderId))
                    .col(string(BidPartner::Name))
                    .col(integer(BidPartner::Position))
                    .col(integer(BidPartner::Status))
                    .col(timestamp_with_time_zone_null(BidPartner::RespondedAt))
                    .col(string_null(BidPartner::RespondedBy))
                    .col(timestamp_with_time_zone(BidPartner::CreatedAt))
                    .primary_key(Index::create().col(BidPartner::BidId).col(BidPartner::ProviderId))
                    .to_owned(),
            )
            .await?;
        // A partner's question: which bids on this tender name my provider.
        manager
            .create_index(
                Index::create()
                    .name("bid_partner_of_provider")
                    .table(BidPartner::Table)
                    .col(BidPartner::TenderId)
                    .col(BidPartner::ProviderId)
                    .to_owned(),
            )
            .await
    }
}
