//! A council's contracts for its officers and integrators: those awarded through micro-tenders
//! beside the block contracts it already held, each contract with its finance references, and
//! the form an officer registers a block contract with. Which contracts a person sees is the
//! tendering service's rule (ListContracts, GetContract): their own council's only.

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use minijinja::context;
use platform::auth::Role;
use proto::commissioning::common::v1::{DateRange, Money, SizeClass};
use proto::commissioning::tendering::v1::{
    Contract, ContractRoute, ContractStatus, GetContractRequest, ListContractsRequest, RegisterContractRequest,
    Supplier,
};
use serde::{Deserialize, Serialize};

use super::locker::{DateParts, date_of, long_date};
use super::services::CATEGORIES;
use super::tenders::{category_name, pounds};
use super::{FormErrors, PageError, page, sentence, typed_pounds};
use crate::PortalState;
use crate::calls::field_violations;
use crate::sessions::Person;
use crate::visitor::{StaffVisit, Visit};

/// The sizes an officer may give a block contract's supplier, as the service names them.
const SIZES: [(SizeClass, &str); 5] = [
    (SizeClass::Micro, "Micro: income under £100,000 and fewer than 10 paid staff"),
    (SizeClass::Small, "Small: income under £1 million and fewer than 50 paid staff"),
    (SizeClass::Medium, "Medium: income under £10 million and fewer than 250 paid staff"),
    (SizeClass::Large, "Large: income of £10 million or more, or 250 or more paid staff"),
    (SizeClass::Unspecified, "Not known"),
];

/// "1 April 2026 to 31 March 2029".
pub(super) fn period(period: Option<&DateRange>) -> String {
    let Some(period) = period else { return String::new() };
    format!("{} to {}", long_date(period.start_date.as_ref()), long_date(period.end_date.as_ref()))
}

fn status_tag(contract: &Contract) -> minijinja::Value {
    let (text, classes) = match contract.status() {
        ContractStatus::Pending => ("Not started", "govuk-tag--blue"),
        ContractStatus::Active => ("Running", "govuk-tag--green"),
        ContractStatus::Ended | ContractStatus::Unspecified => ("Ended", "govuk-tag--grey"),
    };
    context! { text, classes }
}

/// A contract as a row of the list: its title linked, supplier, value and dates.
fn row(contract: &Contract) -> Vec<minijinja::Value> {
    let link = format!(
        "<a class=\"govuk-link\" href=\"/contracts/{}\">{}</a>",
        minijinja::HtmlEscape(&contract.id),
        minijinja::HtmlEscape(&contract.title)
    );
    vec![
        context! { html => link },
        context! { text => contract.supplier.as_ref().map(|supplier| supplier.name.as_str()).unwrap_or_default() },
        context! { text => pounds(contract.value.as_ref()), format => "numeric" },
        context! { text => period(contract.period.as_ref()) },
    ]
}

/// The council's contracts of `route`, newest first, as `person` may list them.
async fn contracts_of(state: &PortalState, person: &Person, route: ContractRoute) -> Result<Vec<Contract>, PageError> {
    let request = ListContractsRequest {
        council_id: person.organisation_id.clone(),
        routes: vec![route as i32],
        page_size: 100,
        ..Default::default()
    };
    Ok(state.tendering().list_contracts(state.as_person(person, request)?).await?.into_inner().contracts)
}

/// The visit of someone who works with contracts: an officer or an integrator of a council.
fn contract_staff(visit: StaffVisit) -> Result<StaffVisit, PageError> {
    if visit.person.roles.iter().any(|role| matches!(role, Role::Officer | Role::Integrator)) {
        Ok(visit)
    } else {
        Err(PageError::Forbidden)
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ContractsQuery {
    /// A block contract was just registered.
    #[serde(default)]
    registered: Option<String>,
    /// Finance references were just recorded.
    #[serde(default)]
    recorded: Option<String>,
}

/// GET /contracts: micro-tender contracts beside block contracts.
pub async fn contracts(
    State(state): State<PortalState>,
    Query(query): Query<ContractsQuery>,
    visit: StaffVisit,
) -> Result<Response, PageError> {
    let StaffVisit { session, jar, person } = contract_staff(visit)?;
    let micro = contracts_of(&state, &person, ContractRoute::MicroTender).await?;
    let block = contracts_of(&state, &person, ContractRoute::Block).await?;
    let total = |contracts: &[Contract]| {
        let pence =
            contracts.iter().filter_map(|contract| contract.value.as_ref()).map(|value| value.amount_pence).sum();
        pounds(Some(&Money { amount_pence: pence, ..Default::default() }))
    };
    let values = context! {
        council => &person.organisation_name,
        officer => person.roles.contains(&Role::Officer),
        micro => micro.iter().map(row).collect::<Vec<_>>(),
        block => block.iter().map(row).collect::<Vec<_>>(),
        micro_total => total(&micro),
        block_total => total(&block),
        registered => query.registered.is_some(),
    };
    Ok(page(&state, &session, jar, "contracts.html", "Contracts", &FormErrors::default(), values))
}

/// GET /contracts/{id}
pub async fn contract(
    State(state): State<PortalState>,
    Path(id): Path<String>,
    Query(query): Query<ContractsQuery>,
    visit: StaffVisit,
) -> Result<Response, PageError> {
    let StaffVisit { session, jar, person } = contract_staff(visit)?;
    let contract = read(&state, &person, &id).await?;
    let values = context! {
        contract => summary(&contract),
        integrator => person.roles.contains(&Role::Integrator),
        recorded_now => query.recorded.is_some(),
    };
    Ok(page(&state, &session, jar, "contract.html", &contract.title, &FormErrors::default(), values))
}

/// The contract `id`, as `person` may read it.
pub(super) async fn read(state: &PortalState, person: &Person, id: &str) -> Result<Contract, PageError> {
    let request = state.as_person(person, GetContractRequest { contract_id: id.to_owned() })?;
    state.tendering().get_contract(request).await?.into_inner().contract.ok_or(PageError::NotFound)
}

/// A contract's facts as summary list rows, with its finance references once recorded.
pub(super) fn summary(contract: &Contract) -> minijinja::Value {
    let supplier = contract.supplier.clone().unwrap_or_default();
    let size = SIZES.iter().find(|(size, _)| *size as i32 == supplier.size_class).map_or("Not known", |(_, text)| text);
    let route = match contract.route() {
        ContractRoute::Block => "A block contract the council already held",
        _ => "Awarded through a micro-tender on the marketplace",
    };
    let row =
        |key: &str, value: String| context! { key => context! { text => key }, value => context! { text => value } };
    let mut rows = vec![
        row("How it was bought", route.to_owned()),
        row("Supplier", supplier.name.clone()),
        row("Supplier's size", size.to_owned()),
        row("Voluntary, community or social enterprise", if supplier.vcse { "Yes" } else { "No" }.to_owned()),
        row("Value", pounds(contract.value.as_ref())),
        row("Dates", period(contract.period.as_ref())),
        row("Kind of service", category_name(contract.category).to_owned()),
    ];
    if !contract.external_reference.is_empty() {
        rows.push(row("The council's reference", contract.external_reference.clone()));
    }
    let finance = contract.finance.clone().unwrap_or_default();
    let finance_rows = vec![
        row("Purchase-order number", or_none(&finance.purchase_order_number)),
        row("Supplier reference", or_none(&finance.supplier_reference)),
        row("Cost centre", or_none(&contract.cost_centre)),
    ];
    context! {
        id => &contract.id,
        title => &contract.title,
        description => &contract.description,
        status => status_tag(contract),
        rows,
        finance_rows,
        recorded => finance.record_time.as_ref().and_then(platform::time::from_timestamp)
            .map(platform::time::london_time_and_date),
    }
}

fn or_none(text: &str) -> String {
    if text.is_empty() { "Not recorded yet".to_owned() } else { text.to_owned() }
}

/// The block contract form, as typed.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct BlockContractForm {
    #[serde(skip_serializing)]
    csrf_token: String,
    request_id: String,
    title: String,
    description: String,
    supplier_name: String,
    size: String,
    vcse: String,
    value: String,
    vat: String,
    category: String,
    #[serde(rename = "start-day")]
    start_day: String,
    #[serde(rename = "start-month")]
    start_month: String,
    #[serde(rename = "start-year")]
    start_year: String,
    #[serde(rename = "end-day")]
    end_day: String,
    #[serde(rename = "end-month")]
    end_month: String,
    #[serde(rename = "end-year")]
    end_year: String,
    external_reference: String,
    cost_centre: String,
}

/// An officer's visit; anyone else on the council's staff may not register contracts.
fn officer(visit: Visit) -> Result<StaffVisit, PageError> {
    StaffVisit::try_from(visit)?.with_role(Role::Officer)
}

/// GET /contracts/new
pub async fn new_contract_page(State(state): State<PortalState>, visit: Visit) -> Result<Response, PageError> {
    let visit = officer(visit)?;
    let form = BlockContractForm {
        request_id: uuid::Uuid::new_v4().to_string(),
        vat: "included".into(),
        ..Default::default()
    };
    Ok(form_page(&state, visit, &form, &FormErrors::default()))
}

/// POST /contracts/new
pub async fn register_contract(
    State(state): State<PortalState>,
    headers: HeaderMap,
    visit: Visit,
    Form(mut form): Form<BlockContractForm>,
) -> Result<Response, PageError> {
    visit.check_form(&headers, &form.csrf_token)?;
    let visit = officer(visit)?;
    if form.request_id.trim().is_empty() {
        form.request_id = uuid::Uuid::new_v4().to_string();
    }
    let mut errors = FormErrors::default();
    let contract = contract_of(&form, &mut errors);
    if !errors.is_empty() {
        return Ok(form_page(&state, visit, &form, &errors));
    }
    let request = RegisterContractRequest { request_id: form.request_id.clone(), contract: Some(contract) };
    match state.tendering().register_contract(state.as_person(&visit.person, request)?).await {
        Ok(_) => Ok((visit.jar, Redirect::to("/contracts?registered=1")).into_response()),
        Err(status) if status.code() == tonic::Code::InvalidArgument => {
            for (path, description) in field_violations(&status) {
                errors.add(form_field(&path), sentence(&description));
            }
            if errors.is_empty() {
                errors.add("title", sentence(status.message()));
            }
            Ok(form_page(&state, visit, &form, &errors))
        }
        Err(status) => Err(status.into()),
    }
}

/// The form field a service's field path is about.
fn form_field(path: &str) -> &'static str {
    let path = path.trim_start_matches("contract.");
    match path {
        _ if path.starts_with("supplier") => "supplier_name",
        _ if path.starts_with("value") => "value",
        _ if path.starts_with("period.end") => "end-day",
        _ if path.starts_with("period") => "start-day",
        _ if path.starts_with("category") => "category",
        _ if path.starts_with("description") => "description",
        _ if path.starts_with("external_reference") => "external_reference",
        _ if path.starts_with("cost_centre") => "cost_centre",
        _ => "title",
    }
}

/// The contract the form describes; each problem the portal can see itself goes on its field.
fn contract_of(form: &BlockContractForm, errors: &mut FormErrors) -> Contract {
    if form.title.trim().is_empty() {
        errors.add("title", "Enter the contract's title");
    }
    if form.supplier_name.trim().is_empty() {
        errors.add("supplier_name", "Enter the supplier's name");
    }
    let amount_pence = match typed_pounds(&form.value) {
        Ok(None) => {
            errors.add("value", "Enter the contract's value for its whole period, in pounds");
            0
        }
        typed => typed.ok().flatten().and_then(|pounds| pounds.checked_mul(100)).unwrap_or_else(|| {
            errors.add("value", "Enter the value in whole pounds, more than 0, like 450000");
            0
        }),
    };
    let category = CATEGORIES.iter().find(|(category, _)| category.as_str_name() == form.category);
    if category.is_none() {
        errors.add("category", "Choose the kind of service it buys");
    }
    let date = |errors: &mut FormErrors, field: &str, day: &str, month: &str, year: &str, what: &str| {
        let typed = DateParts { day: day.to_owned(), month: month.to_owned(), year: year.to_owned() };
        let date = date_of(errors, field, &typed, what);
        if date.is_none() {
            errors.add(&format!("{field}-day"), format!("Enter {what}"));
        }
        date
    };
    let start_date = date(errors, "start", &form.start_day, &form.start_month, &form.start_year, "the day it started");
    let end_date = date(errors, "end", &form.end_day, &form.end_month, &form.end_year, "the day it ends");
    let size = SIZES
        .iter()
        .find(|(size, _)| size.as_str_name() == form.size)
        .map_or(SizeClass::Unspecified, |(size, _)| *size);
    Contract {
        title: form.title.trim().to_owned(),
        description: form.description.trim().to_owned(),
        supplier: Some(Supplier {
            name: form.supplier_name.trim().to_owned(),
            size_class: size as i32,
            vcse: form.vcse == "yes",
            ..Default::default()
        }),
        value: Some(Money { amount_pence, currency: "GBP".into(), vat_included: form.vat == "included" }),
        period: Some(DateRange { start_date, end_date }),
        category: category.map_or(0, |(category, _)| *category as i32),
        external_reference: form.external_reference.trim().to_owned(),
        cost_centre: form.cost_centre.trim().to_owned(),
        ..Default::default()
    }
}

fn form_page(
    state: &PortalState,
    StaffVisit { session, jar, person }: StaffVisit,
    form: &BlockContractForm,
    errors: &FormErrors,
) -> Response {
    let choice = |value: &str, text: &str| context! { value, text };
    let categories: Vec<_> = CATEGORIES.iter().map(|(category, text)| choice(category.as_str_name(), text)).collect();
    let sizes: Vec<_> = SIZES.iter().map(|(size, text)| choice(size.as_str_name(), text)).collect();
    let values = context! {
        council => &person.organisation_name,
        form => minijinja::Value::from(minijinja::value::Serde(form)),
        categories,
        sizes,
        vcse => vec![choice("yes", "Yes"), choice("no", "No")],
        vat => vec![choice("included", "The value includes VAT"), choice("excluded", "The value does not include VAT")],
    };
    page(state, &session, jar, "contract_new.html", "Register a block contract", errors, values)
}
