//! The tendering service's schema: the platform tables first, then its own.

use sea_orm_migration::{MigrationTrait, MigratorTrait};

mod m20261128_300001_tenders;
mod m20261128_300002_contracts;
mod m20261128_300003_tender_bid_count;
mod m20261202_300004_bid_partners;
mod m20261202_300005_tender_categories;
mod m20261204_300006_tender_areas;
mod m20261204_300007_bid_drafts;

/// Every migration of the tendering database, in order.
pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        let mut migrations = platform::migrations::platform_migrations();
        migrations.push(Box::new(m20261128_300001_tenders::Migration));
        migrations.push(Box::new(m20261128_300002_contracts::Migration));
        migrations.push(Box::new(m20261128_300003_tender_bid_count::Migration));
        migrations.push(Box::new(m20261202_300004_bid_partners::Migration));
        migrations.push(Box::new(m20261202_300005_tender_categories::Migration));
        migrations.push(Box::new(m20261204_300006_tender_areas::Migration));
        migrations.push(Box::new(m20261204_300007_bid_drafts::Migration));
        migrations
    }
}
