//! A published tender still taking bids, as tendering announced it.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "open_tender")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tender_id: String,
    pub council_id: String,
    /// The tender as last published or amended (`PublishedTender`, encoded).
    pub facts: Vec<u8>,
    pub bid_deadline: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
