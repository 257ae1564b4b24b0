//! The inbox: a consumer records each event it applies in the same transaction as the effect, so
//! an event delivered twice (after a crash, a lost acknowledgement or a replayed stream) has its
//! effect once.

use chrono::Utc;
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, DatabaseTransaction};

use super::{HandlerError, InboundEvent};
use crate::db::{Database, TxFuture};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "inbox")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub consumer: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub event_id: String,
    pub processed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// Applies `effect` for `event` unless `consumer` has applied it before, in one transaction with
/// the inbox mark. Returns whether the effect ran now.
pub async fn apply_once<F>(db: &Database, consumer: &str, event: &InboundEvent, effect: F) -> Result<bool, HandlerError>
where
    F: for<'t> FnOnce(&'t DatabaseTransaction) -> TxFuture<'t, (), HandlerError>,
{
    let txn = db.begin().await?;
    let marked = Entity::insert(ActiveModel {
        consumer: Set(consumer.to_owned()),
        event_id: Set(event.id.clone()),
        processed_at: Set(Utc::now()),
    })
    .on_conflict(OnConflict::columns([Column::Consumer, Column::EventId]).do_nothing().to_owned())
    .exec_without_returning(&txn)
    .await?;
    if marked == 0 {
        return Ok(false);
    }
    // On error the transaction is dropped, which rolls back the mark with the effect.
    effect(&txn).await?;
    db.commit(txn).await?;
    Ok(true)
}
