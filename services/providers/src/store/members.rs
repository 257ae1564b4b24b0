//! The people who may act for a provider.

use chrono::{DateTime, Utc};
use platform::Error;
use proto::commissioning::providers::v1::{Member, MemberRole};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};

use super::entity::member;
use super::is_duplicate;
use platform::time::to_timestamp;

/// A provider's members, earliest first.
pub async fn list<C: ConnectionTrait>(db: &C, provider_id: &str) -> Result<Vec<Member>, Error> {
    let rows = member::Entity::find()
        .filter(member::Column::ProviderId.eq(provider_id))
        .order_by_asc(member::Column::AddedAt)
        .order_by_asc(member::Column::UserId)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(to_proto).collect())
}

/// The providers `user_id` is a member of (id and role), earliest membership first.
pub async fn memberships_of<C: ConnectionTrait>(db: &C, user_id: &str) -> Result<Vec<(String, MemberRole)>, Error> {
    let rows = member::Entity::find()
        .filter(member::Column::UserId.eq(user_id))
        .order_by_asc(member::Column::AddedAt)
        .order_by_asc(member::Column::ProviderId)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| (row.provider_id, MemberRole::try_from(row.role).unwrap_or(MemberRole::Unspecified)))
        .collect())
}

/// The role of `user_id` at `provider_id`, if a member.
pub async fn role_of<C: ConnectionTrait>(
    db: &C,
    provider_id: &str,
    user_id: &str,
) -> Result<Option<MemberRole>, Error> {
    let row = member::Entity::find_by_id((provider_id.to_owned(), user_id.to_owned())).one(db).await?;
    Ok(row.and_then(|row| MemberRole::try_from(row.role).ok()))
}

/// Adds a member (already validated); ALREADY_EXISTS when the user is one already.
pub async fn add<C: ConnectionTrait>(
    txn: &C,
    provider_id: &str,
    new: &Member,
    now: DateTime<Utc>,
) -> Result<Member, Error> {
    let row = member::ActiveModel {
        provider_id: Set(provider_id.to_owned()),
        user_id: Set(new.user_id.clone()),
        role: Set(new.role),
        display_name: Set(new.display_name.clone()),
        email: Set(new.email.clone()),
        phone: Set(new.phone.clone()),
        added_at: Set(now),
    };
    match row.insert(txn).await {
        Ok(row) => Ok(to_proto(row)),
        Err(error) if is_duplicate(&error) => Err(Error::AlreadyExists(format!(
            "user {} is already a member of this provider; remove them first to change their role",
            new.user_id
        ))),
        Err(error) => Err(error.into()),
    }
}

/// Removes a member, keeping at least one admin.
pub async fn remove<C: ConnectionTrait>(txn: &C, provider_id: &str, user_id: &str) -> Result<(), Error> {
    let Some(role) = role_of(txn, provider_id, user_id).await? else {
        return Err(Error::NotFound { kind: "member", id: user_id.to_owned() });
    };
    if role == MemberRole::Admin {
        let admins = member::Entity::find()
            .filter(member::Column::ProviderId.eq(provider_id))
            .filter(member::Column::Role.eq(MemberRole::Admin as i32))
            .count(txn)
            .await?;
        if admins <= 1 {
            return Err(Error::precondition(
                "LAST_ADMIN",
                "this is the provider's only admin; add another admin before removing this one",
            ));
        }
    }
    member::Entity::delete_by_id((provider_id.to_owned(), user_id.to_owned())).exec(txn).await?;
    Ok(())
}

fn to_proto(row: member::Model) -> Member {
    Member {
        user_id: row.user_id,
        role: row.role,
        display_name: row.display_name,
        email: row.email,
        phone: row.phone,
        add_time: Some(to_timestamp(row.added_at)),
    }
}
