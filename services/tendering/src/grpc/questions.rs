//! AskQuestion, AnswerQuestion, ListQuestions. An answer is published to everyone without the
//! asker's identity; the asker's organisation is kept only to show it its own questions.

use platform::auth::Caller;
use platform::db::database_now;
use platform::paging::Page;
use platform::time::{from_timestamp, to_timestamp};
use platform::validation::{optional_text, required_text};
use platform::{Error, idempotency};
use proto::commissioning::tendering::v1::*;
use tonic::{Request, Response};

use super::access::{
    acts_for_provider, ensure_buying_officer, ensure_visible, is_buying_officer, reader_of, status_name,
};
use super::tenders::{ensure_open_for_bids, locked, record, required_id};
use super::{Answer, TenderingApi};
use crate::store::{questions, tenders};

const QUESTION_MAX: usize = 2_000;
const ANSWER_MAX: usize = 4_000;

impl TenderingApi {
    pub(super) async fn ask(&self, request: Request<AskQuestionRequest>) -> Answer<AskQuestionResponse> {
        let caller = Caller::of(&request)?.clone();
        let request = request.into_inner();
        idempotency::check_request_id("request_id", &request.request_id)?;
        let tender_id = required_id(&request.tender_id)?;
        let text = required_text(&request.text, QUESTION_MAX)
            .map_err(|invalid| Error::InvalidArgument(vec![invalid.at("text")]))?;
        let asker = caller.clone();
        let id = self
            .db
            .unit_of_work(|txn| {
                Box::pin(async move {
                    let stored = locked(txn, &tender_id).await?;
                    ensure_visible(&asker, &stored.tender)?;
                    let tender = &stored.tender;
                    let now = database_now(txn).await?;
                    let enquiry_end = tender.enquiry_period_end.as_ref().and_then(from_timestamp);
                    if tender.status != TenderStatus::ActiveEnquiries as i32
                        || enquiry_end.is_some_and(|end| now >= end)
                    {
                        let when =
                            enquiry_end.map(|end| format!(" (it ended at {})", end.to_rfc3339())).unwrap_or_default();
                        return Err(Error::precondition(
                            "ENQUIRIES_CLOSED",
                            format!(
                                "questions are taken only during the enquiry period{when}; the tender is {}",
                                status_name(tender)
                            ),
                        ));
                    }
                    let question = Question {
                        id: uuid::Uuid::new_v4().to_string(),
                        tender_id: tender.id.clone(),
                        text,
                        status: QuestionStatus::AwaitingAnswer as i32,
                        ask_time: Some(to_timestamp(now)),
                        ..Default::default()
                    };
                    let claimed =
                        idempotency::claim(txn, &asker.user_id, "AskQuestion", &request.request_id, &question.id);
                    if let Some(earlier) = claimed.await? {
                        return Ok::<_, Error>(earlier);
                    }
                    questions::insert(txn, &question, &asker.organisation_id, now).await?;
                    let details = serde_json::json!({ "question_id": question.id });
                    record(txn, &asker, "question.asked", tender, details).await?;
                    Ok(question.id)
                })
            })
            .await?;
        let stored = questions::find(self.db.conn(), &id).await?.ok_or(Error::NotFound { kind: "question", id })?;
        Ok(Response::new(AskQuestionResponse { question: Some(shown(stored, &caller)) }))
    }

    pub(super) async fn answer(&self, request: Request<AnswerQuestionRequest>) -> Answer<AnswerQuestionResponse> {
        let caller = Caller::of(&request)?.clone();
        let request = request.into_inner();
        if request.question_id.trim().is_empty() {
            return Err(Error::invalid("question_id", "required: the question to answer").into());
        }
        let answer = required_text(&request.answer, ANSWER_MAX)
            .map_err(|invalid| Error::InvalidArgument(vec![invalid.at("answer")]))?;
        let published_text = optional_text(&request.published_text, QUESTION_MAX)
            .map_err(|invalid| Error::InvalidArgument(vec![invalid.at("published_text")]))?;
        let officer = caller.clone();
        let question = self
            .db
            .unit_of_work(|txn| {
                Box::pin(async move {
                    let not_found = || Error::NotFound { kind: "question", id: request.question_id.clone() };
                    let mut stored = questions::find(txn, &request.question_id).await?.ok_or_else(not_found)?;
                    let tender = locked(txn, &stored.question.tender_id).await?;
                    ensure_buying_officer(&officer, &tender.tender)?;
                    ensure_open_for_bids(&tender.tender, database_now(txn).await?, "answered")?;
                    let question = &mut stored.question;
                    if !published_text.is_empty() {
                        question.text = published_text;
                    }
                    question.answer = answer;
                    question.status = QuestionStatus::Answered as i32;
                    question.answer_time = Some(to_timestamp(chrono::Utc::now()));
                    questions::save_answer(txn, question).await?;
                    let details = serde_json::json!({ "question_id": question.id });
                    record(txn, &officer, "question.answered", &tender.tender, details).await?;
                    Ok::<_, Error>(stored)
                })
            })
            .await?;
        Ok(Response::new(AnswerQuestionResponse { question: Some(shown(question, &caller)) }))
    }

    pub(super) async fn questions(&self, request: Request<ListQuestionsRequest>) -> Answer<ListQuestionsResponse> {
        let caller = reader_of(&request);
        let page = Page::of(request.get_ref())?;
        let tender_id = required_id(&request.get_ref().tender_id)?;
        let stored = tenders::find(self.db.conn(), &tender_id)
            .await?
            .ok_or(Error::NotFound { kind: "tender", id: tender_id })?;
        ensure_visible(&caller, &stored.tender)?;
        let all = is_buying_officer(&caller, &stored.tender);
        let asked_by =
            if acts_for_provider(&caller, &caller.organisation_id) { caller.organisation_id.as_str() } else { "" };
        let found = questions::list(self.db.conn(), &stored.tender.id, all, asked_by, page).await?;
        let next_page_token = page.next_token(found.len());
        let questions = found.into_iter().map(|question| shown(question, &caller)).collect();
        Ok(Response::new(ListQuestionsResponse { questions, next_page_token }))
    }
}

/// A question as `caller` sees it: never who asked, only whether it was them.
fn shown(stored: questions::Stored, caller: &Caller) -> Question {
    let asked_by_caller = acts_for_provider(caller, &stored.asker_organisation);
    Question { asked_by_caller, ..stored.question }
}
