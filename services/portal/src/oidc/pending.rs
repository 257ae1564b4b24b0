//! Sign-ins on their way through the identity provider: the state, nonce and PKCE verifier of
//! each, kept here rather than in the browser, tied to the browser's session, taken once, and
//! worth nothing after a few minutes.

use chrono::{DateTime, Duration, Utc};
use sea_orm::entity::prelude::*;
use sea_orm::{ActiveValue::Set, ConnectionTrait};
use sea_orm_migration::prelude::{DeriveIden, MigrationName, MigrationTrait, SchemaManager, Table};
use sea_orm_migration::schema::{string, timestamp_with_time_zone};

use crate::sessions;

/// How long a person has at the identity provider to sign in.
pub const LIFETIME_MINUTES: i64 = 10;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "portal_sign_in")]
pub struct Model {
    /// SHA-256 (hex) of the `state` sent to the identity provider.
    #[sea_orm(primary_key, auto_increment = false)]
    pub state_hash: String,
    /// The session it was started from (the SHA-256 of its cookie's token).
    pub session_hash: String,
    pub nonce: String,
    pub pkce_verifier: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// What the callback needs to finish a sign-in.
#[derive(Debug)]
pub struct Pending {
    pub nonce: String,
    pub pkce_verifier: String,
}

/// Records a sign-in started from session `session_token`; those left unfinished go.
pub async fn start<C: ConnectionTrait>(
    db: &C,
    session_token: &str,
    state: &str,
    pending: Pending,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    Entity::delete_many().filter(Column::ExpiresAt.lte(now)).exec(db).await?;
    ActiveModel {
        state_hash: Set(sessions::hash(state)),
        session_hash: Set(sessions::hash(session_token)),
        nonce: Set(pending.nonce),
        pkce_verifier: Set(pending.pkce_verifier),
        expires_at: Set(now + Duration::minutes(LIFETIME_MINUTES)),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Takes the sign-in with `state`, once: `None` when there is none, it has expired, it was
/// started from another browser's session, or another request took it first.
pub async fn take<C: ConnectionTrait>(
    db: &C,
    session_token: &str,
    state: &str,
    now: DateTime<Utc>,
) -> Result<Option<Pending>, DbErr> {
    let found = Entity::find_by_id(sessions::hash(state)).one(db).await?;
    // Another browser presenting the state neither finishes nor spends this one's sign-in.
    let Some(row) = found.filter(|row| row.session_hash == sessions::hash(session_token)) else { return Ok(None) };
    let deleted = Entity::delete_by_id(row.state_hash.clone()).exec(db).await?;
    if deleted.rows_affected != 1 || row.expires_at <= now {
        return Ok(None);
    }
    Ok(Some(Pending { nonce: row.nonce, pkce_verifier: row.pkce_verifier }))
}

#[derive(DeriveIden)]
enum PortalSignIn {
    Table,
    StateHash,
    SessionHash,
    Nonce,
    PkceVerifier,
    ExpiresAt,
}

/// Sign-ins on their way through the identity provider.
pub struct SignIns;

impl MigrationName for SignIns {
    fn name(&self) -> &str {
        "m20261204_000001_portal_sign_ins"
    }
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for SignIns {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PortalSignIn::Table)
                    .col(string(PortalSignIn::StateHash).primary_key())
                    .col(string(PortalSignIn::SessionHash))
                    .col(string(PortalSignIn::Nonce))
                    .col(string(PortalSignIn::PkceVerifier))
                    .col(timestamp_with_time_zone(PortalSignIn::ExpiresAt))
                    .to_owned(),
            )
            .await
    }
}
