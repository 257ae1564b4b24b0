//! Evaluations: one per closed tender, kept whole as protobuf (panel, bids, scores, moderation,
//! results) beside the columns lists filter on; and which bid won each lot.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Evaluation {
    Table,
    Id,
    TenderId,
    CouncilId,
    Status,
    Details,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum LotAward {
    Table,
    TenderId,
    LotId,
    BidId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Evaluation::Table)
                    .col(string(Evaluation::Id).primary_key())
                    .col(string(Evaluation::TenderId))
                    .col(string(Evaluation::CouncilId))
                    .col(integer(Evaluation::Status))
                    .col(blob(Evaluation::Details))
                    .col(timestamp_with_time_zone(Evaluation::CreatedAt))
                    .col(timestamp_with_time_zone(Evaluation::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        // At most one evaluation per tender, however often its closing is delivered.
        manager
            .create_index(
                Index::create()
                    .name("evaluation_one_per_tender")
                    .table(Evaluation::Table)
                    .col(Evaluation::TenderId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("evaluation_council")
                    .table(Evaluation::Table)
                    .col(Evaluation::CouncilId)
                    .col(Evaluation::CreatedAt)
                    .to_owned(),
            )
            .await?;
        // Which bid won each lot, as tendering told its bidders: whose feedback says "successful".
        manager
            .create_table(
                Table::create()
                    .table(LotAward::Table)
                    .col(string(LotAward::TenderId))
                    .col(string(LotAward::LotId))
                    .col(string(LotAward::BidId))
                    .primary_key(Index::create().col(LotAward::TenderId).col(LotAward::LotId))
                    .to_owned(),
            )
            .await
    }
}
