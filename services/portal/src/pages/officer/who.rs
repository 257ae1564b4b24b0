//! Who the service is for: open to everyone, or the council's ages and conditions. Required to
//! publish; charities whose services' ages overlap are told of the tender.

use proto::commissioning::tendering::v1::{Tender, TenderEligibility};
use serde::{Deserialize, Serialize};

use super::task::{Draft, Task};
use crate::pages::FormErrors;
use crate::sessions::Person;

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct WhoForm {
    #[serde(skip_serializing)]
    pub(super) csrf_token: String,
    pub(super) etag: String,
    /// "everyone" or "conditions".
    open: String,
    minimum_age: String,
    maximum_age: String,
    description: String,
}

/// An age typed in years, 0 when empty; `None` with the field's problem when not a whole number.
fn age(errors: &mut FormErrors, field: &str, typed: &str) -> Option<i32> {
    match typed.trim() {
        "" => Some(0),
        typed => typed.parse::<i32>().ok().filter(|age| (0..=120).contains(age)).or_else(|| {
            errors.add(field, "Enter an age in whole years, like 65");
            None
        }),
    }
}

impl Task for WhoForm {
    const TEMPLATE: &'static str = "officer_who.html";
    const TITLE: &'static str = "Who it is for";
    const PATHS: &'static [&'static str] = &["eligibility"];

    fn of(draft: &Draft) -> Self {
        let who = draft.tender.eligibility.clone().unwrap_or_default();
        let age = |age: i32| if age > 0 { age.to_string() } else { String::new() };
        let set = who.open_to_everyone || who.minimum_age > 0 || who.maximum_age > 0 || !who.description.is_empty();
        Self {
            etag: draft.tender.etag.clone(),
            open: match (set, who.open_to_everyone) {
                (false, _) => String::new(),
                (true, true) => "everyone".into(),
                (true, false) => "conditions".into(),
            },
            minimum_age: age(who.minimum_age),
            maximum_age: age(who.maximum_age),
            description: who.description,
            ..Default::default()
        }
    }

    fn change(&self, _draft: &Draft, _person: &Person, errors: &mut FormErrors) -> Option<Tender> {
        let everyone = match self.open.as_str() {
            "everyone" => true,
            "conditions" => false,
            _ => {
                errors.add("open", "Select whether anyone may use the service");
                false
            }
        };
        let minimum_age = age(errors, "minimum_age", &self.minimum_age)?;
        let maximum_age = age(errors, "maximum_age", &self.maximum_age)?;
        if !everyone && minimum_age == 0 && maximum_age == 0 && self.description.trim().is_empty() {
            errors.add("minimum_age", "Enter an age limit or describe who the service is for");
        }
        let eligibility = TenderEligibility {
            open_to_everyone: everyone,
            minimum_age,
            maximum_age,
            description: self.description.trim().to_owned(),
        };
        Some(Tender { eligibility: Some(eligibility), ..Default::default() })
    }

    fn field_of(&self, path: &str) -> String {
        match path {
            path if path.ends_with("minimum_age") => "minimum_age".into(),
            path if path.ends_with("maximum_age") => "maximum_age".into(),
            path if path.ends_with("description") => "description".into(),
            _ => "open".into(),
        }
    }
}
