//! A compliance document a provider holds, as the newest compliance event about it describes it.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "provider_document")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub document_id: String,
    pub provider_id: String,
    pub kind: i32,
    /// `commissioning.compliance.v1.DocumentStatus`.
    pub status: i32,
    /// Verified by a council and neither rejected, expired nor superseded: it may be relied on.
    pub relied_on: bool,
    pub cover_pence: Option<i64>,
    pub expires_on: Option<Date>,
    /// When the event that last changed this row happened; older news is ignored.
    pub as_of: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
