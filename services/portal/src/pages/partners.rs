//! Partners in a consortium bid: the charity finds each partner among the organisations
//! registered on the marketplace (SearchProviders by name), says what it will do, and the partner
//! is saved to the sealed draft like an answer; a partner may be taken off again. The tendering
//! service checks each partner is registered when the bid is sent; the partner's members may then
//! read the bid and confirm or decline being named.

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use axum_extra::extract::cookie::CookieJar;
use minijinja::context;
use proto::commissioning::providers::v1::{GetProviderRequest, Provider, SearchProvidersRequest};
use proto::commissioning::tendering::v1::ConsortiumPartner;
use serde::{Deserialize, Serialize};

use super::bid::{Bidding, bidding, save, tender_values};
use super::{FormErrors, PageError, page};
use crate::PortalState;
use crate::sessions::Session;
use crate::visitor::{CharityVisit, Visit};

/// The longest description of a partner's part the service takes.
const ROLE_LIMIT: usize = 500;

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct PartnerSearch {
    q: String,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct PartnerForm {
    #[serde(skip_serializing)]
    csrf_token: String,
    q: String,
    provider_id: String,
    role: String,
}

/// The organisations registered under a name like `query`, other than the bidder itself.
async fn search(state: &PortalState, bidding: &Bidding, query: &str) -> Result<Vec<Provider>, PageError> {
    if query.trim().is_empty() {
        return Ok(Vec::new());
    }
    let request =
        SearchProvidersRequest { query: query.trim().chars().take(200).collect(), page_size: 10, ..Default::default() };
    let found = state.providers().search_providers(state.as_person(&bidding.person, request)?).await?;
    Ok(found
        .into_inner()
        .results
        .into_iter()
        .filter_map(|result| result.provider)
        .filter(|provider| provider.id != bidding.person.organisation_id)
        .collect())
}

async fn partners_page(
    state: &PortalState,
    session: &Session,
    jar: CookieJar,
    bidding: &Bidding,
    form: &PartnerForm,
    errors: &FormErrors,
) -> Result<Response, PageError> {
    let found = search(state, bidding, &form.q).await?;
    let choices: Vec<_> = found
        .iter()
        .map(|provider| {
            let town = provider.registered_address.as_ref().map_or("", |address| address.town.as_str());
            let numbers: Vec<&str> = provider.identifiers.iter().map(|identifier| identifier.value.as_str()).collect();
            let hint = match (town.is_empty(), numbers.is_empty()) {
                (_, true) => town.to_owned(),
                (true, false) => format!("Registered number {}", numbers.join(", ")),
                (false, false) => format!("{town}, registered number {}", numbers.join(", ")),
            };
            context! { value => &provider.id, text => &provider.legal_name, hint => context! { text => hint } }
        })
        .collect();
    let partners: Vec<_> = bidding
        .draft
        .consortium_partners
        .iter()
        .map(|partner| context! { provider_id => &partner.provider_id, name => &partner.name, role => &partner.role })
        .collect();
    let values = context! {
        tender => tender_values(&bidding.tender),
        partners,
        choices,
        searched => !form.q.trim().is_empty(),
        form => minijinja::Value::from(minijinja::value::Serde(form)),
        role_limit => ROLE_LIMIT,
    };
    Ok(page(state, session, jar, "bid_partners.html", "Partners in your bid", errors, values))
}

/// GET /tenders/{id}/bid/partners?q=
pub async fn partners(
    State(state): State<PortalState>,
    Path(id): Path<String>,
    Query(search): Query<PartnerSearch>,
    CharityVisit { session, jar, person }: CharityVisit,
) -> Result<Response, PageError> {
    let bidding = bidding(&state, person, &id).await?;
    let form = PartnerForm { q: search.q, ..Default::default() };
    partners_page(&state, &session, jar, &bidding, &form, &FormErrors::default()).await
}

/// POST /tenders/{id}/bid/partners: adds the partner chosen from the search.
pub async fn add_partner(
    State(state): State<PortalState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    visit: Visit,
    Form(form): Form<PartnerForm>,
) -> Result<Response, PageError> {
    visit.check_form(&headers, &form.csrf_token)?;
    let CharityVisit { session, jar, person } = CharityVisit::try_from(visit)?;
    let mut bidding = bidding(&state, person, &id).await?;
    let mut errors = FormErrors::default();
    let role = form.role.trim();
    if form.provider_id.is_empty() {
        errors.add("provider_id", "Select the organisation to add as a partner");
    } else if form.provider_id == bidding.person.organisation_id {
        errors.add("provider_id", "Your organisation leads the bid: select a partner organisation");
    } else if bidding.draft.consortium_partners.iter().any(|partner| partner.provider_id == form.provider_id) {
        errors.add("provider_id", "That organisation is already a partner in this bid");
    }
    if role.is_empty() {
        errors.add("role", "Enter what the partner will do, like runs the coffee mornings in Stockwell");
    } else if role.chars().count() > ROLE_LIMIT {
        errors.add("role", format!("What the partner will do must be {ROLE_LIMIT} characters or fewer"));
    }
    if !errors.is_empty() {
        return partners_page(&state, &session, jar, &bidding, &form, &errors).await;
    }
    let request = state.as_person(&bidding.person, GetProviderRequest { provider_id: form.provider_id.clone() })?;
    let partner = match state.providers().get_provider(request).await {
        Ok(found) => found.into_inner().provider.unwrap_or_default(),
        Err(status) if matches!(status.code(), tonic::Code::NotFound | tonic::Code::InvalidArgument) => {
            errors.add("provider_id", "That organisation is not registered on the marketplace: search again");
            return partners_page(&state, &session, jar, &bidding, &form, &errors).await;
        }
        Err(status) => return Err(status.into()),
    };
    bidding.draft.consortium_partners.push(ConsortiumPartner {
        provider_id: partner.id,
        name: partner.legal_name,
        role: role.to_owned(),
    });
    save(&state, &bidding).await?;
    Ok((jar, Redirect::to(&format!("/tenders/{id}/bid/partners"))).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RemovePartnerForm {
    csrf_token: String,
    provider_id: String,
}

/// POST /tenders/{id}/bid/partners/remove
pub async fn remove_partner(
    State(state): State<PortalState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    visit: Visit,
    Form(form): Form<RemovePartnerForm>,
) -> Result<Response, PageError> {
    visit.check_form(&headers, &form.csrf_token)?;
    let CharityVisit { jar, person, .. } = CharityVisit::try_from(visit)?;
    let mut bidding = bidding(&state, person, &id).await?;
    bidding.draft.consortium_partners.retain(|partner| partner.provider_id != form.provider_id);
    save(&state, &bidding).await?;
    Ok((jar, Redirect::to(&format!("/tenders/{id}/bid/partners"))).into_response())
}
