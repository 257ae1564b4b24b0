//! Matching tenders to providers: the tenders taking bids, candidate services by category and
//! council, and the record that keeps each provider told of each tender once, with what it was
//! told.

use chrono::{DateTime, Utc};
use platform::Error;
use platform::paging::Page;
use prost::Message;
use proto::commissioning::events::v1::{PublishedTender, TenderMatched};
use proto::commissioning::providers::v1::{Service, ServiceStatus, TenderMatch};
use sea_orm::sea_query::{OnConflict, Query};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::entity::{offered_service, open_tender, service_area, tender_match};

/// Active services of any of `categories` delivered somewhere in any of `council_ids`.
pub async fn candidate_services<C: ConnectionTrait>(
    db: &C,
    categories: Vec<i32>,
    council_ids: Vec<String>,
) -> Result<Vec<Service>, Error> {
    let in_councils = Query::select()
        .column(service_area::Column::ServiceId)
        .from(service_area::Entity)
        .and_where(service_area::Column::CouncilId.is_in(council_ids))
        .to_owned();
    let rows = offered_service::Entity::find()
        .filter(offered_service::Column::Category.is_in(categories))
        .filter(offered_service::Column::Status.eq(ServiceStatus::Active as i32))
        .filter(offered_service::Column::Id.in_subquery(in_councils))
        .order_by_asc(offered_service::Column::ProviderId)
        .order_by_asc(offered_service::Column::Id)
        .all(db)
        .await?;
    rows.into_iter().map(super::services::to_proto).collect()
}

/// Records that `matched.provider_id` was told of `matched.tender_id`, with what it was told;
/// `false` when it had been already.
pub async fn record<C: ConnectionTrait>(txn: &C, matched: &TenderMatched, now: DateTime<Utc>) -> Result<bool, Error> {
    let inserted = tender_match::Entity::insert(tender_match::ActiveModel {
        tender_id: Set(matched.tender_id.clone()),
        provider_id: Set(matched.provider_id.clone()),
        matched_at: Set(now),
        facts: Set(Some(matched.encode_to_vec())),
    })
    .on_conflict(
        OnConflict::columns([tender_match::Column::TenderId, tender_match::Column::ProviderId]).do_nothing().to_owned(),
    )
    .exec_without_returning(txn)
    .await?;
    Ok(inserted > 0)
}

/// A tender taking bids, as last published or amended.
pub struct OpenTender {
    pub tender_id: String,
    pub council_id: String,
    pub tender: PublishedTender,
}

/// Keeps (or, once amended, replaces) a tender that takes bids.
pub async fn keep_open<C: ConnectionTrait>(txn: &C, open: &OpenTender) -> Result<(), Error> {
    let deadline = open.tender.bid_deadline.as_ref().and_then(platform::time::from_timestamp).unwrap_or_default();
    open_tender::Entity::insert(open_tender::ActiveModel {
        tender_id: Set(open.tender_id.clone()),
        council_id: Set(open.council_id.clone()),
        facts: Set(open.tender.encode_to_vec()),
        bid_deadline: Set(deadline),
    })
    .on_conflict(
        OnConflict::column(open_tender::Column::TenderId)
            .update_columns([
                open_tender::Column::CouncilId,
                open_tender::Column::Facts,
                open_tender::Column::BidDeadline,
            ])
            .to_owned(),
    )
    .exec_without_returning(txn)
    .await?;
    Ok(())
}

/// Forgets a tender that no longer takes bids (closed, cancelled or unsuccessful).
pub async fn forget_open<C: ConnectionTrait>(txn: &C, tender_id: &str) -> Result<(), Error> {
    open_tender::Entity::delete_by_id(tender_id.to_owned()).exec(txn).await?;
    Ok(())
}

/// The tenders whose bid deadline is after `now`.
pub async fn open_tenders<C: ConnectionTrait>(db: &C, now: DateTime<Utc>) -> Result<Vec<OpenTender>, Error> {
    let rows = open_tender::Entity::find()
        .filter(open_tender::Column::BidDeadline.gt(now))
        .order_by_asc(open_tender::Column::TenderId)
        .all(db)
        .await?;
    rows.into_iter().map(open_tender_of).collect()
}

fn open_tender_of(row: open_tender::Model) -> Result<OpenTender, Error> {
    let tender = PublishedTender::decode(row.facts.as_slice())
        .map_err(|error| Error::Internal(format!("open tender {} does not decode: {error}", row.tender_id)))?;
    Ok(OpenTender { tender_id: row.tender_id, council_id: row.council_id, tender })
}

/// The provider's matches to tenders still taking bids at `now`, soonest deadline first.
pub async fn list_for<C: ConnectionTrait>(
    db: &C,
    provider_id: &str,
    now: DateTime<Utc>,
    page: Page,
) -> Result<Vec<TenderMatch>, Error> {
    let matches = tender_match::Entity::find()
        .filter(tender_match::Column::ProviderId.eq(provider_id))
        .filter(tender_match::Column::Facts.is_not_null())
        .all(db)
        .await?;
    let open = open_tender::Entity::find()
        .filter(open_tender::Column::TenderId.is_in(matches.iter().map(|row| row.tender_id.clone())))
        .filter(open_tender::Column::BidDeadline.gt(now))
        .all(db)
        .await?;
    let mut listed = Vec::new();
    for row in open {
        let Some(found) = matches.iter().find(|matched| matched.tender_id == row.tender_id) else { continue };
        let facts = TenderMatched::decode(found.facts.as_deref().unwrap_or_default())
            .map_err(|error| Error::Internal(format!("match of {} does not decode: {error}", row.tender_id)))?;
        let deadline = row.bid_deadline;
        let tender = open_tender_of(row)?.tender;
        listed.push((
            deadline,
            TenderMatch {
                tender_id: facts.tender_id,
                council_id: facts.council_id,
                council_name: facts.council_name,
                tender_title: tender.title,
                reason: facts.reason,
                matched_service_ids: facts.matched_service_ids,
                matched_areas: facts.matched_areas,
                estimated_value: tender.estimated_value,
                enquiry_period_end: tender.enquiry_period_end,
                bid_deadline: tender.bid_deadline,
                match_time: Some(platform::time::to_timestamp(found.matched_at)),
            },
        ));
    }
    listed.sort_by(|(one, a), (other, b)| one.cmp(other).then_with(|| a.tender_id.cmp(&b.tender_id)));
    let skip = usize::try_from(page.offset).unwrap_or(usize::MAX);
    let take = usize::try_from(page.limit).unwrap_or(usize::MAX);
    Ok(listed.into_iter().skip(skip).take(take).map(|(_, matched)| matched).collect())
}
