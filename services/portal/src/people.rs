//! Which organisation each person last acted for, as the portal learns it: a charity's volunteer
//! is linked to the charity they register. The providers service keeps the charities' members:
//! signing in asks it which charities the person is a member of (ListMyMemberships), and this
//! only picks among them, so a person removed from a charity no longer acts for it.

use sea_orm::entity::prelude::*;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ConnectionTrait};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "portal_person")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: String,
    pub organisation_id: String,
    pub organisation_name: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// The organisation `user_id` acts for, if the portal knows it.
pub async fn organisation_of<C: ConnectionTrait>(db: &C, user_id: &str) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(user_id.to_owned()).one(db).await
}

/// Records that `user_id` acts for `organisation_id`.
pub async fn link<C: ConnectionTrait>(
    db: &C,
    user_id: &str,
    organisation_id: &str,
    organisation_name: &str,
) -> Result<(), DbErr> {
    let row = ActiveModel {
        user_id: Set(user_id.to_owned()),
        organisation_id: Set(organisation_id.to_owned()),
        organisation_name: Set(organisation_name.to_owned()),
    };
    Entity::insert(row)
        .on_conflict(
            OnConflict::column(Column::UserId)
                .update_columns([Column::OrganisationId, Column::OrganisationName])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}
