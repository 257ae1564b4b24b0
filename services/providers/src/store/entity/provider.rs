//! A provider: the columns searched and sorted on, and the whole profile as protobuf.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "provider")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub legal_name: String,
    /// Lower-case trading (or legal) name, for ordering.
    pub sort_name: String,
    /// Lower-case legal and trading names, for free-text search.
    pub search_name: String,
    /// Lower-case description, for free-text search.
    pub search_text: String,
    /// Lower-case names and descriptions of its services (kept by `touch`), for free-text search.
    pub service_text: String,
    pub legal_form: i32,
    pub size_class: i32,
    pub vcse: bool,
    /// How many of its services are active (kept by [`crate::store::profiles::touch`]).
    pub active_services: i32,
    /// `commissioning.providers.v1.Provider` without members or evidence, encoded.
    pub profile: Vec<u8>,
    /// Bumped by every change; the etag.
    pub version: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
