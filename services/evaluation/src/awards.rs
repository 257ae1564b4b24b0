//! Which bid won each lot, as tendering's `bidders_notified` said.

use platform::Error;
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ConnectionTrait};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "lot_award")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tender_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub lot_id: String,
    pub bid_id: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

pub async fn record<C: ConnectionTrait>(txn: &C, tender_id: &str, lot_id: &str, bid_id: &str) -> Result<(), Error> {
    Entity::insert(ActiveModel {
        tender_id: Set(tender_id.to_owned()),
        lot_id: Set(lot_id.to_owned()),
        bid_id: Set(bid_id.to_owned()),
    })
    .on_conflict(OnConflict::columns([Column::TenderId, Column::LotId]).update_column(Column::BidId).to_owned())
    .exec_without_returning(txn)
    .await?;
    Ok(())
}

/// The winning bid of a lot, once awarded.
pub async fn winner<C: ConnectionTrait>(db: &C, tender_id: &str, lot_id: &str) -> Result<Option<String>, Error> {
    let found = Entity::find_by_id((tender_id.to_owned(), lot_id.to_owned())).one(db).await?;
    Ok(found.map(|award| award.bid_id))
}
