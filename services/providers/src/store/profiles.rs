//! Provider profiles: the row with its searchable columns and the whole profile as protobuf, and
//! the identifiers table that keeps each org-id identifier with one provider.

use chrono::{DateTime, Utc};
use platform::Error;
use platform::time::to_timestamp;
use prost::Message;
use proto::commissioning::common::v1::OrgIdentifier;
use proto::commissioning::providers::v1::{Provider, ServiceStatus};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QuerySelect,
};

use super::entity::{identifier, offered_service, provider};
use super::{folded, is_duplicate};

/// A stored provider: its profile (with id, derived fields, times and etag filled in).
pub struct StoredProvider {
    pub provider: Provider,
    pub version: i64,
    pub created_at: DateTime<Utc>,
}

/// The etag of a version.
pub fn etag(version: i64) -> String {
    format!("v{version}")
}

/// Inserts a new provider (its profile already validated, with id and derived fields) and claims
/// its identifiers.
pub async fn insert<C: ConnectionTrait>(txn: &C, profile: &Provider, now: DateTime<Utc>) -> Result<(), Error> {
    claim_identifiers(txn, &profile.id, &profile.identifiers).await?;
    provider::ActiveModel { active_services: Set(0), service_text: Set(String::new()), ..row(profile, 1, now, now) }
        .insert(txn)
        .await?;
    Ok(())
}

/// Replaces a provider's profile, if `expected_version` (when given) is still the stored one.
pub async fn update<C: ConnectionTrait>(
    txn: &C,
    profile: &Provider,
    version: i64,
    created_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let updated = provider::Entity::update_many()
        .set(row(profile, version + 1, created_at, now))
        .filter(provider::Column::Id.eq(&profile.id))
        .filter(provider::Column::Version.eq(version))
        .exec(txn)
        .await?;
    if updated.rows_affected == 0 {
        return Err(Error::Aborted(
            "the provider was changed by someone else meanwhile; read it again and retry".into(),
        ));
    }
    Ok(())
}

/// Reads a provider and holds it (`FOR UPDATE` on PostgreSQL; SQLite's write transaction holds
/// everything) until the transaction ends, so checks made on it stay true until the change commits.
pub async fn lock<C: ConnectionTrait>(txn: &C, id: &str) -> Result<StoredProvider, Error> {
    let row = provider::Entity::find_by_id(id.to_owned())
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or_else(|| Error::NotFound { kind: "provider", id: id.to_owned() })?;
    stored(row)
}

/// Reads a provider.
pub async fn find<C: ConnectionTrait>(db: &C, id: &str) -> Result<Option<StoredProvider>, Error> {
    let Some(row) = provider::Entity::find_by_id(id.to_owned()).one(db).await? else { return Ok(None) };
    Ok(Some(stored(row)?))
}

/// Bumps a provider's version (its members or services changed), so etags stay honest, and
/// refreshes what search reads of its services: how many are active, and their text.
pub async fn touch<C: ConnectionTrait>(txn: &C, id: &str, now: DateTime<Utc>) -> Result<(), Error> {
    let services = offered_service::Entity::find().filter(offered_service::Column::ProviderId.eq(id)).all(txn).await?;
    let active = services.iter().filter(|service| service.status == ServiceStatus::Active as i32).count();
    let service_text = services.iter().map(|service| service.search_text.as_str()).collect::<Vec<_>>().join(" ");
    provider::Entity::update_many()
        .col_expr(provider::Column::ServiceText, Expr::value(service_text))
        .col_expr(provider::Column::Version, Expr::col(provider::Column::Version).add(1))
        .col_expr(provider::Column::UpdatedAt, Expr::value(now))
        .col_expr(provider::Column::ActiveServices, Expr::value(i32::try_from(active).unwrap_or(i32::MAX)))
        .filter(provider::Column::Id.eq(id))
        .exec(txn)
        .await?;
    Ok(())
}

pub(crate) fn stored(row: provider::Model) -> Result<StoredProvider, Error> {
    let mut provider = Provider::decode(row.profile.as_slice()).map_err(Error::internal)?;
    provider.id = row.id;
    provider.create_time = Some(to_timestamp(row.created_at));
    provider.update_time = Some(to_timestamp(row.updated_at));
    provider.etag = etag(row.version);
    Ok(StoredProvider { provider, version: row.version, created_at: row.created_at })
}

/// Each identifier belongs to one provider: a clash is ALREADY_EXISTS naming it.
async fn claim_identifiers<C: ConnectionTrait>(
    txn: &C,
    provider_id: &str,
    identifiers: &[OrgIdentifier],
) -> Result<(), Error> {
    for (index, id) in identifiers.iter().enumerate() {
        let holder = identifier::Entity::find_by_id((id.scheme, id.value.clone())).one(txn).await?;
        let clash = || {
            Error::AlreadyExists(format!(
                "identifier {} (provider.identifiers[{index}]) is already held by another provider; \
                 if it is yours, ask that provider's admin or a platform admin to release it",
                id.value
            ))
        };
        if holder.is_some_and(|holder| holder.provider_id != provider_id) {
            return Err(clash());
        }
        let claimed = identifier::ActiveModel {
            scheme: Set(id.scheme),
            value: Set(id.value.clone()),
            provider_id: Set(provider_id.to_owned()),
        }
        .insert(txn)
        .await;
        match claimed {
            Ok(_) => {}
            Err(error) if is_duplicate(&error) => return Err(clash()),
            Err(error) => return Err(error.into()),
        }
    }
    Ok(())
}

fn row(profile: &Provider, version: i64, created_at: DateTime<Utc>, now: DateTime<Utc>) -> provider::ActiveModel {
    // Members, evidence and output-only fields live elsewhere; the stored profile is the editable part.
    let stored = Provider {
        members: Vec::new(),
        evidence: Vec::new(),
        create_time: None,
        update_time: None,
        etag: String::new(),
        ..profile.clone()
    };
    let display_name = if profile.trading_name.is_empty() { &profile.legal_name } else { &profile.trading_name };
    provider::ActiveModel {
        id: Set(profile.id.clone()),
        legal_name: Set(profile.legal_name.clone()),
        sort_name: Set(display_name.to_lowercase()),
        search_name: Set(folded(&[&profile.legal_name, &profile.trading_name])),
        search_text: Set(folded(&[&profile.description])),
        legal_form: Set(profile.legal_form),
        size_class: Set(profile.size_class),
        vcse: Set(profile.vcse),
        // Kept by `touch`, never overwritten by a profile change.
        active_services: NotSet,
        service_text: NotSet,
        profile: Set(stored.encode_to_vec()),
        version: Set(version),
        created_at: Set(created_at),
        updated_at: Set(now),
    }
}
