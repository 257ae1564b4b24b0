//! The services providers offer, with one row per area each is delivered in.

use chrono::{DateTime, Utc};
use platform::Error;
use platform::paging::Page;
use prost::Message;
use proto::commissioning::common::v1::area::Part;
use proto::commissioning::providers::v1::Service;
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, JoinType, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, RelationTrait, Select,
};

use super::entity::{offered_service, provider, service_area};
use super::folded;
use platform::time::to_timestamp;

/// Adds a service (validated, with its id, provider id and CPV codes set).
pub async fn insert<C: ConnectionTrait>(txn: &C, service: &Service, now: DateTime<Utc>) -> Result<(), Error> {
    row(service, now, now).insert(txn).await?;
    insert_areas(txn, service).await
}

/// Replaces a service's fields and areas.
pub async fn update<C: ConnectionTrait>(
    txn: &C,
    service: &Service,
    created_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    row(service, created_at, now).update(txn).await?;
    service_area::Entity::delete_many().filter(service_area::Column::ServiceId.eq(&service.id)).exec(txn).await?;
    insert_areas(txn, service).await
}

/// Removes a service and its areas.
pub async fn delete<C: ConnectionTrait>(txn: &C, service_id: &str) -> Result<(), Error> {
    service_area::Entity::delete_many().filter(service_area::Column::ServiceId.eq(service_id)).exec(txn).await?;
    offered_service::Entity::delete_by_id(service_id.to_owned()).exec(txn).await?;
    Ok(())
}

/// A service by id, with the time it was created.
pub async fn find<C: ConnectionTrait>(db: &C, service_id: &str) -> Result<Option<(Service, DateTime<Utc>)>, Error> {
    let Some(row) = offered_service::Entity::find_by_id(service_id.to_owned()).one(db).await? else { return Ok(None) };
    let created_at = row.created_at;
    Ok(Some((to_proto(row)?, created_at)))
}

/// What ListServices filters by.
#[derive(Debug, Default, Clone)]
pub struct ServiceFilter {
    pub provider_id: Option<String>,
    pub categories: Vec<i32>,
    pub council_id: Option<String>,
    pub statuses: Vec<i32>,
}

/// One page of services, by provider name then service name.
pub async fn list<C: ConnectionTrait>(db: &C, filter: &ServiceFilter, page: Page) -> Result<Vec<Service>, Error> {
    filtered(filter)
        .join(JoinType::InnerJoin, offered_service::Relation::Provider.def())
        .order_by_asc(provider::Column::SortName)
        .order_by_asc(offered_service::Column::ProviderId)
        .order_by_asc(offered_service::Column::Name)
        .order_by_asc(offered_service::Column::Id)
        .offset(page.offset)
        .limit(page.limit)
        .all(db)
        .await?
        .into_iter()
        .map(to_proto)
        .collect()
}

/// The services with these ids, in no particular order.
pub async fn with_ids<C: ConnectionTrait>(db: &C, ids: Vec<String>) -> Result<Vec<Service>, Error> {
    let rows = offered_service::Entity::find().filter(offered_service::Column::Id.is_in(ids)).all(db).await?;
    rows.into_iter().map(to_proto).collect()
}

pub(crate) fn to_proto(row: offered_service::Model) -> Result<Service, Error> {
    let mut service = Service::decode(row.details.as_slice()).map_err(Error::internal)?;
    service.id = row.id;
    service.provider_id = row.provider_id;
    service.create_time = Some(to_timestamp(row.created_at));
    service.update_time = Some(to_timestamp(row.updated_at));
    Ok(service)
}

fn row(service: &Service, created_at: DateTime<Utc>, now: DateTime<Utc>) -> offered_service::ActiveModel {
    let stored = Service { create_time: None, update_time: None, ..service.clone() };
    offered_service::ActiveModel {
        id: Set(service.id.clone()),
        provider_id: Set(service.provider_id.clone()),
        name: Set(service.name.clone()),
        category: Set(service.category),
        status: Set(service.status),
        search_text: Set(folded(&[&service.name, &service.description])),
        details: Set(stored.encode_to_vec()),
        created_at: Set(created_at),
        updated_at: Set(now),
    }
}

async fn insert_areas<C: ConnectionTrait>(txn: &C, service: &Service) -> Result<(), Error> {
    let rows: Vec<_> = service
        .areas
        .iter()
        .map(|area| service_area::ActiveModel {
            service_id: Set(service.id.clone()),
            provider_id: Set(service.provider_id.clone()),
            council_id: Set(area.council_id.clone()),
            postcode_district: Set(match &area.part {
                Some(Part::PostcodeDistrict(district)) => Some(district.clone()),
                _ => None,
            }),
            ward_code: Set(match &area.part {
                Some(Part::WardCode(ward)) => Some(ward.clone()),
                _ => None,
            }),
            ..Default::default()
        })
        .collect();
    if !rows.is_empty() {
        service_area::Entity::insert_many(rows).exec_without_returning(txn).await?;
    }
    Ok(())
}

/// How many services match `filter`.
pub async fn count<C: ConnectionTrait>(db: &C, filter: &ServiceFilter) -> Result<u64, Error> {
    Ok(filtered(filter).count(db).await?)
}

/// The services `filter` selects, unordered.
fn filtered(filter: &ServiceFilter) -> Select<offered_service::Entity> {
    let mut query = offered_service::Entity::find();
    if let Some(provider_id) = &filter.provider_id {
        query = query.filter(offered_service::Column::ProviderId.eq(provider_id));
    }
    if !filter.categories.is_empty() {
        query = query.filter(offered_service::Column::Category.is_in(filter.categories.clone()));
    }
    if !filter.statuses.is_empty() {
        query = query.filter(offered_service::Column::Status.is_in(filter.statuses.clone()));
    }
    if let Some(council_id) = &filter.council_id {
        let in_council = Query::select()
            .column(service_area::Column::ServiceId)
            .from(service_area::Entity)
            .and_where(service_area::Column::CouncilId.eq(council_id))
            .to_owned();
        query = query.filter(offered_service::Column::Id.in_subquery(in_council));
    }
    query
}
