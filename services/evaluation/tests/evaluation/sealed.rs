//! Sealed at rest: the panel reads each opened bid's words and price through gRPC, but the
//! evaluation database holds no trace of them (the evaluation is sealed under its own key), nor do
//! its outbox or audit log. An evaluation stored in clear before sealing is never read as it
//! stands, and is sealed by what the service runs at start-up.

use std::sync::Arc;

use platform::sealing::MasterKey;
use platform::testing::{TEST_BIDS_MASTER_KEY, with_token};
use prost::Message;
use proto::commissioning::common::v1::Money;
use proto::commissioning::evaluation::v1::GetEvaluationRequest;
use sea_orm::{ActiveModelTrait, ActiveValue::Set};
use tonic::Code;

use super::panel::seen_by;
use super::support::*;

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle)
}

/// Fails naming the table where any of `needles` is readable.
async fn nothing_in_clear(db: &platform::db::Database, needles: &[Vec<u8>]) {
    for (table, column) in [("evaluation", "details"), ("outbox", "payload"), ("audit_log", "details")] {
        for row in rows(db, &format!("SELECT {column} AS body FROM {table}")).await {
            let body: Vec<u8> = match row.try_get::<Vec<u8>>("", "body") {
                Ok(bytes) => bytes,
                Err(_) => row.try_get::<String>("", "body").expect("bytes or text").into_bytes(),
            };
            for needle in needles {
                assert!(!contains(&body, needle), "a bid's contents are readable in {table}.{column}");
            }
        }
    }
}

async fn opened_bids_are_sealed_at_rest(market: Marketplace) {
    let tender = published_tender(&market).await;
    let marker = format!("CANARY{}", uuid::Uuid::new_v4().simple());
    let price = Money { amount_pence: 765_432, currency: "GBP".into(), vat_included: true };
    let words = format!("We visit weekly {marker}");
    bid_saying(&market, &tender, "brixton-friends", price.clone(), &words).await;
    let officer = lambeth_officer();
    let opened =
        eventually("the evaluation opening", || async { seen_by(&market, &officer, &tender.id).await.ok() }).await;

    // The panel reads the bid as it was opened.
    let content = opened.bids[0].content.clone().expect("the bid's contents");
    assert_eq!(content.total_price.as_ref(), Some(&price));
    assert!(!content.answers.is_empty() && content.answers.iter().all(|answer| answer.text == words));
    // The database holds neither its words nor its price (as protobuf encodes it).
    let db = market.evaluation.database().await;
    let needles = [marker.as_bytes().to_vec(), price.encode_to_vec()];
    nothing_in_clear(&db, &needles).await;

    // An evaluation written in clear, as before evaluations were sealed.
    let mut before = opened.clone();
    before.id = uuid::Uuid::new_v4().to_string();
    before.tender_id = uuid::Uuid::new_v4().to_string();
    let now = chrono::Utc::now();
    evaluation::store::ActiveModel {
        id: Set(before.id.clone()),
        tender_id: Set(before.tender_id.clone()),
        council_id: Set(before.council_id.clone()),
        status: Set(before.status),
        details: Set(before.encode_to_vec()),
        created_at: Set(now),
        updated_at: Set(now),
        wrapped_key: Set(None),
    }
    .insert(db.conn())
    .await
    .expect("written in clear");
    let request = || GetEvaluationRequest { tender_id: before.tender_id.clone(), ..Default::default() };
    let unread = market.evaluations().await.get_evaluation(with_token(request(), &officer)).await;
    assert_eq!(unread.expect_err("never read in clear").code(), Code::Internal);

    // What the service runs at start-up seals it, once; then it reads as before.
    let master = Arc::new(MasterKey::from_base64(TEST_BIDS_MASTER_KEY).expect("the test key"));
    assert_eq!(evaluation::store::seal_clear_rows(&db, &master).await.expect("sealed"), 1);
    assert_eq!(evaluation::store::seal_clear_rows(&db, &master).await.expect("nothing left"), 0);
    let read = market.evaluations().await.get_evaluation(with_token(request(), &officer)).await;
    let read = read.expect("read once sealed").into_inner().evaluation.expect("evaluation");
    assert_eq!(read.bids[0].content, opened.bids[0].content);
    nothing_in_clear(&db, &needles).await;
    market.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sealed_at_rest_on_postgres_and_nats() {
    opened_bids_are_sealed_at_rest(Marketplace::on_postgres().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sealed_at_rest_on_sqlite_and_the_embedded_log() {
    opened_bids_are_sealed_at_rest(Marketplace::on_sqlite().await).await;
}
