//! The outbox table and how a service writes to it: inside the transaction of the change that
//! caused the event, so the change and its events land together or not at all.

use chrono::Utc;
use sea_orm::entity::prelude::*;
use sea_orm::{ActiveValue::Set, ConnectionTrait, DatabaseBackend, Statement};

use super::OutboundEvent;
use crate::Error;

/// One row per event, kept after it is sent.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox")]
pub struct Model {
    /// Insertion order; the relay publishes each aggregate's events in this order.
    #[sea_orm(primary_key)]
    pub seq: i64,
    #[sea_orm(unique)]
    pub event_id: String,
    pub event_type: String,
    pub tenant: String,
    pub aggregate_id: String,
    pub payload: Vec<u8>,
    pub traceparent: Option<String>,
    pub created_at: DateTimeUtc,
    /// Set once the bus acknowledged the event.
    pub sent_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl From<Model> for OutboundEvent {
    fn from(row: Model) -> Self {
        Self {
            id: row.event_id,
            event_type: row.event_type,
            tenant: row.tenant,
            aggregate_id: row.aggregate_id,
            time: row.created_at,
            traceparent: row.traceparent,
            payload: row.payload,
        }
    }
}

/// Longest resource id an event may name.
const MAX_AGGREGATE_ID: usize = 256;

/// Writes an event to the outbox within `txn`, carrying the current trace. `event_type` is
/// `<service>.<event>`; `tenant` is the council's id or `platform`; `aggregate_id` is the
/// resource the event is about. Returns the event id.
///
/// On PostgreSQL, writers of one aggregate queue behind each other until they commit, so the
/// outbox order of an aggregate's events is the order they were committed in (SQLite has a single
/// writer anyway).
pub async fn enqueue<C: ConnectionTrait>(
    txn: &C,
    event_type: &str,
    tenant: &str,
    aggregate_id: &str,
    payload: &impl prost::Message,
) -> Result<String, Error> {
    if event_type.split('.').count() != 2 || !event_type.split('.').all(is_subject_token) {
        return Err(Error::internal(format!("event type {event_type:?} is not <service>.<event>")));
    }
    if !is_subject_token(tenant) {
        return Err(Error::internal(format!("tenant {tenant:?} cannot be a subject token")));
    }
    // It travels as the `ce-subject` header, where control characters are not allowed.
    if aggregate_id.is_empty() || aggregate_id.len() > MAX_AGGREGATE_ID || aggregate_id.chars().any(char::is_control) {
        return Err(Error::internal(format!("aggregate id {aggregate_id:?} cannot be a header value")));
    }
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        txn.execute_raw(Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
            [aggregate_id.into()],
        ))
        .await?;
    }
    let event_id = uuid::Uuid::now_v7().to_string();
    ActiveModel {
        event_id: Set(event_id.clone()),
        event_type: Set(event_type.to_owned()),
        tenant: Set(tenant.to_owned()),
        aggregate_id: Set(aggregate_id.to_owned()),
        payload: Set(payload.encode_to_vec()),
        traceparent: Set(crate::telemetry::current_traceparent()),
        created_at: Set(Utc::now()),
        sent_at: Set(None),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(event_id)
}

/// Letters, digits, `_` and `-`: safe inside a NATS subject.
fn is_subject_token(token: &str) -> bool {
    !token.is_empty() && token.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

#[cfg(test)]
mod tests {
    use super::is_subject_token;

    #[test]
    fn subject_tokens_exclude_wildcards_and_separators() {
        assert!(is_subject_token("E09000022"));
        assert!(is_subject_token("platform"));
        for bad in ["", "a.b", "*", ">", "a b"] {
            assert!(!is_subject_token(bad), "{bad:?}");
        }
    }
}
