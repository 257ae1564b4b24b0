//! Completed evaluations' rankings, as `evaluation.completed` carries them: what may be awarded.

use platform::Error;
use prost::Message;
use proto::commissioning::events::v1::EvaluationCompleted;
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ConnectionTrait};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "evaluation_result")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tender_id: String,
    /// `commissioning.events.v1.EvaluationCompleted`, encoded.
    pub rankings: Vec<u8>,
    pub completed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// Keeps a tender's completed evaluation. An evaluation completes once, so the first copy stands:
/// the event arriving after AwardTender asked the evaluation service for it changes nothing.
pub async fn record<C: ConnectionTrait>(txn: &C, completed: &EvaluationCompleted) -> Result<(), Error> {
    Entity::insert(ActiveModel {
        tender_id: Set(completed.tender_id.clone()),
        rankings: Set(completed.encode_to_vec()),
        completed_at: Set(chrono::Utc::now()),
    })
    .on_conflict(OnConflict::column(Column::TenderId).do_nothing().to_owned())
    .exec_without_returning(txn)
    .await?;
    Ok(())
}

pub async fn find<C: ConnectionTrait>(db: &C, tender_id: &str) -> Result<Option<EvaluationCompleted>, Error> {
    let Some(row) = Entity::find_by_id(tender_id.to_owned()).one(db).await? else { return Ok(None) };
    Ok(Some(EvaluationCompleted::decode(row.rankings.as_slice()).map_err(Error::internal)?))
}
