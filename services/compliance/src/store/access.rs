//! Which councils may see which providers' lockers.

use chrono::Utc;
use platform::Error;
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ConnectionTrait};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "council_access")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub council_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub provider_id: String,
    /// Why, for the audit of access: "bid to tender ..." or "contract ...".
    pub reason: String,
    pub granted_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// Lets `council_id` see `provider_id`'s locker (once is enough).
pub async fn grant<C: ConnectionTrait>(
    txn: &C,
    council_id: &str,
    provider_id: &str,
    reason: &str,
) -> Result<(), Error> {
    Entity::insert(ActiveModel {
        council_id: Set(council_id.to_owned()),
        provider_id: Set(provider_id.to_owned()),
        reason: Set(reason.to_owned()),
        granted_at: Set(Utc::now()),
    })
    .on_conflict(OnConflict::columns([Column::CouncilId, Column::ProviderId]).do_nothing().to_owned())
    .exec_without_returning(txn)
    .await?;
    Ok(())
}

/// Whether `council_id` may see `provider_id`'s locker.
pub async fn granted<C: ConnectionTrait>(db: &C, council_id: &str, provider_id: &str) -> Result<bool, Error> {
    Ok(Entity::find_by_id((council_id.to_owned(), provider_id.to_owned())).one(db).await?.is_some())
}
