//! A council's published contracts for anyone, and its OCDS release package to download: the open
//! data the marketplace promises. Both come from GetOcdsReleasePackage asked with no token, so
//! they hold only what the tendering service publishes to everyone (never a draft or a bid).

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use minijinja::context;
use proto::commissioning::tendering::v1::GetOcdsReleasePackageRequest;
use serde_json::Value;

use crate::PortalState;
use crate::pages::{FormErrors, PageError, page};
use crate::visitor::Visit;

/// The most releases one package holds (the service's largest page).
const PAGE_SIZE: i32 = 200;

/// The council `id` of `PORTAL_COUNCILS`, with its name; NOT_FOUND for any other.
fn council(state: &PortalState, id: &str) -> Result<(String, String), PageError> {
    state.0.councils.iter().find(|(known, _)| known == id).cloned().ok_or(PageError::NotFound)
}

/// The council's package of published releases; `None` when it has published nothing yet.
async fn package(state: &PortalState, council_id: &str) -> Result<Option<String>, PageError> {
    let request =
        GetOcdsReleasePackageRequest { council_id: council_id.to_owned(), page_size: PAGE_SIZE, ..Default::default() };
    match state.tendering().get_ocds_release_package(request).await {
        Ok(response) => Ok(Some(response.into_inner().release_package_json)),
        Err(status) if status.code() == tonic::Code::NotFound => Ok(None),
        Err(status) => Err(status.into()),
    }
}

/// GET /open/councils/{id}/ocds.json: the release package, as a file.
pub async fn ocds_download(State(state): State<PortalState>, Path(id): Path<String>) -> Result<Response, PageError> {
    let (id, _) = council(&state, &id)?;
    let json = package(&state, &id).await?.ok_or(PageError::NotFound)?;
    let disposition = format!("attachment; filename=\"{id}-ocds.json\"");
    Ok(([(header::CONTENT_TYPE, "application/json".to_owned()), (header::CONTENT_DISPOSITION, disposition)], json)
        .into_response())
}

/// One published contract, as a row of the table.
struct Published {
    title: String,
    /// The marketplace tender it was awarded from, whose published page links from it.
    tender_id: Option<String>,
    suppliers: String,
    value: String,
    period: String,
}

/// "£450,000" from an OCDS amount in pounds.
fn amount(value: &Value) -> String {
    let pence = value["amount"].as_f64().map(|pounds| (pounds * 100.0).round() as i64);
    pence.map_or_else(String::new, |amount_pence| {
        let money = proto::commissioning::common::v1::Money { amount_pence, ..Default::default() };
        crate::pages::tenders::pounds(Some(&money))
    })
}

/// "1 April 2026 to 31 March 2029" from an OCDS period.
fn period(value: &Value) -> String {
    let date = |key: &str| {
        value[key]
            .as_str()
            .and_then(|text| chrono::DateTime::parse_from_rfc3339(text).ok())
            .map(|time| platform::dates::long_date(time.date_naive()))
    };
    match (date("startDate"), date("endDate")) {
        (Some(start), Some(end)) => format!("{start} to {end}"),
        (Some(start), None) => format!("from {start}"),
        _ => String::new(),
    }
}

/// Each contract in the package, as its latest release describes it.
fn contracts_in(package: &Value) -> Vec<Published> {
    let mut found = BTreeMap::new();
    for release in package["releases"].as_array().into_iter().flatten() {
        let awards = release["awards"].as_array().cloned().unwrap_or_default();
        for contract in release["contracts"].as_array().into_iter().flatten() {
            let award = awards.iter().find(|award| award["id"] == contract["awardID"]);
            let suppliers: Vec<_> = award
                .and_then(|award| award["suppliers"].as_array())
                .into_iter()
                .flatten()
                .filter_map(|supplier| supplier["name"].as_str())
                .collect();
            let key = contract["id"].as_str().unwrap_or_default().to_owned();
            let title = contract["title"].as_str().or_else(|| release["tender"]["title"].as_str()).unwrap_or_default();
            found.insert(
                key,
                Published {
                    title: title.to_owned(),
                    tender_id: release["tender"]["id"].as_str().map(str::to_owned),
                    suppliers: suppliers.join(", "),
                    value: amount(&contract["value"]),
                    period: period(&contract["period"]),
                },
            );
        }
    }
    found.into_values().collect()
}

/// GET /open/councils/{id}/contracts
pub async fn council_contracts(
    State(state): State<PortalState>,
    Path(id): Path<String>,
    Visit { session, jar }: Visit,
) -> Result<Response, PageError> {
    let (id, name) = council(&state, &id)?;
    let published = match package(&state, &id).await? {
        Some(json) => {
            let package: Value =
                serde_json::from_str(&json).map_err(|error| PageError::Internal(anyhow::anyhow!("OCDS: {error}")))?;
            contracts_in(&package)
        }
        None => Vec::new(),
    };
    let rows: Vec<_> = published
        .iter()
        .map(|contract| {
            let title = match &contract.tender_id {
                Some(tender_id) => context! { html => format!(
                    "<a class=\"govuk-link\" href=\"/open/tenders/{}\">{}</a>",
                    minijinja::HtmlEscape(tender_id),
                    minijinja::HtmlEscape(&contract.title)
                ) },
                None => context! { text => &contract.title },
            };
            vec![
                title,
                context! { text => &contract.suppliers },
                context! { text => &contract.value, format => "numeric" },
                context! { text => &contract.period },
            ]
        })
        .collect();
    let title = format!("{name}'s contracts");
    let values = context! { council => context! { id, name }, rows };
    Ok(page(&state, &session, jar, "open_contracts.html", &title, &FormErrors::default(), values))
}
