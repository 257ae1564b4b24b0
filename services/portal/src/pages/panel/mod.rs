//! A closed tender's evaluation, page by page for the people on it: the officer reads the opening
//! record and assigns the panel, each evaluator scores the bids in their scope blind to the
//! others, the moderator agrees the scores and completes, and the officer reads the ranking. What
//! each page shows is what the evaluation service returned to that person: it decides who sees
//! which bids, criteria and scores.

mod assign;
mod assigned;
mod moderation;
mod opening;
mod ranking;
mod scoring;

pub use assign::{assign_evaluator, panel};
pub use assigned::evaluations_for;
pub use moderation::{complete_evaluation, moderate_bid, moderation, moderation_bid, start_moderation};
pub use opening::opening_record;
pub use ranking::ranking;
pub use scoring::{finish_scoring, score_bid, scoring, scoring_bid};

use std::collections::HashMap;

use minijinja::context;
use proto::commissioning::evaluation::v1::{
    EvaluatedBid, Evaluation, EvaluationStatus, GetEvaluationRequest, PanelMember, PanelRole, PassFailOutcome,
};
use proto::commissioning::tendering::v1::{Criterion, CriterionKind};

use super::tenders::pounds;
use super::{FormErrors, PageError};
use crate::PortalState;
use crate::sessions::Person;

/// A form that sends nothing but its CSRF token: a button that does one thing.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ButtonForm {
    csrf_token: String,
}

/// The tender's evaluation as `person` may see it: NOT_FOUND before the tender has closed, and
/// for anyone the service does not show it to.
pub(super) async fn evaluation_of(
    state: &PortalState,
    person: &Person,
    tender_id: &str,
) -> Result<Evaluation, PageError> {
    let request = GetEvaluationRequest { tender_id: tender_id.to_owned(), ..Default::default() };
    let request = state.as_person(person, request)?;
    state.evaluation().get_evaluation(request).await?.into_inner().evaluation.ok_or(PageError::NotFound)
}

/// `person`'s place on the panel, if they are on it.
fn member_of<'a>(evaluation: &'a Evaluation, person: &Person) -> Option<&'a PanelMember> {
    evaluation.panel.iter().find(|member| member.user_id == person.user_id)
}

/// The criteria a panel member scores: those they were given, or every criterion but price.
fn scope<'a>(evaluation: &'a Evaluation, member: &PanelMember) -> Vec<&'a Criterion> {
    evaluation
        .criteria
        .iter()
        .filter(|criterion| criterion.kind() != CriterionKind::Price)
        .filter(|criterion| member.criterion_ids.is_empty() || member.criterion_ids.contains(&criterion.id))
        .collect()
}

/// The bid `bid_id` of the evaluation.
fn bid_of<'a>(evaluation: &'a Evaluation, bid_id: &str) -> Result<&'a EvaluatedBid, PageError> {
    evaluation.bids.iter().find(|bid| bid.bid_id == bid_id).ok_or(PageError::NotFound)
}

fn status_name(status: EvaluationStatus) -> &'static str {
    match status {
        EvaluationStatus::Scoring => "Being scored",
        EvaluationStatus::Moderation => "Being moderated",
        EvaluationStatus::Completed => "Completed",
        EvaluationStatus::Cancelled => "Cancelled",
        EvaluationStatus::Unspecified => "Unknown",
    }
}

fn role_name(member: &PanelMember, evaluation: &Evaluation) -> String {
    match member.role() {
        PanelRole::Moderator => "Moderator".to_owned(),
        PanelRole::ResidentEvaluator => {
            let names: Vec<&str> = evaluation
                .criteria
                .iter()
                .filter(|criterion| member.criterion_ids.contains(&criterion.id))
                .map(|criterion| criterion.name.as_str())
                .collect();
            format!("Resident evaluator: {}", names.join(", "))
        }
        PanelRole::Evaluator | PanelRole::Unspecified => "Evaluator".to_owned(),
    }
}

/// The tender as the panel's pages head it.
fn tender_values(evaluation: &Evaluation) -> minijinja::Value {
    context! {
        id => &evaluation.tender_id,
        title => &evaluation.tender_title,
        status => status_name(evaluation.status()),
    }
}

/// What a bid says, question by question, and its price, for the people scoring it.
fn bid_contents(evaluation: &Evaluation, bid: &EvaluatedBid) -> minijinja::Value {
    let content = bid.content.clone().unwrap_or_default();
    let answers: Vec<_> = evaluation
        .bid_questions
        .iter()
        .map(|question| {
            let answer = content.answers.iter().find(|answer| answer.bid_question_id == question.id);
            context! { question => &question.text, answer => answer.map_or("", |answer| answer.text.as_str()) }
        })
        .collect();
    let partners: Vec<_> = bid.partners.iter().map(|partner| partner.name.as_str()).collect();
    context! {
        id => &bid.bid_id,
        provider => &bid.provider_name,
        price => pounds(content.total_price.as_ref()),
        answers,
        partners => partners.join(", "),
    }
}

/// A criterion's scale as its form field's hint says it.
fn scale_hint(criterion: &Criterion) -> String {
    let levels: Vec<String> =
        criterion.scale_levels.iter().map(|level| format!("{}: {}", level.score, level.description)).collect();
    let scale = format!("A whole number from 0 to {}.", criterion.max_score);
    if levels.is_empty() { scale } else { format!("{scale} {}", levels.join("; ")) }
}

/// One criterion's score, as typed into a scoring or moderation form: fields `score-n`,
/// `pass_fail-n` and `reason-n` for the criterion at position n (from 1) of the form.
struct TypedScore {
    score: i32,
    pass_fail: PassFailOutcome,
    reason: String,
}

/// Reads the score of criterion `criterion` at position `number` of `form`, adding each problem
/// to `errors` on its field in plain English.
fn typed_score(
    form: &HashMap<String, String>,
    number: usize,
    criterion: &Criterion,
    errors: &mut FormErrors,
) -> Option<TypedScore> {
    let field = |name: &str| form.get(&format!("{name}-{number}")).map_or("", |value| value.trim());
    let reason = field("reason").to_owned();
    let mut complete = true;
    let (score, pass_fail) = if criterion.kind() == CriterionKind::PassFail {
        let outcome = match field("pass_fail") {
            "pass" => Some(PassFailOutcome::Pass),
            "fail" => Some(PassFailOutcome::Fail),
            _ => None,
        };
        if outcome.is_none() {
            complete = false;
            errors.add(&format!("pass_fail-{number}"), format!("Select whether the bid passes {}", criterion.name));
        }
        (0, outcome.unwrap_or(PassFailOutcome::Unspecified))
    } else {
        let typed = field("score");
        let score = typed.parse::<i32>().ok().filter(|score| (0..=criterion.max_score).contains(score));
        if score.is_none() {
            complete = false;
            let message = if typed.is_empty() {
                format!("Enter a score for {}", criterion.name)
            } else {
                format!("The score for {} must be a whole number from 0 to {}", criterion.name, criterion.max_score)
            };
            errors.add(&format!("score-{number}"), message);
        }
        (score.unwrap_or(0), PassFailOutcome::Unspecified)
    };
    if reason.is_empty() {
        complete = false;
        errors.add(&format!("reason-{number}"), format!("Enter the reason for the score for {}", criterion.name));
    } else if reason.chars().count() > 4_000 {
        complete = false;
        errors.add(
            &format!("reason-{number}"),
            format!("The reason for {} must be 4,000 characters or fewer", criterion.name),
        );
    }
    complete.then_some(TypedScore { score, pass_fail, reason })
}

/// The form field a service's field violation at `path` is about: `scores[i].reason` is the
/// reason of the form's criterion i + 1 (the scores are sent in the form's order).
fn score_field(path: &str) -> String {
    let index = path
        .strip_prefix("scores[")
        .and_then(|rest| rest.split(']').next())
        .and_then(|index| index.parse::<usize>().ok())
        .unwrap_or(0);
    let name = if path.ends_with("reason") {
        "reason"
    } else if path.ends_with("pass_fail") {
        "pass_fail"
    } else {
        "score"
    };
    format!("{name}-{}", index + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn criterion(kind: CriterionKind) -> Criterion {
        Criterion {
            id: "c".into(),
            name: "Reaching people".into(),
            kind: kind as i32,
            max_score: 5,
            ..Default::default()
        }
    }

    #[test]
    fn a_score_needs_a_number_on_the_scale_and_a_reason() {
        let form: HashMap<String, String> = [("score-1".to_owned(), "7".to_owned())].into();
        let mut errors = FormErrors::default();
        assert!(typed_score(&form, 1, &criterion(CriterionKind::Quality), &mut errors).is_none());
        assert_eq!(
            format!("{errors:?}"),
            r#"FormErrors([("score-1", "The score for Reaching people must be a whole number from 0 to 5"), ("reason-1", "Enter the reason for the score for Reaching people")])"#
        );
        let form: HashMap<String, String> =
            [("pass_fail-2".to_owned(), "pass".to_owned()), ("reason-2".to_owned(), "named lead".to_owned())].into();
        let mut errors = FormErrors::default();
        let typed = typed_score(&form, 2, &criterion(CriterionKind::PassFail), &mut errors);
        assert_eq!(typed.map(|typed| typed.pass_fail), Some(PassFailOutcome::Pass));
    }

    #[test]
    fn a_refused_score_is_shown_on_its_field() {
        assert_eq!(score_field("scores[1].reason"), "reason-2");
        assert_eq!(score_field("scores[0].score"), "score-1");
        assert_eq!(score_field("scores[0].pass_fail"), "pass_fail-1");
    }
}
