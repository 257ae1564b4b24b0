//! Who is using the portal: a session row per browser, found by the cookie's random token (only
//! its SHA-256 is stored, so the table alone signs no one in), holding the person signed in, if
//! anyone, and the token every form must send back (CSRF). Signing in replaces the session, so a
//! token planted before sign-in is worth nothing after.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use platform::auth::Role;
use rand::RngCore;
use sea_orm::entity::prelude::*;
use sea_orm::{ActiveValue::Set, ConnectionTrait};
use sha2::{Digest, Sha256};

/// The session cookie's name.
pub const COOKIE: &str = "portal_session";
/// How long a session lasts without being used.
pub const IDLE_HOURS: i64 = 8;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "portal_session")]
pub struct Model {
    /// SHA-256 (hex) of the cookie's token.
    #[sea_orm(primary_key, auto_increment = false)]
    pub token_hash: String,
    pub csrf_token: String,
    pub user_id: Option<String>,
    pub user_name: Option<String>,
    pub organisation_id: Option<String>,
    pub organisation_name: Option<String>,
    /// The person's roles, as a JSON list.
    pub roles: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// The person a session is signed in as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub user_id: String,
    pub name: String,
    pub organisation_id: String,
    pub organisation_name: String,
    pub roles: Vec<Role>,
}

/// A browser's session, as a page sees it.
#[derive(Debug, Clone)]
pub struct Session {
    pub token: String,
    pub csrf_token: String,
    pub person: Option<Person>,
}

fn random_token() -> String {
    let mut bytes = [0_u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// SHA-256 (hex) of a token, as it is stored.
pub fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Starts a session for `person` (or for a visitor not signed in), returning it with its token.
pub async fn start<C: ConnectionTrait>(db: &C, person: Option<Person>, now: DateTime<Utc>) -> Result<Session, DbErr> {
    let token = random_token();
    let csrf_token = random_token();
    let roles = person.as_ref().map_or_else(Vec::new, |person| person.roles.clone());
    ActiveModel {
        token_hash: Set(hash(&token)),
        csrf_token: Set(csrf_token.clone()),
        user_id: Set(person.as_ref().map(|person| person.user_id.clone())),
        user_name: Set(person.as_ref().map(|person| person.name.clone())),
        organisation_id: Set(person.as_ref().map(|person| person.organisation_id.clone())),
        organisation_name: Set(person.as_ref().map(|person| person.organisation_name.clone())),
        roles: Set(serde_json::to_string(&roles).unwrap_or_else(|_| "[]".into())),
        expires_at: Set(now + Duration::hours(IDLE_HOURS)),
    }
    .insert(db)
    .await?;
    Ok(Session { token, csrf_token, person })
}

/// The live session with cookie token `token`, its expiry moved on; `None` when there is none.
pub async fn find<C: ConnectionTrait>(db: &C, token: &str, now: DateTime<Utc>) -> Result<Option<Session>, DbErr> {
    let Some(row) = Entity::find_by_id(hash(token)).one(db).await? else { return Ok(None) };
    if row.expires_at <= now {
        Entity::delete_by_id(row.token_hash).exec(db).await?;
        return Ok(None);
    }
    let person = match (&row.user_id, &row.organisation_id) {
        (Some(user_id), Some(organisation_id)) => Some(Person {
            user_id: user_id.clone(),
            name: row.user_name.clone().unwrap_or_else(|| user_id.clone()),
            organisation_id: organisation_id.clone(),
            organisation_name: row.organisation_name.clone().unwrap_or_else(|| organisation_id.clone()),
            roles: serde_json::from_str(&row.roles).unwrap_or_default(),
        }),
        _ => None,
    };
    let mut touched: ActiveModel = row.clone().into();
    touched.expires_at = Set(now + Duration::hours(IDLE_HOURS));
    touched.update(db).await?;
    Ok(Some(Session { token: token.to_owned(), csrf_token: row.csrf_token, person }))
}

/// Ends the session with cookie token `token`.
pub async fn end<C: ConnectionTrait>(db: &C, token: &str) -> Result<(), DbErr> {
    Entity::delete_by_id(hash(token)).exec(db).await?;
    Ok(())
}

/// Records that the person of session `token` now acts for `organisation` (a charity they have
/// just registered).
pub async fn set_organisation<C: ConnectionTrait>(
    db: &C,
    token: &str,
    organisation_id: &str,
    organisation_name: &str,
) -> Result<(), DbErr> {
    let Some(row) = Entity::find_by_id(hash(token)).one(db).await? else { return Ok(()) };
    let mut changed: ActiveModel = row.into();
    changed.organisation_id = Set(Some(organisation_id.to_owned()));
    changed.organisation_name = Set(Some(organisation_name.to_owned()));
    changed.update(db).await?;
    Ok(())
}
