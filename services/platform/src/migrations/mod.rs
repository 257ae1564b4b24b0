//! The platform's own tables, which every service's migrator includes before its own: the outbox,
//! the inbox and the audit log. Each migration lives in its own file, which names it.

use sea_orm::{ConnectionTrait, DatabaseBackend};
use sea_orm_migration::{DbErr, MigrationTrait, MigratorTrait, SchemaManager};

pub mod m20261128_000001_outbox;
pub mod m20261128_000002_inbox;
pub mod m20261128_000003_audit_log;
pub mod m20261128_000004_embedded_event_log;

/// The platform tables, in order; a service's migrator lists these first.
pub fn platform_migrations() -> Vec<Box<dyn MigrationTrait>> {
    vec![
        Box::new(m20261128_000001_outbox::Migration),
        Box::new(m20261128_000002_inbox::Migration),
        Box::new(m20261128_000003_audit_log::Migration),
    ]
}

/// A migrator with only the platform tables, for services that have none yet and for tests.
pub struct PlatformMigrator;

impl MigratorTrait for PlatformMigrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        platform_migrations()
    }
}

/// Runs the statements written for this database engine, one by one.
pub async fn execute_for_backend(manager: &SchemaManager<'_>, postgres: &[&str], sqlite: &[&str]) -> Result<(), DbErr> {
    let statements = match manager.get_database_backend() {
        DatabaseBackend::Postgres => postgres,
        DatabaseBackend::Sqlite => sqlite,
        other => return Err(DbErr::Migration(format!("{other:?} is not supported; use PostgreSQL or SQLite"))),
    };
    let connection = manager.get_connection();
    for statement in statements {
        connection.execute_unprepared(statement).await?;
    }
    Ok(())
}
