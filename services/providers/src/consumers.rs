//! What the providers service hears: published tenders, which it matches to providers' active
//! services (telling each matching provider once), and compliance events, which keep each
//! provider's evidence status for search. Both go through the inbox, so a redelivered event has
//! no second effect.

use std::collections::BTreeMap;

use chrono::Utc;
use platform::ages::AgeRange;
use platform::db::Database;
use platform::events::{EventHandler, HandlerError, InboundEvent, inbox};
use proto::commissioning::common::v1::{Area, ServiceCategory};
use proto::commissioning::compliance::v1::DocumentStatus;
use proto::commissioning::events::v1::{
    DocumentExpired, DocumentExpiring, DocumentFacts, DocumentRejected, DocumentSubmitted, DocumentSuperseded,
    DocumentVerified, TenderMatched, TenderPublished,
};
use proto::commissioning::providers::v1::Service;
use sea_orm::DatabaseTransaction;

use crate::domain::{CouncilId, ServiceArea, category_name};
use crate::events;
use crate::store::{evidence, matching};

/// Durable consumer name of the tender matcher.
pub const TENDER_MATCHER: &str = "providers-tender-matcher";
/// Durable consumer name of the evidence tracker.
pub const EVIDENCE_TRACKER: &str = "providers-evidence-tracker";

/// Tells providers of published tenders that fit what they do and where.
pub struct TenderMatcher {
    pub db: Database,
}

impl EventHandler for TenderMatcher {
    async fn handle(&self, event: &InboundEvent) -> Result<(), HandlerError> {
        let published: TenderPublished = event.decode()?;
        inbox::apply_once(&self.db, TENDER_MATCHER, event, |txn| Box::pin(match_tender(txn, published))).await?;
        Ok(())
    }
}

async fn match_tender(txn: &DatabaseTransaction, published: TenderPublished) -> Result<(), HandlerError> {
    let Some(tender) = published.tender else {
        return Err(HandlerError::Reject(format!("tender_published for {} carries no tender", published.tender_id)));
    };
    if CouncilId::parse(&published.council_id).is_err() || published.tender_id.is_empty() {
        return Err(HandlerError::Reject(format!(
            "tender_published names no usable tender id or council id ({:?}, {:?})",
            published.tender_id, published.council_id
        )));
    }
    let wanted: Vec<(ServiceArea, Area)> = tender
        .areas
        .iter()
        .filter_map(|area| ServiceArea::parse(area, "area").ok().map(|parsed| (parsed, area.clone())))
        .collect();
    let councils = wanted.iter().map(|(area, _)| area.council().as_str().to_owned()).collect();
    // Events from before tenders bought several categories carry only the one.
    let bought = if tender.categories.is_empty() { vec![tender.category] } else { tender.categories.clone() };
    let candidates = matching::candidate_services(txn, bought.clone(), councils).await.map_err(retry)?;
    // Open to everyone, or not said (events from before tenders said it), limits no one.
    let served = tender
        .eligibility
        .as_ref()
        .filter(|eligibility| !eligibility.open_to_everyone)
        .map(|eligibility| AgeRange::lenient(eligibility.minimum_age, eligibility.maximum_age))
        .unwrap_or_default();
    let mut by_provider: BTreeMap<String, (Vec<Service>, Vec<Area>)> = BTreeMap::new();
    for service in candidates {
        let covered: Vec<Area> = wanted
            .iter()
            .filter(|(want, _)| {
                service
                    .areas
                    .iter()
                    .any(|area| ServiceArea::parse(area, "area").is_ok_and(|offered| offered.covers(want)))
            })
            .map(|(_, area)| area.clone())
            .collect();
        let invited =
            tender.invited_provider_ids.is_empty() || tender.invited_provider_ids.contains(&service.provider_id);
        let ages = service.eligibility.as_ref().map_or_else(AgeRange::default, |eligibility| {
            AgeRange::lenient(eligibility.minimum_age, eligibility.maximum_age)
        });
        if covered.is_empty() || !invited || !ages.overlaps(&served) {
            continue;
        }
        let entry = by_provider.entry(service.provider_id.clone()).or_default();
        for area in covered {
            if !entry.1.contains(&area) {
                entry.1.push(area);
            }
        }
        entry.0.push(service);
    }
    for (provider_id, (services, areas)) in by_provider {
        if !matching::record(txn, &published.tender_id, &provider_id, Utc::now()).await.map_err(retry)? {
            continue;
        }
        let matched_categories: Vec<i32> = bought
            .iter()
            .copied()
            .filter(|category| services.iter().any(|service| service.category == *category))
            .collect();
        let offers = matched_categories
            .iter()
            .map(|category| {
                let names: Vec<String> = services
                    .iter()
                    .filter(|service| service.category == *category)
                    .map(|service| format!("\"{}\"", service.name))
                    .collect();
                let category = ServiceCategory::try_from(*category).unwrap_or(ServiceCategory::Unspecified);
                format!("{} ({})", category_name(category).to_lowercase(), names.join(", "))
            })
            .collect::<Vec<_>>()
            .join(" and ");
        let places = areas
            .iter()
            .map(|area| area_name(area, &published.council_id, &tender.council_name))
            .collect::<Vec<_>>()
            .join(", ");
        let matched = TenderMatched {
            provider_id,
            tender_id: published.tender_id.clone(),
            council_id: published.council_id.clone(),
            council_name: tender.council_name.clone(),
            tender_title: tender.title.clone(),
            category: tender.category,
            matched_service_ids: services.iter().map(|service| service.id.clone()).collect(),
            matched_areas: areas,
            reason: format!("you offer {offers} in {places}, where this tender wants it"),
            estimated_value: tender.estimated_value.clone(),
            enquiry_period_end: tender.enquiry_period_end,
            bid_deadline: tender.bid_deadline,
            matched_categories,
        };
        events::tender_matched(txn, &matched).await.map_err(retry)?;
    }
    Ok(())
}

/// The area as a provider reads it: its label, its district or ward, or for a whole council the
/// buying council's name when it is the buyer's own area.
fn area_name(area: &Area, buyer_id: &str, buyer_name: &str) -> String {
    if !area.label.is_empty() {
        return area.label.clone();
    }
    match &area.part {
        Some(proto::commissioning::common::v1::area::Part::PostcodeDistrict(district)) => district.clone(),
        Some(proto::commissioning::common::v1::area::Part::WardCode(ward)) => format!("ward {ward}"),
        None if area.council_id == buyer_id && !buyer_name.is_empty() => format!("all of {buyer_name}"),
        None => format!("the {} area", area.council_id),
    }
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
