//! How an integrator hears of the council's events: the subjects, what each event carries, and how
//! to subscribe, in plain words (the README's event contract).

use axum::extract::State;
use axum::response::Response;
use minijinja::context;
use platform::auth::Role;

use crate::PortalState;
use crate::pages::{FormErrors, PageError, page};
use crate::visitor::StaffVisit;

/// The events a finance system acts on: type, message, and what it says.
const FINANCE_EVENTS: [(&str, &str, &str); 5] = [
    (
        "tendering.contract_awarded",
        "ContractAwarded",
        "A micro-tender was awarded and its contract made: the supplier's name, identifiers and address, the value and whether it includes VAT, the dates, the funders and their shares, and the cost centre when given.",
    ),
    (
        "tendering.bidders_notified",
        "BiddersNotified",
        "The bidders were told the outcome: the winner, and every bidder's outcome and rank.",
    ),
    (
        "tendering.contract_registered",
        "ContractRegistered",
        "A block contract the council already held was registered.",
    ),
    (
        "tendering.finance_linked",
        "FinanceLinked",
        "A purchase-order number, supplier reference or cost centre was recorded on a contract. Your own write-back comes back this way too.",
    ),
    (
        "tendering.contract_extended",
        "ContractExtended",
        "A contract's option to extend was taken: its new end date and value, and the council's reference for it.",
    ),
];

/// GET /integrator/subjects
pub async fn subjects(State(state): State<PortalState>, visit: StaffVisit) -> Result<Response, PageError> {
    let StaffVisit { session, jar, person } = visit.with_role(Role::Integrator)?;
    let rows: Vec<_> = FINANCE_EVENTS
        .iter()
        .map(|(event_type, message, says)| {
            vec![
                context! { html => format!("<code>{event_type}</code>") },
                context! { html => format!("<code>{message}</code>") },
                context! { text => *says },
            ]
        })
        .collect();
    let values = context! {
        council => &person.organisation_name,
        council_id => &person.organisation_id,
        rows,
    };
    Ok(page(
        &state,
        &session,
        jar,
        "integrator_subjects.html",
        "Events and how to subscribe",
        &FormErrors::default(),
        values,
    ))
}
