//! Clarification questions. The asker's organisation is kept for "asked by you" and for the audit,
//! never returned.

use platform::Error;
use platform::paging::Page;
use prost::Message;
use proto::commissioning::tendering::v1::Question;
use sea_orm::entity::prelude::*;
use sea_orm::{ActiveValue::Set, Condition, ConnectionTrait, QueryOrder, QuerySelect};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "question")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub tender_id: String,
    pub asker_organisation: String,
    /// `commissioning.tendering.v1.Question`, encoded, without `asked_by_caller`.
    pub details: Vec<u8>,
    pub answered: bool,
    pub asked_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// A stored question and who asked it.
pub struct Stored {
    pub question: Question,
    pub asker_organisation: String,
}

pub async fn insert<C: ConnectionTrait>(
    txn: &C,
    question: &Question,
    asker_organisation: &str,
    asked_at: chrono::DateTime<chrono::Utc>,
) -> Result<(), Error> {
    ActiveModel {
        id: Set(question.id.clone()),
        tender_id: Set(question.tender_id.clone()),
        asker_organisation: Set(asker_organisation.to_owned()),
        details: Set(question.encode_to_vec()),
        answered: Set(false),
        asked_at: Set(asked_at),
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// Records the answer (and the text as published).
pub async fn save_answer<C: ConnectionTrait>(txn: &C, question: &Question) -> Result<(), Error> {
    ActiveModel {
        id: Set(question.id.clone()),
        details: Set(question.encode_to_vec()),
        answered: Set(true),
        ..Default::default()
    }
    .update(txn)
    .await?;
    Ok(())
}

pub async fn find<C: ConnectionTrait>(db: &C, id: &str) -> Result<Option<Stored>, Error> {
    Entity::find_by_id(id.to_owned()).one(db).await?.map(stored).transpose()
}

/// A tender's questions, oldest first: the answered ones, and unanswered ones too for the council
/// (`all`) or for their asker (`asked_by`).
pub async fn list<C: ConnectionTrait>(
    db: &C,
    tender_id: &str,
    all: bool,
    asked_by: &str,
    page: Page,
) -> Result<Vec<Stored>, Error> {
    let mut query = Entity::find()
        .filter(Column::TenderId.eq(tender_id))
        .order_by_asc(Column::AskedAt)
        .order_by_asc(Column::Id)
        .offset(page.offset)
        .limit(page.limit);
    if !all {
        query =
            query.filter(Condition::any().add(Column::Answered.eq(true)).add(Column::AskerOrganisation.eq(asked_by)));
    }
    query.all(db).await?.into_iter().map(stored).collect()
}

fn stored(row: Model) -> Result<Stored, Error> {
    let question = Question::decode(row.details.as_slice()).map_err(Error::internal)?;
    Ok(Stored { question, asker_organisation: row.asker_organisation })
}
