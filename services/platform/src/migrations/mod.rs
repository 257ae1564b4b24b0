//! The platform's own tables, which every service's migrator includes before its own: the outbox,
//! the inbox, the audit log (append-only) and idempotency keys. Each migration lives in its own file, which names it.

use sea_orm_migration::{MigrationTrait, MigratorTrait};

pub mod m20261128_000001_outbox;
pub mod m20261128_000002_inbox;
pub mod m20261128_000003_audit_log;
pub mod m20261128_000004_embedded_event_log;
pub mod m20261128_000005_idempotency_key;
pub mod m20261202_000006_audit_append_only;

/// The platform tables, in order; a service's migrator lists these first.
pub fn platform_migrations() -> Vec<Box<dyn MigrationTrait>> {
    vec![
        Box::new(m20261128_000001_outbox::Migration),
        Box::new(m20261128_000002_inbox::Migration),
        Box::new(m20261128_000003_audit_log::Migration),
        Box::new(m20261128_000005_idempotency_key::Migration),
        Box::new(m20261202_000006_audit_append_only::Migration),
    ]
}

/// A migrator with only the platform tables, for services that have none yet and for tests.
pub struct PlatformMigrator;

impl MigratorTrait for PlatformMigrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        platform_migrations()
    }
}
