//! The audit log: every change a person makes, appended in the same transaction as the change.
//! Each row's SHA-256 covers its own fields and the previous row's hash, and a one-row head keeps
//! the last sequence number and hash, so an edited, deleted, reordered or truncated row is found
//! by [`verify`], which names the first bad row.

use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveValue::Set, ConnectionTrait, QueryOrder};
use sha2::{Digest, Sha256};

use crate::Error;

pub mod checkpoint;
pub mod command;
pub mod watch;

/// The `prev_hash` of the first row.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

pub mod log {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "audit_log")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub seq: i64,
        pub recorded_at: DateTimeUtc,
        pub actor: String,
        pub organisation: String,
        pub action: String,
        pub entity_kind: String,
        pub entity_id: String,
        /// JSON describing the change (never sealed bid contents).
        pub details: String,
        pub prev_hash: String,
        pub hash: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod head {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "audit_head")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: i32,
        pub seq: i64,
        pub hash: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// One change to record.
#[derive(Debug, Clone)]
pub struct AuditEntry<'a> {
    /// Who made it (user id).
    pub actor: &'a str,
    /// The organisation they acted for.
    pub organisation: &'a str,
    /// What they did, such as `tender.published`.
    pub action: &'a str,
    /// What it was done to, such as `tender`.
    pub entity_kind: &'a str,
    pub entity_id: &'a str,
    /// Further facts, as JSON.
    pub details: serde_json::Value,
}

/// Appends `entry` within `txn`. Taking the head row first serialises concurrent appends.
/// Records what `caller` did to an entity, acting for its organisation.
pub async fn record_by<C: ConnectionTrait>(
    txn: &C,
    caller: &crate::auth::Caller,
    action: &str,
    entity: (&str, &str),
    details: serde_json::Value,
) -> Result<(), Error> {
    let (entity_kind, entity_id) = entity;
    let entry = AuditEntry {
        actor: &caller.user_id,
        organisation: &caller.organisation_id,
        action,
        entity_kind,
        entity_id,
        details,
    };
    record(txn, entry).await.map(|_| ())
}

pub async fn record<C: ConnectionTrait>(txn: &C, entry: AuditEntry<'_>) -> Result<i64, Error> {
    head::Entity::update_many()
        .col_expr(head::Column::Seq, Expr::col(head::Column::Seq).add(1))
        .filter(head::Column::Id.eq(1))
        .exec(txn)
        .await?;
    let current = match head::Entity::find_by_id(1).one(txn).await? {
        Some(current) => current,
        None => start_new_segment(txn).await?,
    };
    let hash = append_row(txn, current.seq, current.hash, entry).await?;
    head::Entity::update_many()
        .col_expr(head::Column::Hash, Expr::value(hash))
        .filter(head::Column::Id.eq(1))
        .exec(txn)
        .await?;
    Ok(current.seq)
}

/// The action of the row that starts a new segment after the head row was lost.
pub const SEGMENT_STARTED: &str = "audit.segment_started";

/// The head row is gone (only a deliberate schema change can do that), so the log may have lost
/// its tail too. Rather than refuse every audited call, this records the break in a row chained to
/// the last row it can find, recreates the head after it, and says so loudly; [`verify`] reports
/// that row as the first bad one from then on. Returns the head as `record` expects it: the next
/// sequence number and the hash to chain to.
async fn start_new_segment<C: ConnectionTrait>(txn: &C) -> Result<head::Model, Error> {
    let last = log::Entity::find().order_by_desc(log::Column::Seq).one(txn).await?;
    let (last_seq, last_hash) = last.map_or((0, GENESIS_HASH.to_owned()), |row| (row.seq, row.hash));
    tracing::error!(
        last_seq_found = last_seq,
        "the audit head row is missing: the log was damaged; starting a new segment after the last row found"
    );
    let details = serde_json::json!({
        "problem": "the audit head row was missing",
        "last_seq_found": last_seq,
        "last_hash_found": last_hash,
    });
    let marker = AuditEntry {
        actor: "platform",
        organisation: "",
        action: SEGMENT_STARTED,
        entity_kind: "audit_log",
        entity_id: "",
        details,
    };
    let marker_hash = append_row(txn, last_seq + 1, last_hash, marker).await?;
    let head = head::Model { id: 1, seq: last_seq + 2, hash: marker_hash };
    head::ActiveModel::from(head.clone()).insert(txn).await?;
    Ok(head)
}

/// Inserts `entry` as row `seq`, chained to `prev_hash`; returns its hash.
async fn append_row<C: ConnectionTrait>(
    txn: &C,
    seq: i64,
    prev_hash: String,
    entry: AuditEntry<'_>,
) -> Result<String, Error> {
    let row = log::Model {
        seq,
        // Stored and hashed at microsecond precision, which both databases keep exactly.
        recorded_at: truncate_to_micros(Utc::now()),
        actor: entry.actor.to_owned(),
        organisation: entry.organisation.to_owned(),
        action: entry.action.to_owned(),
        entity_kind: entry.entity_kind.to_owned(),
        entity_id: entry.entity_id.to_owned(),
        details: entry.details.to_string(),
        prev_hash,
        hash: String::new(),
    };
    let hash = row_hash(&row);
    log::ActiveModel { hash: Set(hash.clone()), ..log::ActiveModel::from(row) }.insert(txn).await?;
    Ok(hash)
}

/// What [`verify`] found wrong, naming the first bad row.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("audit log broken at row {seq}: {problem}")]
pub struct AuditBreak {
    pub seq: i64,
    pub problem: String,
}

/// Why [`verify`] did not vouch for the log.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error(transparent)]
    Broken(#[from] AuditBreak),
    #[error("audit log could not be read: {0}")]
    Unreadable(#[from] sea_orm::DbErr),
    #[error("audit checkpoints could not be read from the event bus: {0}")]
    CheckpointsUnreadable(String),
}

/// Walks the whole chain; returns the number of rows when it is intact.
pub async fn verify<C: ConnectionTrait>(db: &C) -> Result<i64, VerifyError> {
    verify_chain(db).await.map(|head| head.rows)
}

/// The end of an intact chain: its number of rows and the last row's hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainHead {
    pub rows: i64,
    pub hash: String,
}

/// Walks the whole chain; returns where it ends when it is intact.
pub async fn verify_chain<C: ConnectionTrait>(db: &C) -> Result<ChainHead, VerifyError> {
    let head = head::Entity::find_by_id(1)
        .one(db)
        .await?
        .ok_or_else(|| AuditBreak { seq: 0, problem: "the audit head row is missing".into() })?;
    // Rows appended after the head was read are left for the next check; each is written in the
    // same transaction as its head update, so every row up to the head's is already there.
    let rows =
        log::Entity::find().filter(log::Column::Seq.lte(head.seq)).order_by_asc(log::Column::Seq).all(db).await?;
    let mut previous = GENESIS_HASH.to_owned();
    let mut expected_seq = 1;
    for row in rows {
        let broken = |problem: String| Err(AuditBreak { seq: expected_seq, problem }.into());
        if row.seq != expected_seq {
            return broken(format!("row {expected_seq} is missing (found row {} next)", row.seq));
        }
        if row.prev_hash != previous {
            return broken("it does not follow the row before it (rows deleted, swapped or edited)".into());
        }
        if row_hash(&row) != row.hash {
            return broken("its contents do not match its hash (the row was edited)".into());
        }
        if row.action == SEGMENT_STARTED {
            return broken(format!(
                "the audit head row was missing when it was written, so rows after row {} may have been removed",
                expected_seq - 1
            ));
        }
        previous = row.hash;
        expected_seq += 1;
    }
    let last = expected_seq - 1;
    if head.seq != last || head.hash != previous {
        return Err(AuditBreak {
            seq: last + 1,
            problem: format!("the log ends at row {last} but {} rows were written (tail truncated)", head.seq),
        }
        .into());
    }
    Ok(ChainHead { rows: last, hash: previous })
}

/// SHA-256 over an unambiguous encoding (a JSON array) of the row's fields and the previous hash.
fn row_hash(row: &log::Model) -> String {
    let fields = serde_json::json!([
        row.seq,
        row.recorded_at.timestamp_micros(),
        row.actor,
        row.organisation,
        row.action,
        row.entity_kind,
        row.entity_id,
        row.details,
        row.prev_hash,
    ]);
    hex::encode(Sha256::digest(fields.to_string().as_bytes()))
}

fn truncate_to_micros(time: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(time.timestamp_micros()).unwrap_or(time)
}
