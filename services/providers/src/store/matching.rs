//! Matching published tenders to providers: candidate services by category and council, and the
//! record that keeps each provider told of each tender once.

use chrono::{DateTime, Utc};
use platform::Error;
use proto::commissioning::providers::v1::{Service, ServiceStatus};
use sea_orm::sea_query::{OnConflict, Query};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::entity::{offered_service, service_area, tender_match};

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

/// Records that `provider_id` was told of `tender_id`; `false` when it had been already.
pub async fn record<C: ConnectionTrait>(
    txn: &C,
    tender_id: &str,
    provider_id: &str,
    now: DateTime<Utc>,
) -> Result<bool, Error> {
    let inserted = tender_match::Entity::insert(tender_match::ActiveModel {
        tender_id: Set(tender_id.to_owned()),
        provider_id: Set(provider_id.to_owned()),
        matched_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([tender_match::Column::TenderId, tender_match::Column::ProviderId]).do_nothing().to_owned(),
    )
    .exec_without_returning(txn)
    .await?;
    Ok(inserted > 0)
}
