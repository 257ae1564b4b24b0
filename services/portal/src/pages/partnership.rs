//! A charity named as a consortium partner in another charity's bid: on the tender's page it reads
//! which charity named it and for what part, and its members confirm or decline being named
//! (ConfirmConsortiumPartner, DeclineConsortiumPartner) until the deadline. Declining takes it out
//! of the bid; the lead charity sees each partner's answer on its receipt.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use minijinja::context;
use proto::commissioning::providers::v1::GetProviderRequest;
use proto::commissioning::tendering::v1::{
    ConfirmConsortiumPartnerRequest, DeclineConsortiumPartnerRequest, GetMyBidRequest, PartnerStatus,
};
use serde::Deserialize;

use super::PageError;
use crate::PortalState;
use crate::sessions::Person;
use crate::visitor::{CharityVisit, Visit};

/// The bid on `tender_id` that names the person's charity as a partner, as the tender page shows
/// it; none when no other charity's bid names it.
pub async fn named_in(
    state: &PortalState,
    person: &Person,
    tender_id: &str,
) -> Result<Option<minijinja::Value>, PageError> {
    let request = GetMyBidRequest { tender_id: tender_id.to_owned(), ..Default::default() };
    let bid = match state.tendering().get_my_bid(state.as_person(person, request)?).await {
        Ok(found) => found.into_inner().bid.filter(|bid| bid.viewed_as_partner),
        Err(status) if status.code() == tonic::Code::NotFound => None,
        Err(status) => return Err(status.into()),
    };
    let Some(bid) = bid else { return Ok(None) };
    let request = state.as_person(person, GetProviderRequest { provider_id: bid.provider_id.clone() })?;
    let lead = state.providers().get_provider(request).await?.into_inner().provider.unwrap_or_default();
    let ours = &person.organisation_id;
    let role = bid
        .content
        .as_ref()
        .and_then(|content| content.consortium_partners.iter().find(|partner| &partner.provider_id == ours))
        .map_or_else(String::new, |partner| partner.role.clone());
    let confirmed = bid
        .partners
        .iter()
        .any(|partner| &partner.provider_id == ours && partner.status == PartnerStatus::Confirmed as i32);
    Ok(Some(context! { bid_id => &bid.id, lead => lead.legal_name, role, confirmed }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PartnershipForm {
    csrf_token: String,
    bid_id: String,
    answer: String,
}

/// POST /tenders/{id}/partnership: confirms or declines being named.
pub async fn answer_partnership(
    State(state): State<PortalState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    visit: Visit,
    Form(form): Form<PartnershipForm>,
) -> Result<Response, PageError> {
    visit.check_form(&headers, &form.csrf_token)?;
    let CharityVisit { jar, person, .. } = CharityVisit::try_from(visit)?;
    let answered = match form.answer.as_str() {
        "confirm" => {
            let request = ConfirmConsortiumPartnerRequest { bid_id: form.bid_id };
            state.tendering().confirm_consortium_partner(state.as_person(&person, request)?).await.map(|_| "confirmed")
        }
        "decline" => {
            let request = DeclineConsortiumPartnerRequest { bid_id: form.bid_id };
            state.tendering().decline_consortium_partner(state.as_person(&person, request)?).await.map(|_| "declined")
        }
        _ => return Err(PageError::NotFound),
    };
    match answered {
        Ok(answer) => {
            Ok((jar, Redirect::to(&format!("/tenders/{id}?partnership={answer}#partnership"))).into_response())
        }
        // Past the deadline, or declined already: the tender page says where things stand.
        Err(status) if status.code() == tonic::Code::FailedPrecondition => {
            Ok((jar, Redirect::to(&format!("/tenders/{id}?partnership=closed#partnership"))).into_response())
        }
        Err(status) => Err(status.into()),
    }
}
