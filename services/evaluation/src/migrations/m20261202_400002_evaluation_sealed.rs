//! Evaluations sealed at rest: each row's `details` is encrypted under the evaluation's own data
//! key, kept here wrapped by the master key. Rows written before this have none: the service seals
//! them when it starts (`store::seal_clear_rows`), since only it holds the master key.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Evaluation {
    Table,
    WrappedKey,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Evaluation::Table)
                    .add_column(ColumnDef::new(Evaluation::WrappedKey).blob().null())
                    .to_owned(),
            )
            .await
    }
}
