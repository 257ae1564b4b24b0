//! Cancelling a council's tender with a reason (CancelTender): any bids are destroyed unread and
//! bidders are told why.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use minijinja::context;
use proto::commissioning::tendering::v1::CancelTenderRequest;
use serde::{Deserialize, Serialize};

use super::{officer, officer_form, own_tender, refusal, tender_values};
use crate::PortalState;
use crate::pages::{FormErrors, PageError, page};
use crate::visitor::{StaffVisit, Visit};

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct CancelForm {
    #[serde(skip_serializing)]
    csrf_token: String,
    reason: String,
}

async fn cancel_page(
    state: &PortalState,
    StaffVisit { session, jar, person }: StaffVisit,
    id: &str,
    form: &CancelForm,
    errors: &FormErrors,
) -> Result<Response, PageError> {
    let tender = own_tender(state, &person, id).await?;
    let values =
        context! { tender => tender_values(&tender), form => minijinja::Value::from(minijinja::value::Serde(form)) };
    Ok(page(state, &session, jar, "officer_cancel.html", "Cancel the tender", errors, values))
}

/// GET /officer/tenders/{id}/cancel
pub async fn cancel_form(
    State(state): State<PortalState>,
    Path(id): Path<String>,
    visit: StaffVisit,
) -> Result<Response, PageError> {
    cancel_page(&state, officer(visit)?, &id, &CancelForm::default(), &FormErrors::default()).await
}

/// POST /officer/tenders/{id}/cancel
pub async fn cancel(
    State(state): State<PortalState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    visit: Visit,
    Form(form): Form<CancelForm>,
) -> Result<Response, PageError> {
    let visit = officer_form(visit, &headers, &form.csrf_token)?;
    own_tender(&state, &visit.person, &id).await?;
    if form.reason.trim().is_empty() {
        let mut errors = FormErrors::default();
        errors.add("reason", "Enter why you are cancelling the tender: bidders read it");
        return cancel_page(&state, visit, &id, &form, &errors).await;
    }
    let request = CancelTenderRequest { tender_id: id.clone(), reason: form.reason.trim().to_owned() };
    match state.tendering().cancel_tender(state.as_person(&visit.person, request)?).await {
        Ok(_) => Ok((visit.jar, Redirect::to(&format!("/officer/tenders/{id}?cancelled=1"))).into_response()),
        Err(status) => {
            let errors = refusal(&status, &|_: &str| "reason".to_owned())?;
            cancel_page(&state, visit, &id, &form, &errors).await
        }
    }
}
