//! Providers' paid staff numbers, as their profiles last said.

use chrono::Utc;
use platform::Error;
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ConnectionTrait};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "provider_staff")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub provider_id: String,
    pub paid_staff_count: i32,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// Records `provider_id`'s paid staff number.
pub async fn record<C: ConnectionTrait>(txn: &C, provider_id: &str, paid_staff_count: i32) -> Result<(), Error> {
    Entity::insert(ActiveModel {
        provider_id: Set(provider_id.to_owned()),
        paid_staff_count: Set(paid_staff_count),
        updated_at: Set(Utc::now()),
    })
    .on_conflict(
        OnConflict::column(Column::ProviderId).update_columns([Column::PaidStaffCount, Column::UpdatedAt]).to_owned(),
    )
    .exec_without_returning(txn)
    .await?;
    Ok(())
}

/// Whether `provider_id` employs paid staff. A provider not heard of yet counts as an employer, so
/// employer's liability is asked of it rather than waived by mistake.
pub async fn employs_staff<C: ConnectionTrait>(db: &C, provider_id: &str) -> Result<bool, Error> {
    let known = Entity::find_by_id(provider_id.to_owned()).one(db).await?;
    Ok(known.is_none_or(|provider| provider.paid_staff_count > 0))
}
