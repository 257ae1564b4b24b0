//! Which providers a tender taking bids fits: one of their active services offers one of the
//! tender's categories, covers one of its areas, serves the ages it is for, and the provider is
//! invited (when the tender invites). A tender is matched when it is published or amended, and a
//! service when it is added or changed, so a charity that registers after a tender is published
//! still hears of it. Each provider is told of each tender once (`providers.tender_matched`).

use std::collections::BTreeMap;

use chrono::Utc;
use platform::Error;
use platform::ages::AgeRange;
use proto::commissioning::common::v1::{Area, ServiceCategory, area};
use proto::commissioning::events::v1::TenderMatched;
use proto::commissioning::providers::v1::{Service, ServiceStatus};
use sea_orm::DatabaseTransaction;

use crate::domain::{ServiceArea, category_name};
use crate::events;
use crate::store::matching::{self, OpenTender};

/// Matches a tender just published or amended to every provider's active services.
pub async fn match_tender(txn: &DatabaseTransaction, open: &OpenTender) -> Result<(), Error> {
    let councils = wanted_areas(open).iter().map(|(area, _)| area.council().as_str().to_owned()).collect();
    let candidates = matching::candidate_services(txn, bought(open), councils).await?;
    tell(txn, matches(open, &candidates)).await
}

/// Matches a service just added or changed to the tenders taking bids now.
pub async fn match_service(txn: &DatabaseTransaction, service: &Service) -> Result<(), Error> {
    if service.status != ServiceStatus::Active as i32 {
        return Ok(());
    }
    for open in matching::open_tenders(txn, Utc::now()).await? {
        tell(txn, matches(&open, std::slice::from_ref(service))).await?;
    }
    Ok(())
}

/// Records each match and announces those not announced before.
async fn tell(txn: &DatabaseTransaction, found: Vec<TenderMatched>) -> Result<(), Error> {
    for matched in found {
        if matching::record(txn, &matched, Utc::now()).await? {
            events::tender_matched(txn, &matched).await?;
        }
    }
    Ok(())
}

/// The categories a tender buys (events from before tenders bought several carry only the one).
fn bought(open: &OpenTender) -> Vec<i32> {
    if open.tender.categories.is_empty() { vec![open.tender.category] } else { open.tender.categories.clone() }
}

fn wanted_areas(open: &OpenTender) -> Vec<(ServiceArea, Area)> {
    open.tender
        .areas
        .iter()
        .filter_map(|area| ServiceArea::parse(area, "area").ok().map(|parsed| (parsed, area.clone())))
        .collect()
}

/// The match of each provider among `candidates` that the tender fits.
fn matches(open: &OpenTender, candidates: &[Service]) -> Vec<TenderMatched> {
    let tender = &open.tender;
    let bought = bought(open);
    let wanted = wanted_areas(open);
    // Open to everyone, or not said (events from before tenders said it), limits no one.
    let served = tender
        .eligibility
        .as_ref()
        .filter(|eligibility| !eligibility.open_to_everyone)
        .map(|eligibility| AgeRange::lenient(eligibility.minimum_age, eligibility.maximum_age))
        .unwrap_or_default();
    let mut by_provider: BTreeMap<&str, (Vec<&Service>, Vec<Area>)> = BTreeMap::new();
    for service in candidates {
        let covered: Vec<&Area> = wanted
            .iter()
            .filter(|(want, _)| {
                service
                    .areas
                    .iter()
                    .any(|area| ServiceArea::parse(area, "area").is_ok_and(|offered| offered.covers(want)))
            })
            .map(|(_, area)| area)
            .collect();
        let invited =
            tender.invited_provider_ids.is_empty() || tender.invited_provider_ids.contains(&service.provider_id);
        let ages = service.eligibility.as_ref().map_or_else(AgeRange::default, |eligibility| {
            AgeRange::lenient(eligibility.minimum_age, eligibility.maximum_age)
        });
        if !bought.contains(&service.category) || covered.is_empty() || !invited || !ages.overlaps(&served) {
            continue;
        }
        let entry = by_provider.entry(service.provider_id.as_str()).or_default();
        for area in covered {
            if !entry.1.contains(area) {
                entry.1.push(area.clone());
            }
        }
        entry.0.push(service);
    }
    by_provider
        .into_iter()
        .map(|(provider_id, (services, areas))| {
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
                .map(|area| area_name(area, &open.council_id, &tender.council_name))
                .collect::<Vec<_>>()
                .join(", ");
            TenderMatched {
                provider_id: provider_id.to_owned(),
                tender_id: open.tender_id.clone(),
                council_id: open.council_id.clone(),
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
            }
        })
        .collect()
}

/// The area as a provider reads it: its label, its district or ward, or for a whole council the
/// buying council's name when it is the buyer's own area.
fn area_name(area: &Area, buyer_id: &str, buyer_name: &str) -> String {
    if !area.label.is_empty() {
        return area.label.clone();
    }
    match &area.part {
        Some(area::Part::PostcodeDistrict(district)) => district.clone(),
        Some(area::Part::WardCode(ward)) => format!("ward {ward}"),
        None if area.council_id == buyer_id && !buyer_name.is_empty() => format!("all of {buyer_name}"),
        None => format!("the {} area", area.council_id),
    }
}
