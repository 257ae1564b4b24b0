//! The council's events as its finance integration should have received them, newest first: each
//! one's type, time and subject, with its body read out in words. Only the integrators of that
//! council see them (the council is the one they act for).

use axum::extract::State;
use axum::response::Response;
use minijinja::context;
use platform::auth::Role;
use prost::Message;
use proto::commissioning::events::v1::{
    BidSubmitted, BiddersNotified, ContractAwarded, ContractExtended, ContractRegistered, EvaluationCompleted,
    EvaluationOpened, FinanceLinked, TenderCancelled, TenderClosed, TenderPublished,
};
use proto::commissioning::tendering::v1::Contract;

use crate::PortalState;
use crate::feed::{self, council_event};
use crate::pages::contracts::period;
use crate::pages::locker::long_date;
use crate::pages::tenders::pounds;
use crate::pages::{FormErrors, PageError, page};
use crate::visitor::StaffVisit;

/// GET /integrator/events
pub async fn events(State(state): State<PortalState>, visit: StaffVisit) -> Result<Response, PageError> {
    let StaffVisit { session, jar, person } = visit.with_role(Role::Integrator)?;
    let kept = feed::newest(state.0.db.conn(), &person.organisation_id).await.map_err(PageError::storage)?;
    let rows: Vec<_> = kept
        .iter()
        .map(|event| {
            vec![
                context! { html => format!("<code>{}</code>", minijinja::HtmlEscape(&event.event_type)) },
                context! { text => platform::time::london_time_and_date(event.occurred_at) },
                context! { html => format!("<code class=\"portal-hash\">{}</code>", minijinja::HtmlEscape(&event.subject)) },
                context! { text => summary(event) },
            ]
        })
        .collect();
    let values = context! {
        council => &person.organisation_name,
        council_id => &person.organisation_id,
        rows,
    };
    Ok(page(&state, &session, jar, "integrator_events.html", "Events", &FormErrors::default(), values))
}

/// A contract as an event carries it: "“Title” with Supplier, £24,000 (VAT included), 1 April
/// 2027 to 31 March 2028".
fn contract_words(contract: &Contract) -> String {
    let supplier = contract.supplier.as_ref().map(|supplier| supplier.name.as_str()).unwrap_or_default();
    let vat = match contract.value.as_ref() {
        Some(value) if value.vat_included => " (VAT included)",
        Some(_) => " (VAT not included)",
        None => "",
    };
    format!(
        "“{}” with {supplier}, {}{vat}, {}",
        contract.title,
        pounds(contract.value.as_ref()),
        period(contract.period.as_ref())
    )
}

/// What an event's body says, in a sentence; an event the portal cannot read says so.
fn summary(event: &council_event::Model) -> String {
    let body = event.payload.as_slice();
    let said = match event.event_type.as_str() {
        "tendering.tender_published" => TenderPublished::decode(body).map(|published| {
            let title = published.tender.map(|tender| tender.title).unwrap_or_default();
            format!("The tender “{title}” was published and takes questions and bids.")
        }),
        "tendering.tender_closed" => TenderClosed::decode(body)
            .map(|closed| format!("The tender “{}” closed with {} bids.", closed.title, closed.bid_count)),
        "tendering.tender_cancelled" => {
            TenderCancelled::decode(body).map(|cancelled| format!("A tender was cancelled: {}", cancelled.reason))
        }
        "tendering.bid_submitted" => BidSubmitted::decode(body)
            .map(|submitted| format!("A sealed bid came in; the tender holds {} bids.", submitted.bid_count)),
        "tendering.contract_awarded" => ContractAwarded::decode(body).map(|awarded| {
            let contract = awarded.contract.unwrap_or_default();
            let mut words = format!("A contract was awarded: {}.", contract_words(&contract));
            if !contract.cost_centre.is_empty() {
                words.push_str(&format!(" Cost centre {}.", contract.cost_centre));
            }
            words
        }),
        "tendering.bidders_notified" => BiddersNotified::decode(body).map(|notified| {
            format!("{} bidders were told the outcome; {} won.", notified.bidders.len(), notified.winning_provider_name)
        }),
        "tendering.contract_registered" => ContractRegistered::decode(body).map(|registered| {
            format!("A block contract was registered: {}.", contract_words(&registered.contract.unwrap_or_default()))
        }),
        "tendering.finance_linked" => FinanceLinked::decode(body).map(|linked| {
            let finance = linked.finance.unwrap_or_default();
            let mut recorded = Vec::new();
            for (name, value) in [
                ("purchase order", &finance.purchase_order_number),
                ("supplier reference", &finance.supplier_reference),
                ("cost centre", &linked.cost_centre),
            ] {
                if !value.is_empty() {
                    recorded.push(format!("{name} {value}"));
                }
            }
            format!("Finance references were recorded on the contract: {}.", recorded.join(", "))
        }),
        "tendering.contract_extended" => ContractExtended::decode(body).map(|extended| {
            format!(
                "A contract was extended to {} (reference {}); it is now worth {}.",
                long_date(extended.new_end_date.as_ref()),
                extended.reference,
                pounds(extended.new_value.as_ref())
            )
        }),
        "evaluation.opened" => EvaluationOpened::decode(body)
            .map(|opened| format!("The panel's evaluation opened with {} bids.", opened.bid_count)),
        "evaluation.completed" => EvaluationCompleted::decode(body)
            .map(|_| "The panel completed its evaluation and ranked the bids.".to_owned()),
        other => Ok(format!("A {} event.", other.replace(['.', '_'], " "))),
    };
    said.unwrap_or_else(|_| "The portal could not read this event's body.".to_owned())
}
