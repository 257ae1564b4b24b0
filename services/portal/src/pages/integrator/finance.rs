//! The finance system's write-back, by hand: a purchase-order number, supplier reference or cost
//! centre recorded on one of the council's contracts (RecordFinanceReference, integrators of the
//! contract's own council only), as the integration itself would record them.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use minijinja::context;
use platform::auth::Role;
use proto::commissioning::tendering::v1::{Contract, RecordFinanceReferenceRequest};
use serde::{Deserialize, Serialize};

use crate::PortalState;
use crate::calls::field_violations;
use crate::pages::contracts::read;
use crate::pages::{FormErrors, PageError, page, sentence};
use crate::visitor::{StaffVisit, Visit};

/// The references as typed.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct FinanceForm {
    #[serde(skip_serializing)]
    csrf_token: String,
    purchase_order_number: String,
    supplier_reference: String,
    cost_centre: String,
}

fn integrator(visit: Visit) -> Result<StaffVisit, PageError> {
    StaffVisit::try_from(visit)?.with_role(Role::Integrator)
}

/// GET /contracts/{id}/finance: the form, filled in with what is recorded.
pub async fn finance_page(
    State(state): State<PortalState>,
    Path(id): Path<String>,
    visit: Visit,
) -> Result<Response, PageError> {
    let visit = integrator(visit)?;
    let contract = read(&state, &visit.person, &id).await?;
    let finance = contract.finance.clone().unwrap_or_default();
    let form = FinanceForm {
        purchase_order_number: finance.purchase_order_number,
        supplier_reference: finance.supplier_reference,
        cost_centre: contract.cost_centre.clone(),
        ..Default::default()
    };
    Ok(form_page(&state, visit, &contract, &form, &FormErrors::default()))
}

/// POST /contracts/{id}/finance
pub async fn record_finance(
    State(state): State<PortalState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    visit: Visit,
    Form(form): Form<FinanceForm>,
) -> Result<Response, PageError> {
    visit.check_form(&headers, &form.csrf_token)?;
    let visit = integrator(visit)?;
    let contract = read(&state, &visit.person, &id).await?;
    let mut errors = FormErrors::default();
    let typed = [&form.purchase_order_number, &form.supplier_reference, &form.cost_centre];
    if typed.iter().all(|text| text.trim().is_empty()) {
        errors.add("purchase_order_number", "Enter a purchase-order number, a supplier reference or a cost centre");
        return Ok(form_page(&state, visit, &contract, &form, &errors));
    }
    let request = RecordFinanceReferenceRequest {
        contract_id: contract.id.clone(),
        purchase_order_number: form.purchase_order_number.trim().to_owned(),
        supplier_reference: form.supplier_reference.trim().to_owned(),
        cost_centre: form.cost_centre.trim().to_owned(),
    };
    match state.tendering().record_finance_reference(state.as_person(&visit.person, request)?).await {
        Ok(_) => Ok((visit.jar, Redirect::to(&format!("/contracts/{}?recorded=1", contract.id))).into_response()),
        Err(status) if status.code() == tonic::Code::InvalidArgument => {
            for (path, description) in field_violations(&status) {
                let field = match path.as_str() {
                    "supplier_reference" => "supplier_reference",
                    "cost_centre" => "cost_centre",
                    _ => "purchase_order_number",
                };
                errors.add(field, sentence(&description));
            }
            if errors.is_empty() {
                errors.add("purchase_order_number", sentence(status.message()));
            }
            Ok(form_page(&state, visit, &contract, &form, &errors))
        }
        Err(status) => Err(status.into()),
    }
}

fn form_page(
    state: &PortalState,
    StaffVisit { session, jar, .. }: StaffVisit,
    contract: &Contract,
    form: &FinanceForm,
    errors: &FormErrors,
) -> Response {
    let values = context! {
        contract => context! { id => &contract.id, title => &contract.title },
        form => minijinja::Value::from(minijinja::value::Serde(form)),
    };
    page(state, &session, jar, "contract_finance.html", "Record finance references", errors, values)
}
