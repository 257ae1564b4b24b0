//! Consortium partners' answers, one row per bid and partner beside the sealed bid. A row holds ids,
//! the partner's registered name and its answer: never anything of the bid's contents.

use chrono::{DateTime, Utc};
use platform::Error;
use platform::time::to_timestamp;
use proto::commissioning::tendering::v1::{PartnerConfirmation, PartnerStatus};
use sea_orm::entity::prelude::*;
use sea_orm::{ActiveValue::Set, ConnectionTrait, QueryOrder};

use crate::domain::{kept_when_dropped, status_when_named};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "bid_partner")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub bid_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub provider_id: String,
    pub tender_id: String,
    pub name: String,
    /// Where the partner is listed in the bid's contents (the last version naming it).
    pub position: i32,
    /// `commissioning.tendering.v1.PartnerStatus`.
    pub status: i32,
    pub responded_at: Option<DateTimeUtc>,
    pub responded_by: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    pub fn status(&self) -> PartnerStatus {
        PartnerStatus::try_from(self.status).unwrap_or(PartnerStatus::Unspecified)
    }

    pub fn shown(&self) -> PartnerConfirmation {
        PartnerConfirmation {
            provider_id: self.provider_id.clone(),
            name: self.name.clone(),
            status: self.status,
            respond_time: self.responded_at.map(to_timestamp),
        }
    }
}

/// Every partner answer of a bid, declined ones included, in the order named.
pub async fn of_bid<C: ConnectionTrait>(db: &C, bid_id: &str) -> Result<Vec<Model>, Error> {
    Ok(Entity::find()
        .filter(Column::BidId.eq(bid_id))
        .order_by_asc(Column::Position)
        .order_by_asc(Column::ProviderId)
        .all(db)
        .await?)
}

/// The partners named in a bid's current version (those that have not declined), as shown.
pub async fn named_in<C: ConnectionTrait>(db: &C, bid_id: &str) -> Result<Vec<PartnerConfirmation>, Error> {
    let rows = of_bid(db, bid_id).await?;
    Ok(rows.iter().filter(|row| row.status() != PartnerStatus::Declined).map(Model::shown).collect())
}

pub async fn find<C: ConnectionTrait>(db: &C, bid_id: &str, provider_id: &str) -> Result<Option<Model>, Error> {
    Ok(Entity::find_by_id((bid_id.to_owned(), provider_id.to_owned())).one(db).await?)
}

/// The bids on a tender that name `provider_id` and that it has not declined.
pub async fn naming<C: ConnectionTrait>(db: &C, tender_id: &str, provider_id: &str) -> Result<Vec<Model>, Error> {
    Ok(Entity::find()
        .filter(Column::TenderId.eq(tender_id))
        .filter(Column::ProviderId.eq(provider_id))
        .filter(Column::Status.ne(PartnerStatus::Declined as i32))
        .order_by_asc(Column::CreatedAt)
        .all(db)
        .await?)
}

/// Brings a bid's partner rows in line with a new version naming `named` (provider id, registered
/// name): partners that stay keep their confirmation, new ones start unconfirmed, dropped ones go
/// (declines stay, for the lead to see).
pub async fn name<C: ConnectionTrait>(
    txn: &C,
    tender_id: &str,
    bid_id: &str,
    named: &[(String, String)],
    now: DateTime<Utc>,
) -> Result<(), Error> {
    for row in of_bid(txn, bid_id).await? {
        let still_named = named.iter().any(|(id, _)| *id == row.provider_id);
        if !still_named && !kept_when_dropped(row.status()) {
            row.delete(txn).await?;
        }
    }
    for (index, (provider_id, partner_name)) in named.iter().enumerate() {
        let position = i32::try_from(index).unwrap_or(i32::MAX);
        let previous = find(txn, bid_id, provider_id).await?;
        let status = status_when_named(previous.as_ref().map(Model::status));
        match previous {
            Some(row) if row.status() == status && row.position == position => {}
            Some(row) => {
                let restarted = row.status() != status;
                let mut row: ActiveModel = row.into();
                row.position = Set(position);
                if restarted {
                    row.status = Set(status as i32);
                    row.responded_at = Set(None);
                    row.responded_by = Set(None);
                }
                row.update(txn).await?;
            }
            None => {
                ActiveModel {
                    bid_id: Set(bid_id.to_owned()),
                    provider_id: Set(provider_id.clone()),
                    tender_id: Set(tender_id.to_owned()),
                    name: Set(partner_name.clone()),
                    position: Set(position),
                    status: Set(status as i32),
                    responded_at: Set(None),
                    responded_by: Set(None),
                    created_at: Set(now),
                }
                .insert(txn)
                .await?;
            }
        }
    }
    Ok(())
}

/// Records a partner's answer.
pub async fn answer<C: ConnectionTrait>(
    txn: &C,
    row: Model,
    status: PartnerStatus,
    user_id: &str,
    now: DateTime<Utc>,
) -> Result<Model, Error> {
    let mut row: ActiveModel = row.into();
    row.status = Set(status as i32);
    row.responded_at = Set(Some(now));
    row.responded_by = Set(Some(user_id.to_owned()));
    Ok(row.update(txn).await?)
}

/// Forgets a bid's partners (it was withdrawn: a withdrawn bid names no one).
pub async fn forget_bid<C: ConnectionTrait>(txn: &C, bid_id: &str) -> Result<(), Error> {
    Entity::delete_many().filter(Column::BidId.eq(bid_id)).exec(txn).await?;
    Ok(())
}
