//! The categories each tender buys, beside its row, so that ListTenders can find tenders by
//! category.

use platform::Error;
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::{Query, SelectStatement};
use sea_orm::{ActiveValue::Set, ConnectionTrait};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tender_category")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tender_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub category: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// Records that tender `tender_id` buys exactly `categories`.
pub async fn replace<C: ConnectionTrait>(txn: &C, tender_id: &str, categories: &[i32]) -> Result<(), Error> {
    Entity::delete_many().filter(Column::TenderId.eq(tender_id)).exec(txn).await?;
    let rows = categories
        .iter()
        .map(|category| ActiveModel { tender_id: Set(tender_id.to_owned()), category: Set(*category) });
    if categories.is_empty() {
        return Ok(());
    }
    Entity::insert_many(rows).exec_without_returning(txn).await?;
    Ok(())
}

/// The ids of tenders buying any of `categories`, for a filter's subquery.
pub fn buying_any(categories: &[i32]) -> SelectStatement {
    Query::select()
        .column(Column::TenderId)
        .from(Entity)
        .and_where(Column::Category.is_in(categories.to_vec()))
        .to_owned()
}
