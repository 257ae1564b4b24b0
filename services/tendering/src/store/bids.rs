//! Bid rows: one per provider and tender, its current version's receipt and its contents sealed
//! under the tender's key. Nothing here ever holds a bid's contents in the clear.

use chrono::{DateTime, Utc};
use platform::Error;
use proto::commissioning::tendering::v1::BidStatus;
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::Expr;
use sea_orm::{ConnectionTrait, QueryOrder};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "bid")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub tender_id: String,
    pub provider_id: String,
    pub provider_name: String,
    pub status: i32,
    pub version: i32,
    /// `commissioning.tendering.v1.BidContent`, encoded then sealed; none once withdrawn or destroyed.
    pub sealed_content: Option<Vec<u8>>,
    pub sha256_hex: String,
    pub nonce_hex: String,
    /// When the current version arrived, by the database clock.
    pub received_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// The bid of `provider_id` on `tender_id`, in any status.
pub async fn of_provider<C: ConnectionTrait>(
    db: &C,
    tender_id: &str,
    provider_id: &str,
) -> Result<Option<Model>, Error> {
    Ok(Entity::find().filter(Column::TenderId.eq(tender_id)).filter(Column::ProviderId.eq(provider_id)).one(db).await?)
}

pub async fn find<C: ConnectionTrait>(db: &C, id: &str) -> Result<Option<Model>, Error> {
    Ok(Entity::find_by_id(id.to_owned()).one(db).await?)
}

/// A tender's bids in `status`, in the order received.
pub async fn in_status<C: ConnectionTrait>(db: &C, tender_id: &str, status: BidStatus) -> Result<Vec<Model>, Error> {
    Ok(Entity::find()
        .filter(Column::TenderId.eq(tender_id))
        .filter(Column::Status.eq(status as i32))
        .order_by_asc(Column::ReceivedAt)
        .order_by_asc(Column::Id)
        .all(db)
        .await?)
}

/// Moves every bid of a tender in `from` to `to`; `destroy` also deletes their contents.
pub async fn move_all<C: ConnectionTrait>(
    txn: &C,
    tender_id: &str,
    from: BidStatus,
    to: BidStatus,
    destroy: bool,
    now: DateTime<Utc>,
) -> Result<u64, Error> {
    let mut update = Entity::update_many()
        .col_expr(Column::Status, Expr::value(to as i32))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::TenderId.eq(tender_id))
        .filter(Column::Status.eq(from as i32));
    if destroy {
        update = update.col_expr(Column::SealedContent, Expr::value(Option::<Vec<u8>>::None));
    }
    Ok(update.exec(txn).await?.rows_affected)
}
