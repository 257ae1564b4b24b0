//! A new micro-tender: the officer picks the template it starts from (CreateTender, idempotent by
//! the form's request id), and carries on with the draft's task list.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use minijinja::context;
use proto::commissioning::tendering::v1::{CreateTenderRequest, Tender};
use serde::{Deserialize, Serialize};

use super::{officer, officer_form, rules_values, templates_and_rules};
use crate::PortalState;
use crate::pages::{FormErrors, PageError, page};
use crate::visitor::{StaffVisit, Visit};

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct TemplateForm {
    #[serde(skip_serializing)]
    csrf_token: String,
    request_id: String,
    template: String,
}

async fn template_page(
    state: &PortalState,
    StaffVisit { session, jar, person }: StaffVisit,
    form: &TemplateForm,
    errors: &FormErrors,
) -> Result<Response, PageError> {
    let (templates, rules) = templates_and_rules(state, &person).await?;
    let items: Vec<_> = templates
        .iter()
        .map(|template| context! { value => &template.id, text => &template.name, hint => context! { text => &template.description } })
        .collect();
    let values = context! {
        items,
        rules => rules_values(&rules),
        form => minijinja::Value::from(minijinja::value::Serde(form)),
    };
    Ok(page(state, &session, jar, "officer_new_tender.html", "Create a tender", errors, values))
}

/// GET /officer/tenders/new
pub async fn choose_template(State(state): State<PortalState>, visit: StaffVisit) -> Result<Response, PageError> {
    let form = TemplateForm { request_id: uuid::Uuid::new_v4().to_string(), ..Default::default() };
    template_page(&state, officer(visit)?, &form, &FormErrors::default()).await
}

/// POST /officer/tenders/new
pub async fn create_tender(
    State(state): State<PortalState>,
    headers: HeaderMap,
    visit: Visit,
    Form(mut form): Form<TemplateForm>,
) -> Result<Response, PageError> {
    let visit = officer_form(visit, &headers, &form.csrf_token)?;
    if form.request_id.trim().is_empty() {
        form.request_id = uuid::Uuid::new_v4().to_string();
    }
    if form.template.trim().is_empty() {
        let mut errors = FormErrors::default();
        errors.add("template", "Select the template to start from");
        return template_page(&state, visit, &form, &errors).await;
    }
    let request = CreateTenderRequest {
        request_id: form.request_id.clone(),
        template_id: form.template.clone(),
        tender: Some(Tender::default()),
    };
    match state.tendering().create_tender(state.as_person(&visit.person, request)?).await {
        Ok(created) => {
            let tender = created.into_inner().tender.ok_or(PageError::NotFound)?;
            Ok((visit.jar, Redirect::to(&format!("/officer/tenders/{}/draft", tender.id))).into_response())
        }
        Err(status) if status.code() == tonic::Code::InvalidArgument => {
            let mut errors = FormErrors::default();
            errors.add("template", "Select one of the templates listed");
            template_page(&state, visit, &form, &errors).await
        }
        Err(status) => Err(status.into()),
    }
}
