//! The evaluation service's schema: the platform tables first, then its own.

use sea_orm_migration::{MigrationTrait, MigratorTrait};

mod m20261128_400001_evaluations;
mod m20261202_400002_evaluation_sealed;

/// Every migration of the evaluation database, in order.
pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        let mut migrations = platform::migrations::platform_migrations();
        migrations.push(Box::new(m20261128_400001_evaluations::Migration));
        migrations.push(Box::new(m20261202_400002_evaluation_sealed::Migration));
        migrations
    }
}
