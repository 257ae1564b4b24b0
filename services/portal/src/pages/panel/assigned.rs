//! The evaluations on a member of staff's dashboard: for an evaluator, those they are on the
//! panel of, each linked to their scoring or, for the moderator, to moderation; for an officer,
//! their council's, each linked to its panel.

use minijinja::context;
use platform::auth::Role;
use proto::commissioning::evaluation::v1::{Evaluation, ListEvaluationsRequest, PanelRole};

use super::super::PageError;
use super::{member_of, status_name};
use crate::PortalState;
use crate::sessions::Person;

async fn listed(state: &PortalState, person: &Person, assigned_to_me: bool) -> Result<Vec<Evaluation>, PageError> {
    let request = ListEvaluationsRequest { assigned_to_me, page_size: 50, ..Default::default() };
    Ok(state.evaluation().list_evaluations(state.as_person(person, request)?).await?.into_inner().evaluations)
}

/// The evaluations `person` works on, as task list items, for their dashboard: (as an evaluator,
/// as an officer), each empty for a role they do not have.
pub async fn evaluations_for(
    state: &PortalState,
    person: &Person,
) -> Result<(Vec<minijinja::Value>, Vec<minijinja::Value>), PageError> {
    let mut panels = Vec::new();
    if person.roles.contains(&Role::Evaluator) {
        for evaluation in listed(state, person, true).await? {
            let Some(member) = member_of(&evaluation, person) else { continue };
            let (href, status) = match member.role() {
                PanelRole::Moderator => {
                    (format!("/tenders/{}/moderation", evaluation.tender_id), "You moderate".to_owned())
                }
                _ if member.scoring_finished => {
                    (format!("/tenders/{}/scoring", evaluation.tender_id), "You have finished scoring".to_owned())
                }
                _ => (format!("/tenders/{}/scoring", evaluation.tender_id), "You score".to_owned()),
            };
            let status = format!("{status}. {}", status_name(evaluation.status()));
            panels.push(context! { title => context! { text => &evaluation.tender_title }, href, status => context! { text => status } });
        }
    }
    let mut council = Vec::new();
    if person.roles.contains(&Role::Officer) {
        for evaluation in listed(state, person, false).await? {
            council.push(context! {
                title => context! { text => &evaluation.tender_title },
                href => format!("/tenders/{}/panel", evaluation.tender_id),
                status => context! { text => status_name(evaluation.status()) },
            });
        }
    }
    Ok((panels, council))
}
