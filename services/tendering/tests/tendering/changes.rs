//! Amendments before the deadline (a material one gives bidders the minimum time again) and
//! cancellation (bids destroyed unread).

use std::time::Duration;

use platform::testing::with_token;
use prost::Message;
use proto::commissioning::events::v1::{TenderAmended, TenderCancelled};
use proto::commissioning::tendering::v1::*;
use tonic::Code;

use super::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn amendments_tell_bidders_and_a_material_one_extends_the_deadline() {
    let app = on_postgres().await;
    let tender = published(&app, befriending(Duration::from_secs(1), Duration::from_secs(4))).await;
    let deadline = tender.bid_deadline;
    let retitled =
        Tender { id: tender.id.clone(), title: "Befriending, Brixton and Herne Hill".into(), ..Default::default() };

    let unexplained = amend(&app, retitled.clone(), &["title"], "").await.expect_err("a reason is required");
    assert_eq!(unexplained.code(), Code::InvalidArgument);
    let fixed = Tender { procedure: Procedure::RequestForQuotes as i32, ..retitled.clone() };
    let frozen = amend(&app, fixed, &["procedure"], "only invited charities").await.expect_err("fixed once published");
    assert_eq!(frozen.code(), Code::InvalidArgument);

    let wording = amend(&app, retitled, &["title"], "Herne Hill added to the title").await.expect("amended");
    assert_eq!((wording.amendments.len(), wording.amendments[0].material), (1, false));
    assert_eq!(wording.bid_deadline, deadline, "a wording change keeps the deadline");

    // Close to the deadline, a material change gives bidders the minimum period again.
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    let bigger = Tender { id: tender.id.clone(), estimated_value: Some(gbp(9_000)), ..Default::default() };
    let before = chrono::Utc::now();
    let material = amend(&app, bigger, &["estimated_value"], "more hours funded").await.expect("amended");
    let new_deadline = platform::time::from_timestamp(material.bid_deadline.as_ref().expect("deadline")).expect("time");
    assert!(new_deadline >= before + chrono::Duration::seconds(2), "extended to {new_deadline}");
    assert!(material.amendments[1].material);

    let told = outbox(&app, "tendering.tender_amended").await;
    assert_eq!(told.len(), 2, "bidders are told of each amendment");
    let last = TenderAmended::decode(told[1].as_slice()).expect("decodes");
    assert_eq!(last.amendment.expect("amendment").reason, "more hours funded");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_tender_destroys_its_bids_unread() {
    let app = on_postgres().await;
    let tender = published(&app, befriending(Duration::from_secs(1), Duration::from_secs(4))).await;
    run_scheduler_after(&app, tender.enquiry_period_end.as_ref().expect("end")).await;
    submit(&app, bid(&tender, "brixton-friends", 7_500, "We visit weekly.")).await.expect("bid");

    let cancel = CancelTenderRequest { tender_id: tender.id.clone(), reason: "the funding was withdrawn".into() };
    let cancelled = client(&app).await.cancel_tender(with_token(cancel.clone(), &lambeth_officer())).await;
    assert_eq!(cancelled.expect("cancelled").into_inner().tender.expect("tender").status(), TenderStatus::Cancelled);
    let again = client(&app).await.cancel_tender(with_token(cancel, &lambeth_officer())).await;
    assert_eq!(again.expect_err("already cancelled").code(), Code::FailedPrecondition);

    let mine = client(&app)
        .await
        .get_my_bid(with_token(
            GetMyBidRequest { tender_id: tender.id.clone(), ..Default::default() },
            &member_of("brixton-friends"),
        ))
        .await
        .expect("its own bid")
        .into_inner()
        .bid
        .expect("bid");
    assert_eq!(mine.status(), BidStatus::Destroyed);
    assert!(mine.content.is_none(), "destroyed unread: no contents remain");
    let told = outbox(&app, "tendering.tender_cancelled").await;
    let event = TenderCancelled::decode(told[0].as_slice()).expect("decodes");
    assert_eq!((event.destroyed_bid_count, event.reason.as_str()), (1, "the funding was withdrawn"));
    app.stop().await;
}
