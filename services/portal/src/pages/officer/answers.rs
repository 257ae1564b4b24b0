//! Bidders' clarification questions on a council's tender: those waiting, each answered with the
//! question as it will be published (edited to remove anything that says who asked), and the
//! published answers as every bidder reads them, never with the asker.

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use minijinja::context;
use proto::commissioning::tendering::v1::{
    AnswerQuestionRequest, ListQuestionsRequest, Question, QuestionStatus, TenderStatus,
};
use serde::Deserialize;

use super::{officer, officer_form, own_tender, tender_values, when};
use crate::PortalState;
use crate::calls::field_violations;
use crate::pages::{FormErrors, PageError, page, sentence};
use crate::visitor::{StaffVisit, Visit};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AnswerForm {
    csrf_token: String,
    published_text: String,
    answer: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct QuestionsQuery {
    answered: Option<String>,
}

/// The page, with `typed` kept for the question it was typed for.
async fn questions_page(
    state: &PortalState,
    StaffVisit { session, jar, person }: StaffVisit,
    id: &str,
    typed: Option<(&str, &AnswerForm)>,
    errors: &FormErrors,
    answered: bool,
) -> Result<Response, PageError> {
    let tender = own_tender(state, &person, id).await?;
    let request = ListQuestionsRequest { tender_id: tender.id.clone(), page_size: 200, ..Default::default() };
    let questions = state.tendering().list_questions(state.as_person(&person, request)?).await?.into_inner().questions;
    let waiting: Vec<_> = questions
        .iter()
        .filter(|question| question.status() == QuestionStatus::AwaitingAnswer)
        .map(|question: &Question| {
            let kept = typed.filter(|(question_id, _)| *question_id == question.id).map(|(_, form)| form);
            context! {
                id => &question.id,
                text => &question.text,
                asked => when(question.ask_time.as_ref()),
                published_text => kept.map_or(question.text.as_str(), |form| form.published_text.as_str()),
                answer => kept.map_or("", |form| form.answer.as_str()),
            }
        })
        .collect();
    let published: Vec<_> = questions
        .iter()
        .filter(|question| question.status() == QuestionStatus::Answered)
        .map(|question| context! { text => &question.text, answer => &question.answer })
        .collect();
    let open = !matches!(tender.status(), TenderStatus::Cancelled | TenderStatus::Unsuccessful)
        && tender
            .bid_deadline
            .as_ref()
            .and_then(platform::time::from_timestamp)
            .is_some_and(|deadline| deadline > chrono::Utc::now());
    let values = context! { tender => tender_values(&tender), waiting, published, open, answered };
    Ok(page(state, &session, jar, "officer_questions_answers.html", "Questions from bidders", errors, values))
}

/// GET /officer/tenders/{id}/questions
pub async fn questions(
    State(state): State<PortalState>,
    Path(id): Path<String>,
    Query(query): Query<QuestionsQuery>,
    visit: StaffVisit,
) -> Result<Response, PageError> {
    questions_page(&state, officer(visit)?, &id, None, &FormErrors::default(), query.answered.is_some()).await
}

/// POST /officer/tenders/{id}/questions/{question}
pub async fn answer_question(
    State(state): State<PortalState>,
    headers: HeaderMap,
    Path((id, question)): Path<(String, String)>,
    visit: Visit,
    Form(form): Form<AnswerForm>,
) -> Result<Response, PageError> {
    let visit = officer_form(visit, &headers, &form.csrf_token)?;
    own_tender(&state, &visit.person, &id).await?;
    let field = format!("answer-{question}");
    let mut errors = FormErrors::default();
    if form.answer.trim().is_empty() {
        errors.add(&field, "Enter your answer");
        return questions_page(&state, visit, &id, Some((&question, &form)), &errors, false).await;
    }
    let request = AnswerQuestionRequest {
        question_id: question.clone(),
        answer: form.answer.trim().to_owned(),
        published_text: form.published_text.trim().to_owned(),
    };
    match state.tendering().answer_question(state.as_person(&visit.person, request)?).await {
        Ok(_) => {
            Ok((visit.jar, Redirect::to(&format!("/officer/tenders/{id}/questions?answered=1#published")))
                .into_response())
        }
        Err(status) if status.code() == tonic::Code::InvalidArgument => {
            for (path, description) in field_violations(&status) {
                let on = if path.contains("published_text") { format!("question-{question}") } else { field.clone() };
                errors.add(&on, sentence(&description));
            }
            if errors.is_empty() {
                errors.add(&field, sentence(status.message()));
            }
            questions_page(&state, visit, &id, Some((&question, &form)), &errors, false).await
        }
        Err(status) if status.code() == tonic::Code::FailedPrecondition => {
            errors.add(&field, format!("You cannot answer now: {}", status.message()));
            questions_page(&state, visit, &id, Some((&question, &form)), &errors, false).await
        }
        Err(status) => Err(status.into()),
    }
}
