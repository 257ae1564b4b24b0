//! What the providers service hears: tendering's events, which keep the tenders taking bids and
//! match them to providers' active services (see `matcher`), and compliance events, which keep
//! each provider's evidence status for search. Both go through the inbox, so a redelivered event
//! has no second effect.

use platform::db::Database;
use platform::events::{EventHandler, HandlerError, InboundEvent, inbox};
use proto::commissioning::compliance::v1::DocumentStatus;
use proto::commissioning::events::v1::{
    DocumentExpired, DocumentExpiring, DocumentFacts, DocumentRejected, DocumentSubmitted, DocumentSuperseded,
    DocumentVerified, PublishedTender, TenderAmended, TenderCancelled, TenderClosed, TenderPublished,
    TenderUnsuccessful,
};

use crate::domain::CouncilId;
use crate::matcher;
use crate::store::evidence;
use crate::store::matching::{self, OpenTender};

/// Durable consumer name of the tender matcher.
pub const TENDER_MATCHER: &str = "providers-tender-matcher";
/// Durable consumer name of the evidence tracker.
pub const EVIDENCE_TRACKER: &str = "providers-evidence-tracker";

/// Keeps the tenders taking bids and tells providers of those that fit what they do and where.
pub struct TenderMatcher {
    pub db: Database,
}

impl EventHandler for TenderMatcher {
    async fn handle(&self, event: &InboundEvent) -> Result<(), HandlerError> {
        let change = match event.event_type.as_str() {
            "tendering.tender_published" => {
                let published: TenderPublished = event.decode()?;
                Opened(Box::new(open_tender(published.tender_id, published.council_id, published.tender)?))
            }
            "tendering.tender_amended" => {
                let amended: TenderAmended = event.decode()?;
                Opened(Box::new(open_tender(amended.tender_id, amended.council_id, amended.tender)?))
            }
            "tendering.tender_closed" => Ended(event.decode::<TenderClosed>()?.tender_id),
            "tendering.tender_cancelled" => Ended(event.decode::<TenderCancelled>()?.tender_id),
            "tendering.tender_unsuccessful" => Ended(event.decode::<TenderUnsuccessful>()?.tender_id),
            // Bids, questions and awards change no match.
            _ => return Ok(()),
        };
        inbox::apply_once(&self.db, TENDER_MATCHER, event, |txn| {
            Box::pin(async move {
                match change {
                    Opened(open) => {
                        matching::keep_open(txn, &open).await.map_err(retry)?;
                        matcher::match_tender(txn, &open).await.map_err(retry)
                    }
                    Ended(tender_id) => matching::forget_open(txn, &tender_id).await.map_err(retry),
                }
            })
        })
        .await?;
        Ok(())
    }
}

/// What a tendering event changes for matching.
enum TenderChange {
    /// Published or amended: it takes bids, as it now reads.
    Opened(Box<OpenTender>),
    /// It takes bids no more.
    Ended(String),
}
use TenderChange::{Ended, Opened};

fn open_tender(
    tender_id: String,
    council_id: String,
    tender: Option<PublishedTender>,
) -> Result<OpenTender, HandlerError> {
    let Some(tender) = tender else {
        return Err(HandlerError::Reject(format!("the event for tender {tender_id} carries no tender")));
    };
    if CouncilId::parse(&council_id).is_err() || tender_id.is_empty() {
        return Err(HandlerError::Reject(format!(
            "the tender event names no usable tender id or council id ({tender_id:?}, {council_id:?})"
        )));
    }
    Ok(OpenTender { tender_id, council_id, tender })
}

/// Keeps each provider's evidence status from the compliance service's events.
pub struct EvidenceTracker {
    pub db: Database,
}

impl EventHandler for EvidenceTracker {
    async fn handle(&self, event: &InboundEvent) -> Result<(), HandlerError> {
        let facts = match event.event_type.as_str() {
            "compliance.document_submitted" => event.decode::<DocumentSubmitted>()?.document,
            "compliance.document_verified" => event.decode::<DocumentVerified>()?.document,
            "compliance.document_rejected" => event.decode::<DocumentRejected>()?.document,
            "compliance.document_expiring" => event.decode::<DocumentExpiring>()?.document,
            "compliance.document_expired" => event.decode::<DocumentExpired>()?.document,
            "compliance.document_superseded" => event.decode::<DocumentSuperseded>()?.document,
            // Other compliance events say nothing about a provider's evidence.
            _ => return Ok(()),
        };
        let Some(facts) = facts else {
            return Err(HandlerError::Reject(format!("{} {} carries no document", event.event_type, event.id)));
        };
        let relied_on = relied_on(&facts);
        let time = event.time;
        inbox::apply_once(&self.db, EVIDENCE_TRACKER, event, |txn| {
            Box::pin(async move { evidence::apply(txn, &facts, relied_on, time).await.map_err(retry) })
        })
        .await?;
        Ok(())
    }
}

/// A document counts as verified evidence while verified and neither rejected, expired nor
/// superseded.
fn relied_on(facts: &DocumentFacts) -> bool {
    let status = DocumentStatus::try_from(facts.status).unwrap_or(DocumentStatus::Unspecified);
    facts.verified && matches!(status, DocumentStatus::Verified | DocumentStatus::Expiring)
}

fn retry(error: platform::Error) -> HandlerError {
    HandlerError::Retry(error.to_string())
}
