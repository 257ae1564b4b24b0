//! Tender rows: the columns the scheduler and lists filter on, the wrapped bid key, and the whole
//! tender as protobuf.

use chrono::{DateTime, Utc};
use platform::Error;
use platform::paging::Page;
use platform::time::to_timestamp;
use prost::Message;
use proto::commissioning::tendering::v1::{Tender, TenderStatus};
use sea_orm::entity::prelude::*;
use sea_orm::{ActiveValue::Set, Condition, ConnectionTrait, QueryOrder, QuerySelect};

use super::{tender_areas, tender_categories};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tender")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub council_id: String,
    pub status: i32,
    /// `commissioning.tendering.v1.Tender`, encoded, without its times, etag and bid count.
    pub details: Vec<u8>,
    pub enquiry_period_end: Option<DateTimeUtc>,
    pub bid_deadline: Option<DateTimeUtc>,
    /// The tender's bid key, wrapped by the master key; made on publishing, deleted on cancelling.
    pub wrapped_bid_key: Option<Vec<u8>>,
    pub published_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// One more on every change; the etag.
    pub revision: i64,
    /// Bids submitted and not withdrawn (opened ones included after the deadline).
    pub bid_count: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// A stored tender and its wrapped bid key.
#[derive(Debug, Clone)]
pub struct Stored {
    pub tender: Tender,
    pub wrapped_bid_key: Option<Vec<u8>>,
    pub revision: i64,
}

/// Records a new draft.
pub async fn insert<C: ConnectionTrait>(txn: &C, tender: &Tender, now: DateTime<Utc>) -> Result<(), Error> {
    ActiveModel {
        id: Set(tender.id.clone()),
        council_id: Set(tender.council_id.clone()),
        status: Set(tender.status),
        details: Set(encode(tender)),
        enquiry_period_end: Set(time(tender.enquiry_period_end.as_ref())),
        bid_deadline: Set(time(tender.bid_deadline.as_ref())),
        wrapped_bid_key: Set(None),
        published_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        revision: Set(1),
        bid_count: Set(0),
    }
    .insert(txn)
    .await?;
    index(txn, tender).await
}

/// The tender's categories and areas, beside its row, for ListTenders' filters.
async fn index<C: ConnectionTrait>(txn: &C, tender: &Tender) -> Result<(), Error> {
    tender_categories::replace(txn, &tender.id, &tender.categories).await?;
    let councils: Vec<&str> = tender.areas.iter().map(|area| area.council_id.as_str()).collect();
    tender_areas::replace(txn, &tender.id, &councils).await
}

/// Writes back a tender read with [`lock`], one revision on.
pub async fn save<C: ConnectionTrait>(txn: &C, stored: &Stored, now: DateTime<Utc>) -> Result<(), Error> {
    let tender = &stored.tender;
    ActiveModel {
        id: Set(tender.id.clone()),
        council_id: Set(tender.council_id.clone()),
        status: Set(tender.status),
        details: Set(encode(tender)),
        enquiry_period_end: Set(time(tender.enquiry_period_end.as_ref())),
        bid_deadline: Set(time(tender.bid_deadline.as_ref())),
        wrapped_bid_key: Set(stored.wrapped_bid_key.clone()),
        published_at: Set(time(tender.publish_time.as_ref())),
        updated_at: Set(now),
        revision: Set(stored.revision + 1),
        bid_count: Set(tender.bid_count),
        ..Default::default()
    }
    .update(txn)
    .await?;
    index(txn, tender).await
}

/// Records how many bids a tender holds, leaving its revision (and so its etag) alone: bids are
/// not changes to the tender.
pub async fn set_bid_count<C: ConnectionTrait>(txn: &C, id: &str, bid_count: i32) -> Result<(), Error> {
    Entity::update_many()
        .col_expr(Column::BidCount, sea_orm::sea_query::Expr::value(bid_count))
        .filter(Column::Id.eq(id))
        .exec(txn)
        .await?;
    Ok(())
}

/// Reads a tender and holds it until the transaction ends (`FOR UPDATE` on PostgreSQL; SQLite's
/// write transactions are already exclusive).
pub async fn lock<C: ConnectionTrait>(txn: &C, id: &str) -> Result<Option<Stored>, Error> {
    Entity::find_by_id(id.to_owned()).lock_exclusive().one(txn).await?.map(stored).transpose()
}

pub async fn find<C: ConnectionTrait>(db: &C, id: &str) -> Result<Option<Stored>, Error> {
    Entity::find_by_id(id.to_owned()).one(db).await?.map(stored).transpose()
}

/// What ListTenders filters on.
pub struct Filter<'a> {
    pub council_id: &'a str,
    pub statuses: &'a [i32],
    /// Tenders buying any of these categories.
    pub categories: &'a [i32],
    /// Tenders with an area in this council's area.
    pub area_council_id: &'a str,
    /// Drafts of this council are included too (the caller is its officer).
    pub drafts_of: Option<&'a str>,
}

/// Published tenders (and the caller's council's drafts), newest first.
pub async fn list<C: ConnectionTrait>(db: &C, filter: &Filter<'_>, page: Page) -> Result<Vec<Tender>, Error> {
    let draft = TenderStatus::Draft as i32;
    let mut visible = Condition::any().add(Column::Status.ne(draft));
    if let Some(council) = filter.drafts_of {
        visible = visible.add(Condition::all().add(Column::Status.eq(draft)).add(Column::CouncilId.eq(council)));
    }
    let mut query = Entity::find()
        .filter(visible)
        .order_by_desc(Column::CreatedAt)
        .order_by_asc(Column::Id)
        .offset(page.offset)
        .limit(page.limit);
    if !filter.council_id.is_empty() {
        query = query.filter(Column::CouncilId.eq(filter.council_id));
    }
    if !filter.statuses.is_empty() {
        query = query.filter(Column::Status.is_in(filter.statuses.to_vec()));
    }
    if !filter.categories.is_empty() {
        query = query.filter(Column::Id.in_subquery(tender_categories::buying_any(filter.categories)));
    }
    if !filter.area_council_id.is_empty() {
        query = query.filter(Column::Id.in_subquery(tender_areas::in_area_of(filter.area_council_id)));
    }
    query.all(db).await?.into_iter().map(|row| stored(row).map(|stored| stored.tender)).collect()
}

/// Every published (not draft) tender of a council, oldest first: its open data.
pub async fn published_of<C: ConnectionTrait>(db: &C, council_id: &str) -> Result<Vec<Tender>, Error> {
    let rows = Entity::find()
        .filter(Column::CouncilId.eq(council_id))
        .filter(Column::Status.ne(TenderStatus::Draft as i32))
        .order_by_asc(Column::CreatedAt)
        .all(db)
        .await?;
    rows.into_iter().map(|row| stored(row).map(|stored| stored.tender)).collect()
}

/// Ids of tenders in `status`.
pub async fn with_status<C: ConnectionTrait>(db: &C, status: TenderStatus) -> Result<Vec<String>, Error> {
    let ids = Entity::find()
        .select_only()
        .column(Column::Id)
        .filter(Column::Status.eq(status as i32))
        .into_tuple::<String>()
        .all(db)
        .await?;
    Ok(ids)
}

/// Ids of tenders whose enquiry period has ended by `now` and are still taking questions.
pub async fn enquiries_ended<C: ConnectionTrait>(db: &C, now: DateTime<Utc>) -> Result<Vec<String>, Error> {
    due(db, TenderStatus::ActiveEnquiries, Column::EnquiryPeriodEnd, now).await
}

/// Ids of tenders whose bid deadline has passed by `now` and are still taking bids.
pub async fn deadlines_passed<C: ConnectionTrait>(db: &C, now: DateTime<Utc>) -> Result<Vec<String>, Error> {
    due(db, TenderStatus::ActiveTendering, Column::BidDeadline, now).await
}

async fn due<C: ConnectionTrait>(
    db: &C,
    status: TenderStatus,
    column: Column,
    now: DateTime<Utc>,
) -> Result<Vec<String>, Error> {
    let rows = Entity::find()
        .select_only()
        .column(Column::Id)
        .filter(Column::Status.eq(status as i32))
        .filter(column.lte(now))
        .order_by_asc(column)
        .into_tuple::<String>()
        .all(db)
        .await?;
    Ok(rows)
}

fn encode(tender: &Tender) -> Vec<u8> {
    Tender {
        create_time: None,
        update_time: None,
        etag: String::new(),
        bid_count: 0,
        estimated_value_with_options: None,
        ..tender.clone()
    }
    .encode_to_vec()
}

fn time(timestamp: Option<&prost_types::Timestamp>) -> Option<DateTime<Utc>> {
    timestamp.and_then(platform::time::from_timestamp)
}

fn stored(row: Model) -> Result<Stored, Error> {
    let mut tender = Tender::decode(row.details.as_slice()).map_err(Error::internal)?;
    tender.create_time = Some(to_timestamp(row.created_at));
    tender.update_time = Some(to_timestamp(row.updated_at));
    tender.etag = row.revision.to_string();
    tender.bid_count = row.bid_count;
    tender.estimated_value_with_options = crate::domain::value_with_options(&tender);
    Ok(Stored { tender, wrapped_bid_key: row.wrapped_bid_key, revision: row.revision })
}
