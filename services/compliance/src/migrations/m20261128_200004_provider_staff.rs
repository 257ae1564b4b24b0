//! How many paid staff each provider has, learned from providers' events: employer's liability
//! insurance is needed only by a provider that employs staff.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ProviderStaff {
    Table,
    ProviderId,
    PaidStaffCount,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ProviderStaff::Table)
                    .col(string(ProviderStaff::ProviderId).primary_key())
                    .col(integer(ProviderStaff::PaidStaffCount))
                    .col(timestamp_with_time_zone(ProviderStaff::UpdatedAt))
                    .to_owned(),
            )
            .await
    }
}
