//! A council's procurement officer: the council's tenders on the dashboard, a new micro-tender from
//! a template written task by task into its draft (UpdateTender with the etag read and the task's
//! fields as the update mask), checked and published, then read with its publication duties,
//! amended with a reason, cancelled, and its bidders' questions answered. Each page states the rule
//! the tendering service applies where the choice is made, from the rules it returns with its
//! templates; the service still decides. Another council's tenders are refused: each call these
//! pages make is for the buying council's officers only.

pub mod dashboard;

mod amend;
mod answers;
mod areas;
mod cancel;
mod check;
mod criteria;
mod dates;
mod draft;
mod evidence;
mod funders;
mod new_tender;
mod questions;
mod task;
mod tender;
mod value;
mod what;
mod who;

use axum::Router;
use axum::routing::{get, post};
use chrono::NaiveTime;
use minijinja::{Value, context};
use platform::auth::Role;
use proto::commissioning::common::v1::Money;
use proto::commissioning::tendering::v1::{
    GetTenderRequest, ListTemplatesRequest, Tender, TenderStatus, TenderTemplate, TenderingRules, UpdateTenderRequest,
};

use super::locker::{DateParts, date_of};
use super::tenders::pounds;
use super::{FormErrors, PageError, sentence};
use crate::PortalState;
use crate::calls::field_violations;
use crate::sessions::Person;
use crate::visitor::{StaffVisit, Visit};
use task::{save_task, task_form};

/// The officer's routes, under /officer.
pub fn routes() -> Router<PortalState> {
    Router::new()
        .route("/officer/tenders/new", get(new_tender::choose_template).post(new_tender::create_tender))
        .route("/officer/tenders/{id}", get(tender::tender))
        .route("/officer/tenders/{id}/draft", get(draft::task_list))
        .route("/officer/tenders/{id}/draft/what", get(task_form::<what::WhatForm>).post(save_task::<what::WhatForm>))
        .route("/officer/tenders/{id}/draft/who", get(task_form::<who::WhoForm>).post(save_task::<who::WhoForm>))
        .route(
            "/officer/tenders/{id}/draft/where",
            get(task_form::<areas::AreasForm>).post(save_task::<areas::AreasForm>),
        )
        .route(
            "/officer/tenders/{id}/draft/value",
            get(task_form::<value::ValueForm>).post(save_task::<value::ValueForm>),
        )
        .route(
            "/officer/tenders/{id}/draft/funders",
            get(task_form::<funders::FundersForm>).post(save_task::<funders::FundersForm>),
        )
        .route(
            "/officer/tenders/{id}/draft/questions",
            get(task_form::<questions::QuestionsForm>).post(save_task::<questions::QuestionsForm>),
        )
        .route(
            "/officer/tenders/{id}/draft/criteria",
            get(task_form::<criteria::CriteriaForm>).post(save_task::<criteria::CriteriaForm>),
        )
        .route(
            "/officer/tenders/{id}/draft/evidence",
            get(task_form::<evidence::EvidenceForm>).post(save_task::<evidence::EvidenceForm>),
        )
        .route(
            "/officer/tenders/{id}/draft/dates",
            get(task_form::<dates::DatesForm>).post(save_task::<dates::DatesForm>),
        )
        .route("/officer/tenders/{id}/check", get(check::check_answers).post(check::publish))
        .route("/officer/tenders/{id}/questions", get(answers::questions))
        .route("/officer/tenders/{id}/questions/{question}", post(answers::answer_question))
        .route("/officer/tenders/{id}/amend", get(amend::amend_form).post(amend::amend))
        .route("/officer/tenders/{id}/cancel", get(cancel::cancel_form).post(cancel::cancel))
}

/// A signed-in procurement officer; anyone else on council staff is refused.
fn officer(visit: StaffVisit) -> Result<StaffVisit, PageError> {
    visit.with_role(Role::Officer)
}

/// An officer's visit to a form's handler, after its CSRF check.
fn officer_form(visit: Visit, headers: &axum::http::HeaderMap, csrf_token: &str) -> Result<StaffVisit, PageError> {
    visit.check_form(headers, csrf_token)?;
    officer(StaffVisit::try_from(visit)?)
}

/// One of the officer's own council's tenders. Another council's published tender is readable by
/// anyone, but every call these pages make on it is the buying council's (UpdateTender,
/// AnswerQuestion, CancelTender, the unanswered questions), so its pages are refused.
async fn own_tender(state: &PortalState, person: &Person, id: &str) -> Result<Tender, PageError> {
    let request = state.as_person(person, GetTenderRequest { tender_id: id.to_owned() })?;
    let tender = state.tendering().get_tender(request).await?.into_inner().tender.ok_or(PageError::NotFound)?;
    if tender.council_id != person.organisation_id {
        return Err(PageError::Forbidden);
    }
    Ok(tender)
}

/// A draft of the council's own: a published tender's task pages send the officer to its page.
async fn own_draft(state: &PortalState, person: &Person, id: &str) -> Result<Tender, PageError> {
    let tender = own_tender(state, person, id).await?;
    if tender.status() != TenderStatus::Draft {
        // Published: its task list has gone; the dashboard links to its page.
        return Err(PageError::GoTo("/dashboard"));
    }
    Ok(tender)
}

/// The templates and the rules a tender published today is checked against, as the tendering
/// service is configured.
async fn templates_and_rules(
    state: &PortalState,
    person: &Person,
) -> Result<(Vec<TenderTemplate>, TenderingRules), PageError> {
    let request = ListTemplatesRequest { page_size: 50, ..Default::default() };
    let listed = state.tendering().list_templates(state.as_person(person, request)?).await?.into_inner();
    let rules = listed
        .rules
        .ok_or_else(|| PageError::Internal(anyhow::anyhow!("the tendering service's rules do not cover today")))?;
    Ok((listed.templates, rules))
}

/// The rules, as the pages state them.
fn rules_values(rules: &TenderingRules) -> Value {
    let days = rules.minimum_bid_period_secs / 86_400;
    let period = match days {
        0 => format!("{} minutes", (rules.minimum_bid_period_secs / 60).max(1)),
        1 => "1 day".to_owned(),
        days => format!("{days} days"),
    };
    context! {
        bid_period => period,
        max_questions => rules.max_bid_questions,
        max_words => rules.max_total_words,
        max_price_weight => rules.max_price_weight_without_reason,
        notice => pounds(rules.notice_threshold.as_ref()),
        transparency => pounds(rules.transparency_threshold.as_ref()),
        light_touch => pounds(rules.light_touch_threshold.as_ref()),
        max_years => rules.max_contract_months / 12,
        max_months => rules.max_contract_months,
        length_reason => &rules.max_contract_reason,
    }
}

/// Saves `tender`'s fields named by `paths`, if the draft is unchanged since its `etag` was read
/// (UpdateTender with the etag and the update mask).
async fn save_draft(
    state: &PortalState,
    person: &Person,
    mut tender: Tender,
    paths: &[&str],
    etag: &str,
) -> Result<Tender, tonic::Status> {
    tender.etag = etag.to_owned();
    let request = UpdateTenderRequest {
        tender: Some(tender),
        update_mask: Some(prost_types::FieldMask { paths: paths.iter().map(|path| (*path).to_owned()).collect() }),
        ..Default::default()
    };
    let request = state.as_person(person, request).map_err(|_| tonic::Status::internal("the token was not signed"))?;
    let saved = state.tendering().update_tender(request).await?.into_inner().tender;
    saved.ok_or_else(|| tonic::Status::internal("the service returned no tender"))
}

/// The form's problems in a refusal of UpdateTender, or the page's error for any other.
fn refusal(status: &tonic::Status, field_of: &impl Fn(&str) -> String) -> Result<FormErrors, PageError> {
    let mut errors = FormErrors::default();
    match status.code() {
        tonic::Code::InvalidArgument => {
            for (path, description) in field_violations(status) {
                errors.add(&field_of(path.trim_start_matches("tender.")), sentence(&description));
            }
            if errors.is_empty() {
                errors.add(&field_of(""), sentence(status.message()));
            }
        }
        tonic::Code::Aborted => errors.add(
            &field_of(""),
            "Someone else changed this tender after you opened this page. Check what it says now and save again",
        ),
        tonic::Code::FailedPrecondition => {
            for violation in platform_violations(status) {
                errors.add(&field_of(violation.0.trim_start_matches("tender.")), sentence(&violation.1));
            }
            if errors.is_empty() {
                errors.add(&field_of(""), sentence(status.message()));
            }
        }
        _ => return Err(status.clone().into()),
    }
    Ok(errors)
}

/// The (subject, description) of each violation of a FAILED_PRECONDITION refusal.
fn platform_violations(status: &tonic::Status) -> Vec<(String, String)> {
    use tonic_types::StatusExt;
    status
        .get_details_precondition_failure()
        .map(|failure| {
            failure.violations.into_iter().map(|violation| (violation.subject, violation.description)).collect()
        })
        .unwrap_or_default()
}

/// What every officer page says of the tender.
fn tender_values(tender: &Tender) -> Value {
    let (status, classes) = status_tag(tender.status());
    context! {
        id => &tender.id,
        title => if tender.title.is_empty() { "Untitled tender" } else { tender.title.as_str() },
        council => &tender.council_name,
        etag => &tender.etag,
        status => context! { text => status, classes },
    }
}

/// A tender's state as its tag shows it.
fn status_tag(status: TenderStatus) -> (&'static str, &'static str) {
    match status {
        TenderStatus::Draft => ("Draft", "govuk-tag--grey"),
        TenderStatus::ActiveEnquiries => ("Published: taking questions", "govuk-tag--blue"),
        TenderStatus::ActiveTendering => ("Published: taking bids", "govuk-tag--blue"),
        TenderStatus::ActiveEvaluation => ("Closed: in evaluation", "govuk-tag--yellow"),
        TenderStatus::Awarded => ("Awarded", "govuk-tag--green"),
        TenderStatus::Complete => ("Complete", "govuk-tag--green"),
        TenderStatus::Cancelled => ("Cancelled", "govuk-tag--red"),
        TenderStatus::Unsuccessful => ("Closed without award", "govuk-tag--red"),
        TenderStatus::Unspecified => ("Unknown", "govuk-tag--grey"),
    }
}

use super::uk_time as when;

/// Whole pounds typed as "24000", "£24,000"; `None` (with the field's problem) when not a
/// positive whole number, `Some(None)` when left empty.
fn pounds_typed(errors: &mut FormErrors, field: &str, typed: &str, what: &str) -> Option<Option<i64>> {
    super::typed_pounds(typed).ok().or_else(|| {
        errors.add(field, format!("Enter {what} in whole pounds, like 24000"));
        None
    })
}

/// Money in whole pounds, VAT included as the thresholds are.
fn gbp(pounds: i64, vat_included: bool) -> Money {
    Money { amount_pence: pounds.saturating_mul(100), currency: "GBP".into(), vat_included }
}

/// A moment typed as a date in three boxes (`field`-day, -month, -year) and a time; the problem on
/// its field when either is not real.
fn moment_of(
    errors: &mut FormErrors,
    field: &str,
    date: &DateParts,
    time: &str,
    what: &str,
) -> Option<prost_types::Timestamp> {
    let date = date_of(errors, field, date, what);
    let Some(date) = date else {
        errors.add(&format!("{field}-day"), format!("Enter {what}"));
        return None;
    };
    let clock = super::services::time_of_day(errors, &format!("{field}-time"), time, "the time")?;
    let naive = platform::dates::parse_date(&date).ok()?;
    let time = NaiveTime::from_hms_opt(u32::try_from(clock.hours).ok()?, u32::try_from(clock.minutes).ok()?, 0)?;
    let Some(moment) = platform::time::london_moment(naive, time) else {
        errors.add(
            &format!("{field}-time"),
            "That time does not happen on that day: the clocks go forward. Choose another",
        );
        return None;
    };
    Some(platform::time::to_timestamp(moment))
}

/// A wire time as the date boxes and the "14:30" a form shows; noon for a time not yet given.
fn typed_moment(timestamp: Option<&prost_types::Timestamp>) -> (DateParts, String) {
    let Some(local) = timestamp.and_then(platform::time::from_timestamp).map(platform::time::london_local) else {
        return (DateParts::default(), "12:00".into());
    };
    let date = DateParts {
        day: local.format("%-d").to_string(),
        month: local.format("%-m").to_string(),
        year: local.format("%Y").to_string(),
    };
    (date, local.format("%H:%M").to_string())
}
