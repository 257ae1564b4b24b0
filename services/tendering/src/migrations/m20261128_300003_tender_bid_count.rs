//! How many bids a tender holds, kept on its row (changed under the same lock as the bids), so
//! reading a tender does not count its bids.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tender {
    Table,
    BidCount,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Tender::Table)
                    .add_column(ColumnDef::new(Tender::BidCount).integer().not_null().default(0))
                    .to_owned(),
            )
            .await
    }
}
