//! A provider told of a tender, so that it is told once.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tender_match")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tender_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub provider_id: String,
    pub matched_at: DateTimeUtc,
    /// The match as announced (`providers.tender_matched`, encoded); none for matches made before it was kept.
    pub facts: Option<Vec<u8>>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
