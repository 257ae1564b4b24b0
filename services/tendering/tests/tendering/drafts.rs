//! A bid drafted over several sittings: saved and read back by the provider's own members only,
//! sealed at rest like a bid, refused on a tender not open for bids, gone once the bid is in, and
//! gone unread at the deadline or when the tender is cancelled.

use std::time::Duration;

use platform::testing::with_token;
use proto::commissioning::tendering::v1::*;
use sea_orm::ConnectionTrait;
use tonic::Code;

use super::support::*;

fn save(tender: &Tender, provider: &str, words: &str) -> SaveBidDraftRequest {
    let content = bid(tender, provider, 7_500, words).content;
    SaveBidDraftRequest { tender_id: tender.id.clone(), provider_id: provider.into(), content }
}

async fn draft(app: &App, tender: &Tender, provider: &str, token: &str) -> Result<BidDraft, tonic::Status> {
    let request = GetBidDraftRequest { tender_id: tender.id.clone(), provider_id: provider.into() };
    let found = client(app).await.get_bid_draft(with_token(request, token)).await?;
    Ok(found.into_inner().draft.expect("draft"))
}

async fn a_draft_is_its_providers_alone_and_goes_when_the_bid_is_in(app: App) {
    let tender = published(&app, befriending(Duration::from_secs(1), Duration::from_millis(3_500))).await;
    let marker = format!("DRAFT{}", uuid::Uuid::new_v4().simple());
    let mine = member_of("brixton-friends");

    // Saved during enquiries, replaced by a later sitting, read back whole.
    client(&app)
        .await
        .save_bid_draft(with_token(save(&tender, "brixton-friends", "first go"), &mine))
        .await
        .expect("saved");
    let saved = client(&app)
        .await
        .save_bid_draft(with_token(save(&tender, "brixton-friends", &format!("We visit weekly {marker}")), &mine))
        .await
        .expect("saved again")
        .into_inner()
        .draft
        .expect("draft");
    assert_eq!(saved.updated_by_user_id, "brixton-friends-lead");
    let read = draft(&app, &tender, "brixton-friends", &mine).await.expect("read back");
    let answers: Vec<_> = read.content.expect("content").answers.into_iter().map(|answer| answer.text).collect();
    assert!(answers.iter().all(|text| text.contains(&marker)), "{answers:?}");

    // Nobody else reads or writes it: another provider, the council.
    let other = draft(&app, &tender, "brixton-friends", &member_of("tulse-hill-club")).await;
    assert_eq!(other.expect_err("not theirs").code(), Code::PermissionDenied);
    let council = draft(&app, &tender, "brixton-friends", &lambeth_officer()).await;
    assert_eq!(council.expect_err("not the council's").code(), Code::PermissionDenied);
    let forged = client(&app)
        .await
        .save_bid_draft(with_token(save(&tender, "brixton-friends", "overwritten"), &member_of("tulse-hill-club")))
        .await;
    assert_eq!(forged.expect_err("not theirs to write").code(), Code::PermissionDenied);
    let none = draft(&app, &tender, "tulse-hill-club", &member_of("tulse-hill-club")).await;
    assert_eq!(none.expect_err("no draft").code(), Code::NotFound);

    // At rest it is sealed.
    let db = app.database().await;
    let sql = "SELECT sealed_content AS body FROM bid_draft";
    let rows = db.conn().query_all_raw(sea_orm::Statement::from_string(db.backend(), sql)).await.expect("read");
    assert_eq!(rows.len(), 1);
    for row in rows {
        let body: Vec<u8> = row.try_get("", "body").expect("bytes");
        assert!(!body.windows(marker.len()).any(|window| window == marker.as_bytes()), "the draft is readable");
    }

    // Submitted, the draft is gone; the bid is what counts.
    run_scheduler_after(&app, tender.enquiry_period_end.as_ref().expect("end")).await;
    submit(&app, bid(&tender, "brixton-friends", 7_500, "final words")).await.expect("bid");
    let gone = draft(&app, &tender, "brixton-friends", &mine).await;
    assert_eq!(gone.expect_err("gone").code(), Code::NotFound);

    // Another provider's draft, never sent, goes at the deadline: it can never be a bid.
    let theirs = member_of("tulse-hill-club");
    client(&app)
        .await
        .save_bid_draft(with_token(save(&tender, "tulse-hill-club", "half done"), &theirs))
        .await
        .expect("saved");
    run_scheduler_after(&app, tender.bid_deadline.as_ref().expect("deadline")).await;
    let gone = draft(&app, &tender, "tulse-hill-club", &theirs).await;
    assert_eq!(gone.expect_err("gone at the deadline").code(), Code::NotFound);
    let rows = db.conn().query_all_raw(sea_orm::Statement::from_string(db.backend(), sql)).await.expect("read");
    assert!(rows.is_empty(), "no draft is left at the deadline");

    // A cancelled tender's drafts go with its bids.
    let cancelled = published(&app, befriending(Duration::from_secs(60), Duration::from_secs(120))).await;
    client(&app)
        .await
        .save_bid_draft(with_token(save(&cancelled, "brixton-friends", "soon"), &mine))
        .await
        .expect("saved");
    let cancel = CancelTenderRequest { tender_id: cancelled.id.clone(), reason: "the funding was withdrawn".into() };
    client(&app).await.cancel_tender(with_token(cancel, &lambeth_officer())).await.expect("cancelled");
    let gone = draft(&app, &cancelled, "brixton-friends", &mine).await;
    assert_eq!(gone.expect_err("gone with the tender").code(), Code::NotFound);
    let rows = db.conn().query_all_raw(sea_orm::Statement::from_string(db.backend(), sql)).await.expect("read");
    assert!(rows.is_empty(), "no draft is left of a cancelled tender");

    // A draft tender takes no drafts: to a bidder it does not exist.
    let unpublished =
        drafted(&app, "befriending", befriending(Duration::from_secs(60), Duration::from_secs(120))).await;
    let refused =
        client(&app).await.save_bid_draft(with_token(save(&unpublished, "brixton-friends", "early"), &mine)).await;
    assert_eq!(refused.expect_err("not published").code(), Code::NotFound);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drafts_on_postgres_and_nats() {
    a_draft_is_its_providers_alone_and_goes_when_the_bid_is_in(on_postgres().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drafts_on_sqlite_and_the_embedded_log() {
    a_draft_is_its_providers_alone_and_goes_when_the_bid_is_in(on_sqlite().await).await;
}
