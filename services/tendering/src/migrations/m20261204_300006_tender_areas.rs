//! The councils whose areas each tender covers, a row per tender and council, so that ListTenders
//! can filter on `area_council_id` (which it had ignored). Every existing tender's areas become
//! its rows.

use prost::Message;
use proto::commissioning::tendering::v1::Tender as Details;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tender {
    Table,
    Id,
    Details,
}

#[derive(DeriveIden)]
enum TenderArea {
    Table,
    TenderId,
    CouncilId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(TenderArea::Table)
                    .col(string(TenderArea::TenderId))
                    .col(string(TenderArea::CouncilId))
                    .primary_key(Index::create().col(TenderArea::TenderId).col(TenderArea::CouncilId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("tender_area_by_council")
                    .table(TenderArea::Table)
                    .col(TenderArea::CouncilId)
                    .col(TenderArea::TenderId)
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        let rows = db
            .query_all(&Query::select().columns([Tender::Id, Tender::Details]).from(Tender::Table).to_owned())
            .await?;
        for row in rows {
            let id: String = row.try_get("", "id")?;
            let bytes: Vec<u8> = row.try_get("", "details")?;
            let details =
                Details::decode(bytes.as_slice()).map_err(|error| DbErr::Migration(format!("tender {id}: {error}")))?;
            let mut councils: Vec<String> = details.areas.into_iter().map(|area| area.council_id).collect();
            councils.sort_unstable();
            councils.dedup();
            for council in councils.into_iter().filter(|council| !council.is_empty()) {
                let insert = Query::insert()
                    .into_table(TenderArea::Table)
                    .columns([TenderArea::TenderId, TenderArea::CouncilId])
                    .values([id.clone().into(), council.into()])
                    .map_err(|error| DbErr::Migration(error.to_string()))?
                    .to_owned();
                db.execute(&insert).await?;
            }
        }
        Ok(())
    }
}
