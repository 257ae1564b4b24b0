//! What every task of a draft does, once: its page shows the task's form filled in from the draft
//! with the service's rules, and its form saves the task's fields (UpdateTender with the etag the
//! page was read with and the task's update mask), back to the task list, or shows the problems on
//! their fields with what was typed kept.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use axum_extra::extract::cookie::CookieJar;
use minijinja::{Value, context};
use proto::commissioning::tendering::v1::{Tender, TenderTemplate, TenderingRules};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{officer, officer_form, own_draft, refusal, rules_values, save_draft, templates_and_rules, tender_values};
use crate::PortalState;
use crate::pages::{FormErrors, PageError, page};
use crate::sessions::{Person, Session};
use crate::visitor::{StaffVisit, Visit};

/// What a draft is read with by every task: the draft, its council's templates and the rules.
pub(super) struct Draft {
    pub tender: Tender,
    pub templates: Vec<TenderTemplate>,
    pub rules: TenderingRules,
}

impl Draft {
    /// The template the draft was created from.
    pub fn template(&self) -> Option<&TenderTemplate> {
        self.templates.iter().find(|template| template.id == self.tender.template_id)
    }
}

/// What every task's form posts besides its fields: the session's CSRF token and the etag of the
/// draft it was read from.
pub(super) trait Posted {
    fn csrf_token(&self) -> &str;
    fn etag(&mut self) -> &mut String;
}

/// Each task's form posts its `csrf_token` and `etag` fields.
macro_rules! posted {
    ($($form:ty),* $(,)?) => {
        $(impl Posted for $form {
            fn csrf_token(&self) -> &str {
                &self.csrf_token
            }

            fn etag(&mut self) -> &mut String {
                &mut self.etag
            }
        })*
    };
}

posted!(
    super::what::WhatForm,
    super::who::WhoForm,
    super::areas::AreasForm,
    super::value::ValueForm,
    super::funders::FundersForm,
    super::questions::QuestionsForm,
    super::criteria::CriteriaForm,
    super::evidence::EvidenceForm,
    super::dates::DatesForm,
);

/// A task's form: read from the draft, shown, and turned back into the draft's change.
pub(super) trait Task: Posted + DeserializeOwned + Serialize + Send + 'static {
    /// Its page's template and title.
    const TEMPLATE: &'static str;
    const TITLE: &'static str;
    /// The draft's fields it changes, as UpdateTender's update mask.
    const PATHS: &'static [&'static str];

    /// The form filled in from the draft.
    fn of(draft: &Draft) -> Self;
    /// The page's `form` values: its own fields, and what the page shows beside them.
    fn values(&self, _draft: &Draft) -> Value {
        Value::from(minijinja::value::Serde(self))
    }
    /// The draft's change (only the fields of `PATHS` set), or `None` with the problems in `errors`.
    fn change(&self, draft: &Draft, person: &Person, errors: &mut FormErrors) -> Option<Tender>;
    /// The form's field a service's path (relative to the tender) is about.
    fn field_of(&self, path: &str) -> String;
}

async fn draft(state: &PortalState, person: &Person, id: &str) -> Result<Draft, PageError> {
    let tender = own_draft(state, person, id).await?;
    let (templates, rules) = templates_and_rules(state, person).await?;
    Ok(Draft { tender, templates, rules })
}

fn task_page<T: Task>(
    state: &PortalState,
    session: &Session,
    jar: CookieJar,
    draft: &Draft,
    form: &T,
    errors: &FormErrors,
) -> Response {
    let values = context! {
        tender => tender_values(&draft.tender),
        rules => rules_values(&draft.rules),
        form => form.values(draft),
    };
    page(state, session, jar, T::TEMPLATE, T::TITLE, errors, values)
}

/// GET /officer/tenders/{id}/draft/{task}
pub(super) async fn task_form<T: Task>(
    State(state): State<PortalState>,
    Path(id): Path<String>,
    visit: StaffVisit,
) -> Result<Response, PageError> {
    let StaffVisit { session, jar, person } = officer(visit)?;
    let draft = draft(&state, &person, &id).await?;
    Ok(task_page(&state, &session, jar, &draft, &T::of(&draft), &FormErrors::default()))
}

/// POST /officer/tenders/{id}/draft/{task}
pub(super) async fn save_task<T: Task>(
    State(state): State<PortalState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    visit: Visit,
    Form(mut form): Form<T>,
) -> Result<Response, PageError> {
    let StaffVisit { session, jar, person } = officer_form(visit, &headers, form.csrf_token())?;
    let draft = draft(&state, &person, &id).await?;
    let mut errors = FormErrors::default();
    let change = form.change(&draft, &person, &mut errors).filter(|_| errors.is_empty());
    let Some(mut change) = change else {
        return Ok(task_page(&state, &session, jar, &draft, &form, &errors));
    };
    change.id = id.clone();
    let etag = form.etag().clone();
    match save_draft(&state, &person, change, T::PATHS, &etag).await {
        Ok(_) => Ok((jar, Redirect::to(&format!("/officer/tenders/{id}/draft"))).into_response()),
        Err(status) => {
            let errors = refusal(&status, &|path: &str| form.field_of(path))?;
            // Saved again, it is checked against the draft as it is now.
            *form.etag() = draft.tender.etag.clone();
            Ok(task_page(&state, &session, jar, &draft, &form, &errors))
        }
    }
}
