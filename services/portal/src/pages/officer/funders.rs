//! Who pays: the council, an NHS integrated care board, a Better Care Fund pool, each with its
//! share; the shares add up to 100% (the service's rule, on the shares' fields when they do not).

use proto::commissioning::common::v1::{OrganisationKind, OrganisationRef};
use proto::commissioning::tendering::v1::{Funder, Tender};
use serde::{Deserialize, Serialize};

use super::task::{Draft, Task};
use crate::pages::FormErrors;
use crate::sessions::Person;

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct FundersForm {
    #[serde(skip_serializing)]
    pub(super) csrf_token: String,
    pub(super) etag: String,
    council_share: String,
    icb_name: String,
    icb_share: String,
    pool_name: String,
    pool_share: String,
}

/// The funders the form offers, each with its kind and its fields.
const OTHERS: [(OrganisationKind, &str); 2] =
    [(OrganisationKind::IntegratedCareBoard, "icb"), (OrganisationKind::PooledFund, "pool")];

/// "60" for 6,000 basis points, "33.5" for 3,350.
fn percent(basis_points: i32) -> String {
    if basis_points % 100 == 0 {
        (basis_points / 100).to_string()
    } else {
        format!("{}", f64::from(basis_points) / 100.0)
    }
}

/// A share typed in percent ("40", "33.5"), in basis points; 0 when empty.
fn share(errors: &mut FormErrors, field: &str, typed: &str) -> i32 {
    let typed = typed.trim().trim_end_matches('%').trim();
    if typed.is_empty() {
        return 0;
    }
    match typed.parse::<f64>() {
        Ok(percent) if (0.0..=100.0).contains(&percent) => (percent * 100.0).round() as i32,
        _ => {
            errors.add(field, "Enter the share as a percentage, like 40");
            0
        }
    }
}

/// The funders as typed: none when the council pays everything.
fn funders_of(errors: &mut FormErrors, form: &FundersForm, person: &Person) -> Vec<Funder> {
    let council_share = share(errors, "council_share", &form.council_share);
    let mut funders = Vec::new();
    for (kind, field) in OTHERS {
        let (name, typed) =
            if field == "icb" { (&form.icb_name, &form.icb_share) } else { (&form.pool_name, &form.pool_share) };
        let basis_points = share(errors, &format!("{field}_share"), typed);
        match (name.trim().is_empty(), basis_points) {
            (true, 0) => {}
            (true, _) => errors.add(&format!("{field}_name"), "Enter the funder's name"),
            (false, 0) => errors.add(&format!("{field}_share"), "Enter the funder's share"),
            (false, basis_points) => funders.push(Funder {
                organisation: Some(OrganisationRef {
                    kind: kind.into(),
                    name: name.trim().to_owned(),
                    ..Default::default()
                }),
                share_basis_points: basis_points,
            }),
        }
    }
    if funders.is_empty() && (council_share == 10_000 || council_share == 0) {
        return Vec::new();
    }
    let council = OrganisationRef {
        organisation_id: person.organisation_id.clone(),
        kind: OrganisationKind::Council.into(),
        name: person.organisation_name.clone(),
        ..Default::default()
    };
    let mut all = vec![Funder { organisation: Some(council), share_basis_points: council_share }];
    all.extend(funders);
    all
}

impl Task for FundersForm {
    const TEMPLATE: &'static str = "officer_funders.html";
    const TITLE: &'static str = "Funders and their shares";
    const PATHS: &'static [&'static str] = &["funders"];

    fn of(draft: &Draft) -> Self {
        let tender = &draft.tender;
        let share_of = |kind: OrganisationKind| {
            tender
                .funders
                .iter()
                .find(|funder| funder.organisation.as_ref().is_some_and(|organisation| organisation.kind() == kind))
        };
        let name = |funder: Option<&Funder>| {
            funder
                .and_then(|funder| funder.organisation.as_ref())
                .map_or_else(String::new, |organisation| organisation.name.clone())
        };
        let share =
            |funder: Option<&Funder>| funder.map_or_else(String::new, |funder| percent(funder.share_basis_points));
        let council = share_of(OrganisationKind::Council);
        let icb = share_of(OrganisationKind::IntegratedCareBoard);
        let pool = share_of(OrganisationKind::PooledFund);
        FundersForm {
            etag: tender.etag.clone(),
            council_share: if tender.funders.is_empty() { "100".into() } else { share(council) },
            icb_name: name(icb),
            icb_share: share(icb),
            pool_name: name(pool),
            pool_share: share(pool),
            ..Default::default()
        }
    }

    fn change(&self, _draft: &Draft, person: &Person, errors: &mut FormErrors) -> Option<Tender> {
        Some(Tender { funders: funders_of(errors, self, person), ..Default::default() })
    }

    /// The funders are sent the council first, then those named: a service's path by its index.
    fn field_of(&self, path: &str) -> String {
        let named = |name: &str| !name.trim().is_empty();
        let order: Vec<&str> = [("council", true), ("icb", named(&self.icb_name)), ("pool", named(&self.pool_name))]
            .into_iter()
            .filter(|(_, sent)| *sent)
            .map(|(funder, _)| funder)
            .collect();
        let Some(rest) = path.strip_prefix("funders[") else { return "council_share".into() };
        let index = rest.split(']').next().and_then(|number| number.parse::<usize>().ok()).unwrap_or(0);
        let funder = order.get(index).copied().unwrap_or("council");
        if path.contains("name") { format!("{funder}_name") } else { format!("{funder}_share") }
    }
}
