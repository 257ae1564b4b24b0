//! Each provider's evidence, kept from the compliance service's events: per document kind, the
//! newest document, whether it is verified now, its cover and its expiry.

use chrono::{DateTime, NaiveDate, Utc};
use platform::Error;
use proto::commissioning::common::v1::{Date, Money};
use proto::commissioning::events::v1::DocumentFacts;
use proto::commissioning::providers::v1::EvidenceSummary;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::entity::evidence;

/// What an event says about its document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// A new (or renewed) document: it becomes the provider's current one of its kind.
    Submitted,
    /// News about a document (verified, expiring, rejected, expired, superseded): it counts only
    /// if that document is the current one.
    Updated,
}

/// Records the document of `facts` as the event describes it; `verified` says whether it may be
/// relied on now.
pub async fn apply<C: ConnectionTrait>(
    txn: &C,
    facts: &DocumentFacts,
    change: Change,
    verified: bool,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let current = evidence::Entity::find_by_id((facts.provider_id.clone(), facts.kind)).one(txn).await?;
    let is_current = current.as_ref().is_none_or(|row| row.document_id == facts.document_id);
    if change == Change::Updated && !is_current {
        return Ok(());
    }
    let row = evidence::ActiveModel {
        provider_id: Set(facts.provider_id.clone()),
        kind: Set(facts.kind),
        document_id: Set(facts.document_id.clone()),
        verified: Set(verified),
        cover_pence: Set(facts.cover.as_ref().map(|cover| cover.amount_pence)),
        expires_on: Set(facts.expires_on.as_ref().and_then(naive_date)),
        updated_at: Set(now),
    };
    evidence::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([evidence::Column::ProviderId, evidence::Column::Kind])
                .update_columns([
                    evidence::Column::DocumentId,
                    evidence::Column::Verified,
                    evidence::Column::CoverPence,
                    evidence::Column::ExpiresOn,
                    evidence::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
    Ok(())
}

/// A provider's evidence, one entry per kind, in kind order.
pub async fn summaries<C: ConnectionTrait>(db: &C, provider_id: &str) -> Result<Vec<EvidenceSummary>, Error> {
    let rows = evidence::Entity::find()
        .filter(evidence::Column::ProviderId.eq(provider_id))
        .order_by_asc(evidence::Column::Kind)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| EvidenceSummary {
            kind: row.kind,
            verified: row.verified,
            cover: row.cover_pence.map(|pence| Money {
                amount_pence: pence,
                currency: "GBP".into(),
                vat_included: false,
            }),
            expires_on: row.expires_on.map(|date| Date {
                year: chrono::Datelike::year(&date),
                month: i32::try_from(chrono::Datelike::month(&date)).unwrap_or(0),
                day: i32::try_from(chrono::Datelike::day(&date)).unwrap_or(0),
            }),
            document_id: row.document_id,
        })
        .collect())
}

fn naive_date(date: &Date) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(date.year, u32::try_from(date.month).ok()?, u32::try_from(date.day).ok()?)
}
