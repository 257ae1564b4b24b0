//! The councils' events, as the portal kept them for their integrators.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct CouncilEvents;

impl MigrationName for CouncilEvents {
    fn name(&self) -> &str {
        "m20261204_000002_portal_council_events"
    }
}

#[derive(DeriveIden)]
enum PortalCouncilEvent {
    Table,
    Id,
    CouncilId,
    EventType,
    Subject,
    NatsSubject,
    OccurredAt,
    Payload,
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for CouncilEvents {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PortalCouncilEvent::Table)
                    .col(string(PortalCouncilEvent::Id).primary_key())
                    .col(string(PortalCouncilEvent::CouncilId))
                    .col(string(PortalCouncilEvent::EventType))
                    .col(string(PortalCouncilEvent::Subject))
                    .col(string(PortalCouncilEvent::NatsSubject))
                    .col(timestamp_with_time_zone(PortalCouncilEvent::OccurredAt))
                    .col(blob(PortalCouncilEvent::Payload))
                    .to_owned(),
            )
            .await?;
        // A council's events, newest first.
        manager
            .create_index(
                Index::create()
                    .name("portal_council_event_by_council")
                    .table(PortalCouncilEvent::Table)
                    .col(PortalCouncilEvent::CouncilId)
                    .col(PortalCouncilEvent::OccurredAt)
                    .to_owned(),
            )
            .await
    }
}
