//! The criteria bids are scored on and their weights, which add up to 100, and the reason for a
//! price weight above the service's limit (which bidders read). The template's criteria are kept
//! with what they score; the officer names and weighs them.

use minijinja::{Value, context};
use proto::commissioning::tendering::v1::{CriterionKind, Tender};
use serde::{Deserialize, Serialize};

use super::task::{Draft, Task};
use crate::pages::FormErrors;
use crate::sessions::Person;

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct CriteriaForm {
    #[serde(skip_serializing)]
    pub(super) csrf_token: String,
    pub(super) etag: String,
    name: Vec<String>,
    weight: Vec<String>,
    price_weight_reason: String,
}

pub(super) fn kind_name(kind: CriterionKind) -> &'static str {
    match kind {
        CriterionKind::Price => "Price: scored from the bids' prices",
        CriterionKind::Quality => "Quality: scored by the panel",
        CriterionKind::SocialValue => "Social value: scored by the panel",
        CriterionKind::PassFail => "Pass or fail: no weight, a bid that fails is not ranked",
        CriterionKind::Unspecified => "Not set",
    }
}

impl Task for CriteriaForm {
    const TEMPLATE: &'static str = "officer_criteria.html";
    const TITLE: &'static str = "Criteria and weights";
    const PATHS: &'static [&'static str] = &["criteria", "price_weight_reason"];

    fn of(draft: &Draft) -> Self {
        let tender = &draft.tender;
        Self {
            etag: tender.etag.clone(),
            name: tender.criteria.iter().map(|criterion| criterion.name.clone()).collect(),
            weight: tender.criteria.iter().map(|criterion| criterion.weight.to_string()).collect(),
            price_weight_reason: tender.price_weight_reason.clone(),
            ..Default::default()
        }
    }

    /// Each criterion of the draft with what was typed for it, and the weights' total so far.
    fn values(&self, draft: &Draft) -> Value {
        let rows: Vec<_> = draft
            .tender
            .criteria
            .iter()
            .enumerate()
            .map(|(index, criterion)| {
                context! {
                    number => index + 1,
                    kind => kind_name(criterion.kind()),
                    pass_fail => criterion.kind() == CriterionKind::PassFail,
                    name => self.name.get(index).map_or("", String::as_str),
                    weight => self.weight.get(index).map_or("", String::as_str),
                }
            })
            .collect();
        let total: i64 = self.weight.iter().filter_map(|weight| weight.trim().parse::<i64>().ok()).sum();
        context! { rows, total, etag => &self.etag, price_weight_reason => &self.price_weight_reason }
    }

    fn change(&self, draft: &Draft, _person: &Person, errors: &mut FormErrors) -> Option<Tender> {
        let mut criteria = draft.tender.criteria.clone();
        for (index, criterion) in criteria.iter_mut().enumerate() {
            let number = index + 1;
            let name = self.name.get(index).map_or("", |name| name.trim());
            if name.is_empty() {
                errors.add(&format!("criterion-{number}"), format!("Enter criterion {number}'s name"));
            }
            criterion.name = name.to_owned();
            if criterion.kind() == CriterionKind::PassFail {
                continue;
            }
            match self.weight.get(index).and_then(|weight| weight.trim().parse::<i32>().ok()) {
                Some(weight) => criterion.weight = weight,
                None => errors.add(
                    &format!("criterion-{number}-weight"),
                    format!("Enter criterion {number}'s weight as a whole number, like 30"),
                ),
            }
        }
        Some(Tender { criteria, price_weight_reason: self.price_weight_reason.trim().to_owned(), ..Default::default() })
    }

    fn field_of(&self, path: &str) -> String {
        let index = path
            .strip_prefix("criteria[")
            .and_then(|rest| rest.split(']').next())
            .and_then(|number| number.parse::<usize>().ok());
        match index {
            Some(index) if path.ends_with("name") => format!("criterion-{}", index + 1),
            Some(index) => format!("criterion-{}-weight", index + 1),
            None if path == "price_weight_reason" => "price_weight_reason".into(),
            // The weights' total, and anything else about the criteria: on the first weight.
            None => "criterion-1-weight".into(),
        }
    }
}
