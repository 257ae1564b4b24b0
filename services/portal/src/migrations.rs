//! The portal's own database: sessions, which organisation each person acts for, the
//! notifications of providers (with the inbox of the events they came from, and the outbox table
//! the platform's pruner expects beside it), and the councils' events for their integrators; every
//! rule and record lives in the services.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// Every migration of the portal database, in order.
pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(Sessions),
            Box::new(platform::migrations::m20261128_000001_outbox::Migration),
            Box::new(platform::migrations::m20261128_000002_inbox::Migration),
            Box::new(crate::notifications::migration::Notifications),
            Box::new(crate::oidc::pending::SignIns),
            Box::new(crate::feed::migration::CouncilEvents),
        ]
    }
}

#[derive(DeriveIden)]
enum PortalSession {
    Table,
    TokenHash,
    CsrfToken,
    UserId,
    UserName,
    OrganisationId,
    OrganisationName,
    Roles,
    ExpiresAt,
}

struct Sessions;

impl MigrationName for Sessions {
    fn name(&self) -> &str {
        "m20261202_000001_portal_sessions_and_people"
    }
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Sessions {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PortalSession::Table)
                    .col(string(PortalSession::TokenHash).primary_key())
                    .col(string(PortalSession::CsrfToken))
                    .col(string_null(PortalSession::UserId))
                    .col(string_null(PortalSession::UserName))
                    .col(string_null(PortalSession::OrganisationId))
                    .col(string_null(PortalSession::OrganisationName))
                    .col(text(PortalSession::Roles))
                    .col(timestamp_with_time_zone(PortalSession::ExpiresAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PortalPerson::Table)
                    .col(string(PortalPerson::UserId).primary_key())
                    .col(string(PortalPerson::OrganisationId))
                    .col(string(PortalPerson::OrganisationName))
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum PortalPerson {
    Table,
    UserId,
    OrganisationId,
    OrganisationName,
}
