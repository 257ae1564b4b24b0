//! The categories each tender buys, a row per tender and category, so that ListTenders can find
//! tenders by category now that one tender may buy several (befriending visits and a weekly coffee
//! morning). Every existing tender's one category becomes its row, and its stored details name it
//! in `categories` too, so that no reader has to know the single field came first.

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
enum TenderCategory {
    Table,
    TenderId,
    Category,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(TenderCategory::Table)
                    .col(string(TenderCategory::TenderId))
                    .col(integer(TenderCategory::Category))
                    .primary_key(Index::create().col(TenderCategory::TenderId).col(TenderCategory::Category))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("tender_category_by_category")
                    .table(TenderCategory::Table)
                    .col(TenderCategory::Category)
                    .col(TenderCategory::TenderId)
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
            let mut details =
                Details::decode(bytes.as_slice()).map_err(|error| DbErr::Migration(format!("tender {id}: {error}")))?;
            if details.category == 0 || !details.categories.is_empty() {
                continue;
            }
            details.categories = vec![details.category];
            let update = Query::update()
                .table(Tender::Table)
                .value(Tender::Details, details.encode_to_vec())
                .and_where(Expr::col(Tender::Id).eq(id.clone()))
                .to_owned();
            db.execute(&update).await?;
            let insert = Query::insert()
                .into_table(TenderCategory::Table)
                .columns([TenderCategory::TenderId, TenderCategory::Category])
                .values([id.into(), details.category.into()])
                .map_err(|error| DbErr::Migration(error.to_string()))?
                .to_owned();
            db.execute(&insert).await?;
        }
        Ok(())
    }
}
