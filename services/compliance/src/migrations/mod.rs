//! The compliance service's schema: the platform tables first, then its own.

use sea_orm_migration::{MigrationTrait, MigratorTrait};

mod m20261128_200001_documents;
mod m20261128_200002_council_access;
mod m20261128_200003_expiry_notices;
mod m20261128_200004_provider_staff;

/// Every migration of the compliance database, in order.
pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        let mut migrations = platform::migrations::platform_migrations();
        migrations.push(Box::new(m20261128_200001_documents::Migration));
        migrations.push(Box::new(m20261128_200002_council_access::Migration));
        migrations.push(Box::new(m20261128_200003_expiry_notices::Migration));
        migrations.push(Box::new(m20261128_200004_provider_staff::Migration));
        migrations
    }
}
