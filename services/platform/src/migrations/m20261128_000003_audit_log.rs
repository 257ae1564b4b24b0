//! The append-only, hash-chained audit log and its head (the last sequence number and hash), which
//! serialises appends and lets a truncated tail be detected.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Seq,
    RecordedAt,
    Actor,
    Organisation,
    Action,
    EntityKind,
    EntityId,
    Details,
    PrevHash,
    Hash,
}

#[derive(DeriveIden)]
enum AuditHead {
    Table,
    Id,
    Seq,
    Hash,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .col(big_integer(AuditLog::Seq).primary_key())
                    .col(timestamp_with_time_zone(AuditLog::RecordedAt))
                    .col(text(AuditLog::Actor))
                    .col(text(AuditLog::Organisation))
                    .col(text(AuditLog::Action))
                    .col(text(AuditLog::EntityKind))
                    .col(text(AuditLog::EntityId))
                    .col(text(AuditLog::Details))
                    .col(text(AuditLog::PrevHash))
                    .col(text(AuditLog::Hash))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AuditHead::Table)
                    .col(integer(AuditHead::Id).primary_key().check(Expr::col(AuditHead::Id).eq(1)))
                    .col(big_integer(AuditHead::Seq))
                    .col(text(AuditHead::Hash))
                    .to_owned(),
            )
            .await?;
        let genesis = Query::insert()
            .into_table(AuditHead::Table)
            .columns([AuditHead::Id, AuditHead::Seq, AuditHead::Hash])
            .values([1.into(), 0.into(), crate::audit::GENESIS_HASH.into()])
            .map_err(|error| DbErr::Migration(error.to_string()))?
            .to_owned();
        manager.exec_stmt(genesis).await
    }
}
