//! The draft's first task: what the council wants, in its title, summary, kinds of service and the
//! description under the template's headings (whose guidance must be replaced before publishing).

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use axum_extra::extract::cookie::CookieJar;
use minijinja::context;
use proto::commissioning::common::v1::ServiceCategory;
use proto::commissioning::tendering::v1::{DescriptionSection, Tender, TenderTemplate, TenderingRules};
use serde::{Deserialize, Serialize};

use super::{Saved, officer, officer_form, own_draft, save_task, task_page, templates_and_rules};
use crate::PortalState;
use crate::pages::services::CATEGORIES;
use crate::pages::{FormErrors, PageError};
use crate::sessions::Session;
use crate::visitor::{StaffVisit, Visit};

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct WhatForm {
    #[serde(skip_serializing)]
    csrf_token: String,
    etag: String,
    title: String,
    summary: String,
    categories: Vec<String>,
    sections: Vec<String>,
}

/// The template's guidance under `heading`, which the officer replaces.
fn guidance<'a>(template: Option<&'a TenderTemplate>, heading: &str) -> Option<&'a str> {
    template?.description_sections.iter().find(|section| section.heading == heading).map(|section| section.body.trim())
}

/// The draft as the form shows it: a section still holding the template's guidance shows empty,
/// with the guidance as its hint.
fn form_of(tender: &Tender, template: Option<&TenderTemplate>) -> WhatForm {
    WhatForm {
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
                if guidance(template, &section.heading) == Some(section.body.trim()) {
                    String::new()
                } else {
                    section.body.clone()
                }
            })
            .collect(),
        ..Default::default()
    }
}

#[allow(clippy::too_many_arguments)]
fn what_page(
    state: &PortalState,
    session: &Session,
    jar: CookieJar,
    tender: &Tender,
    templates: &[TenderTemplate],
    rules: &TenderingRules,
    form: &WhatForm,
    errors: &FormErrors,
) -> Response {
    let template = templates.iter().find(|template| template.id == tender.template_id);
    let sections: Vec<_> = tender
        .description_sections
        .iter()
        .enumerate()
        .map(|(index, section)| {
            context! {
                id => format!("section-{}", index + 1),
                heading => &section.heading,
                hint => guidance(template, &section.heading),
                value => form.sections.get(index).map_or("", String::as_str),
            }
        })
        .collect();
    let category_items: Vec<_> =
        CATEGORIES.iter().map(|(category, text)| context! { value => category.as_str_name(), text => *text }).collect();
    let form = context! {
        section_fields => sections,
        category_items,
        ..minijinja::Value::from(minijinja::value::Serde(form))
    };
    task_page(state, session, jar, "officer_what.html", "What you want", tender, rules, errors, form)
}

/// GET /officer/tenders/{id}/draft/what
pub async fn what_form(
    State(state): State<PortalState>,
    Path(id): Path<String>,
    visit: StaffVisit,
) -> Result<Response, PageError> {
    let StaffVisit { session, jar, person } = officer(visit)?;
    let tender = own_draft(&state, &person, &id).await?;
    let (templates, rules) = templates_and_rules(&state, &person).await?;
    let template = templates.iter().find(|template| template.id == tender.template_id);
    let form = form_of(&tender, template);
    Ok(what_page(&state, &session, jar, &tender, &templates, &rules, &form, &FormErrors::default()))
}

/// Which field of the form a service's path is about.
fn field_of(path: &str) -> String {
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

/// POST /officer/tenders/{id}/draft/what
pub async fn save_what(
    State(state): State<PortalState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    visit: Visit,
    Form(form): Form<WhatForm>,
) -> Result<Response, PageError> {
    let StaffVisit { session, jar, person } = officer_form(visit, &headers, &form.csrf_token)?;
    let tender = own_draft(&state, &person, &id).await?;
    let (templates, rules) = templates_and_rules(&state, &person).await?;
    let mut errors = FormErrors::default();
    if form.title.trim().is_empty() {
        errors.add("title", "Enter a title for the tender");
    }
    if form.summary.trim().is_empty() {
        errors.add("summary", "Enter a summary of what you want");
    }
    let categories: Vec<i32> = form
        .categories
        .iter()
        .filter_map(|name| ServiceCategory::from_str_name(name))
        .map(|category| category as i32)
        .collect();
    if categories.is_empty() {
        errors.add("categories", "Select the kinds of service the tender buys");
    }
    if !errors.is_empty() {
        return Ok(what_page(&state, &session, jar, &tender, &templates, &rules, &form, &errors));
    }
    let sections: Vec<DescriptionSection> = tender
        .description_sections
        .iter()
        .enumerate()
        .map(|(index, section)| DescriptionSection {
            heading: section.heading.clone(),
            body: form.sections.get(index).map_or("", |body| body.trim()).to_owned(),
        })
        .collect();
    let changed = Tender {
        id: id.clone(),
        title: form.title.trim().to_owned(),
        summary: form.summary.trim().to_owned(),
        categories,
        description_sections: sections,
        ..Default::default()
    };
    let paths = ["title", "summary", "categories", "description_sections"];
    match save_task(&state, &person, changed, &paths, &form.etag, field_of).await? {
        Saved::Done => Ok((jar, Redirect::to(&format!("/officer/tenders/{id}/draft"))).into_response()),
        Saved::Refused(errors) => {
            let form = WhatForm { etag: tender.etag.clone(), ..form };
            Ok(what_page(&state, &session, jar, &tender, &templates, &rules, &form, &errors))
        }
    }
}
