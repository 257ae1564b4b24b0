//! The notifications a provider's members see, and the mail each one is waiting to send.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Notifications;

impl MigrationName for Notifications {
    fn name(&self) -> &str {
        "m20261204_000001_portal_notifications"
    }
}

#[derive(DeriveIden)]
enum PortalNotification {
    Table,
    Id,
    OrganisationId,
    Kind,
    Title,
    Body,
    Link,
    CreatedAt,
    ReadAt,
}

#[derive(DeriveIden)]
enum PortalNotificationMail {
    Table,
    NotificationId,
    Attempts,
    NextAttemptAt,
    SentAt,
    GivenUpAt,
    LastError,
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Notifications {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PortalNotification::Table)
                    .col(string(PortalNotification::Id).primary_key())
                    .col(string(PortalNotification::OrganisationId))
                    .col(string(PortalNotification::Kind))
                    .col(text(PortalNotification::Title))
                    .col(text(PortalNotification::Body))
                    .col(text(PortalNotification::Link))
                    .col(timestamp_with_time_zone(PortalNotification::CreatedAt))
                    .col(timestamp_with_time_zone_null(PortalNotification::ReadAt))
                    .to_owned(),
            )
            .await?;
        // An organisation's list, newest first, and its unread count.
        manager
            .create_index(
                Index::create()
                    .name("portal_notification_by_organisation")
                    .table(PortalNotification::Table)
                    .col(PortalNotification::OrganisationId)
                    .col(PortalNotification::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PortalNotificationMail::Table)
                    .col(string(PortalNotificationMail::NotificationId).primary_key())
                    .col(integer(PortalNotificationMail::Attempts))
                    .col(timestamp_with_time_zone(PortalNotificationMail::NextAttemptAt))
                    .col(timestamp_with_time_zone_null(PortalNotificationMail::SentAt))
                    .col(timestamp_with_time_zone_null(PortalNotificationMail::GivenUpAt))
                    .col(text_null(PortalNotificationMail::LastError))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PortalNotificationMail::Table, PortalNotificationMail::NotificationId)
                            .to(PortalNotification::Table, PortalNotification::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // The sender's question: which mail is due.
        manager
            .create_index(
                Index::create()
                    .name("portal_notification_mail_due")
                    .table(PortalNotificationMail::Table)
                    .col(PortalNotificationMail::NextAttemptAt)
                    .to_owned(),
            )
            .await
    }
}
