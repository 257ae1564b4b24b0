//! Each provider's evidence, kept from the compliance service's events: one row per document with
//! its latest known state, and per kind a summary of the document that counts.

use chrono::{DateTime, NaiveDate, Utc};
use platform::Error;
use proto::commissioning::common::v1::{Date, Money};
use proto::commissioning::events::v1::DocumentFacts;
use proto::commissioning::providers::v1::EvidenceSummary;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::entity::document;

/// Records what an event at `event_time` says of its document, unless newer news is already
/// held (events about one document may arrive out of order after a retry). `relied_on` says
/// whether the document may be relied on now.
pub async fn apply<C: ConnectionTrait>(
    txn: &C,
    facts: &DocumentFacts,
    relied_on: bool,
    event_time: DateTime<Utc>,
) -> Result<(), Error> {
    let row = document::ActiveModel {
        document_id: Set(facts.document_id.clone()),
        provider_id: Set(facts.provider_id.clone()),
        kind: Set(facts.kind),
        status: Set(facts.status),
        relied_on: Set(relied_on),
        cover_pence: Set(facts.cover.as_ref().map(|cover| cover.amount_pence)),
        expires_on: Set(facts.expires_on.as_ref().and_then(naive_date)),
        as_of: Set(event_time),
    };
    // One statement, so two replicas handling two events of one document cannot interleave.
    let newer = Expr::col((document::Entity, document::Column::AsOf))
        .lte(Expr::col((Alias::new("excluded"), document::Column::AsOf)));
    document::Entity::insert(row)
        .on_conflict(
            OnConflict::column(document::Column::DocumentId)
                .update_columns([
                    document::Column::ProviderId,
                    document::Column::Kind,
                    document::Column::Status,
                    document::Column::ReliedOn,
                    document::Column::CoverPence,
                    document::Column::ExpiresOn,
                    document::Column::AsOf,
                ])
                .action_and_where(newer)
                .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
    Ok(())
}

/// One summary per kind: the document relied on that runs longest, else the newest, judged on
/// `today`.
pub async fn summaries<C: ConnectionTrait>(
    db: &C,
    provider_id: &str,
    today: NaiveDate,
) -> Result<Vec<EvidenceSummary>, Error> {
    let rows = document::Entity::find().filter(document::Column::ProviderId.eq(provider_id)).all(db).await?;
    let mut kinds: Vec<i32> = rows.iter().map(|row| row.kind).collect();
    kinds.sort_unstable();
    kinds.dedup();
    Ok(kinds
        .into_iter()
        .filter_map(|kind| {
            let counts = |row: &&document::Model| row.relied_on && row.expires_on.is_none_or(|end| end >= today);
            let of_kind = rows.iter().filter(|row| row.kind == kind);
            let best = of_kind.clone().filter(counts).max_by_key(|row| row.expires_on.unwrap_or(NaiveDate::MAX));
            let chosen = best.or_else(|| of_kind.max_by_key(|row| row.as_of))?;
            Some(EvidenceSummary {
                kind,
                verified: counts(&chosen),
                cover: chosen.cover_pence.map(|pence| Money {
                    amount_pence: pence,
                    currency: "GBP".into(),
                    vat_included: false,
                }),
                expires_on: chosen.expires_on.map(|date| Date {
                    year: chrono::Datelike::year(&date),
                    month: i32::try_from(chrono::Datelike::month(&date)).unwrap_or(0),
                    day: i32::try_from(chrono::Datelike::day(&date)).unwrap_or(0),
                }),
                document_id: chosen.document_id.clone(),
            })
        })
        .collect())
}

fn naive_date(date: &Date) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(date.year, u32::try_from(date.month).ok()?, u32::try_from(date.day).ok()?)
}
