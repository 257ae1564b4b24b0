//! The value and the contract's dates: the estimated value decides the publication duties and the
//! evidence proportionate to it, so the page states the service's thresholds beside it.

use proto::commissioning::common::v1::{Date, DateRange};
use proto::commissioning::tendering::v1::Tender;
use serde::{Deserialize, Serialize};

use super::gbp;
use super::pounds_typed;
use super::task::{Draft, Task};
use crate::pages::FormErrors;
use crate::pages::locker::{DateParts, date_of};
use crate::sessions::Person;

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ValueForm {
    #[serde(skip_serializing)]
    pub(super) csrf_token: String,
    pub(super) etag: String,
    value: String,
    /// "yes" or "no".
    vat_included: String,
    budget: String,
    #[serde(rename = "start-day")]
    start_day: String,
    #[serde(rename = "start-month")]
    start_month: String,
    #[serde(rename = "start-year")]
    start_year: String,
    #[serde(rename = "end-day")]
    end_day: String,
    #[serde(rename = "end-month")]
    end_month: String,
    #[serde(rename = "end-year")]
    end_year: String,
}

fn whole_pounds(pence: i64) -> String {
    (pence / 100).to_string()
}

/// A date's three boxes.
fn parts(date: Option<Date>) -> (String, String, String) {
    date.map_or_else(Default::default, |date| (date.day.to_string(), date.month.to_string(), date.year.to_string()))
}

impl Task for ValueForm {
    const TEMPLATE: &'static str = "officer_value.html";
    const TITLE: &'static str = "Value and contract dates";
    const PATHS: &'static [&'static str] = &["estimated_value", "maximum_budget", "contract_period"];

    fn of(draft: &Draft) -> Self {
        let tender = &draft.tender;
        let period = tender.contract_period.unwrap_or_default();
        let (start_day, start_month, start_year) = parts(period.start_date);
        let (end_day, end_month, end_year) = parts(period.end_date);
        let value = tender.estimated_value.as_ref();
        Self {
            etag: tender.etag.clone(),
            value: value.map_or_else(String::new, |money| whole_pounds(money.amount_pence)),
            vat_included: value.map_or("yes", |money| if money.vat_included { "yes" } else { "no" }).into(),
            budget: tender.maximum_budget.as_ref().map_or_else(String::new, |money| whole_pounds(money.amount_pence)),
            start_day,
            start_month,
            start_year,
            end_day,
            end_month,
            end_year,
            ..Default::default()
        }
    }

    fn change(&self, _draft: &Draft, _person: &Person, errors: &mut FormErrors) -> Option<Tender> {
        let value = pounds_typed(errors, "value", &self.value, "the estimated value");
        if value == Some(None) {
            errors.add("value", "Enter the estimated value of the contract");
        }
        let budget = pounds_typed(errors, "budget", &self.budget, "the most you will pay");
        let vat_included = self.vat_included != "no";
        let start =
            DateParts { day: self.start_day.clone(), month: self.start_month.clone(), year: self.start_year.clone() };
        let end = DateParts { day: self.end_day.clone(), month: self.end_month.clone(), year: self.end_year.clone() };
        let start_date = date_of(errors, "start", &start, "the date the contract starts");
        let end_date = date_of(errors, "end", &end, "the date the contract ends");
        if start_date.is_none() {
            errors.add("start-day", "Enter the date the contract starts");
        }
        if end_date.is_none() {
            errors.add("end-day", "Enter the date the contract ends");
        }
        Some(Tender {
            estimated_value: Some(gbp(value??, vat_included)),
            maximum_budget: budget?.map(|budget| gbp(budget, vat_included)),
            contract_period: Some(DateRange { start_date, end_date }),
            ..Default::default()
        })
    }

    fn field_of(&self, path: &str) -> String {
        match path {
            path if path.starts_with("maximum_budget") => "budget".into(),
            path if path.starts_with("contract_period.end") => "end-day".into(),
            path if path.starts_with("contract_period") => "start-day".into(),
            _ => "value".into(),
        }
    }
}
