//! Evaluation rows: each evaluation whole as protobuf, sealed at rest (it holds the opened bids'
//! prices, answers and partners), beside the tender, council and status that lists filter on.
//!
//! Each evaluation has its own AES-256-GCM data key, stored wrapped by the master key
//! (`BIDS_MASTER_KEY`) with the evaluation's id as associated data; `details` is sealed under it,
//! bound to the evaluation's id too, so a row's contents cannot be moved to another row.

use std::sync::Arc;

use chrono::Utc;
use platform::Error;
use platform::db::Database;
use platform::paging::Page;
use platform::sealing::{DataKey, MasterKey};
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
    /// `commissioning.evaluation.v1.Evaluation`, encoded and sealed under the data key.
    pub details: Vec<u8>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// The evaluation's data key, wrapped by the master key; `None` only on a row written before
    /// evaluations were sealed, until [`seal_clear_rows`] seals it.
    pub wrapped_key: Option<Vec<u8>>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// Records a new evaluation, sealed under a new data key; `false` when its tender already has one.
pub async fn insert<C: ConnectionTrait>(txn: &C, master: &MasterKey, evaluation: &Evaluation) -> Result<bool, Error> {
    let now = Utc::now();
    let (key, wrapped) = master.new_data_key(&evaluation.id).map_err(Error::internal)?;
    let inserted = Entity::insert(ActiveModel {
        id: Set(evaluation.id.clone()),
        tender_id: Set(evaluation.tender_id.clone()),
        council_id: Set(evaluation.council_id.clone()),
        status: Set(evaluation.status),
        details: Set(seal(&key, evaluation)?),
        created_at: Set(now),
        updated_at: Set(now),
        wrapped_key: Set(Some(wrapped)),
    })
    .on_conflict(OnConflict::column(Column::TenderId).do_nothing().to_owned())
    .exec_without_returning(txn)
    .await?;
    Ok(inserted > 0)
}

/// Writes an evaluation read (and locked) in this transaction back, sealed under its own key.
pub async fn save<C: ConnectionTrait>(txn: &C, master: &MasterKey, evaluation: &Evaluation) -> Result<(), Error> {
    let wrapped: Option<Option<Vec<u8>>> = Entity::find_by_id(evaluation.id.clone())
        .select_only()
        .column(Column::WrappedKey)
        .into_tuple()
        .one(txn)
        .await?;
    let wrapped =
        wrapped.flatten().ok_or_else(|| Error::internal(format!("evaluation {} has no key", evaluation.id)))?;
    let key = master.unwrap_data_key(&evaluation.id, &wrapped).map_err(Error::internal)?;
    ActiveModel {
        id: Set(evaluation.id.clone()),
        status: Set(evaluation.status),
        details: Set(seal(&key, evaluation)?),
        updated_at: Set(Utc::now()),
        ..Default::default()
    }
    .update(txn)
    .await?;
    Ok(())
}

/// Reads an evaluation and holds it until the transaction ends.
pub async fn lock<C: ConnectionTrait>(txn: &C, master: &MasterKey, id: &str) -> Result<Option<Evaluation>, Error> {
    let row = Entity::find_by_id(id.to_owned()).lock_exclusive().one(txn).await?;
    row.map(|row| open(master, row)).transpose()
}

/// The evaluation of a tender, held until the transaction ends.
pub async fn lock_of_tender<C: ConnectionTrait>(
    txn: &C,
    master: &MasterKey,
    tender_id: &str,
) -> Result<Option<Evaluation>, Error> {
    let row = Entity::find().filter(Column::TenderId.eq(tender_id)).lock_exclusive().one(txn).await?;
    row.map(|row| open(master, row)).transpose()
}

pub async fn find<C: ConnectionTrait>(db: &C, master: &MasterKey, id: &str) -> Result<Option<Evaluation>, Error> {
    Entity::find_by_id(id.to_owned()).one(db).await?.map(|row| open(master, row)).transpose()
}

pub async fn of_tender<C: ConnectionTrait>(
    db: &C,
    master: &MasterKey,
    tender_id: &str,
) -> Result<Option<Evaluation>, Error> {
    Entity::find().filter(Column::TenderId.eq(tender_id)).one(db).await?.map(|row| open(master, row)).transpose()
}

/// A council's evaluations, newest first.
pub async fn of_council<C: ConnectionTrait>(
    db: &C,
    master: &MasterKey,
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
    query.all(db).await?.into_iter().map(|row| open(master, row)).collect()
}

/// Seals every row still stored in clear (written before evaluations were sealed), each under a
/// new data key of its own; returns how many. Run at start-up, before anything reads them: a
/// migration cannot, as it never sees the master key. Safe with several replicas starting at once:
/// each row is sealed under its lock, once.
pub async fn seal_clear_rows(db: &Database, master: &Arc<MasterKey>) -> Result<usize, Error> {
    let clear: Vec<String> = Entity::find()
        .filter(Column::WrappedKey.is_null())
        .select_only()
        .column(Column::Id)
        .into_tuple()
        .all(db.conn())
        .await?;
    let mut sealed = 0;
    for id in clear {
        let master = master.clone();
        let done = db
            .unit_of_work(|txn| {
                Box::pin(async move {
                    let Some(row) = Entity::find_by_id(id).lock_exclusive().one(txn).await? else { return Ok(false) };
                    if row.wrapped_key.is_some() {
                        return Ok::<_, Error>(false);
                    }
                    let evaluation = Evaluation::decode(row.details.as_slice()).map_err(Error::internal)?;
                    let (key, wrapped) = master.new_data_key(&row.id).map_err(Error::internal)?;
                    ActiveModel {
                        id: Set(row.id),
                        details: Set(seal(&key, &evaluation)?),
                        wrapped_key: Set(Some(wrapped)),
                        ..Default::default()
                    }
                    .update(txn)
                    .await?;
                    Ok(true)
                })
            })
            .await?;
        sealed += usize::from(done);
    }
    Ok(sealed)
}

fn seal(key: &DataKey, evaluation: &Evaluation) -> Result<Vec<u8>, Error> {
    key.seal(&evaluation.encode_to_vec(), evaluation.id.as_bytes()).map_err(Error::internal)
}

/// The evaluation a row holds. A row without a key (not yet sealed) or whose contents fail
/// authentication is refused, never read as it stands.
fn open(master: &MasterKey, row: Model) -> Result<Evaluation, Error> {
    let wrapped = row.wrapped_key.as_deref().ok_or_else(|| {
        Error::internal(format!("evaluation {} is not sealed yet; restart the service to seal it", row.id))
    })?;
    let key = master.unwrap_data_key(&row.id, wrapped).map_err(Error::internal)?;
    let clear = key.open(&row.details, row.id.as_bytes()).map_err(Error::internal)?;
    Evaluation::decode(clear.as_slice()).map_err(Error::internal)
}
