//! Update masks (AIP-134): copy the named fields of the request's resource onto the stored one.
//! An empty mask means every updatable field that is set in the request. Unknown and output-only
//! paths are refused, naming the path.

use platform::{Error, FieldViolation};
use proto::commissioning::providers::v1::{Provider, Service};

/// Applies `mask` (paths in Provider) from `source` onto `target`; returns the paths applied.
pub fn apply_provider_mask(target: &mut Provider, source: &Provider, mask: &[String]) -> Result<Vec<String>, Error> {
    let paths = if mask.is_empty() { set_provider_fields(source) } else { mask.to_vec() };
    let mut unknown = Vec::new();
    for path in &paths {
        let known = match path.split_once('.') {
            Some(("registered_address", field)) => {
                let from = source.registered_address.clone().unwrap_or_default();
                let to = target.registered_address.get_or_insert_with(Default::default);
                match field {
                    "line1" => to.line1 = from.line1,
                    "line2" => to.line2 = from.line2,
                    "town" => to.town = from.town,
                    "county" => to.county = from.county,
                    "postcode" => to.postcode = from.postcode,
                    "country_code" => to.country_code = from.country_code,
                    _ => {}
                }
                ["line1", "line2", "town", "county", "postcode", "country_code"].contains(&field)
            }
            Some(("safeguarding_lead", field)) => {
                let from = source.safeguarding_lead.clone().unwrap_or_default();
                let to = target.safeguarding_lead.get_or_insert_with(Default::default);
                match field {
                    "name" => to.name = from.name,
                    "email" => to.email = from.email,
                    "phone" => to.phone = from.phone,
                    _ => {}
                }
                ["name", "email", "phone"].contains(&field)
            }
            _ => apply_provider_field(target, source, path),
        };
        if !known {
            unknown.push(path.clone());
        }
    }
    refuse_unknown(unknown)?;
    Ok(paths)
}

/// Copies one top-level field; `false` when `path` is not an updatable field.
fn apply_provider_field(target: &mut Provider, source: &Provider, path: &str) -> bool {
    match path {
        "legal_name" => target.legal_name.clone_from(&source.legal_name),
        "trading_name" => target.trading_name.clone_from(&source.trading_name),
        "description" => target.description.clone_from(&source.description),
        "legal_form" => target.legal_form = source.legal_form,
        "identifiers" => target.identifiers.clone_from(&source.identifiers),
        "registered_address" => target.registered_address.clone_from(&source.registered_address),
        "contact_email" => target.contact_email.clone_from(&source.contact_email),
        "contact_phone" => target.contact_phone.clone_from(&source.contact_phone),
        "website" => target.website.clone_from(&source.website),
        "income_band" => target.income_band = source.income_band,
        "paid_staff_count" => target.paid_staff_count = source.paid_staff_count,
        "volunteer_count" => target.volunteer_count = source.volunteer_count,
        "safeguarding_lead" => target.safeguarding_lead.clone_from(&source.safeguarding_lead),
        _ => return false,
    }
    true
}

/// Applies `mask` (paths in Service) from `source` onto `target`; returns the paths applied.
pub fn apply_service_mask(target: &mut Service, source: &Service, mask: &[String]) -> Result<Vec<String>, Error> {
    let paths = if mask.is_empty() { set_service_fields(source) } else { mask.to_vec() };
    let mut unknown = Vec::new();
    for path in &paths {
        match path.as_str() {
            "name" => target.name.clone_from(&source.name),
            "description" => target.description.clone_from(&source.description),
            "category" => target.category = source.category,
            "areas" => target.areas.clone_from(&source.areas),
            "delivery_modes" => target.delivery_modes.clone_from(&source.delivery_modes),
            "capacity_per_week" => target.capacity_per_week = source.capacity_per_week,
            "schedules" => target.schedules.clone_from(&source.schedules),
            "eligibility" => target.eligibility.clone_from(&source.eligibility),
            "cost_options" => target.cost_options.clone_from(&source.cost_options),
            "status" => target.status = source.status,
            "locations" => target.locations.clone_from(&source.locations),
            "url" => target.url.clone_from(&source.url),
            "email" => target.email.clone_from(&source.email),
            other => unknown.push(other.to_owned()),
        }
    }
    refuse_unknown(unknown)?;
    Ok(paths)
}

fn refuse_unknown(unknown: Vec<String>) -> Result<(), Error> {
    if unknown.is_empty() {
        return Ok(());
    }
    Err(Error::InvalidArgument(
        unknown
            .into_iter()
            .map(|path| FieldViolation::new("update_mask", format!("{path:?} is not a field you can update")))
            .collect(),
    ))
}

fn set_provider_fields(provider: &Provider) -> Vec<String> {
    let set = [
        ("legal_name", !provider.legal_name.is_empty()),
        ("trading_name", !provider.trading_name.is_empty()),
        ("description", !provider.description.is_empty()),
        ("legal_form", provider.legal_form != 0),
        ("identifiers", !provider.identifiers.is_empty()),
        ("registered_address", provider.registered_address.is_some()),
        ("contact_email", !provider.contact_email.is_empty()),
        ("contact_phone", !provider.contact_phone.is_empty()),
        ("website", !provider.website.is_empty()),
        ("income_band", provider.income_band != 0),
        ("paid_staff_count", provider.paid_staff_count != 0),
        ("volunteer_count", provider.volunteer_count != 0),
        ("safeguarding_lead", provider.safeguarding_lead.is_some()),
    ];
    set.into_iter().filter(|(_, is_set)| *is_set).map(|(path, _)| path.to_owned()).collect()
}

fn set_service_fields(service: &Service) -> Vec<String> {
    let set = [
        ("name", !service.name.is_empty()),
        ("description", !service.description.is_empty()),
        ("category", service.category != 0),
        ("areas", !service.areas.is_empty()),
        ("delivery_modes", !service.delivery_modes.is_empty()),
        ("capacity_per_week", service.capacity_per_week != 0),
        ("schedules", !service.schedules.is_empty()),
        ("eligibility", service.eligibility.is_some()),
        ("cost_options", !service.cost_options.is_empty()),
        ("status", service.status != 0),
        ("locations", !service.locations.is_empty()),
        ("url", !service.url.is_empty()),
        ("email", !service.email.is_empty()),
    ];
    set.into_iter().filter(|(_, is_set)| *is_set).map(|(path, _)| path.to_owned()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proto::commissioning::common::v1::PostalAddress;

    #[test]
    fn a_mask_copies_only_its_fields() {
        let mut stored = Provider { legal_name: "Old".into(), website: "https://old.org".into(), ..Default::default() };
        let request = Provider {
            legal_name: "New".into(),
            website: "https://new.org".into(),
            registered_address: Some(PostalAddress { postcode: "sw2 1rw".into(), ..Default::default() }),
            ..Default::default()
        };
        let applied =
            apply_provider_mask(&mut stored, &request, &["legal_name".into(), "registered_address.postcode".into()])
                .expect("known paths");
        assert_eq!(applied.len(), 2);
        assert_eq!(stored.legal_name, "New");
        assert_eq!(stored.website, "https://old.org");
        assert_eq!(stored.registered_address.expect("address").postcode, "sw2 1rw");
    }

    #[test]
    fn an_empty_mask_means_every_set_field_and_unknown_paths_are_refused() {
        let mut stored = Provider { legal_name: "Old".into(), description: "kept".into(), ..Default::default() };
        let request = Provider { legal_name: "New".into(), ..Default::default() };
        apply_provider_mask(&mut stored, &request, &[]).expect("empty mask");
        assert_eq!((stored.legal_name.as_str(), stored.description.as_str()), ("New", "kept"));
        let refused = apply_provider_mask(&mut stored, &request, &["size_class".into()]).expect_err("output only");
        assert!(matches!(refused, Error::InvalidArgument(violations) if violations[0].field == "update_mask"));
    }
}
