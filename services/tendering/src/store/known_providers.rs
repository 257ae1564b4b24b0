//! Providers' public profiles as their events last described them: a contract's supplier details.

use platform::Error;
use prost::Message;
use proto::commissioning::events::v1::ProviderProfile;
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ConnectionTrait};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "known_provider")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub provider_id: String,
    /// `commissioning.events.v1.ProviderProfile`, encoded.
    pub profile: Vec<u8>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

pub async fn record<C: ConnectionTrait>(txn: &C, profile: &ProviderProfile) -> Result<(), Error> {
    Entity::insert(ActiveModel {
        provider_id: Set(profile.provider_id.clone()),
        profile: Set(profile.encode_to_vec()),
        updated_at: Set(chrono::Utc::now()),
    })
    .on_conflict(OnConflict::column(Column::ProviderId).update_columns([Column::Profile, Column::UpdatedAt]).to_owned())
    .exec_without_returning(txn)
    .await?;
    Ok(())
}

pub async fn find<C: ConnectionTrait>(db: &C, provider_id: &str) -> Result<Option<ProviderProfile>, Error> {
    let Some(row) = Entity::find_by_id(provider_id.to_owned()).one(db).await? else { return Ok(None) };
    Ok(Some(ProviderProfile::decode(row.profile.as_slice()).map_err(Error::internal)?))
}
