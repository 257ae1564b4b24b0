//! Where the service is wanted: postcode districts in the council's area, or the whole council.
//! Charities offering the tender's kinds of service there are told of it once published.

use proto::commissioning::common::v1::Area;
use proto::commissioning::common::v1::area::Part;
use proto::commissioning::tendering::v1::Tender;
use serde::{Deserialize, Serialize};

use super::task::{Draft, Task};
use crate::pages::FormErrors;
use crate::sessions::Person;

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct AreasForm {
    #[serde(skip_serializing)]
    pub(super) csrf_token: String,
    pub(super) etag: String,
    /// "whole" or "districts".
    extent: String,
    districts: String,
}

impl Task for AreasForm {
    const TEMPLATE: &'static str = "officer_where.html";
    const TITLE: &'static str = "Where";
    const PATHS: &'static [&'static str] = &["areas"];

    fn of(draft: &Draft) -> Self {
        let tender = &draft.tender;
        let districts: Vec<&str> = tender
            .areas
            .iter()
            .filter_map(|area| match &area.part {
                Some(Part::PostcodeDistrict(district)) => Some(district.as_str()),
                _ => None,
            })
            .collect();
        let extent = match (tender.areas.is_empty(), districts.is_empty()) {
            (true, _) => "",
            (false, true) => "whole",
            (false, false) => "districts",
        };
        Self { etag: tender.etag.clone(), extent: extent.into(), districts: districts.join(", "), ..Default::default() }
    }

    fn change(&self, _draft: &Draft, person: &Person, errors: &mut FormErrors) -> Option<Tender> {
        let districts: Vec<&str> =
            self.districts.split([',', ' ', '\n']).map(str::trim).filter(|district| !district.is_empty()).collect();
        let area = |part: Option<Part>| Area { council_id: person.organisation_id.clone(), part, ..Default::default() };
        let areas: Vec<Area> = match self.extent.as_str() {
            "whole" => vec![area(None)],
            "districts" if districts.is_empty() => {
                errors.add("districts", "Enter the postcode districts, like SW2, SW9");
                return None;
            }
            "districts" => {
                districts.iter().map(|district| area(Some(Part::PostcodeDistrict((*district).to_owned())))).collect()
            }
            _ => {
                errors.add("extent", "Select where the service is wanted");
                return None;
            }
        };
        Some(Tender { areas, ..Default::default() })
    }

    fn field_of(&self, _path: &str) -> String {
        "districts".into()
    }
}
