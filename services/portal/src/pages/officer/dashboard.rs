//! The officer's part of the staff dashboard: the council's tenders by state, the deadlines coming
//! up, the bidders' questions waiting for an answer, and the awards held up because the
//! recommended bidder's evidence falls short.

use minijinja::{Value, context};
use proto::commissioning::evaluation::v1::{EvaluationStatus, ListEvaluationsRequest};
use proto::commissioning::tendering::v1::{
    ListQuestionsRequest, ListTendersRequest, QuestionStatus, Tender, TenderStatus,
};

use super::{status_tag, when};
use crate::PortalState;
use crate::pages::PageError;
use crate::sessions::Person;

/// The states the dashboard groups tenders by, each with its heading.
const GROUPS: [(&str, &[TenderStatus]); 5] = [
    ("Drafts", &[TenderStatus::Draft]),
    ("Published", &[TenderStatus::ActiveEnquiries, TenderStatus::ActiveTendering]),
    ("Closed and in evaluation", &[TenderStatus::ActiveEvaluation]),
    ("Awarded", &[TenderStatus::Awarded, TenderStatus::Complete]),
    ("Cancelled or closed without award", &[TenderStatus::Cancelled, TenderStatus::Unsuccessful]),
];

/// The officer's dashboard values: `tender_groups`, `deadlines`, `waiting_questions`, `held_up`.
pub async fn overview(state: &PortalState, person: &Person) -> Result<Value, PageError> {
    let request =
        ListTendersRequest { council_id: person.organisation_id.clone(), page_size: 200, ..Default::default() };
    let tenders = state.tendering().list_tenders(state.as_person(person, request)?).await?.into_inner().tenders;
    let groups: Vec<_> = GROUPS
        .iter()
        .map(|(heading, statuses)| {
            let items: Vec<_> =
                tenders.iter().filter(|tender| statuses.contains(&tender.status())).map(tender_item).collect();
            context! { heading => *heading, count => items.len(), items }
        })
        .collect();
    let published: Vec<&Tender> = tenders
        .iter()
        .filter(|tender| matches!(tender.status(), TenderStatus::ActiveEnquiries | TenderStatus::ActiveTendering))
        .collect();
    let mut deadlines: Vec<(i64, Value)> = published.iter().filter_map(|tender| next_deadline(tender)).collect();
    deadlines.sort_by_key(|(seconds, _)| *seconds);
    let mut waiting = Vec::new();
    for tender in &published {
        let request = ListQuestionsRequest { tender_id: tender.id.clone(), page_size: 200, ..Default::default() };
        let questions =
            state.tendering().list_questions(state.as_person(person, request)?).await?.into_inner().questions;
        let unanswered =
            questions.iter().filter(|question| question.status() == QuestionStatus::AwaitingAnswer).count();
        if unanswered > 0 {
            waiting.push(context! {
                title => context! { text => &tender.title },
                href => format!("/officer/tenders/{}/questions", tender.id),
                status => context! { tag => context! {
                    text => if unanswered == 1 { "1 question".to_owned() } else { format!("{unanswered} questions") },
                    classes => "govuk-tag--yellow",
                } },
            });
        }
    }
    Ok(context! {
        tender_groups => groups,
        deadlines => deadlines.into_iter().map(|(_, item)| item).collect::<Vec<_>>(),
        waiting_questions => waiting,
        held_up => held_up(state, person, &tenders).await?,
    })
}

/// A tender in its group: its title linking to its page (a draft to its task list).
fn tender_item(tender: &Tender) -> Value {
    let (text, classes) = status_tag(tender.status());
    let href = if tender.status() == TenderStatus::Draft {
        format!("/officer/tenders/{}/draft", tender.id)
    } else {
        format!("/officer/tenders/{}", tender.id)
    };
    let title = if tender.title.is_empty() { "Untitled tender" } else { tender.title.as_str() };
    context! { title => context! { text => title }, href, status => context! { tag => context! { text, classes } } }
}

/// The next date a published tender's bidders work to: the end of questions, then the bid
/// deadline; with its time for ordering.
fn next_deadline(tender: &Tender) -> Option<(i64, Value)> {
    let (what, at) = if tender.status() == TenderStatus::ActiveEnquiries {
        ("Questions close", tender.enquiry_period_end.as_ref()?)
    } else {
        ("Bids close", tender.bid_deadline.as_ref()?)
    };
    let item = context! {
        key => context! { text => &tender.title },
        value => context! { text => format!("{what} at {}", when(Some(at))) },
        actions => context! { items => [context! {
            href => format!("/officer/tenders/{}", tender.id),
            text => "View",
            visuallyHiddenText => &tender.title,
        }] },
    };
    Some((at.seconds, item))
}

/// The council's completed evaluations whose tender is not yet awarded and whose recommended bid's
/// evidence fell short when checked at completion: AwardTender refuses them until it is in place.
async fn held_up(state: &PortalState, person: &Person, tenders: &[Tender]) -> Result<Vec<Value>, PageError> {
    let evaluating: Vec<&Tender> =
        tenders.iter().filter(|tender| tender.status() == TenderStatus::ActiveEvaluation).collect();
    if evaluating.is_empty() {
        return Ok(Vec::new());
    }
    let request = ListEvaluationsRequest {
        statuses: vec![EvaluationStatus::Completed as i32],
        page_size: 200,
        ..Default::default()
    };
    let evaluations =
        state.evaluation().list_evaluations(state.as_person(person, request)?).await?.into_inner().evaluations;
    let mut held = Vec::new();
    for evaluation in &evaluations {
        let Some(tender) = evaluating.iter().find(|tender| tender.id == evaluation.tender_id) else { continue };
        for result in &evaluation.results {
            let recommended = result.ranking.iter().find(|ranked| ranked.bid_id == result.recommended_bid_id);
            if let Some(ranked) = recommended.filter(|ranked| !ranked.evidence_all_met) {
                held.push(context! {
                    key => context! { text => &tender.title },
                    value => context! { text => format!(
                        "{} is recommended, but its evidence did not meet every requirement when the panel finished. It cannot be awarded until it does.",
                        ranked.provider_name
                    ) },
                });
            }
        }
    }
    Ok(held)
}
