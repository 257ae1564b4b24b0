//! Which provider holds an org-id identifier: one provider per identifier.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "provider_identifier")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub scheme: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub value: String,
    pub provider_id: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
