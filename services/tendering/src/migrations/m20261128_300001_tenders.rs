//! Tenders, their sealed bids, clarification questions and opening records. A tender's and a
//! question's fields are kept as their protobuf encoding beside the columns queries need; a bid's
//! contents only ever as ciphertext under the tender's own key.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tender {
    Table,
    Id,
    CouncilId,
    Status,
    Details,
    EnquiryPeriodEnd,
    BidDeadline,
    WrappedBidKey,
    PublishedAt,
    CreatedAt,
    UpdatedAt,
    Revision,
}

#[derive(DeriveIden)]
enum Bid {
    Table,
    Id,
    TenderId,
    ProviderId,
    ProviderName,
    Status,
    Version,
    SealedContent,
    Sha256Hex,
    NonceHex,
    ReceivedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Question {
    Table,
    Id,
    TenderId,
    AskerOrganisation,
    Details,
    Answered,
    AskedAt,
}

#[derive(DeriveIden)]
enum OpeningRecord {
    Table,
    TenderId,
    Record,
    OpenedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Tender::Table)
                    .col(string(Tender::Id).primary_key())
                    .col(string(Tender::CouncilId))
                    .col(integer(Tender::Status))
                    .col(blob(Tender::Details))
                    .col(timestamp_with_time_zone_null(Tender::EnquiryPeriodEnd))
                    .col(timestamp_with_time_zone_null(Tender::BidDeadline))
                    .col(blob_null(Tender::WrappedBidKey))
                    .col(timestamp_with_time_zone_null(Tender::PublishedAt))
                    .col(timestamp_with_time_zone(Tender::CreatedAt))
                    .col(timestamp_with_time_zone(Tender::UpdatedAt))
                    .col(big_integer(Tender::Revision))
                    .to_owned(),
            )
            .await?;
        // The scheduler's question: which tenders in a status have a period ending by now.
        for (name, column) in
            [("tender_enquiry_due", Tender::EnquiryPeriodEnd), ("tender_deadline_due", Tender::BidDeadline)]
        {
            manager
                .create_index(
                    Index::create().name(name).table(Tender::Table).col(Tender::Status).col(column).to_owned(),
                )
                .await?;
        }
        manager
            .create_index(Index::create().name("tender_council").table(Tender::Table).col(Tender::CouncilId).to_owned())
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Bid::Table)
                    .col(string(Bid::Id).primary_key())
                    .col(string(Bid::TenderId))
                    .col(string(Bid::ProviderId))
                    .col(string(Bid::ProviderName))
                    .col(integer(Bid::Status))
                    .col(integer(Bid::Version))
                    .col(blob_null(Bid::SealedContent))
                    .col(string(Bid::Sha256Hex))
                    .col(string(Bid::NonceHex))
                    .col(timestamp_with_time_zone(Bid::ReceivedAt))
                    .col(timestamp_with_time_zone(Bid::CreatedAt))
                    .col(timestamp_with_time_zone(Bid::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("bid_one_per_provider")
                    .table(Bid::Table)
                    .col(Bid::TenderId)
                    .col(Bid::ProviderId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Question::Table)
                    .col(string(Question::Id).primary_key())
                    .col(string(Question::TenderId))
                    .col(string(Question::AskerOrganisation))
                    .col(blob(Question::Details))
                    .col(boolean(Question::Answered))
                    .col(timestamp_with_time_zone(Question::AskedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("question_tender")
                    .table(Question::Table)
                    .col(Question::TenderId)
                    .col(Question::AskedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OpeningRecord::Table)
                    .col(string(OpeningRecord::TenderId).primary_key())
                    .col(blob(OpeningRecord::Record))
                    .col(timestamp_with_time_zone(OpeningRecord::OpenedAt))
                    .to_owned(),
            )
            .await
    }
}
