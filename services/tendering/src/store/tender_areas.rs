//! The councils whose areas each tender covers, beside its row, so that ListTenders can find the
//! tenders in a council's area (a neighbouring council's, or one a funder serves).

use platform::Error;
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::{Query, SelectStatement};
use sea_orm::{ActiveValue::Set, ConnectionTrait};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tender_area")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tender_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub council_id: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// Records that tender `tender_id` covers exactly the areas of `council_ids` (repeats are one).
pub async fn replace<C: ConnectionTrait>(txn: &C, tender_id: &str, council_ids: &[&str]) -> Result<(), Error> {
    Entity::delete_many().filter(Column::TenderId.eq(tender_id)).exec(txn).await?;
    let mut councils: Vec<&str> = council_ids.iter().copied().filter(|id| !id.is_empty()).collect();
    councils.sort_unstable();
    councils.dedup();
    if councils.is_empty() {
        return Ok(());
    }
    let rows = councils
        .into_iter()
        .map(|council_id| ActiveModel { tender_id: Set(tender_id.to_owned()), council_id: Set(council_id.to_owned()) });
    Entity::insert_many(rows).exec_without_returning(txn).await?;
    Ok(())
}

/// The ids of tenders with an area in `council_id`'s area, for a filter's subquery.
pub fn in_area_of(council_id: &str) -> SelectStatement {
    Query::select().column(Column::TenderId).from(Entity).and_where(Column::CouncilId.eq(council_id)).to_owned()
}
