//! "Check your answers" for a draft: every task's answers with a link to change them, then
//! PublishTender. Its refusals (a required field missing, the deadline too soon, a guardrail
//! broken) are listed in the error summary, each linking to the task it is about.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use axum_extra::extract::cookie::CookieJar;
use minijinja::{Value, context};
use proto::commissioning::common::v1::area::Part;
use proto::commissioning::tendering::v1::{PublishTenderRequest, Tender};
use serde::Deserialize;

use super::criteria::kind_name;
use super::draft::tasks;
use super::{officer, officer_form, own_draft, platform_violations, pounds, tender_values, when};
use crate::PortalState;
use crate::pages::locker::{kind_name as document_name, long_date};
use crate::pages::{FormErrors, PageError, page, sentence};
use crate::sessions::Session;
use crate::visitor::{StaffVisit, Visit};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PublishForm {
    csrf_token: String,
}

/// The task a publishing problem's field path is about.
fn task_of(path: &str) -> &'static str {
    let path = path.trim_start_matches("tender.");
    match path {
        path if path.starts_with("eligibility") => "who",
        path if path.starts_with("areas") => "where",
        path if ["estimated_value", "maximum_budget", "contract_period", "extension"]
            .iter()
            .any(|field| path.starts_with(field)) =>
        {
            "value"
        }
        path if path.starts_with("funders") => "funders",
        path if path.starts_with("bid_questions") => "questions",
        path if path.starts_with("criteria") || path.starts_with("price_weight") => "criteria",
        path if path.starts_with("evidence") => "evidence",
        path if path.starts_with("enquiry") || path.starts_with("bid_deadline") => "dates",
        _ => "what",
    }
}

fn row(key: &str, value: String) -> Value {
    context! { key => context! { text => key }, value => context! { text => value } }
}

/// Each task's answers, as a summary card with its change link.
fn cards(tender: &Tender) -> Vec<Value> {
    let eligibility = tender.eligibility.clone().unwrap_or_default();
    let who = if eligibility.open_to_everyone {
        "Anyone".to_owned()
    } else {
        let mut parts = Vec::new();
        if eligibility.minimum_age > 0 {
            parts.push(format!("aged {} or over", eligibility.minimum_age));
        }
        if eligibility.maximum_age > 0 {
            parts.push(format!("aged {} or under", eligibility.maximum_age));
        }
        if !eligibility.description.is_empty() {
            parts.push(eligibility.description.clone());
        }
        parts.join("; ")
    };
    let areas: Vec<String> = tender
        .areas
        .iter()
        .map(|area| match &area.part {
            Some(Part::PostcodeDistrict(district)) => district.clone(),
            _ => format!("All of {}", tender.council_name),
        })
        .collect();
    let period = tender.contract_period.unwrap_or_default();
    let funders: Vec<String> = tender
        .funders
        .iter()
        .map(|funder| {
            let name = funder.organisation.as_ref().map_or("", |organisation| organisation.name.as_str());
            format!("{name}: {}%", f64::from(funder.share_basis_points) / 100.0)
        })
        .collect();
    let mut rows_of: Vec<(&str, Vec<Value>)> = vec![
        ("what", {
            let mut rows = vec![row("Title", tender.title.clone()), row("Summary", tender.summary.clone())];
            rows.extend(tender.description_sections.iter().map(|section| row(&section.heading, section.body.clone())));
            rows
        }),
        ("who", vec![row("Who may use it", who)]),
        ("where", vec![row("Areas", areas.join(", "))]),
        (
            "value",
            vec![
                row("Estimated value", pounds(tender.estimated_value.as_ref())),
                row(
                    "Contract",
                    format!("{} to {}", long_date(period.start_date.as_ref()), long_date(period.end_date.as_ref())),
                ),
            ],
        ),
        (
            "funders",
            vec![row(
                "Funders",
                if funders.is_empty() { format!("{} pays all of it", tender.council_name) } else { funders.join(", ") },
            )],
        ),
        (
            "questions",
            tender
                .bid_questions
                .iter()
                .map(|question| row(&question.text, format!("Up to {} words", question.word_limit)))
                .collect(),
        ),
        (
            "criteria",
            tender
                .criteria
                .iter()
                .map(|criterion| {
                    row(&criterion.name, format!("{}: weight {}", kind_name(criterion.kind()), criterion.weight))
                })
                .collect(),
        ),
        (
            "evidence",
            tender
                .evidence_requirements
                .iter()
                .map(|requirement| row(document_name(requirement.kind), pounds(requirement.minimum_cover.as_ref())))
                .collect(),
        ),
        (
            "dates",
            vec![
                row("Questions close", when(tender.enquiry_period_end.as_ref())),
                row("Bids close", when(tender.bid_deadline.as_ref())),
            ],
        ),
    ];
    let names = tasks(tender);
    rows_of
        .drain(..)
        .map(|(task, rows)| {
            let name = names.iter().find(|(path, _, _)| *path == task).map_or("", |(_, name, _)| *name);
            context! {
                id => task,
                card => context! {
                    title => context! { text => name },
                    actions => context! { items => [context! { href => format!("/officer/tenders/{}/draft/{task}", tender.id), text => "Change" }] },
                },
                rows,
            }
        })
        .collect()
}

fn check_page(
    state: &PortalState,
    session: &Session,
    jar: CookieJar,
    tender: &Tender,
    errors: &FormErrors,
) -> Response {
    let values = context! { tender => tender_values(tender), cards => cards(tender) };
    page(state, session, jar, "officer_check.html", "Check your answers before publishing", errors, values)
}

/// GET /officer/tenders/{id}/check
pub async fn check_answers(
    State(state): State<PortalState>,
    Path(id): Path<String>,
    visit: StaffVisit,
) -> Result<Response, PageError> {
    let StaffVisit { session, jar, person } = officer(visit)?;
    let tender = own_draft(&state, &person, &id).await?;
    Ok(check_page(&state, &session, jar, &tender, &FormErrors::default()))
}

/// POST /officer/tenders/{id}/check
pub async fn publish(
    State(state): State<PortalState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    visit: Visit,
    Form(form): Form<PublishForm>,
) -> Result<Response, PageError> {
    let StaffVisit { session, jar, person } = officer_form(visit, &headers, &form.csrf_token)?;
    let tender = own_draft(&state, &person, &id).await?;
    let request = state.as_person(&person, PublishTenderRequest { tender_id: id.clone() })?;
    match state.tendering().publish_tender(request).await {
        Ok(_) => Ok((jar, Redirect::to(&format!("/officer/tenders/{id}?published=1"))).into_response()),
        Err(status) if status.code() == tonic::Code::FailedPrecondition => {
            let mut errors = FormErrors::default();
            let problems = platform_violations(&status);
            if problems.is_empty() {
                errors.add("what", sentence(status.message()));
            }
            // Several problems may be about one task: each is listed, all linking to its card.
            for (path, description) in &problems {
                errors.add_another(task_of(path), sentence(description));
            }
            Ok(check_page(&state, &session, jar, &tender, &errors))
        }
        Err(status) => Err(status.into()),
    }
}
