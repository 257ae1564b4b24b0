//! The draft's first task: what the council wants, in its title, summary, kinds of service and the
//! description under the template's headings (whose guidance must be replaced before publishing).

use minijinja::{Value, context};
use proto::commissioning::common::v1::ServiceCategory;
use proto::commissioning::tendering::v1::{DescriptionSection, Tender, TenderTemplate};
use serde::{Deserialize, Serialize};

use super::task::{Draft, Task};
use crate::pages::FormErrors;
use crate::pages::services::CATEGORIES;
use crate::sessions::Person;

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct WhatForm {
    #[serde(skip_serializing)]
    pub(super) csrf_token: String,
    pub(super) etag: String,
    title: String,
    summary: String,
    categories: Vec<String>,
    sections: Vec<String>,
}

/// The template's guidance under `heading`, which the officer replaces.
fn guidance<'a>(template: Option<&'a TenderTemplate>, heading: &str) -> Option<&'a str> {
    template?.description_sections.iter().find(|section| section.heading == heading).map(|section| section.body.trim())
}

impl Task for WhatForm {
    const TEMPLATE: &'static str = "officer_what.html";
    const TITLE: &'static str = "What you want";
    const PATHS: &'static [&'static str] = &["title", "summary", "categories", "description_sections"];

    /// A section still holding the template's guidance shows empty, with the guidance as its hint.
    fn of(draft: &Draft) -> Self {
        let tender = &draft.tender;
        Self {
            etag: tender.etag.clone(),
            title: tender.title.clone(),
            summary: tender.summary.clone(),
            categories: tender
                .categories
                .iter()
                .filter_map(|category| ServiceCategory::try_from(*category).ok())
                .map(|category| category.as_str_name().to_owned())
                .collect(),
            sections: tender
                .description_sections
                .iter()
                .map(|section| {
                    let unchanged = guidance(draft.template(), &section.heading) == Some(section.body.trim());
                    if unchanged { String::new() } else { section.body.clone() }
                })
                .collect(),
            ..Default::default()
        }
    }

    fn values(&self, draft: &Draft) -> Value {
        let section_fields: Vec<_> = draft
            .tender
            .description_sections
            .iter()
            .enumerate()
            .map(|(index, section)| {
                context! {
                    id => format!("section-{}", index + 1),
                    heading => &section.heading,
                    hint => guidance(draft.template(), &section.heading),
                    value => self.sections.get(index).map_or("", String::as_str),
                }
            })
            .collect();
        let category_items: Vec<_> = CATEGORIES
            .iter()
            .map(|(category, text)| context! { value => category.as_str_name(), text => *text })
            .collect();
        context! { section_fields, category_items, ..Value::from(minijinja::value::Serde(self)) }
    }

    fn change(&self, draft: &Draft, _person: &Person, errors: &mut FormErrors) -> Option<Tender> {
        if self.title.trim().is_empty() {
            errors.add("title", "Enter a title for the tender");
        }
        if self.summary.trim().is_empty() {
            errors.add("summary", "Enter a summary of what you want");
        }
        let categories: Vec<i32> = self
            .categories
            .iter()
            .filter_map(|name| ServiceCategory::from_str_name(name))
            .map(|category| category as i32)
            .collect();
        if categories.is_empty() {
            errors.add("categories", "Select the kinds of service the tender buys");
        }
        let description_sections = draft
            .tender
            .description_sections
            .iter()
            .enumerate()
            .map(|(index, section)| DescriptionSection {
                heading: section.heading.clone(),
                body: self.sections.get(index).map_or("", |body| body.trim()).to_owned(),
            })
            .collect();
        Some(Tender {
            title: self.title.trim().to_owned(),
            summary: self.summary.trim().to_owned(),
            categories,
            description_sections,
            ..Default::default()
        })
    }

    fn field_of(&self, path: &str) -> String {
        if let Some(rest) = path.strip_prefix("description_sections[") {
            let index = rest.split(']').next().and_then(|number| number.parse::<usize>().ok()).unwrap_or(0);
            return format!("section-{}", index + 1);
        }
        match path {
            "summary" => "summary".into(),
            path if path.starts_with("categor") => "categories".into(),
            _ => "title".into(),
        }
    }
}
