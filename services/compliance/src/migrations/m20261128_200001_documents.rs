//! Documents in providers' lockers: the columns filtered on, where the file is, and the whole
//! document as protobuf.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Document {
    Table,
    Id,
    ProviderId,
    Kind,
    Status,
    ObjectKey,
    Details,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Document::Table)
                    .col(string(Document::Id).primary_key())
                    .col(string(Document::ProviderId))
                    .col(integer(Document::Kind))
                    .col(integer(Document::Status))
                    .col(string(Document::ObjectKey))
                    .col(blob(Document::Details))
                    .col(timestamp_with_time_zone(Document::CreatedAt))
                    .col(timestamp_with_time_zone(Document::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("document_provider")
                    .table(Document::Table)
                    .col(Document::ProviderId)
                    .col(Document::Kind)
                    .to_owned(),
            )
            .await
    }
}
