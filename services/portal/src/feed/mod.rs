//! Each council's events as its finance integration should have received them: the portal keeps
//! the tendering and evaluation events published on a council's subjects (`consumer`), as they
//! came (type, time, subject, the protobuf body), for the council's integrators to read in the
//! portal. The body is decoded into words when shown, so what is kept is the event itself, ready
//! for a feed or webhooks to give out later. Bids' contents never travel in an event, so they are
//! never here.

pub mod consumer;
pub mod migration;

use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ConnectionTrait, QueryOrder, QuerySelect};

/// How many of a council's events its page shows, newest first.
pub const PAGE_SIZE: u64 = 100;

/// An event as kept.
pub mod council_event {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "portal_council_event")]
    pub struct Model {
        /// The event's own id (`ce-id`), so a redelivered event is kept once.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        /// The council of its subject (`commissioning.<council>....`).
        pub council_id: String,
        /// `ce-type`, such as `tendering.contract_awarded`.
        pub event_type: String,
        /// `ce-subject`: the tender, contract or evaluation it is about.
        pub subject: String,
        /// The NATS subject it travelled on.
        pub nats_subject: String,
        /// `ce-time`.
        pub occurred_at: DateTimeUtc,
        /// The protobuf body, as published.
        pub payload: Vec<u8>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// An event to keep.
pub struct Received<'a> {
    pub id: &'a str,
    pub council_id: &'a str,
    pub event_type: &'a str,
    pub subject: &'a str,
    pub nats_subject: &'a str,
    pub time: DateTime<Utc>,
    pub payload: &'a [u8],
}

/// Keeps `event`, once however often it comes.
pub async fn keep<C: ConnectionTrait>(db: &C, event: Received<'_>) -> Result<(), DbErr> {
    let row = council_event::ActiveModel {
        id: Set(event.id.to_owned()),
        council_id: Set(event.council_id.to_owned()),
        event_type: Set(event.event_type.to_owned()),
        subject: Set(event.subject.to_owned()),
        nats_subject: Set(event.nats_subject.to_owned()),
        occurred_at: Set(event.time),
        payload: Set(event.payload.to_vec()),
    };
    council_event::Entity::insert(row)
        .on_conflict(OnConflict::column(council_event::Column::Id).do_nothing().to_owned())
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// The newest of `council_id`'s events, newest first.
pub async fn newest<C: ConnectionTrait>(db: &C, council_id: &str) -> Result<Vec<council_event::Model>, DbErr> {
    council_event::Entity::find()
        .filter(council_event::Column::CouncilId.eq(council_id))
        .order_by_desc(council_event::Column::OccurredAt)
        .order_by_desc(council_event::Column::Id)
        .limit(PAGE_SIZE)
        .all(db)
        .await
}
