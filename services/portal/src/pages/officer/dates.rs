//! When questions close (and bidding opens) and when bids close, in UK time. The page states the
//! service's minimum bid period and the earliest deadline it allows if published now.

use minijinja::{Value, context};
use proto::commissioning::tendering::v1::{Tender, TenderingRules};
use serde::{Deserialize, Serialize};

use super::task::{Draft, Task};
use super::{moment_of, typed_moment};
use crate::pages::FormErrors;
use crate::pages::locker::DateParts;
use crate::sessions::Person;

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct DatesForm {
    #[serde(skip_serializing)]
    pub(super) csrf_token: String,
    pub(super) etag: String,
    #[serde(rename = "enquiries-day")]
    enquiries_day: String,
    #[serde(rename = "enquiries-month")]
    enquiries_month: String,
    #[serde(rename = "enquiries-year")]
    enquiries_year: String,
    #[serde(rename = "enquiries-time")]
    enquiries_time: String,
    #[serde(rename = "deadline-day")]
    deadline_day: String,
    #[serde(rename = "deadline-month")]
    deadline_month: String,
    #[serde(rename = "deadline-year")]
    deadline_year: String,
    #[serde(rename = "deadline-time")]
    deadline_time: String,
}

/// The earliest bid deadline the minimum bid period allows for a tender published now.
fn earliest_deadline(rules: &TenderingRules) -> String {
    let earliest = chrono::Utc::now() + chrono::Duration::seconds(rules.minimum_bid_period_secs);
    platform::time::london_time_and_date(earliest)
}

impl Task for DatesForm {
    const TEMPLATE: &'static str = "officer_dates.html";
    const TITLE: &'static str = "Questions and bid deadline";
    const PATHS: &'static [&'static str] = &["enquiry_period_end", "bid_deadline"];

    fn of(draft: &Draft) -> Self {
        let (enquiries, enquiries_time) = typed_moment(draft.tender.enquiry_period_end.as_ref());
        let (deadline, deadline_time) = typed_moment(draft.tender.bid_deadline.as_ref());
        Self {
            etag: draft.tender.etag.clone(),
            enquiries_day: enquiries.day,
            enquiries_month: enquiries.month,
            enquiries_year: enquiries.year,
            enquiries_time,
            deadline_day: deadline.day,
            deadline_month: deadline.month,
            deadline_year: deadline.year,
            deadline_time,
            ..Default::default()
        }
    }

    fn values(&self, draft: &Draft) -> Value {
        context! { earliest => earliest_deadline(&draft.rules), ..Value::from(minijinja::value::Serde(self)) }
    }

    fn change(&self, _draft: &Draft, _person: &Person, errors: &mut FormErrors) -> Option<Tender> {
        let enquiries = DateParts {
            day: self.enquiries_day.clone(),
            month: self.enquiries_month.clone(),
            year: self.enquiries_year.clone(),
        };
        let deadline = DateParts {
            day: self.deadline_day.clone(),
            month: self.deadline_month.clone(),
            year: self.deadline_year.clone(),
        };
        let enquiry_period_end =
            moment_of(errors, "enquiries", &enquiries, &self.enquiries_time, "the date questions close");
        let bid_deadline = moment_of(errors, "deadline", &deadline, &self.deadline_time, "the bid deadline");
        Some(Tender { enquiry_period_end, bid_deadline, ..Default::default() })
    }

    fn field_of(&self, path: &str) -> String {
        if path.starts_with("enquiry") { "enquiries-day".into() } else { "deadline-day".into() }
    }
}
