//! Drafts of bids: one per provider and tender, sealed under the tender's key like a bid. Nothing
//! here ever holds a draft's contents in the clear.

use platform::Error;
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ConnectionTrait};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "bid_draft")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tender_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub provider_id: String,
    /// `commissioning.tendering.v1.BidContent`, encoded then sealed.
    pub sealed_content: Vec<u8>,
    pub updated_by: String,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// The draft of `provider_id` on `tender_id`, if it has one.
pub async fn find<C: ConnectionTrait>(db: &C, tender_id: &str, provider_id: &str) -> Result<Option<Model>, Error> {
    Ok(Entity::find_by_id((tender_id.to_owned(), provider_id.to_owned())).one(db).await?)
}

/// Stores `draft`, replacing the provider's earlier one.
pub async fn save<C: ConnectionTrait>(txn: &C, draft: Model) -> Result<(), Error> {
    let row = ActiveModel {
        tender_id: Set(draft.tender_id),
        provider_id: Set(draft.provider_id),
        sealed_content: Set(draft.sealed_content),
        updated_by: Set(draft.updated_by),
        updated_at: Set(draft.updated_at),
    };
    Entity::insert(row)
        .on_conflict(
            OnConflict::columns([Column::TenderId, Column::ProviderId])
                .update_columns([Column::SealedContent, Column::UpdatedBy, Column::UpdatedAt])
                .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
    Ok(())
}

/// Deletes the provider's draft (its bid is in).
pub async fn delete<C: ConnectionTrait>(txn: &C, tender_id: &str, provider_id: &str) -> Result<(), Error> {
    Entity::delete_by_id((tender_id.to_owned(), provider_id.to_owned())).exec(txn).await?;
    Ok(())
}

/// Deletes every draft of a tender (it closed or was cancelled: they can never be sent).
pub async fn delete_all_of<C: ConnectionTrait>(txn: &C, tender_id: &str) -> Result<u64, Error> {
    Ok(Entity::delete_many().filter(Column::TenderId.eq(tender_id)).exec(txn).await?.rows_affected)
}
