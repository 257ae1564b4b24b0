//! The providers service's schema: the platform tables first, then its own.

use sea_orm_migration::{MigrationTrait, MigratorTrait};

mod m20261128_100001_providers;
mod m20261204_100002_open_tenders;

/// Every migration of the providers database, in order.
pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        let mut migrations = platform::migrations::platform_migrations();
        migrations.push(Box::new(m20261128_100001_providers::Migration));
        migrations.push(Box::new(m20261204_100002_open_tenders::Migration));
        migrations
    }
}
