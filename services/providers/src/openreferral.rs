//! The Open Referral UK export: each active service as an ORUK `service` object (with its
//! organisation, taxonomy terms, locations, schedules, eligibility, areas and costs), valid against
//! the Open Referral UK service schema.

use std::collections::HashMap;

use platform::Error;
use platform::paging::Page;
use proto::commissioning::common::v1::ServiceCategory;
use proto::commissioning::common::v1::area::Part;
use proto::commissioning::providers::v1::{
    DeliveryMode, ExportOpenReferralResponse, Provider, RegularSchedule, ScheduleFrequency, Service, ServiceStatus,
    Weekday,
};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::domain::category_name;
use crate::store::profiles;
use crate::store::services::{self, ServiceFilter};

/// One page of active services, in `council_id`'s area or everywhere, as ORUK JSON.
pub async fn export<C: ConnectionTrait>(
    db: &C,
    council_id: Option<String>,
    page: Page,
) -> Result<ExportOpenReferralResponse, Error> {
    let filter = ServiceFilter { council_id, statuses: vec![ServiceStatus::Active as i32], ..Default::default() };
    let found = services::list(db, &filter, page).await?;
    let total_size = i32::try_from(services::count(db, &filter).await?).unwrap_or(i32::MAX);
    let mut providers: HashMap<String, Provider> = HashMap::new();
    let mut services_json = Vec::with_capacity(found.len());
    for service in &found {
        if !providers.contains_key(&service.provider_id) {
            let provider = profiles::find(db, &service.provider_id)
                .await?
                .ok_or_else(|| Error::internal(format!("service {} has no provider", service.id)))?
                .provider;
            providers.insert(service.provider_id.clone(), provider);
        }
        let provider = &providers[&service.provider_id];
        services_json.push(service_json(service, provider).to_string());
    }
    Ok(ExportOpenReferralResponse { next_page_token: page.next_token(found.len()), services_json, total_size })
}

/// One service as an Open Referral UK `service` object.
pub fn service_json(service: &Service, provider: &Provider) -> Value {
    let mut object = json!({
        "id": service.id,
        "organization": organization(provider),
        "name": service.name,
        "description": service.description,
        "status": status(service.status),
        "fees": if service.cost_options.is_empty() { "Free".to_owned() } else { fees(service) },
        "service_taxonomies": taxonomies(service),
        "service_at_locations": service.locations.iter().map(|location| json!({
            "id": format!("{}:{}", service.id, location.id),
            "location": { "id": location.id, "name": location.name, "description": location.description },
        })).collect::<Vec<_>>(),
        "regular_schedules": service.schedules.iter().enumerate().map(|(index, schedule)| {
            schedule_json(&service.id, index, schedule)
        }).collect::<Vec<_>>(),
        "service_areas": service.areas.iter().enumerate().map(|(index, area)| json!({
            "id": format!("{}:area:{index}", service.id),
            "service_area": area_label(area),
            "uri": format!("urn:commissioning:council:{}", area.council_id),
        })).collect::<Vec<_>>(),
        "cost_options": service.cost_options.iter().enumerate().map(|(index, cost)| json!({
            "id": format!("{}:cost:{index}", service.id),
            "option": cost.description,
            "amount": pounds(cost.amount.as_ref().map_or(0, |money| money.amount_pence)),
            "amount_description": "GBP",
        })).collect::<Vec<_>>(),
    });
    if let Some(eligibility) = &service.eligibility {
        object["eligibilities"] = json!([{
            "id": format!("{}:eligibility", service.id),
            "minimum_age": eligibility.minimum_age,
            "maximum_age": if eligibility.maximum_age == 0 { 120 } else { eligibility.maximum_age },
        }]);
    }
    if let Some(attending) = service.delivery_modes.first().and_then(|mode| attending_type(*mode)) {
        object["attending_type"] = json!(attending);
    }
    if !service.url.is_empty() {
        object["url"] = json!(service.url);
    }
    if !service.email.is_empty() {
        object["email"] = json!(service.email);
    }
    object
}

fn organization(provider: &Provider) -> Value {
    let name = if provider.trading_name.is_empty() { &provider.legal_name } else { &provider.trading_name };
    let mut organization = json!({ "id": provider.id, "name": name, "description": provider.description });
    if !provider.contact_email.is_empty() {
        organization["email"] = json!(provider.contact_email);
    }
    if !provider.website.is_empty() {
        organization["url"] = json!(provider.website);
    }
    organization
}

fn status(status: i32) -> &'static str {
    match ServiceStatus::try_from(status) {
        Ok(ServiceStatus::TemporarilyClosed) => "temporarily closed",
        Ok(ServiceStatus::Inactive) => "inactive",
        _ => "active",
    }
}

fn fees(service: &Service) -> String {
    service
        .cost_options
        .iter()
        .map(|cost| {
            let pence = cost.amount.as_ref().map_or(0, |money| money.amount_pence);
            format!("£{}.{:02} {}", pence / 100, pence % 100, cost.description).trim().to_owned()
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The marketplace's category, then each CPV code, as taxonomy terms.
fn taxonomies(service: &Service) -> Vec<Value> {
    let category = ServiceCategory::try_from(service.category).unwrap_or(ServiceCategory::Unspecified);
    let mut terms = vec![json!({
        "id": format!("{}:category", service.id),
        "taxonomy": {
            "id": format!("commissioning:{}", category.as_str_name().to_lowercase()),
            "name": category_name(category),
            "vocabulary": "Commissioning marketplace loneliness and isolation interventions",
        },
    })];
    terms.extend(service.cpv_codes.iter().map(|code| {
        json!({
            "id": format!("{}:cpv:{code}", service.id),
            "taxonomy": { "id": format!("cpv:{code}"), "name": code, "vocabulary": "CPV" },
        })
    }));
    terms
}

/// Times are Europe/London wall-clock times, which ORUK's `opens_at` (a time with an offset)
/// cannot say without a date, so they go into the description with the iCal fields.
fn schedule_json(service_id: &str, index: usize, schedule: &RegularSchedule) -> Value {
    let weekday = Weekday::try_from(schedule.weekday).unwrap_or(Weekday::Unspecified);
    let frequency = match ScheduleFrequency::try_from(schedule.frequency) {
        Ok(ScheduleFrequency::Monthly) => "MONTHLY",
        _ => "WEEKLY",
    };
    let byday = &weekday.as_str_name()["WEEKDAY_".len()..][..2];
    let byday = if frequency == "MONTHLY" && schedule.week_of_month != 0 {
        format!("{}{byday}", schedule.week_of_month)
    } else {
        byday.to_owned()
    };
    let time = |time: &Option<proto::commissioning::providers::v1::TimeOfDay>| {
        time.as_ref().map(|time| format!("{:02}:{:02}", time.hours, time.minutes)).unwrap_or_default()
    };
    let hours = format!("{} to {} (UK time)", time(&schedule.opens_at), time(&schedule.closes_at));
    let description = [schedule.description.as_str(), hours.as_str()]
        .iter()
        .filter(|part| !part.is_empty())
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    json!({
        "id": format!("{service_id}:schedule:{index}"),
        "weekday": schedule.weekday,
        "freq": frequency,
        "interval": schedule.interval.max(1),
        "byday": byday,
        "description": description,
    })
}

fn area_label(area: &proto::commissioning::common::v1::Area) -> String {
    if !area.label.is_empty() {
        return area.label.clone();
    }
    match &area.part {
        Some(Part::PostcodeDistrict(district)) => format!("{}: postcode district {district}", area.council_id),
        Some(Part::WardCode(ward)) => format!("{}: ward {ward}", area.council_id),
        None => format!("{}: whole area", area.council_id),
    }
}

fn attending_type(mode: i32) -> Option<&'static str> {
    match DeliveryMode::try_from(mode).ok()? {
        DeliveryMode::InPerson => Some("venue"),
        DeliveryMode::Telephone => Some("phone"),
        DeliveryMode::Online => Some("online"),
        DeliveryMode::Unspecified => None,
    }
}

/// Pence as a number of pounds: ORUK's `amount` is a JSON number. Built from its decimal text, so
/// 1999 pence is exactly 19.99.
fn pounds(pence: i64) -> Value {
    let text = format!("{}.{:02}", pence / 100, (pence % 100).abs());
    serde_json::from_str(&text).unwrap_or(Value::Null)
}
