//! A tender's closing delivered again (a retried publish, a replayed stream) opens no second
//! evaluation.

use platform::events::{OutboundEvent, Publisher};
use platform::testing::with_token;
use proto::commissioning::evaluation::v1::ListEvaluationsRequest;

use super::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_duplicated_tender_closed_opens_one_evaluation() {
    let market = Marketplace::on_postgres().await;
    let tender = published_tender(&market).await;
    bid(&market, &tender, "brixton-friends", 7_500).await;
    let officer = lambeth_officer();
    let listed = || async {
        let request = ListEvaluationsRequest::default();
        let response =
            market.evaluations().await.list_evaluations(with_token(request, &officer)).await.expect("listed");
        response.into_inner().evaluations
    };
    eventually("the evaluation opening", || async { listed().await.first().cloned() }).await;

    // The same closing, twice more, under new event ids.
    let tendering_db = market.tendering.database().await;
    let closing = rows(&tendering_db, "SELECT payload FROM outbox WHERE event_type = 'tendering.tender_closed'").await;
    let payload: Vec<u8> = closing[0].try_get("", "payload").expect("payload");
    let mut ids = Vec::new();
    for _ in 0..2 {
        let event = OutboundEvent {
            id: uuid::Uuid::now_v7().to_string(),
            event_type: "tendering.tender_closed".into(),
            tenant: "lambeth".into(),
            aggregate_id: tender.id.clone(),
            time: chrono::Utc::now(),
            traceparent: None,
            payload: payload.clone(),
        };
        ids.push(event.id.clone());
        market.evaluation.bus.publish(&event).await.expect("published");
    }
    let evaluation_db = market.evaluation.database().await;
    let handled = format!("SELECT event_id FROM inbox WHERE event_id IN ('{}', '{}')", ids[0], ids[1]);
    eventually("both deliveries handled", || async { (rows(&evaluation_db, &handled).await.len() == 2).then_some(()) })
        .await;

    assert_eq!(listed().await.len(), 1, "one evaluation for the tender");
    let opened = rows(&evaluation_db, "SELECT event_type FROM outbox WHERE event_type = 'evaluation.opened'").await;
    assert_eq!(opened.len(), 1, "evaluation.opened published once");
    market.stop().await;
}
