//! Opening records, written once when a tender closes.

use platform::Error;
use prost::Message;
use proto::commissioning::tendering::v1::OpeningRecord;
use sea_orm::entity::prelude::*;
use sea_orm::{ActiveValue::Set, ConnectionTrait};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "opening_record")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tender_id: String,
    /// `commissioning.tendering.v1.OpeningRecord`, encoded.
    pub record: Vec<u8>,
    pub opened_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

pub async fn insert<C: ConnectionTrait>(
    txn: &C,
    record: &OpeningRecord,
    opened_at: chrono::DateTime<chrono::Utc>,
) -> Result<(), Error> {
    ActiveModel {
        tender_id: Set(record.tender_id.clone()),
        record: Set(record.encode_to_vec()),
        opened_at: Set(opened_at),
    }
    .insert(txn)
    .await?;
    Ok(())
}

pub async fn find<C: ConnectionTrait>(db: &C, tender_id: &str) -> Result<Option<OpeningRecord>, Error> {
    let Some(row) = Entity::find_by_id(tender_id.to_owned()).one(db).await? else { return Ok(None) };
    Ok(Some(OpeningRecord::decode(row.record.as_slice()).map_err(Error::internal)?))
}
