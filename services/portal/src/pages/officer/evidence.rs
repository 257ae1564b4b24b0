//! The evidence the winner shows before the award, never a condition of bidding: what the draft
//! asks (the template's proposal for the value, from the service's bands), each kept or left out.
//! Only evidence proportionate to the kinds of service and the value is published.

use minijinja::{Value, context};
use proto::commissioning::common::v1::{DocumentKind, EvidenceRequirement};
use proto::commissioning::tendering::v1::Tender;
use serde::{Deserialize, Serialize};

use super::pounds;
use super::task::{Draft, Task};
use crate::pages::FormErrors;
use crate::pages::locker::kind_name;
use crate::sessions::Person;

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct EvidenceForm {
    #[serde(skip_serializing)]
    pub(super) csrf_token: String,
    pub(super) etag: String,
    kinds: Vec<String>,
}

fn kind_of(requirement: &EvidenceRequirement) -> &'static str {
    DocumentKind::try_from(requirement.kind).unwrap_or(DocumentKind::Unspecified).as_str_name()
}

/// What the draft asks, then what its template proposes for its value and the draft no longer
/// asks; with the band's reason for its cover.
fn offered(draft: &Draft) -> (Vec<EvidenceRequirement>, String) {
    let pence = draft.tender.estimated_value.as_ref().map(|value| value.amount_pence);
    let band = draft.template().and_then(|template| {
        template.evidence_bands.iter().find(|band| {
            band.up_to_value.as_ref().is_none_or(|up_to| pence.is_none_or(|pence| pence <= up_to.amount_pence))
        })
    });
    let mut all = draft.tender.evidence_requirements.clone();
    for proposed in band.map(|band| band.requirements.as_slice()).unwrap_or_default() {
        if !all.iter().any(|asked| asked.kind == proposed.kind) {
            all.push(proposed.clone());
        }
    }
    (all, band.map(|band| band.reason.clone()).unwrap_or_default())
}

fn describe(requirement: &EvidenceRequirement) -> String {
    let mut text = kind_name(requirement.kind).to_owned();
    if let Some(cover) = requirement.minimum_cover.as_ref() {
        text.push_str(&format!(", at least {} of cover", pounds(Some(cover))));
    }
    if requirement.only_if_employing_staff {
        text.push_str(", only if it employs staff");
    }
    text
}

impl Task for EvidenceForm {
    const TEMPLATE: &'static str = "officer_evidence.html";
    const TITLE: &'static str = "Evidence the winner shows";
    const PATHS: &'static [&'static str] = &["evidence_requirements"];

    fn of(draft: &Draft) -> Self {
        Self {
            etag: draft.tender.etag.clone(),
            kinds: draft
                .tender
                .evidence_requirements
                .iter()
                .map(|requirement| kind_of(requirement).to_owned())
                .collect(),
            ..Default::default()
        }
    }

    fn values(&self, draft: &Draft) -> Value {
        let (all, reason) = offered(draft);
        let items: Vec<_> = all
            .iter()
            .map(|requirement| {
                let hint = (!requirement.note.is_empty()).then(|| context! { text => &requirement.note });
                context! { value => kind_of(requirement), text => describe(requirement), hint }
            })
            .collect();
        context! { items, reason, etag => &self.etag, kinds => &self.kinds }
    }

    fn change(&self, draft: &Draft, _person: &Person, _errors: &mut FormErrors) -> Option<Tender> {
        let (all, _) = offered(draft);
        let kept = all.into_iter().filter(|requirement| self.kinds.iter().any(|kind| kind == kind_of(requirement)));
        Some(Tender { evidence_requirements: kept.collect(), ..Default::default() })
    }

    fn field_of(&self, _path: &str) -> String {
        "kinds".into()
    }
}
