//! The audit chain detects an edited row, a deleted row, two swapped rows and a truncated tail,
//! naming the first bad row, on PostgreSQL and SQLite; the database refuses to update or delete
//! its rows; and a lost head row is reported without stopping audited calls.

use platform::audit::{self, AuditEntry, VerifyError};
use platform::db::Database;
use platform::migrations::PlatformMigrator;
use platform::testing::{PostgresDatabase, SqliteDatabase};
use sea_orm::{ConnectionTrait, DatabaseBackend, EntityTrait};

pub async fn record_five(db: &Database) {
    for n in 1..=5 {
        db.unit_of_work(|txn| {
            Box::pin(async move {
                let id = format!("tender-{n}");
                audit::record(
                    txn,
                    AuditEntry {
                        actor: "officer-1",
                        organisation: "lambeth",
                        action: "tender.updated",
                        entity_kind: "tender",
                        entity_id: &id,
                        details: serde_json::json!({ "title": format!("Befriending {n}") }),
                    },
                )
                .await
            })
        })
        .await
        .expect("recorded");
    }
    assert_eq!(audit::verify(db.conn()).await.expect("intact"), 5);
}

/// What an attacker with the power to change the schema (a superuser) does first.
pub async fn drop_append_only_triggers(db: &Database) {
    let statements: &[&str] = match db.backend() {
        DatabaseBackend::Postgres => {
            &["ALTER TABLE audit_log DISABLE TRIGGER USER", "ALTER TABLE audit_head DISABLE TRIGGER USER"]
        }
        _ => &[
            "DROP TRIGGER audit_log_no_update",
            "DROP TRIGGER audit_log_no_delete",
            "DROP TRIGGER audit_head_no_delete",
        ],
    };
    for statement in statements {
        db.conn().execute_unprepared(statement).await.expect("drop the triggers");
    }
}

async fn first_break(db: &Database, tamper: &[&str]) -> i64 {
    drop_append_only_triggers(db).await;
    for statement in tamper {
        db.conn().execute_unprepared(statement).await.expect("tamper");
    }
    match audit::verify(db.conn()).await {
        Err(VerifyError::Broken(broken)) => broken.seq,
        other => panic!("tampering went unnoticed: {other:?}"),
    }
}

const SWAP_2_AND_3: [&str; 3] = [
    "UPDATE audit_log SET seq = -2 WHERE seq = 2",
    "UPDATE audit_log SET seq = 2 WHERE seq = 3",
    "UPDATE audit_log SET seq = 3 WHERE seq = -2",
];

async fn each_kind_of_tampering_is_found(new_database: impl AsyncFn() -> Database) {
    let db = new_database().await;
    record_five(&db).await;
    assert_eq!(
        first_break(&db, &["UPDATE audit_log SET details = '{\"title\":\"x\"}' WHERE seq = 3"]).await,
        3,
        "edited"
    );

    let db = new_database().await;
    record_five(&db).await;
    assert_eq!(first_break(&db, &["DELETE FROM audit_log WHERE seq = 3"]).await, 3, "deleted");

    let db = new_database().await;
    record_five(&db).await;
    assert_eq!(first_break(&db, &SWAP_2_AND_3).await, 2, "swapped");

    let db = new_database().await;
    record_five(&db).await;
    assert_eq!(first_break(&db, &["DELETE FROM audit_log WHERE seq >= 4"]).await, 4, "truncated");
}

#[tokio::test]
async fn tampering_is_found_on_postgres() {
    let mut databases = Vec::new();
    for _ in 0..4 {
        databases.push(PostgresDatabase::create().await);
    }
    let urls: Vec<_> = databases.iter().map(|database| database.url.clone()).collect();
    let next = std::sync::Mutex::new(urls.into_iter());
    each_kind_of_tampering_is_found(async || {
        let url = next.lock().expect("lock").next().expect("a database left");
        let db = Database::connect(&url, 2).await.expect("connect");
        db.migrate::<PlatformMigrator>().await.expect("migrate");
        db
    })
    .await;
    for database in databases {
        database.drop_database().await;
    }
}

#[tokio::test]
async fn tampering_is_found_on_sqlite() {
    let files = SqliteDatabase::new();
    let counter = std::sync::atomic::AtomicUsize::new(0);
    each_kind_of_tampering_is_found(async || {
        let n = counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        files.connect::<PlatformMigrator>(&format!("audit-{n}.sqlite")).await
    })
    .await;
}

#[tokio::test]
async fn concurrent_appends_keep_one_chain() {
    let database = PostgresDatabase::create().await;
    let db = database.connect::<PlatformMigrator>().await;
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let db = db.clone();
        tasks.push(tokio::spawn(async move { record_many(&db, 10).await }));
    }
    for task in tasks {
        task.await.expect("appended");
    }
    assert_eq!(audit::verify(db.conn()).await.expect("intact"), 40);
    database.drop_database().await;
}

async fn record_many(db: &Database, count: usize) {
    for _ in 0..count {
        db.unit_of_work(|txn| {
            Box::pin(async move {
                let entry = AuditEntry {
                    actor: "a",
                    organisation: "o",
                    action: "x",
                    entity_kind: "k",
                    entity_id: "i",
                    details: serde_json::Value::Null,
                };
                audit::record(txn, entry).await
            })
        })
        .await
        .expect("recorded");
    }
}

async fn record_one(db: &Database) -> Result<i64, platform::Error> {
    db.unit_of_work(|txn| {
        Box::pin(async move {
            let entry = AuditEntry {
                actor: "officer-1",
                organisation: "lambeth",
                action: "bid.submitted",
                entity_kind: "bid",
                entity_id: "bid-1",
                details: serde_json::Value::Null,
            };
            audit::record(txn, entry).await
        })
    })
    .await
}

async fn changes_are_refused(db: &Database) {
    record_five(db).await;
    let mut refused = vec![
        "UPDATE audit_log SET details = '{}' WHERE seq = 3",
        "DELETE FROM audit_log WHERE seq = 5",
        "DELETE FROM audit_head",
    ];
    if db.backend() == DatabaseBackend::Postgres {
        refused.push("TRUNCATE audit_log");
    }
    for statement in refused {
        let error = db.conn().execute_unprepared(statement).await.expect_err(statement);
        assert!(error.to_string().contains("append-only"), "{statement}: {error}");
    }
    assert_eq!(record_one(db).await.expect("audited calls still work"), 6);
    assert_eq!(audit::verify(db.conn()).await.expect("intact"), 6);
}

#[tokio::test]
async fn the_database_refuses_to_change_audit_rows_on_postgres() {
    let database = PostgresDatabase::create().await;
    changes_are_refused(&database.connect::<PlatformMigrator>().await).await;
    database.drop_database().await;
}

#[tokio::test]
async fn the_database_refuses_to_change_audit_rows_on_sqlite() {
    let files = SqliteDatabase::new();
    changes_are_refused(&files.connect::<PlatformMigrator>("audit.sqlite").await).await;
}

/// After the head row is deleted the next audited call succeeds, in a new segment whose first row
/// records the break, and verification names that row.
async fn a_lost_head_starts_a_new_segment(db: &Database) {
    record_five(db).await;
    drop_append_only_triggers(db).await;
    db.conn().execute_unprepared("DELETE FROM audit_head").await.expect("delete the head");
    assert_eq!(record_one(db).await.expect("audited calls still work"), 7);
    assert_eq!(record_one(db).await.expect("and go on working"), 8);
    match audit::verify(db.conn()).await {
        Err(VerifyError::Broken(broken)) => {
            assert_eq!(broken.seq, 6);
            assert!(broken.problem.contains("head row was missing"), "{}", broken.problem);
            assert!(broken.problem.contains("after row 5"), "{}", broken.problem);
        }
        other => panic!("the break went unreported: {other:?}"),
    }
    let marker = audit::log::Entity::find_by_id(6).one(db.conn()).await.expect("read").expect("row 6");
    assert_eq!(marker.action, audit::SEGMENT_STARTED);
    let row_5 = audit::log::Entity::find_by_id(5).one(db.conn()).await.expect("read").expect("row 5");
    assert_eq!(marker.prev_hash, row_5.hash, "the new segment follows the last row found");
}

#[tokio::test]
async fn a_lost_head_starts_a_new_segment_on_postgres() {
    let database = PostgresDatabase::create().await;
    a_lost_head_starts_a_new_segment(&database.connect::<PlatformMigrator>().await).await;
    database.drop_database().await;
}

#[tokio::test]
async fn a_lost_head_starts_a_new_segment_on_sqlite() {
    let files = SqliteDatabase::new();
    a_lost_head_starts_a_new_segment(&files.connect::<PlatformMigrator>("audit.sqlite").await).await;
}
