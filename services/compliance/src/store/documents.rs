//! Reading and writing documents.

use chrono::{DateTime, Utc};
use platform::Error;
use platform::paging::Page;
use platform::time::to_timestamp;
use prost::Message;
use proto::commissioning::compliance::v1::Document;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::entity;

/// A stored document and the key of its file.
pub struct Stored {
    pub document: Document,
    pub object_key: String,
}

pub async fn insert<C: ConnectionTrait>(
    txn: &C,
    document: &Document,
    object_key: &str,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let stored = Document { create_time: None, update_time: None, ..document.clone() };
    entity::ActiveModel {
        id: Set(document.id.clone()),
        provider_id: Set(document.provider_id.clone()),
        kind: Set(document.kind),
        status: Set(document.status),
        object_key: Set(object_key.to_owned()),
        details: Set(stored.encode_to_vec()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// Replaces a document's details and status (a verification, a rejection).
pub async fn update<C: ConnectionTrait>(txn: &C, document: &Document, now: DateTime<Utc>) -> Result<(), Error> {
    let stored = Document { create_time: None, update_time: None, ..document.clone() };
    entity::Entity::update_many()
        .col_expr(entity::Column::Status, sea_orm::sea_query::Expr::value(document.status))
        .col_expr(entity::Column::Details, sea_orm::sea_query::Expr::value(stored.encode_to_vec()))
        .col_expr(entity::Column::UpdatedAt, sea_orm::sea_query::Expr::value(now))
        .filter(entity::Column::Id.eq(&document.id))
        .exec(txn)
        .await?;
    Ok(())
}

/// Reads a document and holds it until the transaction ends (`FOR UPDATE` on PostgreSQL).
pub async fn lock<C: ConnectionTrait>(txn: &C, id: &str) -> Result<Option<Stored>, Error> {
    let Some(row) = entity::Entity::find_by_id(id.to_owned()).lock_exclusive().one(txn).await? else { return Ok(None) };
    Ok(Some(stored(row)?))
}

pub async fn find<C: ConnectionTrait>(db: &C, id: &str) -> Result<Option<Stored>, Error> {
    let Some(row) = entity::Entity::find_by_id(id.to_owned()).one(db).await? else { return Ok(None) };
    Ok(Some(stored(row)?))
}

/// A provider's documents, filtered by kind and status, newest first.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    provider_id: &str,
    kinds: &[i32],
    statuses: &[i32],
    page: Page,
) -> Result<Vec<Document>, Error> {
    let mut query = entity::Entity::find()
        .filter(entity::Column::ProviderId.eq(provider_id))
        .order_by_desc(entity::Column::CreatedAt)
        .order_by_asc(entity::Column::Id)
        .offset(page.offset)
        .limit(page.limit);
    if !kinds.is_empty() {
        query = query.filter(entity::Column::Kind.is_in(kinds.to_vec()));
    }
    if !statuses.is_empty() {
        query = query.filter(entity::Column::Status.is_in(statuses.to_vec()));
    }
    query.all(db).await?.into_iter().map(|row| stored(row).map(|stored| stored.document)).collect()
}

/// Every document in one of `statuses`.
pub async fn with_statuses<C: ConnectionTrait>(db: &C, statuses: &[i32]) -> Result<Vec<Document>, Error> {
    let rows = entity::Entity::find().filter(entity::Column::Status.is_in(statuses.to_vec())).all(db).await?;
    rows.into_iter().map(|row| stored(row).map(|stored| stored.document)).collect()
}

/// Every document still waiting for its malware scan, oldest first.
pub async fn pending_scan<C: ConnectionTrait>(db: &C) -> Result<Vec<Stored>, Error> {
    let pending = proto::commissioning::compliance::v1::DocumentStatus::PendingScan as i32;
    let rows = entity::Entity::find()
        .filter(entity::Column::Status.eq(pending))
        .order_by_asc(entity::Column::CreatedAt)
        .all(db)
        .await?;
    rows.into_iter().map(stored).collect()
}

/// Every document of a provider, newest first (the order the compliance rules prefer on ties).
pub async fn all_of<C: ConnectionTrait>(db: &C, provider_id: &str) -> Result<Vec<Document>, Error> {
    let rows = entity::Entity::find()
        .filter(entity::Column::ProviderId.eq(provider_id))
        .order_by_desc(entity::Column::CreatedAt)
        .order_by_asc(entity::Column::Id)
        .all(db)
        .await?;
    rows.into_iter().map(|row| stored(row).map(|stored| stored.document)).collect()
}

fn stored(row: entity::Model) -> Result<Stored, Error> {
    let mut document = Document::decode(row.details.as_slice()).map_err(Error::internal)?;
    document.create_time = Some(to_timestamp(row.created_at));
    document.update_time = Some(to_timestamp(row.updated_at));
    Ok(Stored { document, object_key: row.object_key })
}
