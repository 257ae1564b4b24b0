//! A service a provider offers: the columns filtered on, and the whole service as protobuf.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "offered_service")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub provider_id: String,
    pub name: String,
    pub category: i32,
    pub status: i32,
    /// Lower-case name and description, for free-text search.
    pub search_text: String,
    /// `commissioning.providers.v1.Service`, encoded.
    pub details: Vec<u8>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::provider::Entity", from = "Column::ProviderId", to = "super::provider::Column::Id")]
    Provider,
}

impl ActiveModelBehavior for ActiveModel {}
