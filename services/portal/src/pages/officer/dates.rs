//! When questions close (and bidding opens) and when bids close, in UK time. The page states the
//! service's minimum bid period and the earliest deadline it allows if published now.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use axum_extra::extract::cookie::CookieJar;
use minijinja::context;
use proto::commissioning::tendering::v1::{Tender, TenderingRules};
use serde::{Deserialize, Serialize};

use super::{
    Saved, moment_of, officer, officer_form, own_draft, save_task, task_page, templates_and_rules, typed_moment,
};
use crate::PortalState;
use crate::pages::locker::DateParts;
use crate::pages::{FormErrors, PageError};
use crate::sessions::Session;
use crate::visitor::{StaffVisit, Visit};

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct DatesForm {
    #[serde(skip_serializing)]
    csrf_token: String,
    etag: String,
    #[serde(rename = "enquiries-day")]
    enquiries_day: String,
    #[serde(rename = "enquiries-month")]
    enquiries_month: String,
    #[serde(rename = "enquiries-year")]
    enquiries_year: String,
    #[serde(rename = "enquiries-time")]
    enquiries_time: String,
    #[serde(rename = "deadline-day")]
    deadline_day: String,
    #[serde(rename = "deadline-month")]
    deadline_month: String,
    #[serde(rename = "deadline-year")]
    deadline_year: String,
    #[serde(rename = "deadline-time")]
    deadline_time: String,
}

fn form_of(tender: &Tender) -> DatesForm {
    let (enquiries, enquiries_time) = typed_moment(tender.enquiry_period_end.as_ref());
    let (deadline, deadline_time) = typed_moment(tender.bid_deadline.as_ref());
    DatesForm {
        etag: tender.etag.clone(),
        enquiries_day: enquiries.day,
        enquiries_month: enquiries.month,
        enquiries_year: enquiries.year,
        enquiries_time,
        deadline_day: deadline.day,
        deadline_month: deadline.month,
        deadline_year: deadline.year,
        deadline_time,
        ..Default::default()
    }
}

/// The earliest bid deadline the minimum bid period allows for a tender published now.
pub(super) fn earliest_deadline(rules: &TenderingRules) -> String {
    let earliest = chrono::Utc::now() + chrono::Duration::seconds(rules.minimum_bid_period_secs);
    platform::time::london_time_and_date(earliest)
}

fn dates_page(
    state: &PortalState,
    session: &Session,
    jar: CookieJar,
    tender: &Tender,
    rules: &TenderingRules,
    form: &DatesForm,
    errors: &FormErrors,
) -> Response {
    let form = context! {
        earliest => earliest_deadline(rules),
        ..minijinja::Value::from(minijinja::value::Serde(form))
    };
    task_page(state, session, jar, "officer_dates.html", "Questions and bid deadline", tender, rules, errors, form)
}

/// GET /officer/tenders/{id}/draft/dates
pub async fn dates_form(
    State(state): State<PortalState>,
    Path(id): Path<String>,
    visit: StaffVisit,
) -> Result<Response, PageError> {
    let StaffVisit { session, jar, person } = officer(visit)?;
    let tender = own_draft(&state, &person, &id).await?;
    let (_, rules) = templates_and_rules(&state, &person).await?;
    Ok(dates_page(&state, &session, jar, &tender, &rules, &form_of(&tender), &FormErrors::default()))
}

fn field_of(path: &str) -> String {
    if path.starts_with("enquiry") { "enquiries-day".into() } else { "deadline-day".into() }
}

/// POST /officer/tenders/{id}/draft/dates
pub async fn save_dates(
    State(state): State<PortalState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    visit: Visit,
    Form(form): Form<DatesForm>,
) -> Result<Response, PageError> {
    let StaffVisit { session, jar, person } = officer_form(visit, &headers, &form.csrf_token)?;
    let tender = own_draft(&state, &person, &id).await?;
    let (_, rules) = templates_and_rules(&state, &person).await?;
    let mut errors = FormErrors::default();
    let enquiries = DateParts {
        day: form.enquiries_day.clone(),
        month: form.enquiries_month.clone(),
        year: form.enquiries_year.clone(),
    };
    let deadline = DateParts {
        day: form.deadline_day.clone(),
        month: form.deadline_month.clone(),
        year: form.deadline_year.clone(),
    };
    let enquiry_period_end =
        moment_of(&mut errors, "enquiries", &enquiries, &form.enquiries_time, "the date questions close");
    let bid_deadline = moment_of(&mut errors, "deadline", &deadline, &form.deadline_time, "the bid deadline");
    if !errors.is_empty() {
        return Ok(dates_page(&state, &session, jar, &tender, &rules, &form, &errors));
    }
    let changed = Tender { id: id.clone(), enquiry_period_end, bid_deadline, ..Default::default() };
    match save_task(&state, &person, changed, &["enquiry_period_end", "bid_deadline"], &form.etag, field_of).await? {
        Saved::Done => Ok((jar, Redirect::to(&format!("/officer/tenders/{id}/draft"))).into_response()),
        Saved::Refused(errors) => {
            let form = DatesForm { etag: tender.etag.clone(), ..form };
            Ok(dates_page(&state, &session, jar, &tender, &rules, &form, &errors))
        }
    }
}
