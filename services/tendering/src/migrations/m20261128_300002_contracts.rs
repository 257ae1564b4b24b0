//! Contracts (awarded and registered), and what tendering hears from other services: providers'
//! public profiles (a contract's supplier details) and evaluations' rankings (what may be awarded).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Contract {
    Table,
    Id,
    CouncilId,
    Route,
    TenderId,
    LotId,
    SupplierProviderId,
    StartDate,
    Details,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum KnownProvider {
    Table,
    ProviderId,
    Profile,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum EvaluationResult {
    Table,
    TenderId,
    Rankings,
    CompletedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Contract::Table)
                    .col(string(Contract::Id).primary_key())
                    .col(string(Contract::CouncilId))
                    .col(integer(Contract::Route))
                    .col(string_null(Contract::TenderId))
                    .col(string_null(Contract::LotId))
                    .col(string_null(Contract::SupplierProviderId))
                    .col(date(Contract::StartDate))
                    .col(blob(Contract::Details))
                    .col(timestamp_with_time_zone(Contract::CreatedAt))
                    .col(timestamp_with_time_zone(Contract::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        // One contract per awarded lot; block contracts have no tender.
        manager
            .create_index(
                Index::create()
                    .name("contract_one_per_lot")
                    .table(Contract::Table)
                    .col(Contract::TenderId)
                    .col(Contract::LotId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("contract_council_start")
                    .table(Contract::Table)
                    .col(Contract::CouncilId)
                    .col(Contract::StartDate)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(KnownProvider::Table)
                    .col(string(KnownProvider::ProviderId).primary_key())
                    .col(blob(KnownProvider::Profile))
                    .col(timestamp_with_time_zone(KnownProvider::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(EvaluationResult::Table)
                    .col(string(EvaluationResult::TenderId).primary_key())
                    .col(blob(EvaluationResult::Rankings))
                    .col(timestamp_with_time_zone(EvaluationResult::CompletedAt))
                    .to_owned(),
            )
            .await
    }
}
