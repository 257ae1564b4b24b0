//! Idempotent creates: a create call carries a `request_id`; the first call records which
//! resource it made, in the same transaction, and a retry with the same id from the same caller
//! finds it and creates nothing.

use chrono::Utc;
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ConnectionTrait};

use crate::Error;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "idempotency_key")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub caller: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub operation: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub request_id: String,
    pub resource_id: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// Longest request id accepted.
const MAX_REQUEST_ID: usize = 128;

/// Checks a request id: required, at most 128 characters, no control characters.
pub fn check_request_id(field: &str, request_id: &str) -> Result<(), Error> {
    if request_id.trim().is_empty() {
        return Err(Error::invalid(field, "required: a fresh id (a UUID) for each new create, reused on retry"));
    }
    if request_id.len() > MAX_REQUEST_ID || request_id.chars().any(char::is_control) {
        return Err(Error::invalid(field, "at most 128 printable characters"));
    }
    Ok(())
}

/// The resource an earlier call with this request id made, if any, without claiming it: for calls
/// that must look before doing slow work outside their transaction (a call to another service).
pub async fn earlier<C: ConnectionTrait>(
    db: &C,
    caller: &str,
    operation: &str,
    request_id: &str,
) -> Result<Option<String>, Error> {
    let found = Entity::find_by_id((caller.to_owned(), operation.to_owned(), request_id.to_owned())).one(db).await?;
    Ok(found.map(|earlier| earlier.resource_id))
}

/// Claims `request_id` for `caller`'s `operation`, naming `resource_id` as what it will make.
/// Returns the resource an earlier call with the same id made (the caller then returns that and
/// makes nothing), or `None` when this call is the first. On PostgreSQL a concurrent retry waits
/// here until the first call commits, then gets its resource.
pub async fn claim<C: ConnectionTrait>(
    txn: &C,
    caller: &str,
    operation: &str,
    request_id: &str,
    resource_id: &str,
) -> Result<Option<String>, Error> {
    let claimed = Entity::insert(ActiveModel {
        caller: Set(caller.to_owned()),
        operation: Set(operation.to_owned()),
        request_id: Set(request_id.to_owned()),
        resource_id: Set(resource_id.to_owned()),
        created_at: Set(Utc::now()),
    })
    .on_conflict(OnConflict::columns([Column::Caller, Column::Operation, Column::RequestId]).do_nothing().to_owned())
    .exec_without_returning(txn)
    .await?;
    if claimed > 0 {
        return Ok(None);
    }
    let earlier = Entity::find_by_id((caller.to_owned(), operation.to_owned(), request_id.to_owned()))
        .one(txn)
        .await?
        .ok_or_else(|| Error::internal("idempotency key vanished"))?;
    Ok(Some(earlier.resource_id))
}
