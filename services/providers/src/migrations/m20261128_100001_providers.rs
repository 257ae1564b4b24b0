//! Providers, their identifiers, members, services and service areas, the documents each holds
//! (as compliance events describe them), and which tenders each was matched to.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Provider {
    Table,
    Id,
    LegalName,
    SortName,
    SearchName,
    SearchText,
    ServiceText,
    LegalForm,
    SizeClass,
    Vcse,
    ActiveServices,
    Profile,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ProviderIdentifier {
    Table,
    Scheme,
    Value,
    ProviderId,
}

#[derive(DeriveIden)]
enum ProviderMember {
    Table,
    ProviderId,
    UserId,
    Role,
    DisplayName,
    Email,
    Phone,
    AddedAt,
}

#[derive(DeriveIden)]
enum OfferedService {
    Table,
    Id,
    ProviderId,
    Name,
    Category,
    Status,
    SearchText,
    Details,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ServiceArea {
    Table,
    Id,
    ServiceId,
    ProviderId,
    CouncilId,
    PostcodeDistrict,
    WardCode,
}

#[derive(DeriveIden)]
enum ProviderDocument {
    Table,
    DocumentId,
    ProviderId,
    Kind,
    Status,
    ReliedOn,
    CoverPence,
    ExpiresOn,
    AsOf,
}

#[derive(DeriveIden)]
enum TenderMatch {
    Table,
    TenderId,
    ProviderId,
    MatchedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Provider::Table)
                    .col(string(Provider::Id).primary_key())
                    .col(text(Provider::LegalName))
                    .col(text(Provider::SortName))
                    .col(text(Provider::SearchName))
                    .col(text(Provider::SearchText))
                    .col(text(Provider::ServiceText))
                    .col(integer(Provider::LegalForm))
                    .col(integer(Provider::SizeClass))
                    .col(boolean(Provider::Vcse))
                    .col(integer(Provider::ActiveServices))
                    .col(blob(Provider::Profile))
                    .col(big_integer(Provider::Version))
                    .col(timestamp_with_time_zone(Provider::CreatedAt))
                    .col(timestamp_with_time_zone(Provider::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ProviderIdentifier::Table)
                    .col(integer(ProviderIdentifier::Scheme))
                    .col(string(ProviderIdentifier::Value))
                    .col(string(ProviderIdentifier::ProviderId))
                    .primary_key(Index::create().col(ProviderIdentifier::Scheme).col(ProviderIdentifier::Value))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ProviderMember::Table)
                    .col(string(ProviderMember::ProviderId))
                    .col(string(ProviderMember::UserId))
                    .col(integer(ProviderMember::Role))
                    .col(text(ProviderMember::DisplayName))
                    .col(text(ProviderMember::Email))
                    .col(text(ProviderMember::Phone))
                    .col(timestamp_with_time_zone(ProviderMember::AddedAt))
                    .primary_key(Index::create().col(ProviderMember::ProviderId).col(ProviderMember::UserId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OfferedService::Table)
                    .col(string(OfferedService::Id).primary_key())
                    .col(string(OfferedService::ProviderId))
                    .col(text(OfferedService::Name))
                    .col(integer(OfferedService::Category))
                    .col(integer(OfferedService::Status))
                    .col(text(OfferedService::SearchText))
                    .col(blob(OfferedService::Details))
                    .col(timestamp_with_time_zone(OfferedService::CreatedAt))
                    .col(timestamp_with_time_zone(OfferedService::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ServiceArea::Table)
                    .col(big_pk_auto(ServiceArea::Id))
                    .col(string(ServiceArea::ServiceId))
                    .col(string(ServiceArea::ProviderId))
                    .col(string(ServiceArea::CouncilId))
                    .col(string_null(ServiceArea::PostcodeDistrict))
                    .col(string_null(ServiceArea::WardCode))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ProviderDocument::Table)
                    .col(string(ProviderDocument::DocumentId).primary_key())
                    .col(string(ProviderDocument::ProviderId))
                    .col(integer(ProviderDocument::Kind))
                    .col(integer(ProviderDocument::Status))
                    .col(boolean(ProviderDocument::ReliedOn))
                    .col(big_integer_null(ProviderDocument::CoverPence))
                    .col(date_null(ProviderDocument::ExpiresOn))
                    .col(timestamp_with_time_zone(ProviderDocument::AsOf))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(TenderMatch::Table)
                    .col(string(TenderMatch::TenderId))
                    .col(string(TenderMatch::ProviderId))
                    .col(timestamp_with_time_zone(TenderMatch::MatchedAt))
                    .primary_key(Index::create().col(TenderMatch::TenderId).col(TenderMatch::ProviderId))
                    .to_owned(),
            )
            .await?;
        for index in [
            // Search without filters orders by active services, then name.
            Index::create()
                .name("provider_listing")
                .table(Provider::Table)
                .col((Provider::ActiveServices, IndexOrder::Desc))
                .col(Provider::SortName)
                .col(Provider::Id)
                .to_owned(),
            Index::create().name("member_user").table(ProviderMember::Table).col(ProviderMember::UserId).to_owned(),
            Index::create()
                .name("service_provider")
                .table(OfferedService::Table)
                .col(OfferedService::ProviderId)
                .to_owned(),
            Index::create()
                .name("document_provider_kind")
                .table(ProviderDocument::Table)
                .col(ProviderDocument::ProviderId)
                .col(ProviderDocument::Kind)
                .to_owned(),
            Index::create().name("area_service").table(ServiceArea::Table).col(ServiceArea::ServiceId).to_owned(),
            Index::create()
                .name("area_council")
                .table(ServiceArea::Table)
                .col(ServiceArea::CouncilId)
                .col(ServiceArea::ProviderId)
                .to_owned(),
        ] {
            manager.create_index(index).await?;
        }
        Ok(())
    }
}
