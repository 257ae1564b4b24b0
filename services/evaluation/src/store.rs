//! Evaluation rows: each evaluation whole as protobuf, beside its tender, council and status.

use chrono::Utc;
use platform::Error;
use platform::paging::Page;
use prost::Message;
use proto::commissioning::evaluation::v1::Evaluation;
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ConnectionTrait, QueryOrder, QuerySelect};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "evaluation")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub tender_id: String,
    pub council_id: String,
    pub status: i32,
    /// `commissioning.evaluation.v1.Evaluation`, encoded.
    pub details: Vec<u8>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// Records a new evaluation; `false` when its tender already has one.
pub async fn insert<C: ConnectionTrait>(txn: &C, evaluation: &Evaluation) -> Result<bool, Error> {
    let now = Utc::now();
    let inserted = Entity::insert(ActiveModel {
        id: Set(evaluation.id.clone()),
        tender_id: Set(evaluation.tender_id.clone()),
        council_id: Set(evaluation.council_id.clone()),
        status: Set(evaluation.status),
        details: Set(evaluation.encode_to_vec()),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .on_conflict(OnConflict::column(Column::TenderId).do_nothing().to_owned())
    .exec_without_returning(txn)
    .await?;
    Ok(inserted > 0)
}

pub async fn save<C: ConnectionTrait>(txn: &C, evaluation: &Evaluation) -> Result<(), Error> {
    ActiveModel {
        id: Set(evaluation.id.clone()),
        status: Set(evaluation.status),
        details: Set(evaluation.encode_to_vec()),
        updated_at: Set(Utc::now()),
        ..Default::default()
    }
    .update(txn)
    .await?;
    Ok(())
}

/// Reads an evaluation and holds it until the transaction ends.
pub async fn lock<C: ConnectionTrait>(txn: &C, id: &str) -> Result<Option<Evaluation>, Error> {
    Entity::find_by_id(id.to_owned()).lock_exclusive().one(txn).await?.map(decode).transpose()
}

/// The evaluation of a tender, held until the transaction ends.
pub async fn lock_of_tender<C: ConnectionTrait>(txn: &C, tender_id: &str) -> Result<Option<Evaluation>, Error> {
    Entity::find().filter(Column::TenderId.eq(tender_id)).lock_exclusive().one(txn).await?.map(decode).transpose()
}

pub async fn find<C: ConnectionTrait>(db: &C, id: &str) -> Result<Option<Evaluation>, Error> {
    Entity::find_by_id(id.to_owned()).one(db).await?.map(decode).transpose()
}

pub async fn of_tender<C: ConnectionTrait>(db: &C, tender_id: &str) -> Result<Option<Evaluation>, Error> {
    Entity::find().filter(Column::TenderId.eq(tender_id)).one(db).await?.map(decode).transpose()
}

/// A council's evaluations, newest first.
pub async fn of_council<C: ConnectionTrait>(
    db: &C,
    council_id: &str,
    statuses: &[i32],
    page: Page,
) -> Result<Vec<Evaluation>, Error> {
    let mut query = Entity::find()
        .filter(Column::CouncilId.eq(council_id))
        .order_by_desc(Column::CreatedAt)
        .order_by_asc(Column::Id)
        .offset(page.offset)
        .limit(page.limit);
    if !statuses.is_empty() {
        query = query.filter(Column::Status.is_in(statuses.to_vec()));
    }
    query.all(db).await?.into_iter().map(decode).collect()
}

fn decode(row: Model) -> Result<Evaluation, Error> {
    Evaluation::decode(row.details.as_slice()).map_err(Error::internal)
}
