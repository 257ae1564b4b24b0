//! A draft tender as a task list: each task a page that saves its part of the draft, each with what
//! is done and what is left, then "check your answers" and publish.

use axum::extract::{Path, State};
use axum::response::Response;
use minijinja::{Value, context};
use proto::commissioning::tendering::v1::Tender;

use super::{officer, own_draft, tender_values};
use crate::PortalState;
use crate::pages::{FormErrors, PageError, page};
use crate::visitor::StaffVisit;

/// Each task: its page under /draft, its name, and what the draft says of it (`None` while not done).
pub(super) fn tasks(tender: &Tender) -> Vec<(&'static str, &'static str, Option<String>)> {
    let eligibility = tender.eligibility.as_ref();
    let words: i32 = tender.bid_questions.iter().map(|question| question.word_limit).sum();
    let weights: i32 = tender.criteria.iter().map(|criterion| criterion.weight).sum();
    let period = tender.contract_period.as_ref();
    vec![
        (
            "what",
            "What you want",
            (!tender.title.is_empty() && !tender.summary.is_empty() && !tender.categories.is_empty())
                .then(|| "Completed".to_owned()),
        ),
        (
            "who",
            "Who it is for",
            eligibility
                .filter(|who| {
                    who.open_to_everyone || who.minimum_age > 0 || who.maximum_age > 0 || !who.description.is_empty()
                })
                .map(|_| "Completed".to_owned()),
        ),
        (
            "where",
            "Where",
            (!tender.areas.is_empty()).then(|| match tender.areas.len() {
                1 => "1 area".to_owned(),
                count => format!("{count} areas"),
            }),
        ),
        (
            "value",
            "Value and contract dates",
            (tender.estimated_value.is_some()
                && period.is_some_and(|period| period.start_date.is_some() && period.end_date.is_some()))
            .then(|| super::pounds(tender.estimated_value.as_ref())),
        ),
        (
            "funders",
            "Funders and their shares",
            Some(match tender.funders.len() {
                0 => "Your council pays all of it".to_owned(),
                1 => "1 funder".to_owned(),
                count => format!("{count} funders"),
            }),
        ),
        (
            "questions",
            "Bid questions and word limits",
            (!tender.bid_questions.is_empty())
                .then(|| format!("{} questions, {words} words", tender.bid_questions.len())),
        ),
        ("criteria", "Criteria and weights", (weights == 100).then(|| format!("{} criteria", tender.criteria.len()))),
        (
            "evidence",
            "Evidence the winner shows",
            Some(match tender.evidence_requirements.len() {
                0 => "None".to_owned(),
                1 => "1 document".to_owned(),
                count => format!("{count} documents"),
            }),
        ),
        (
            "dates",
            "Questions and bid deadline",
            (tender.enquiry_period_end.is_some() && tender.bid_deadline.is_some())
                .then(|| super::when(tender.bid_deadline.as_ref())),
        ),
    ]
}

/// GET /officer/tenders/{id}/draft
pub async fn task_list(
    State(state): State<PortalState>,
    Path(id): Path<String>,
    visit: StaffVisit,
) -> Result<Response, PageError> {
    let StaffVisit { session, jar, person } = officer(visit)?;
    let tender = own_draft(&state, &person, &id).await?;
    let items: Vec<Value> = tasks(&tender)
        .into_iter()
        .map(|(path, name, done)| {
            let status = match done {
                Some(text) => context! { text },
                None => context! { tag => context! { text => "Incomplete", classes => "govuk-tag--blue" } },
            };
            context! { title => context! { text => name }, href => format!("/officer/tenders/{id}/draft/{path}"), status }
        })
        .collect();
    let values = context! { tender => tender_values(&tender), tasks => items };
    Ok(page(&state, &session, jar, "officer_draft.html", "Your draft tender", &FormErrors::default(), values))
}
