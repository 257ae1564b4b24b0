//! The expiry scheduler: 30 and 7 days before a document's end it is EXPIRING (with a notice
//! each time), and the day after its end it is EXPIRED. Each replica sweeps every hour; on
//! PostgreSQL an advisory lock lets one sweep at a time, and each notice and move is recorded in
//! the same transaction as its event, so each happens exactly once. The date is a parameter, so
//! tests control the clock.

use std::time::Duration;

use chrono::{NaiveDate, Utc};
use platform::Error;
use platform::db::Database;
use proto::commissioning::compliance::v1::{Document, DocumentStatus};
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, DatabaseBackend, DatabaseTransaction, Statement};

use crate::domain::parse_optional_date;
use crate::events;
use crate::store::documents;

/// Days before the end at which a notice goes out.
const NOTICES: [i64; 2] = [30, 7];
/// How often a replica sweeps.
const SWEEP_EVERY: Duration = Duration::from_secs(3600);
/// Any constant will do: the same for every replica.
const SWEEP_LOCK_KEY: i64 = 0x6578_7069_7279;

/// One notice sent.
mod notice {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "expiry_notice")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub document_id: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub days_before: i32,
        pub sent_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Sweeps every hour on the UK date, until aborted.
pub fn spawn(db: Database) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match sweep(&db, platform::time::london_today()).await {
                Ok(0) => {}
                Ok(moved) => tracing::info!(moved, "expiry sweep moved documents"),
                Err(error) => tracing::warn!(%error, "expiry sweep failed; will retry"),
            }
            tokio::time::sleep(SWEEP_EVERY).await;
        }
    })
}

/// Moves documents as `today` requires and publishes their notices. Returns how many notices and
/// moves it made (0 when another replica holds the sweep).
pub async fn sweep(db: &Database, today: NaiveDate) -> Result<usize, Error> {
    db.unit_of_work(|txn| Box::pin(async move { sweep_in(txn, today).await })).await
}

async fn sweep_in(txn: &DatabaseTransaction, today: NaiveDate) -> Result<usize, Error> {
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        let lock = format!("SELECT pg_try_advisory_xact_lock({SWEEP_LOCK_KEY}) AS held");
        let row = txn.query_one_raw(Statement::from_string(DatabaseBackend::Postgres, lock)).await?;
        if !row.map(|row| row.try_get::<bool>("", "held")).transpose()?.unwrap_or(false) {
            return Ok(0);
        }
    }
    let live =
        [DocumentStatus::Submitted, DocumentStatus::Verified, DocumentStatus::Expiring].map(|status| status as i32);
    let mut changes = 0;
    for mut document in documents::with_statuses(txn, &live).await? {
        let Ok(Some(ends)) = parse_optional_date(document.expires_on.as_ref()) else { continue };
        if today > ends {
            document.status = DocumentStatus::Expired as i32;
            documents::update(txn, &document, Utc::now()).await?;
            events::expired(txn, &document).await?;
            changes += 1;
            continue;
        }
        let days_left = (ends - today).num_days();
        for days in NOTICES.into_iter().filter(|days| days_left <= *days) {
            if first_notice(txn, &document, days).await? {
                if document.status != DocumentStatus::Expiring as i32 {
                    document.status = DocumentStatus::Expiring as i32;
                    documents::update(txn, &document, Utc::now()).await?;
                }
                events::expiring(txn, &document, i32::try_from(days).unwrap_or(i32::MAX)).await?;
                changes += 1;
            }
        }
    }
    Ok(changes)
}

/// Records the notice; `false` when it had been sent already.
async fn first_notice(txn: &DatabaseTransaction, document: &Document, days: i64) -> Result<bool, Error> {
    let inserted = notice::Entity::insert(notice::ActiveModel {
        document_id: Set(document.id.clone()),
        days_before: Set(i32::try_from(days).unwrap_or(i32::MAX)),
        sent_at: Set(Utc::now()),
    })
    .on_conflict(OnConflict::columns([notice::Column::DocumentId, notice::Column::DaysBefore]).do_nothing().to_owned())
    .exec_without_returning(txn)
    .await?;
    Ok(inserted > 0)
}
