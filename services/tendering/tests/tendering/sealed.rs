//! Sealed-bid canaries: a bid's words and price carry a unique marker, which must not appear before
//! the deadline in any other caller's response, in any event on NATS, in the audit log, or in the
//! stored bid (its contents are encrypted at rest).

use std::time::Duration;

use futures::StreamExt;
use platform::testing::with_token;
use proto::commissioning::tendering::v1::*;
use sea_orm::ConnectionTrait;
use tonic::Code;

use super::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bid_contents_never_leak_before_the_deadline() {
    let app = on_postgres().await;
    let nats = async_nats::connect(platform::testing::nats_url()).await.expect("NATS");
    let mut events = nats.subscribe(format!("{}.>", app.subject_root())).await.expect("subscribed");

    let tender = published(&app, befriending(Duration::from_secs(1), Duration::from_millis(3_500))).await;
    run_scheduler_after(&app, tender.enquiry_period_end.as_ref().expect("end")).await;
    let marker = format!("CANARY{}", uuid::Uuid::new_v4().simple());
    let price_pence = 987_654_321_i64;
    let mut sealed = bid(&tender, "brixton-friends", 1, &format!("We visit weekly {marker}"));
    sealed.content.as_mut().expect("content").total_price.as_mut().expect("price").amount_pence = price_pence;
    submit(&app, sealed).await.expect("bid");

    let mut seen = Vec::new();
    let officer = lambeth_officer();
    seen.push(format!("{:?}", get(&app, &tender.id, &officer).await));
    let list = ListTendersRequest::default();
    seen.push(format!("{:?}", client(&app).await.list_tenders(with_token(list, &officer)).await));
    let questions = ListQuestionsRequest { tender_id: tender.id.clone(), ..Default::default() };
    seen.push(format!("{:?}", client(&app).await.list_questions(with_token(questions, &officer)).await));
    let other = client(&app)
        .await
        .get_my_bid(with_token(
            GetMyBidRequest { tender_id: tender.id.clone(), ..Default::default() },
            &member_of("tulse-hill-club"),
        ))
        .await;
    assert_eq!(other.as_ref().map(|_| ()).expect_err("not theirs").code(), Code::NotFound);
    seen.push(format!("{other:?}"));
    let opened = ListOpenedBidsRequest { tender_id: tender.id.clone(), ..Default::default() };
    let early = client(&app).await.list_opened_bids(with_token(opened, &evaluation_service())).await;
    assert_eq!(early.as_ref().map(|_| ()).expect_err("not before the deadline").code(), Code::FailedPrecondition);
    seen.push(format!("{early:?}"));
    for response in &seen {
        assert!(!response.contains(&marker), "the marker leaked in {response}");
        assert!(!response.contains(&price_pence.to_string()), "the price leaked in {response}");
    }

    // Everything published so far: the tender and its bid events.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let mut bid_events = 0;
    while bid_events == 0 {
        let message =
            tokio::time::timeout_at(deadline, events.next()).await.expect("bid_submitted arrives").expect("message");
        let bytes = message.payload.to_vec();
        assert!(!contains(&bytes, marker.as_bytes()), "the marker went out on {}", message.subject);
        if message.subject.ends_with("tendering.bid_submitted") {
            let event: proto::commissioning::events::v1::BidSubmitted =
                prost::Message::decode(bytes.as_slice()).expect("decodes");
            assert_eq!(event.bid_count, 1);
            bid_events += 1;
        }
    }

    // At rest: the stored bid, the audit log and the outbox hold no trace of the contents.
    let db = app.database().await;
    for (table, column) in [("bid", "sealed_content"), ("outbox", "payload")] {
        let sql = format!("SELECT {column} AS body FROM {table}");
        let rows = db.conn().query_all_raw(sea_orm::Statement::from_string(db.backend(), sql)).await.expect("read");
        for row in rows {
            let body: Option<Vec<u8>> = row.try_get("", "body").expect("bytes");
            assert!(!contains(&body.unwrap_or_default(), marker.as_bytes()), "the marker is readable in {table}");
        }
    }
    let sql = "SELECT details FROM audit_log";
    let rows = db.conn().query_all_raw(sea_orm::Statement::from_string(db.backend(), sql)).await.expect("read");
    for row in rows {
        let details: String = row.try_get("", "details").expect("text");
        assert!(!details.contains(&marker) && !details.contains(&price_pence.to_string()), "audited: {details}");
    }
    app.stop().await;
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bid_contents_never_reach_the_logs() {
    let app = on_sqlite().await;
    let tender = published(&app, befriending(Duration::from_secs(1), Duration::from_millis(3_500))).await;
    run_scheduler_after(&app, tender.enquiry_period_end.as_ref().expect("end")).await;
    let marker = format!("CANARY{}", uuid::Uuid::new_v4().simple());
    submit(&app, bid(&tender, "brixton-friends", 5_000, &format!("We visit weekly {marker}"))).await.expect("bid");
    let over_limit = vec![marker.as_str(); 2_000].join(" ");
    let refused = submit(&app, bid(&tender, "tulse-hill-club", 5_000, &over_limit)).await.expect_err("too long");
    assert_eq!(refused.code(), Code::InvalidArgument);
    assert!(!refused.message().contains(&marker), "the refusal quotes the bid: {}", refused.message());
    app.stop().await;

    let written = platform::testing::captured_logs();
    assert!(written.contains("TenderingService/SubmitBid"), "the capture saw the calls ({} bytes)", written.len());
    assert!(!written.contains(&marker), "the marker reached the logs");
}
