//! Who learns how many bids a tender holds: the buying council's officers, and nobody else, before
//! and after the deadline, on GetTender, ListTenders and the responses of changes.

use std::time::Duration;

use platform::auth::Role;
use platform::testing::{named_token, token, with_token};
use proto::commissioning::tendering::v1::*;

use super::support::*;

/// Every kind of caller but the buying council's officers, by name.
fn everyone_else() -> Vec<(&'static str, String)> {
    vec![
        ("an officer of another council", woking_officer()),
        ("an evaluator of the buying council", named_token("eve", "lambeth", "Lambeth", &[Role::Evaluator])),
        ("a provider", member_of("brixton-friends")),
        ("the buying council's integrator", named_token("fin", "lambeth", "Lambeth", &[Role::Integrator])),
        ("an admin", token("ada", "platform", &[Role::Admin])),
        ("a service", evaluation_service()),
    ]
}

/// The bid count `token`'s caller gets for `tender` from GetTender and from ListTenders.
async fn counts_seen(app: &App, tender: &Tender, token: &str) -> (i32, i32) {
    let got = get(app, &tender.id, token).await.expect("readable").bid_count;
    let listed = client(app)
        .await
        .list_tenders(with_token(ListTendersRequest { council_id: "lambeth".into(), ..Default::default() }, token))
        .await
        .expect("listed")
        .into_inner()
        .tenders;
    let listed = listed.iter().find(|listed| listed.id == tender.id).expect("listed").bid_count;
    (got, listed)
}

async fn only_the_buying_councils_officers_see_the_bid_count(app: App) {
    let tender = published(&app, befriending(Duration::from_secs(1), Duration::from_secs(5))).await;
    run_scheduler_after(&app, tender.enquiry_period_end.as_ref().expect("end")).await;
    submit(&app, bid(&tender, "brixton-friends", 7_000, "We visit weekly.")).await.expect("bid");
    submit(&app, bid(&tender, "tulse-hill-club", 7_500, "Coffee and visits.")).await.expect("bid");

    assert_eq!(counts_seen(&app, &tender, &lambeth_officer()).await, (2, 2), "the buying council's officer");
    for (who, token) in everyone_else() {
        assert_eq!(counts_seen(&app, &tender, &token).await, (0, 0), "{who} before the deadline");
    }

    // An admin may change the tender, but the answer does not tell it the count either.
    let update = UpdateTenderRequest {
        tender: Some(Tender {
            id: tender.id.clone(),
            summary: "Weekly visits and calls.".into(),
            ..Default::default()
        }),
        amendment_reason: "clearer summary".into(),
        ..Default::default()
    };
    let admin = token("ada", "platform", &[Role::Admin]);
    let changed = client(&app).await.update_tender(with_token(update.clone(), &admin)).await.expect("amended");
    assert_eq!(changed.into_inner().tender.expect("tender").bid_count, 0, "an admin's UpdateTender");
    let changed = client(&app).await.update_tender(with_token(update, &lambeth_officer())).await.expect("amended");
    assert_eq!(changed.into_inner().tender.expect("tender").bid_count, 2, "the officer's UpdateTender");

    let deadline = get(&app, &tender.id, &lambeth_officer()).await.expect("tender").bid_deadline.expect("deadline");
    run_scheduler_after(&app, &deadline).await;
    assert_eq!(counts_seen(&app, &tender, &lambeth_officer()).await, (2, 2), "the officer after the deadline");
    for (who, token) in everyone_else() {
        assert_eq!(counts_seen(&app, &tender, &token).await, (0, 0), "{who} after the deadline");
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bid_count_on_postgres_and_nats() {
    only_the_buying_councils_officers_see_the_bid_count(on_postgres().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bid_count_on_sqlite_and_the_embedded_log() {
    only_the_buying_councils_officers_see_the_bid_count(on_sqlite().await).await;
}
