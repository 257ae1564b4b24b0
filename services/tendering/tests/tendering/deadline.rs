//! 500 submissions racing a deadline: none is accepted after it, and the opening record holds
//! exactly the accepted ones.

use std::time::Duration;

use futures::future::join_all;
use platform::testing::with_token;
use proto::commissioning::tendering::v1::*;
use tonic::Code;

use super::support::*;

const BIDDERS: usize = 500;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn none_of_500_racing_submissions_is_accepted_after_the_deadline() {
    let app = on_postgres().await;
    let tender = published(&app, befriending(Duration::from_secs(1), Duration::from_secs(4))).await;
    run_scheduler_after(&app, tender.enquiry_period_end.as_ref().expect("end")).await;
    let deadline = platform::time::from_timestamp(tender.bid_deadline.as_ref().expect("deadline")).expect("time");

    // Each bidder sends at its own moment, from 300 ms before the deadline to 200 ms after.
    let attempts = (0..BIDDERS).map(|index| {
        let request = bid(&tender, &format!("provider-{index:03}"), 5_000, "We visit weekly.");
        let app = &app;
        async move {
            let send_at = deadline - chrono::Duration::milliseconds(300) + chrono::Duration::milliseconds(index as i64);
            tokio::time::sleep((send_at - chrono::Utc::now()).to_std().unwrap_or_default()).await;
            submit(app, request).await
        }
    });
    let results = join_all(attempts).await;

    let mut accepted = Vec::new();
    for result in results {
        match result {
            Ok(receipt) => {
                let received =
                    platform::time::from_timestamp(receipt.receive_time.as_ref().expect("time")).expect("time");
                assert!(received < deadline, "accepted at {received}, after the deadline {deadline}");
                accepted.push(receipt.bid_id);
            }
            Err(refused) => {
                assert_eq!(refused.code(), Code::FailedPrecondition, "{refused:?}");
                assert!(refused.message().contains("closed at"), "{}", refused.message());
            }
        }
    }
    assert!(
        !accepted.is_empty() && accepted.len() < BIDDERS,
        "the race straddled the deadline: {} accepted",
        accepted.len()
    );

    run_scheduler_after(&app, tender.bid_deadline.as_ref().expect("deadline")).await;
    let record = client(&app)
        .await
        .get_opening_record(with_token(GetOpeningRecordRequest { tender_id: tender.id.clone() }, &lambeth_officer()))
        .await
        .expect("closed")
        .into_inner()
        .opening_record
        .expect("record");
    let mut opened: Vec<_> = record.entries.into_iter().map(|entry| entry.bid_id).collect();
    opened.sort();
    accepted.sort();
    assert_eq!(opened, accepted, "the opening record holds exactly the accepted bids");
    app.stop().await;
}
