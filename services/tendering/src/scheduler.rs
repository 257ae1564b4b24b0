//! Moves tenders at their period ends by the database clock: enquiries close into tendering, and at
//! the bid deadline the tender closes, its bids are opened and the opening record (with each
//! consortium partner's answer) goes to the audit log and out as `tendering.tender_closed`; an
//! awarded tender is complete once its contracts have ended. Each move re-checks the locked
//! tender's status, so with several replicas running each happens exactly once.

use std::time::Duration;

use platform::Error;
use platform::audit::{self, AuditEntry};
use platform::db::{Database, database_now};
use platform::time::{from_timestamp, to_timestamp};
use proto::commissioning::events::v1::UnsuccessfulReason;
use proto::commissioning::tendering::v1::{BidStatus, ContractStatus, OpeningEntry, OpeningRecord, TenderStatus};

use crate::events;
use crate::store::{bid_drafts, bids, contracts, openings, partners, tenders};

/// The identity the scheduler's moves are audited under.
const SCHEDULER: &str = "service:tendering";

/// Runs [`tick`] every `interval`, until aborted.
pub fn spawn(db: Database, interval: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if let Err(error) = tick(&db).await {
                tracing::warn!(%error, "tender scheduler failed; will retry");
            }
            tokio::time::sleep(interval).await;
        }
    })
}

/// Makes every move that is due now; returns how many it made.
pub async fn tick(db: &Database) -> Result<usize, Error> {
    let now = database_now(db.conn()).await?;
    let mut moved = 0;
    for id in tenders::enquiries_ended(db.conn(), now).await? {
        moved += usize::from(db.unit_of_work(|txn| Box::pin(async move { open_bidding(txn, &id).await })).await?);
    }
    for id in tenders::deadlines_passed(db.conn(), now).await? {
        moved += usize::from(db.unit_of_work(|txn| Box::pin(async move { close(txn, &id).await })).await?);
    }
    moved += complete_ended(db, platform::time::london_date(now)).await?;
    Ok(moved)
}

/// AWARDED -> COMPLETE for every tender whose contracts have all ended by `today` (a parameter, so
/// tests need not wait years); returns how many moved.
pub async fn complete_ended(db: &Database, today: chrono::NaiveDate) -> Result<usize, Error> {
    let mut moved = 0;
    for id in tenders::with_status(db.conn(), TenderStatus::Awarded).await? {
        moved += usize::from(db.unit_of_work(|txn| Box::pin(async move { complete(txn, &id, today).await })).await?);
    }
    Ok(moved)
}

async fn complete(txn: &sea_orm::DatabaseTransaction, id: &str, today: chrono::NaiveDate) -> Result<bool, Error> {
    let Some(mut stored) = tenders::lock(txn, id).await? else { return Ok(false) };
    let now = database_now(txn).await?;
    let awarded = contracts::of_tender(txn, id).await?;
    let ended = !awarded.is_empty()
        && awarded.iter().all(|contract| crate::domain::contract_status(contract, today) == ContractStatus::Ended);
    if stored.tender.status != TenderStatus::Awarded as i32 || !ended {
        return Ok(false);
    }
    stored.tender.status = TenderStatus::Complete as i32;
    tenders::save(txn, &stored, now).await?;
    record(txn, &stored.tender.council_id, "tender.completed", id, serde_json::json!({})).await?;
    Ok(true)
}

/// ACTIVE_ENQUIRIES -> ACTIVE_TENDERING once the enquiry period has ended.
async fn open_bidding(txn: &sea_orm::DatabaseTransaction, id: &str) -> Result<bool, Error> {
    let Some(mut stored) = tenders::lock(txn, id).await? else { return Ok(false) };
    let now = database_now(txn).await?;
    let ended = stored.tender.enquiry_period_end.as_ref().and_then(from_timestamp).is_some_and(|end| end <= now);
    if stored.tender.status != TenderStatus::ActiveEnquiries as i32 || !ended {
        return Ok(false);
    }
    stored.tender.status = TenderStatus::ActiveTendering as i32;
    tenders::save(txn, &stored, now).await?;
    record(txn, &stored.tender.council_id, "tender.bidding_opened", id, serde_json::json!({})).await?;
    Ok(true)
}

/// At the deadline: opens the bids, records the opening and moves the tender on.
async fn close(txn: &sea_orm::DatabaseTransaction, id: &str) -> Result<bool, Error> {
    let Some(mut stored) = tenders::lock(txn, id).await? else { return Ok(false) };
    let now = database_now(txn).await?;
    let deadline = stored.tender.bid_deadline;
    let passed = deadline.as_ref().and_then(from_timestamp).is_some_and(|deadline| deadline <= now);
    if stored.tender.status != TenderStatus::ActiveTendering as i32 || !passed {
        return Ok(false);
    }
    let mut entries = Vec::new();
    for bid in bids::in_status(txn, id, BidStatus::Submitted).await? {
        entries.push(OpeningEntry {
            partners: partners::named_in(txn, &bid.id).await?,
            bid_id: bid.id,
            provider_id: bid.provider_id,
            provider_name: bid.provider_name,
            version: bid.version,
            sha256_hex: bid.sha256_hex,
            receive_time: Some(to_timestamp(bid.received_at)),
        });
    }
    let opening = OpeningRecord {
        tender_id: id.to_owned(),
        council_id: stored.tender.council_id.clone(),
        bid_deadline: deadline,
        open_time: Some(to_timestamp(now)),
        entries,
    };
    bids::move_all(txn, id, BidStatus::Submitted, BidStatus::Opened, false, now).await?;
    // Drafts never sent can never be: they go at the deadline, unread.
    bid_drafts::delete_all_of(txn, id).await?;
    let no_bids = opening.entries.is_empty();
    stored.tender.status =
        if no_bids { TenderStatus::Unsuccessful as i32 } else { TenderStatus::ActiveEvaluation as i32 };
    stored.tender.close_time = Some(to_timestamp(now));
    if no_bids {
        stored.tender.status_reason = "no bids were received by the deadline".into();
    }
    tenders::save(txn, &stored, now).await?;
    openings::insert(txn, &opening, now).await?;
    let entries: Vec<_> = opening
        .entries
        .iter()
        .map(|entry| serde_json::json!({ "bid_id": entry.bid_id, "provider_id": entry.provider_id, "version": entry.version, "sha256": entry.sha256_hex }))
        .collect();
    record(txn, &stored.tender.council_id, "tender.closed", id, serde_json::json!({ "opening_record": entries }))
        .await?;
    events::closed(txn, &stored.tender, &opening).await?;
    if no_bids {
        events::unsuccessful(txn, &stored.tender, UnsuccessfulReason::NoBids, now).await?;
    }
    Ok(true)
}

async fn record(
    txn: &sea_orm::DatabaseTransaction,
    council_id: &str,
    action: &str,
    id: &str,
    details: serde_json::Value,
) -> Result<(), Error> {
    let entry = AuditEntry {
        actor: SCHEDULER,
        organisation: council_id,
        action,
        entity_kind: "tender",
        entity_id: id,
        details,
    };
    audit::record(txn, entry).await.map(|_| ())
}
