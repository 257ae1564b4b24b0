//! Tenders for a charity: those that fit its services (as the providers service matched them), a
//! search of every open tender (by kind of service, council area, value
//! and how soon it closes), and each tender with what it asks for: the council's description, the
//! questions and their word limits, the evidence it needs beside what the charity's locker
//! already holds (CheckCompliance on the contract's start date), the council's published answers
//! to bidders' questions, and a form to ask one.

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use chrono::{Duration, Utc};
use minijinja::context;
use proto::commissioning::common::v1::{Money, RequirementStatus};
use proto::commissioning::compliance::v1::CheckComplianceRequest;
use proto::commissioning::providers::v1::ListTenderMatchesRequest;
use proto::commissioning::tendering::v1::{
    AskQuestionRequest, GetTenderRequest, ListQuestionsRequest, ListTendersRequest, QuestionStatus, Tender,
    TenderStatus,
};
use serde::{Deserialize, Serialize};

use super::locker::kind_name;
use super::services::CATEGORIES;
use super::{FormErrors, PageError, page, sentence, typed_pounds, uk_time};
use crate::PortalState;
use crate::calls::field_violations;
use crate::sessions::Person;
use crate::visitor::{CharityVisit, Visit};

/// The search's filters, as the form sends them (a GET form: the results have an address).
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct TenderSearch {
    category: String,
    area: String,
    max_value: String,
    closing_within: String,
}

/// "£12,000".
pub fn pounds(money: Option<&Money>) -> String {
    let Some(money) = money else { return String::new() };
    let whole = money.amount_pence / 100;
    let digits = whole.abs().to_string();
    let mut grouped = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    let pence = money.amount_pence.abs() % 100;
    let sign = if money.amount_pence < 0 { "-" } else { "" };
    if pence == 0 { format!("{sign}£{grouped}") } else { format!("{sign}£{grouped}.{pence:02}") }
}

/// When bids close, in UK time.
pub(super) fn closes(tender: &Tender) -> String {
    uk_time(tender.bid_deadline.as_ref())
}

/// A published tender's facts, as a list of tenders and a tender's heading show them.
pub(super) fn facts(tender: &Tender) -> minijinja::Value {
    context! {
        id => &tender.id,
        title => &tender.title,
        summary => &tender.summary,
        council => &tender.council_name,
        kind => category_name(tender.category),
        value => pounds(tender.estimated_value.as_ref()),
        closes => closes(tender),
    }
}

pub(super) fn category_name(category: i32) -> &'static str {
    CATEGORIES.iter().find(|(known, _)| *known as i32 == category).map_or("", |(_, text)| *text)
}

/// GET /tenders
pub async fn tenders(
    State(state): State<PortalState>,
    Query(search): Query<TenderSearch>,
    CharityVisit { session, jar, person }: CharityVisit,
) -> Result<Response, PageError> {
    let mut errors = FormErrors::default();
    let max_pence = typed_pounds(&search.max_value).map_or_else(
        |()| {
            errors.add("max_value", "Enter the most the contract may be worth in whole pounds, like 20000");
            None
        },
        |pounds| pounds.map(|pounds| pounds.saturating_mul(100)),
    );
    let closing_by = search.closing_within.parse::<i64>().ok().map(|days| Utc::now() + Duration::days(days));
    let category = proto::commissioning::common::v1::ServiceCategory::from_str_name(&search.category);
    let request = ListTendersRequest {
        statuses: vec![TenderStatus::ActiveEnquiries as i32, TenderStatus::ActiveTendering as i32],
        categories: category.map(|category| vec![category as i32]).unwrap_or_default(),
        area_council_id: state
            .0
            .councils
            .iter()
            .find(|(id, _)| *id == search.area)
            .map(|(id, _)| id.clone())
            .unwrap_or_default(),
        page_size: 100,
        ..Default::default()
    };
    let found = state.tendering().list_tenders(state.as_person(&person, request)?).await?.into_inner().tenders;
    let for_you = tenders_for_you(&state, &person).await?;
    let shown: Vec<_> = found
        .iter()
        .filter(|tender| {
            max_pence.is_none_or(|max| tender.estimated_value.as_ref().is_none_or(|value| value.amount_pence <= max))
        })
        .filter(|tender| {
            closing_by.is_none_or(|by| {
                tender
                    .bid_deadline
                    .as_ref()
                    .and_then(platform::time::from_timestamp)
                    .is_some_and(|deadline| deadline <= by)
            })
        })
        .map(facts)
        .collect();
    let choice = |value: &str, text: &str| context! { value, text };
    let mut categories = vec![choice("", "Any kind")];
    categories.extend(CATEGORIES.iter().map(|(category, text)| choice(category.as_str_name(), text)));
    let mut areas = vec![choice("", "Anywhere")];
    areas.extend(state.0.councils.iter().map(|(id, name)| choice(id, name)));
    let closing = vec![choice("", "Any time"), choice("7", "Within a week"), choice("30", "Within 30 days")];
    let values = context! {
        search => minijinja::Value::from(minijinja::value::Serde(&search)),
        categories,
        areas,
        closing,
        tenders => shown,
        for_you,
    };
    Ok(page(&state, &session, jar, "tenders.html", "Find a tender", &errors, values))
}

/// The open tenders the providers service matched to the charity's services, soonest deadline
/// first, each with why it fits.
async fn tenders_for_you(state: &PortalState, person: &Person) -> Result<Vec<minijinja::Value>, PageError> {
    let request =
        ListTenderMatchesRequest { provider_id: person.organisation_id.clone(), page_size: 20, ..Default::default() };
    let matches = state.providers().list_tender_matches(state.as_person(person, request)?).await?.into_inner().matches;
    Ok(matches
        .iter()
        .map(|matched| {
            let closes = uk_time(matched.bid_deadline.as_ref());
            context! {
                id => &matched.tender_id,
                title => &matched.tender_title,
                council => &matched.council_name,
                reason => sentence(&matched.reason),
                value => pounds(matched.estimated_value.as_ref()),
                closes,
            }
        })
        .collect())
}

/// A question a charity asks about a tender.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct QuestionForm {
    #[serde(skip_serializing)]
    csrf_token: String,
    request_id: String,
    question: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct TenderQuery {
    #[serde(default)]
    asked: Option<String>,
    /// What came of confirming or declining a partnership: confirmed, declined or closed.
    #[serde(default)]
    partnership: Option<String>,
}

/// GET /tenders/{id}
pub async fn tender(
    State(state): State<PortalState>,
    Path(id): Path<String>,
    Query(query): Query<TenderQuery>,
    visit: CharityVisit,
) -> Result<Response, PageError> {
    let form = QuestionForm { request_id: uuid::Uuid::new_v4().to_string(), ..Default::default() };
    tender_page(&state, visit, &id, &form, &FormErrors::default(), &query).await
}

/// POST /tenders/{id}/questions
pub async fn ask_question(
    State(state): State<PortalState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    visit: Visit,
    Form(mut form): Form<QuestionForm>,
) -> Result<Response, PageError> {
    visit.check_form(&headers, &form.csrf_token)?;
    let visit = CharityVisit::try_from(visit)?;
    if form.request_id.trim().is_empty() {
        form.request_id = uuid::Uuid::new_v4().to_string();
    }
    let mut errors = FormErrors::default();
    if form.question.trim().is_empty() {
        errors.add("question", "Enter your question");
        return tender_page(&state, visit, &id, &form, &errors, &TenderQuery::default()).await;
    }
    let request = AskQuestionRequest {
        request_id: form.request_id.clone(),
        tender_id: id.clone(),
        text: form.question.trim().to_owned(),
    };
    let request = state.as_person(&visit.person, request)?;
    match state.tendering().ask_question(request).await {
        Ok(_) => Ok((visit.jar, Redirect::to(&format!("/tenders/{id}?asked=1#questions"))).into_response()),
        Err(status) if status.code() == tonic::Code::InvalidArgument => {
            for (_, description) in field_violations(&status) {
                errors.add("question", sentence(&description));
            }
            tender_page(&state, visit, &id, &form, &errors, &TenderQuery::default()).await
        }
        Err(status) if status.code() == tonic::Code::FailedPrecondition => {
            errors.add("question", format!("You cannot ask this now: {}", status.message()));
            tender_page(&state, visit, &id, &form, &errors, &TenderQuery::default()).await
        }
        Err(status) => Err(status.into()),
    }
}

/// The tender as a charity reads it, with the question form as given.
async fn tender_page(
    state: &PortalState,
    CharityVisit { session, jar, person }: CharityVisit,
    id: &str,
    form: &QuestionForm,
    errors: &FormErrors,
    query: &TenderQuery,
) -> Result<Response, PageError> {
    let request = state.as_person(&person, GetTenderRequest { tender_id: id.to_owned() })?;
    let tender = state.tendering().get_tender(request).await?.into_inner().tender.ok_or(PageError::NotFound)?;
    let starts = tender
        .contract_period
        .as_ref()
        .and_then(|period| period.start_date)
        .unwrap_or_else(|| platform::dates::date_to_proto(platform::time::london_today()));
    let check = CheckComplianceRequest {
        provider_id: person.organisation_id.clone(),
        requirements: tender.evidence_requirements.clone(),
        on_date: Some(starts),
        tender_id: tender.id.clone(),
    };
    let checked = state.compliance().check_compliance(state.as_person(&person, check)?).await?.into_inner();
    let request = ListQuestionsRequest { tender_id: tender.id.clone(), page_size: 100, ..Default::default() };
    let asked_questions =
        state.tendering().list_questions(state.as_person(&person, request)?).await?.into_inner().questions;
    let evidence: Vec<_> = checked
        .results
        .iter()
        .map(|result| {
            let kind = result.requirement.as_ref().map_or("Document", |requirement| kind_name(requirement.kind));
            let (text, classes) = match result.status() {
                RequirementStatus::Met => ("In your locker", "govuk-tag--green"),
                RequirementStatus::AwaitingVerification => ("In your locker, not yet verified", "govuk-tag--blue"),
                RequirementStatus::NotApplicable => ("Not needed", "govuk-tag--grey"),
                RequirementStatus::NotMet | RequirementStatus::Unspecified => ("Missing", "govuk-tag--red"),
            };
            context! { kind, tag => context! { text, classes }, explanation => sentence(&result.explanation) }
        })
        .collect();
    let bid_questions: Vec<_> = tender
        .bid_questions
        .iter()
        .map(|question| context! { text => &question.text, guidance => &question.guidance, word_limit => question.word_limit })
        .collect();
    let answered: Vec<_> = asked_questions
        .iter()
        .filter(|question| question.status() == QuestionStatus::Answered)
        .map(|question| context! { text => &question.text, answer => &question.answer })
        .collect();
    let waiting: Vec<_> = asked_questions
        .iter()
        .filter(|question| question.asked_by_caller && question.status() != QuestionStatus::Answered)
        .map(|question| context! { text => &question.text })
        .collect();
    let sections: Vec<_> = tender
        .description_sections
        .iter()
        .map(|section| context! { heading => &section.heading, body => &section.body })
        .collect();
    let enquiries_open = tender.status() == TenderStatus::ActiveEnquiries;
    let stage = match tender.status() {
        TenderStatus::ActiveEnquiries | TenderStatus::ActiveTendering => "open",
        TenderStatus::Awarded | TenderStatus::Complete => "decided",
        TenderStatus::Cancelled | TenderStatus::Unsuccessful => "ended",
        _ => "evaluating",
    };
    let values = context! {
        tender => context! {
            enquiries_close => uk_time(tender.enquiry_period_end.as_ref()),
            ..facts(&tender)
        },
        sections,
        questions => bid_questions,
        evidence,
        all_met => checked.all_met,
        answered,
        waiting,
        enquiries_open,
        stage,
        asked => query.asked.is_some(),
        partnership => super::partnership::named_in(state, &person, &tender.id).await?,
        partnership_answer => query.partnership.as_deref(),
        form => minijinja::Value::from(minijinja::value::Serde(form)),
    };
    Ok(page(state, &session, jar, "tender.html", &tender.title, errors, values))
}
