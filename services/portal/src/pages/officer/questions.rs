//! The bid questions every bidder answers, each with its word limit. The page offers as many
//! questions as the service's guardrail allows and states its limits on questions and words; a
//! question's id is kept so the criteria scoring it still name it.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use axum_extra::extract::cookie::CookieJar;
use minijinja::context;
use proto::commissioning::tendering::v1::{BidQuestion, Tender, TenderingRules};
use serde::{Deserialize, Serialize};

use super::{Saved, officer, officer_form, own_draft, save_task, task_page, templates_and_rules};
use crate::PortalState;
use crate::pages::{FormErrors, PageError};
use crate::sessions::Session;
use crate::visitor::{StaffVisit, Visit};

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct QuestionsForm {
    #[serde(skip_serializing)]
    csrf_token: String,
    etag: String,
    question_id: Vec<String>,
    question: Vec<String>,
    word_limit: Vec<String>,
}

fn form_of(tender: &Tender) -> QuestionsForm {
    QuestionsForm {
        etag: tender.etag.clone(),
        question_id: tender.bid_questions.iter().map(|question| question.id.clone()).collect(),
        question: tender.bid_questions.iter().map(|question| question.text.clone()).collect(),
        word_limit: tender.bid_questions.iter().map(|question| question.word_limit.to_string()).collect(),
        ..Default::default()
    }
}

fn questions_page(
    state: &PortalState,
    session: &Session,
    jar: CookieJar,
    tender: &Tender,
    rules: &TenderingRules,
    form: &QuestionsForm,
    errors: &FormErrors,
) -> Response {
    let shown = usize::try_from(rules.max_bid_questions).unwrap_or(0).max(form.question.len());
    let typed = |list: &[String], index: usize| list.get(index).cloned().unwrap_or_default();
    let rows: Vec<_> = (0..shown)
        .map(|index| {
            context! {
                number => index + 1,
                id => typed(&form.question_id, index),
                question => typed(&form.question, index),
                word_limit => typed(&form.word_limit, index),
            }
        })
        .collect();
    let words: i64 = form.word_limit.iter().filter_map(|limit| limit.trim().parse::<i64>().ok()).sum();
    let form = context! { rows, words, etag => &form.etag };
    task_page(
        state,
        session,
        jar,
        "officer_questions.html",
        "Bid questions and word limits",
        tender,
        rules,
        errors,
        form,
    )
}

/// GET /officer/tenders/{id}/draft/questions
pub async fn questions_form(
    State(state): State<PortalState>,
    Path(id): Path<String>,
    visit: StaffVisit,
) -> Result<Response, PageError> {
    let StaffVisit { session, jar, person } = officer(visit)?;
    let tender = own_draft(&state, &person, &id).await?;
    let (_, rules) = templates_and_rules(&state, &person).await?;
    Ok(questions_page(&state, &session, jar, &tender, &rules, &form_of(&tender), &FormErrors::default()))
}

/// The rows the officer filled in, by their row on the form (1 up), as questions.
fn questions_of(errors: &mut FormErrors, form: &QuestionsForm, tender: &Tender) -> Vec<(usize, BidQuestion)> {
    let mut questions = Vec::new();
    for (index, text) in form.question.iter().enumerate() {
        let number = index + 1;
        let limit = form.word_limit.get(index).map_or("", |limit| limit.trim());
        if text.trim().is_empty() {
            if !limit.is_empty() {
                errors.add(&format!("question-{number}"), format!("Enter question {number}, or clear its word limit"));
            }
            continue;
        }
        let Some(word_limit) = limit.parse::<i32>().ok().filter(|limit| (1..=2_000).contains(limit)) else {
            errors.add(
                &format!("question-{number}-words"),
                format!("Enter question {number}'s word limit, 1 to 2,000 words"),
            );
            continue;
        };
        let id = form.question_id.get(index).cloned().unwrap_or_default();
        let guidance = tender
            .bid_questions
            .iter()
            .find(|question| !id.is_empty() && question.id == id)
            .map(|question| question.guidance.clone());
        questions.push((
            number,
            BidQuestion { id, text: text.trim().to_owned(), guidance: guidance.unwrap_or_default(), word_limit },
        ));
    }
    questions
}

/// POST /officer/tenders/{id}/draft/questions
pub async fn save_questions(
    State(state): State<PortalState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    visit: Visit,
    Form(form): Form<QuestionsForm>,
) -> Result<Response, PageError> {
    let StaffVisit { session, jar, person } = officer_form(visit, &headers, &form.csrf_token)?;
    let tender = own_draft(&state, &person, &id).await?;
    let (_, rules) = templates_and_rules(&state, &person).await?;
    let mut errors = FormErrors::default();
    let rows = questions_of(&mut errors, &form, &tender);
    if rows.is_empty() && errors.is_empty() {
        errors.add("question-1", "Enter at least one question");
    }
    if !errors.is_empty() {
        return Ok(questions_page(&state, &session, jar, &tender, &rules, &form, &errors));
    }
    let numbers: Vec<usize> = rows.iter().map(|(number, _)| *number).collect();
    let field_of = move |path: &str| {
        let index = path
            .strip_prefix("bid_questions[")
            .and_then(|rest| rest.split(']').next())
            .and_then(|number| number.parse::<usize>().ok())
            .unwrap_or(0);
        let number = numbers.get(index).copied().unwrap_or(1);
        if path.ends_with("word_limit") { format!("question-{number}-words") } else { format!("question-{number}") }
    };
    let changed = Tender {
        id: id.clone(),
        bid_questions: rows.into_iter().map(|(_, question)| question).collect(),
        ..Default::default()
    };
    match save_task(&state, &person, changed, &["bid_questions"], &form.etag, field_of).await? {
        Saved::Done => Ok((jar, Redirect::to(&format!("/officer/tenders/{id}/draft"))).into_response()),
        Saved::Refused(errors) => {
            let form = QuestionsForm { etag: tender.etag.clone(), ..form };
            Ok(questions_page(&state, &session, jar, &tender, &rules, &form, &errors))
        }
    }
}
