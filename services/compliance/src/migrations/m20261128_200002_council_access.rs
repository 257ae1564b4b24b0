//! Which councils may see which providers' lockers: learned from tendering events (the provider
//! bid to the council, or holds a contract with it).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CouncilAccess {
    Table,
    CouncilId,
    ProviderId,
    Reason,
    GrantedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CouncilAccess::Table)
                    .col(string(CouncilAccess::CouncilId))
                    .col(string(CouncilAccess::ProviderId))
                    .col(text(CouncilAccess::Reason))
                    .col(timestamp_with_time_zone(CouncilAccess::GrantedAt))
                    .primary_key(Index::create().col(CouncilAccess::CouncilId).col(CouncilAccess::ProviderId))
                    .to_owned(),
            )
            .await
    }
}
