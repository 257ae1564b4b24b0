//! Which bid won each lot, as tendering said: in `bidders_notified`, or in answer to GetTender when
//! a bidder asks for feedback before that event has arrived. Either way it is recorded once.

use platform::Error;
use platform::sealing::MasterKey;
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ConnectionTrait, DatabaseTransaction};

use crate::{consumers, store};

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

/// Records the lot's winner and releases the tender's feedback to its bidders, audited once.
/// Learning the same award again (the event after GetTender told it) changes nothing.
pub async fn release(
    txn: &DatabaseTransaction,
    master: &MasterKey,
    tender_id: &str,
    lot_id: &str,
    bid_id: &str,
) -> Result<(), Error> {
    // A lot is awarded once, so the first word on it stands.
    Entity::insert(ActiveModel {
        tender_id: Set(tender_id.to_owned()),
        lot_id: Set(lot_id.to_owned()),
        bid_id: Set(bid_id.to_owned()),
    })
    .on_conflict(OnConflict::columns([Column::TenderId, Column::LotId]).do_nothing().to_owned())
    .exec_without_returning(txn)
    .await?;
    let Some(mut evaluation) = store::lock_of_tender(txn, master, tender_id).await? else { return Ok(()) };
    if evaluation.feedback_released {
        return Ok(());
    }
    evaluation.feedback_released = true;
    store::save(txn, master, &evaluation).await?;
    consumers::record(txn, &evaluation, "evaluation.feedback_released").await
}

/// The winning bid of a lot, once awarded.
pub async fn winner<C: ConnectionTrait>(db: &C, tender_id: &str, lot_id: &str) -> Result<Option<String>, Error> {
    let found = Entity::find_by_id((tender_id.to_owned(), lot_id.to_owned())).one(db).await?;
    Ok(found.map(|award| award.bid_id))
}
