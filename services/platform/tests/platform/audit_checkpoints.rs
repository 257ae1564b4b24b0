//! Signed checkpoints catch what the chain alone cannot: a log rewritten with every later hash
//! recomputed, and a log cut back with its head moved down. A checkpoint signed with another key,
//! or altered after signing, vouches for nothing.

use chrono::Utc;
use platform::audit::checkpoint::{self, AuditSigner};
use platform::audit::{self, VerifyError};
use platform::db::Database;
use platform::migrations::PlatformMigrator;
use platform::testing::{PostgresDatabase, SqliteDatabase};
use sea_orm::ConnectionTrait;

use super::audit::{drop_append_only_triggers, record_five};

fn new_signer() -> AuditSigner {
    let pem = AuditSigner::generate_pem().expect("a key");
    AuditSigner::from_pkcs8(pem.as_bytes()).expect("readable")
}

async fn first_break(
    db: &Database,
    checkpoints: &[proto::commissioning::events::v1::AuditCheckpoint],
    signer: &AuditSigner,
) -> audit::AuditBreak {
    let rows = audit::verify(db.conn()).await.expect("the chain alone looks intact");
    match checkpoint::check(db.conn(), "tendering", rows, checkpoints, signer.public_key()).await {
        Err(VerifyError::Broken(broken)) => broken,
        other => panic!("the checkpoint did not catch it: {other:?}"),
    }
}

async fn tamper(db: &Database, statements: &[&str]) {
    drop_append_only_triggers(db).await;
    for statement in statements {
        db.conn().execute_unprepared(statement).await.expect("tamper");
    }
}

async fn checkpoints_catch_rewrites_and_truncations(new_database: impl AsyncFn() -> Database) {
    let signer = new_signer();

    let db = new_database().await;
    record_five(&db).await;
    let head = audit::verify_chain(db.conn()).await.expect("intact");
    let signed = signer.sign("tendering", head.rows, &head.hash, Utc::now());
    let report =
        checkpoint::check(db.conn(), "tendering", head.rows, std::slice::from_ref(&signed), signer.public_key())
            .await
            .expect("matches");
    assert_eq!((report.matched, report.unsigned), (1, 0));
    // The whole log written again from the start: a chain as sound as the first.
    let genesis = format!("UPDATE audit_head SET seq = 0, hash = '{}'", audit::GENESIS_HASH);
    tamper(&db, &["DELETE FROM audit_log", &genesis]).await;
    record_five(&db).await;
    let broken = first_break(&db, std::slice::from_ref(&signed), &signer).await;
    assert_eq!(broken.seq, 5);
    assert!(broken.problem.contains("rewritten"), "{}", broken.problem);

    let db = new_database().await;
    record_five(&db).await;
    let head = audit::verify_chain(db.conn()).await.expect("intact");
    let signed = signer.sign("tendering", head.rows, &head.hash, Utc::now());
    let back_to_3 = "UPDATE audit_head SET seq = 3, hash = (SELECT hash FROM audit_log WHERE seq = 3)";
    tamper(&db, &["DELETE FROM audit_log WHERE seq >= 4", back_to_3]).await;
    let broken = first_break(&db, std::slice::from_ref(&signed), &signer).await;
    assert_eq!(broken.seq, 4);
    assert!(broken.problem.contains("vouches for row 5"), "{}", broken.problem);

    // Forged with another key, or altered: ignored, and counted so an operator can look.
    let forged = new_signer().sign("tendering", 99, "f00d", Utc::now());
    let mut altered = signed.clone();
    altered.seq = 2;
    let report = checkpoint::check(db.conn(), "tendering", 3, &[forged, altered], signer.public_key())
        .await
        .expect("nothing trustworthy says otherwise");
    assert_eq!((report.matched, report.unsigned), (0, 2));
}

#[tokio::test]
async fn checkpoints_catch_rewrites_and_truncations_on_postgres() {
    let first = PostgresDatabase::create().await;
    let second = PostgresDatabase::create().await;
    let urls = std::sync::Mutex::new(vec![second.url.clone(), first.url.clone()]);
    checkpoints_catch_rewrites_and_truncations(async || {
        let url = urls.lock().expect("lock").pop().expect("a database left");
        let db = Database::connect(&url, 2).await.expect("connect");
        db.migrate::<PlatformMigrator>().await.expect("migrate");
        db
    })
    .await;
    first.drop_database().await;
    second.drop_database().await;
}

#[tokio::test]
async fn checkpoints_catch_rewrites_and_truncations_on_sqlite() {
    let files = SqliteDatabase::new();
    let counter = std::sync::atomic::AtomicUsize::new(0);
    checkpoints_catch_rewrites_and_truncations(async || {
        let n = counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        files.connect::<PlatformMigrator>(&format!("checkpoints-{n}.sqlite")).await
    })
    .await;
}
