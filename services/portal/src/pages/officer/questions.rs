//! The bid questions every bidder answers, each with its word limit. The page offers as many
//! questions as the service's guardrail allows and states its limits on questions and words; a
//! question's id is kept so the criteria scoring it still name it.

use minijinja::{Value, context};
use proto::commissioning::tendering::v1::{BidQuestion, Tender};
use serde::{Deserialize, Serialize};

use super::task::{Draft, Task};
use crate::pages::FormErrors;
use crate::sessions::Person;

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct QuestionsForm {
    #[serde(skip_serializing)]
    pub(super) csrf_token: String,
    pub(super) etag: String,
    question_id: Vec<String>,
    question: Vec<String>,
    word_limit: Vec<String>,
}

impl QuestionsForm {
    /// The rows filled in, each with its row's number (1 up), as questions.
    fn questions(&self, tender: &Tender, errors: &mut FormErrors) -> Vec<(usize, BidQuestion)> {
        let mut questions = Vec::new();
        for (index, text) in self.question.iter().enumerate() {
            let number = index + 1;
            let limit = self.word_limit.get(index).map_or("", |limit| limit.trim());
            if text.trim().is_empty() {
                if !limit.is_empty() {
                    errors.add(
                        &format!("question-{number}"),
                        format!("Enter question {number}, or clear its word limit"),
                    );
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
            let id = self.question_id.get(index).cloned().unwrap_or_default();
            let guidance = tender
                .bid_questions
                .iter()
                .find(|question| !id.is_empty() && question.id == id)
                .map(|question| question.guidance.clone())
                .unwrap_or_default();
            questions.push((number, BidQuestion { id, text: text.trim().to_owned(), guidance, word_limit }));
        }
        questions
    }
}

impl Task for QuestionsForm {
    const TEMPLATE: &'static str = "officer_questions.html";
    const TITLE: &'static str = "Bid questions and word limits";
    const PATHS: &'static [&'static str] = &["bid_questions"];

    fn of(draft: &Draft) -> Self {
        let questions = &draft.tender.bid_questions;
        Self {
            etag: draft.tender.etag.clone(),
            question_id: questions.iter().map(|question| question.id.clone()).collect(),
            question: questions.iter().map(|question| question.text.clone()).collect(),
            word_limit: questions.iter().map(|question| question.word_limit.to_string()).collect(),
            ..Default::default()
        }
    }

    /// As many rows as the guardrail allows questions (or the draft has), and the words in all.
    fn values(&self, draft: &Draft) -> Value {
        let shown = usize::try_from(draft.rules.max_bid_questions).unwrap_or(0).max(self.question.len());
        let typed = |list: &[String], index: usize| list.get(index).cloned().unwrap_or_default();
        let rows: Vec<_> = (0..shown)
            .map(|index| {
                context! {
                    number => index + 1,
                    id => typed(&self.question_id, index),
                    question => typed(&self.question, index),
                    word_limit => typed(&self.word_limit, index),
                }
            })
            .collect();
        let words: i64 = self.word_limit.iter().filter_map(|limit| limit.trim().parse::<i64>().ok()).sum();
        context! { rows, words, etag => &self.etag }
    }

    fn change(&self, draft: &Draft, _person: &Person, errors: &mut FormErrors) -> Option<Tender> {
        let rows = self.questions(&draft.tender, errors);
        if rows.is_empty() {
            errors.add("question-1", "Enter at least one question");
        }
        Some(Tender { bid_questions: rows.into_iter().map(|(_, question)| question).collect(), ..Default::default() })
    }

    fn field_of(&self, path: &str) -> String {
        let numbers: Vec<usize> = self
            .question
            .iter()
            .enumerate()
            .filter(|(_, text)| !text.trim().is_empty())
            .map(|(index, _)| index + 1)
            .collect();
        let index = path
            .strip_prefix("bid_questions[")
            .and_then(|rest| rest.split(']').next())
            .and_then(|number| number.parse::<usize>().ok())
            .unwrap_or(0);
        let number = numbers.get(index).copied().unwrap_or(1);
        if path.ends_with("word_limit") { format!("question-{number}-words") } else { format!("question-{number}") }
    }
}
