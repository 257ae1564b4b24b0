//! One area a service is delivered in, for matching and search.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "service_area")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub service_id: String,
    pub provider_id: String,
    pub council_id: String,
    pub postcode_district: Option<String>,
    pub ward_code: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
