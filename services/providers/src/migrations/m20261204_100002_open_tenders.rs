//! The tenders taking bids, kept so a service added later is matched to them too, and each
//! match's facts, so a provider can list the tenders that fit it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum OpenTender {
    Table,
    TenderId,
    CouncilId,
    Facts,
    BidDeadline,
}

#[derive(DeriveIden)]
enum TenderMatch {
    Table,
    Facts,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(OpenTender::Table)
                    .col(string(OpenTender::TenderId).primary_key())
                    .col(string(OpenTender::CouncilId))
                    .col(blob(OpenTender::Facts))
                    .col(timestamp_with_time_zone(OpenTender::BidDeadline))
                    .to_owned(),
            )
            .await?;
        // Matches made before this migration have no facts and are not listed.
        manager
            .alter_table(Table::alter().table(TenderMatch::Table).add_column(blob_null(TenderMatch::Facts)).to_owned())
            .await
    }
}
