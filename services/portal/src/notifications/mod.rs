//! Notifications for a provider's members: a tender that fits, a document about to expire (or
//! expired, or rejected), the outcome of a bid. Each is made once from the event that tells of it
//! (`consumer`), kept in the portal's own database for the organisation it is for, shown on its
//! notifications page, and mailed to the organisation's contact address when mail is set up
//! (`mail`). A notification says what happened and where to look, in plain English; it never
//! carries a bid's contents or anyone's scores.

pub mod consumer;
pub mod mail;
pub mod migration;

use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;
use sea_orm::{ActiveValue::Set, ConnectionTrait, QueryOrder, QuerySelect};

/// How many notifications the page shows, newest first.
pub const PAGE_SIZE: u64 = 50;

/// A notification as stored.
pub mod notification {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "portal_notification")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        /// The provider it is for.
        pub organisation_id: String,
        /// What it is about: see [`super::Kind`].
        pub kind: String,
        pub title: String,
        pub body: String,
        /// Where in the portal to act on it: a path such as `/locker`.
        pub link: String,
        /// When what it tells of happened.
        pub created_at: DateTimeUtc,
        pub read_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The mail a notification is waiting to send, or has sent: one row per notification, so it is
/// sent once however often its event comes.
pub mod mail_row {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "portal_notification_mail")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub notification_id: String,
        pub attempts: i32,
        /// When to try next; moved on while a sender holds it, so a sender that crashed lets go.
        pub next_attempt_at: DateTimeUtc,
        pub sent_at: Option<DateTimeUtc>,
        pub given_up_at: Option<DateTimeUtc>,
        /// Why the last try failed, without the message or the address.
        pub last_error: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// What a notification is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    TenderMatched,
    DocumentExpiring,
    DocumentExpired,
    DocumentRejected,
    Outcome,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TenderMatched => "tender_matched",
            Self::DocumentExpiring => "document_expiring",
            Self::DocumentExpired => "document_expired",
            Self::DocumentRejected => "document_rejected",
            Self::Outcome => "outcome",
        }
    }
}

/// A notification to make: for whom, and what it says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub organisation_id: String,
    pub kind: Kind,
    pub title: String,
    pub body: String,
    pub link: String,
}

/// Stores `notice` as it happened at `time`, with its mail waiting when `mail` is on; returns its id.
pub async fn record<C: ConnectionTrait>(
    db: &C,
    notice: Notice,
    time: DateTime<Utc>,
    mail: bool,
) -> Result<String, DbErr> {
    let id = uuid::Uuid::now_v7().to_string();
    notification::ActiveModel {
        id: Set(id.clone()),
        organisation_id: Set(notice.organisation_id),
        kind: Set(notice.kind.as_str().to_owned()),
        title: Set(notice.title),
        body: Set(notice.body),
        link: Set(notice.link),
        created_at: Set(time),
        read_at: Set(None),
    }
    .insert(db)
    .await?;
    if mail {
        mail_row::ActiveModel {
            notification_id: Set(id.clone()),
            attempts: Set(0),
            next_attempt_at: Set(Utc::now()),
            sent_at: Set(None),
            given_up_at: Set(None),
            last_error: Set(None),
        }
        .insert(db)
        .await?;
    }
    Ok(id)
}

/// The newest of `organisation_id`'s notifications, newest first.
pub async fn newest<C: ConnectionTrait>(db: &C, organisation_id: &str) -> Result<Vec<notification::Model>, DbErr> {
    notification::Entity::find()
        .filter(notification::Column::OrganisationId.eq(organisation_id))
        .order_by_desc(notification::Column::CreatedAt)
        .order_by_desc(notification::Column::Id)
        .limit(PAGE_SIZE)
        .all(db)
        .await
}

/// How many of `organisation_id`'s notifications are unread.
pub async fn unread<C: ConnectionTrait>(db: &C, organisation_id: &str) -> Result<u64, DbErr> {
    notification::Entity::find()
        .filter(notification::Column::OrganisationId.eq(organisation_id))
        .filter(notification::Column::ReadAt.is_null())
        .count(db)
        .await
}

/// Marks notifications `ids` of `organisation_id` read (only that organisation's, whatever the ids).
pub async fn mark_read<C: ConnectionTrait>(
    db: &C,
    organisation_id: &str,
    ids: Vec<String>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    if ids.is_empty() {
        return Ok(());
    }
    notification::Entity::update_many()
        .col_expr(notification::Column::ReadAt, Expr::value(now))
        .filter(notification::Column::OrganisationId.eq(organisation_id))
        .filter(notification::Column::Id.is_in(ids))
        .filter(notification::Column::ReadAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

impl crate::PortalState {
    /// `message` as a request from the portal itself (`service:portal`, role service), for what it
    /// asks on no one's behalf: a tender's title, a provider's contact address.
    pub fn as_service<T>(&self, message: T) -> anyhow::Result<tonic::Request<T>> {
        let now = Utc::now().timestamp();
        let claims = platform::auth::Claims {
            sub: "service:portal".into(),
            org: "platform".into(),
            org_name: None,
            roles: vec![platform::auth::Role::Service],
            iss: self.0.issuer.clone(),
            aud: self.0.audience.clone(),
            exp: now + crate::signing::TOKEN_LIFETIME_SECS,
            iat: now,
        };
        let token = self.0.signer.sign(&claims)?;
        let mut request = tonic::Request::new(message);
        request.metadata_mut().insert("authorization", format!("Bearer {token}").parse()?);
        Ok(request)
    }
}
