//! The officer's page of a closed tender's panel: where the evaluation is, who is on the panel and
//! in what part, and a form to put someone on it (AssignEvaluator) as an evaluator, a resident
//! evaluator limited to the quality and social value criteria chosen for them, or the moderator.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use axum_extra::extract::cookie::CookieJar;
use minijinja::context;
use platform::auth::Role;
use proto::commissioning::evaluation::v1::{
    AssignEvaluatorRequest, Evaluation, EvaluationStatus, PanelMember, PanelRole,
};
use proto::commissioning::tendering::v1::CriterionKind;
use serde::{Deserialize, Serialize};

use super::super::{FormErrors, PageError, page, sentence};
use super::{evaluation_of, role_name, tender_values};
use crate::PortalState;
use crate::calls::field_violations;
use crate::sessions::Session;
use crate::visitor::{StaffVisit, Visit};

/// The panel roles an officer chooses from, as the form names them.
const ROLES: [(PanelRole, &str, &str, &str); 3] = [
    (PanelRole::Evaluator, "evaluator", "Evaluator", "Scores every criterion but price."),
    (
        PanelRole::ResidentEvaluator,
        "resident",
        "Resident evaluator",
        "A local resident who scores only the quality and social value criteria you choose below.",
    ),
    (
        PanelRole::Moderator,
        "moderator",
        "Moderator",
        "Agrees the panel's scores and completes the evaluation. Does not score.",
    ),
];

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct AssignForm {
    #[serde(skip_serializing)]
    csrf_token: String,
    user_id: String,
    display_name: String,
    role: String,
    criteria: Vec<String>,
}

fn panel_page(
    state: &PortalState,
    session: &Session,
    jar: CookieJar,
    evaluation: &Evaluation,
    form: &AssignForm,
    errors: &FormErrors,
) -> Response {
    let members: Vec<_> = evaluation
        .panel
        .iter()
        .map(|member| {
            let name = if member.display_name.is_empty() { &member.user_id } else { &member.display_name };
            let progress = match member.role() {
                PanelRole::Moderator => "",
                _ if member.scoring_finished => "Finished scoring",
                _ => "Scoring",
            };
            context! { name, user_id => &member.user_id, role => role_name(member, evaluation), progress }
        })
        .collect();
    let roles: Vec<_> = ROLES
        .iter()
        .map(|&(_, value, text, hint)| context! { value, text, hint => context! { text => hint } })
        .collect();
    // A resident scores only quality and social value criteria.
    let criteria: Vec<_> = evaluation
        .criteria
        .iter()
        .filter(|criterion| matches!(criterion.kind(), CriterionKind::Quality | CriterionKind::SocialValue))
        .map(|criterion| context! { value => &criterion.id, text => &criterion.name })
        .collect();
    let values = context! {
        tender => tender_values(evaluation),
        members,
        roles,
        criteria,
        scoring => evaluation.status() == EvaluationStatus::Scoring,
        completed => evaluation.status() == EvaluationStatus::Completed,
        form => minijinja::Value::from(minijinja::value::Serde(form)),
    };
    page(state, session, jar, "panel.html", "The evaluation panel", errors, values)
}

/// GET /tenders/{id}/panel
pub async fn panel(
    State(state): State<PortalState>,
    Path(id): Path<String>,
    visit: StaffVisit,
) -> Result<Response, PageError> {
    let StaffVisit { session, jar, person } = visit.with_role(Role::Officer)?;
    let evaluation = evaluation_of(&state, &person, &id).await?;
    let form = AssignForm { role: "evaluator".into(), ..Default::default() };
    Ok(panel_page(&state, &session, jar, &evaluation, &form, &FormErrors::default()))
}

/// POST /tenders/{id}/panel: puts someone on the panel.
pub async fn assign_evaluator(
    State(state): State<PortalState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    visit: Visit,
    Form(form): Form<AssignForm>,
) -> Result<Response, PageError> {
    visit.check_form(&headers, &form.csrf_token)?;
    let StaffVisit { session, jar, person } = StaffVisit::try_from(visit)?.with_role(Role::Officer)?;
    let evaluation = evaluation_of(&state, &person, &id).await?;
    let mut errors = FormErrors::default();
    let user_id = form.user_id.trim();
    if user_id.is_empty() {
        errors.add("user_id", "Enter their user ID, as they sign in to the marketplace");
    }
    let display_name = form.display_name.trim();
    if display_name.is_empty() {
        errors.add("display_name", "Enter their name, as the panel knows them");
    } else if display_name.chars().count() > 200 {
        errors.add("display_name", "Their name must be 200 characters or fewer");
    }
    let role = ROLES.iter().find(|(_, value, ..)| *value == form.role).map(|(role, ..)| *role);
    if role.is_none() {
        errors.add("role", "Select their part on the panel");
    }
    if role == Some(PanelRole::ResidentEvaluator) && form.criteria.is_empty() {
        errors.add("criteria", "Select the criteria the resident scores");
    }
    if !errors.is_empty() {
        return Ok(panel_page(&state, &session, jar, &evaluation, &form, &errors));
    }
    let member = PanelMember {
        user_id: user_id.to_owned(),
        display_name: display_name.to_owned(),
        role: role.unwrap_or(PanelRole::Unspecified) as i32,
        // Only a resident is limited to chosen criteria; an evaluator scores them all.
        criterion_ids: if role == Some(PanelRole::ResidentEvaluator) { form.criteria.clone() } else { Vec::new() },
        ..Default::default()
    };
    let request = AssignEvaluatorRequest { evaluation_id: evaluation.id.clone(), member: Some(member) };
    match state.evaluation().assign_evaluator(state.as_person(&person, request)?).await {
        Ok(_) => Ok((jar, Redirect::to(&format!("/tenders/{id}/panel"))).into_response()),
        Err(status) if status.code() == tonic::Code::InvalidArgument => {
            for (path, description) in field_violations(&status) {
                let field = if path.contains("criterion") {
                    "criteria"
                } else if path.contains("user") {
                    "user_id"
                } else {
                    "display_name"
                };
                errors.add(field, sentence(&description));
            }
            if errors.is_empty() {
                errors.add("user_id", sentence(status.message()));
            }
            Ok(panel_page(&state, &session, jar, &evaluation, &form, &errors))
        }
        Err(status) if status.code() == tonic::Code::FailedPrecondition => {
            errors.add("user_id", format!("They could not be put on the panel: {}", status.message()));
            Ok(panel_page(&state, &session, jar, &evaluation, &form, &errors))
        }
        Err(status) => Err(status.into()),
    }
}
