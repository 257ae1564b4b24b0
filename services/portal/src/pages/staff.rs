//! A council's people (officer, evaluator, integrator) signed in: their dashboard says plainly
//! what they can do now, with an officer's council's tenders and the evaluations each works on
//! (an evaluator's panels, an officer's council's closed tenders).

use axum::response::Response;
use minijinja::context;
use platform::auth::Role;

use super::{FormErrors, PageError, page};
use crate::PortalState;
use crate::visitor::StaffVisit;

/// The dashboard of a signed-in member of a council's staff.
pub async fn dashboard(
    state: &PortalState,
    StaffVisit { session, jar, person }: StaffVisit,
) -> Result<Response, PageError> {
    let (panels, council_evaluations) = super::panel::evaluations_for(state, &person).await?;
    let council = person.organisation_name.clone();
    let roles = person.roles.clone();
    let role_names: Vec<&str> = roles
        .iter()
        .filter_map(|role| match role {
            Role::Officer => Some("procurement officer"),
            Role::Evaluator => Some("evaluator"),
            Role::Integrator => Some("integrator"),
            _ => None,
        })
        .collect();
    let values = context! {
        council => &council,
        roles => role_names.join(" and "),
        officer => roles.contains(&Role::Officer),
        evaluator => roles.contains(&Role::Evaluator),
        integrator => roles.contains(&Role::Integrator),
        panels,
        council_evaluations,
        ..if roles.contains(&Role::Officer) { super::officer::dashboard::overview(state, &person).await? } else { context! {} }
    };
    Ok(page(state, &session, jar, "staff_dashboard.html", &council, &FormErrors::default(), values))
}
