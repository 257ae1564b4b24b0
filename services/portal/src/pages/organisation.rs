//! A charity's organisation: one form with its details, sent to CreateProvider to register and to
//! UpdateProvider to change them (from "check your profile"); the service's field violations are
//! shown on their fields in plain English, and the form keeps what was typed.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use axum_extra::extract::cookie::CookieJar;
use minijinja::context;
use proto::commissioning::common::v1::{OrgIdScheme, OrgIdentifier, PostalAddress};
use proto::commissioning::providers::v1::{
    CreateProviderRequest, GetProviderRequest, LegalForm, Provider, UpdateProviderRequest,
};
use serde::{Deserialize, Serialize};

use super::{FormErrors, PageError, page, sentence};
use crate::calls::field_violations;
use crate::sessions::{self, Person, Session};
use crate::visitor::{CharityVisit, Visit};
use crate::{PortalState, people};

/// The legal forms offered, in the order a small charity is likeliest to be.
const LEGAL_FORMS: [LegalForm; 9] = [
    LegalForm::RegisteredCharity,
    LegalForm::CharitableIncorporatedOrganisation,
    LegalForm::CharitableCompany,
    LegalForm::UnincorporatedCommunityGroup,
    LegalForm::CommunityInterestCompany,
    LegalForm::CompanyLimitedByGuarantee,
    LegalForm::SocialEnterprise,
    LegalForm::MicroEnterpriseOrSoleTrader,
    LegalForm::Other,
];

/// How a person names a legal form.
pub fn legal_form_name(form: LegalForm) -> &'static str {
    match form {
        LegalForm::RegisteredCharity => "Registered charity",
        LegalForm::CharitableIncorporatedOrganisation => "Charitable incorporated organisation (CIO or SCIO)",
        LegalForm::CharitableCompany => "Charitable company",
        LegalForm::CommunityInterestCompany => "Community interest company (CIC)",
        LegalForm::CompanyLimitedByGuarantee => "Company limited by guarantee",
        LegalForm::UnincorporatedCommunityGroup => "Community group or association, not registered",
        LegalForm::SocialEnterprise => "Social enterprise",
        LegalForm::MicroEnterpriseOrSoleTrader => "Small business or sole trader",
        LegalForm::Other => "Something else",
        LegalForm::Unspecified => "",
    }
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct OrganisationForm {
    #[serde(skip_serializing)]
    csrf_token: String,
    request_id: String,
    legal_name: String,
    legal_form: String,
    charity_number: String,
    company_number: String,
    address_line1: String,
    address_line2: String,
    town: String,
    postcode: String,
    contact_email: String,
    contact_phone: String,
    paid_staff_count: String,
    volunteer_count: String,
    /// The profile's etag when it was read for changing, so that a change made meanwhile by
    /// another member is not overwritten unseen.
    etag: String,
}

/// Each service field the form fills, the form field it came from, and what to say when it is
/// missing. Anything else the service says is shown as it says it.
const FIELDS: [(&str, &str, &str); 10] = [
    ("provider.legal_name", "legal_name", "Enter your organisation's legal name"),
    ("provider.legal_form", "legal_form", "Select what kind of organisation it is"),
    ("provider.registered_address.line1", "address_line1", "Enter the first line of the address"),
    ("provider.registered_address.line2", "address_line2", "Enter the second line of the address"),
    ("provider.registered_address.town", "town", "Enter the town or city"),
    ("provider.registered_address.postcode", "postcode", "Enter the postcode, like SW2 1RW"),
    ("provider.contact_email", "contact_email", "Enter the contact email address"),
    ("provider.contact_phone", "contact_phone", "Enter a UK phone number, like 020 7946 0000"),
    ("provider.paid_staff_count", "paid_staff_count", "Enter the number of paid staff"),
    ("provider.volunteer_count", "volunteer_count", "Enter the number of volunteers"),
];

/// Whether the form registers a new organisation or changes the charity's own.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Purpose {
    Register,
    Change,
}

fn form_page(
    state: &PortalState,
    session: &Session,
    jar: CookieJar,
    purpose: Purpose,
    form: &OrganisationForm,
    errors: &FormErrors,
) -> Response {
    let legal_forms: Vec<minijinja::Value> = LEGAL_FORMS
        .iter()
        .map(|legal_form| context! { value => legal_form.as_str_name(), text => legal_form_name(*legal_form) })
        .collect();
    let (action, title, button) = match purpose {
        Purpose::Register => ("/organisation/new", "Register your organisation", "Register organisation"),
        Purpose::Change => ("/organisation/edit", "Change your organisation's details", "Save changes"),
    };
    let values = context! {
        form => minijinja::Value::from(minijinja::value::Serde(form)),
        legal_forms,
        action,
        button,
        changing => purpose == Purpose::Change,
    };
    page(state, session, jar, "organisation_new.html", title, errors, values)
}

/// GET /organisation/new
pub async fn new_organisation_page(
    State(state): State<PortalState>,
    Visit { session, jar }: Visit,
) -> Result<Response, PageError> {
    match &session.person {
        None => Err(PageError::SignInNeeded),
        Some(person) if person.organisation_id != "platform" => Err(PageError::GoTo("/dashboard")),
        Some(_) => {
            let form = OrganisationForm { request_id: uuid::Uuid::new_v4().to_string(), ..Default::default() };
            Ok(form_page(&state, &session, jar, Purpose::Register, &form, &FormErrors::default()))
        }
    }
}

/// POST /organisation/new
pub async fn register_organisation(
    State(state): State<PortalState>,
    headers: HeaderMap,
    visit: Visit,
    Form(mut form): Form<OrganisationForm>,
) -> Result<Response, PageError> {
    let Some(person) = visit.session.person.clone() else { return Err(PageError::SignInNeeded) };
    visit.check_form(&headers, &form.csrf_token)?;
    if person.organisation_id != "platform" {
        return Err(PageError::GoTo("/dashboard"));
    }
    let Visit { session, jar } = visit;
    if form.request_id.trim().is_empty() {
        form.request_id = uuid::Uuid::new_v4().to_string();
    }
    let mut errors = FormErrors::default();
    let (provider, identifiers) = provider_of(&form, &mut errors);
    // The numbers are the portal's to read; the rest is the service's to check.
    if !errors.is_empty() {
        return Ok(form_page(&state, &session, jar, Purpose::Register, &form, &errors));
    }
    let request = CreateProviderRequest { request_id: form.request_id.clone(), provider: Some(provider) };
    let request = state.as_person(&person, request)?;
    let created = match state.providers().create_provider(request).await {
        Ok(created) => created.into_inner().provider.unwrap_or_default(),
        Err(status) => match refusal(&status, &form, &identifiers) {
            Some(errors) => return Ok(form_page(&state, &session, jar, Purpose::Register, &form, &errors)),
            None => return Err(status.into()),
        },
    };
    let db = state.0.db.conn();
    let linked = async {
        people::link(db, &person.user_id, &created.id, &created.legal_name).await?;
        sessions::set_organisation(db, &session.token, &created.id, &created.legal_name).await
    };
    linked.await.map_err(PageError::storage)?;
    Ok((jar, Redirect::to("/dashboard?registered=1")).into_response())
}

/// The form fields the identifiers came from, in the order the provider lists them.
type Identifiers = Vec<(&'static str, OrgIdScheme, String)>;

/// The provider the form describes and the identifiers it gives; what only the portal can read
/// (the counts of people) is checked here, the rest by the service.
fn provider_of(form: &OrganisationForm, errors: &mut FormErrors) -> (Provider, Identifiers) {
    let paid_staff = count(errors, "paid_staff_count", &form.paid_staff_count, "paid staff");
    let volunteers = count(errors, "volunteer_count", &form.volunteer_count, "volunteers");
    let legal_form = LegalForm::from_str_name(&form.legal_form).unwrap_or(LegalForm::Unspecified);
    let mut identifiers = Vec::new();
    if !form.charity_number.trim().is_empty() {
        identifiers.push(("charity_number", OrgIdScheme::GbChc, form.charity_number.trim().to_owned()));
    }
    if !form.company_number.trim().is_empty() {
        identifiers.push(("company_number", OrgIdScheme::GbCoh, form.company_number.trim().to_owned()));
    }
    let provider = Provider {
        legal_name: form.legal_name.trim().to_owned(),
        legal_form: legal_form as i32,
        identifiers: identifiers
            .iter()
            .map(|(_, scheme, value)| OrgIdentifier { scheme: *scheme as i32, value: value.clone() })
            .collect(),
        registered_address: Some(PostalAddress {
            line1: form.address_line1.trim().to_owned(),
            line2: form.address_line2.trim().to_owned(),
            town: form.town.trim().to_owned(),
            postcode: form.postcode.trim().to_owned(),
            ..Default::default()
        }),
        contact_email: form.contact_email.trim().to_owned(),
        contact_phone: form.contact_phone.trim().to_owned(),
        paid_staff_count: paid_staff.unwrap_or(0),
        volunteer_count: volunteers.unwrap_or(0),
        ..Default::default()
    };
    (provider, identifiers)
}

/// The form's problems from a refusal the form can show (a field's problem, a number another
/// organisation holds, a change made meanwhile); `None` for any other.
fn refusal(status: &tonic::Status, form: &OrganisationForm, identifiers: &Identifiers) -> Option<FormErrors> {
    let mut errors = FormErrors::default();
    match status.code() {
        tonic::Code::InvalidArgument => {
            for (path, description) in field_violations(status) {
                let identifier = identifiers
                    .iter()
                    .enumerate()
                    .find(|(index, _)| path.starts_with(&format!("provider.identifiers[{index}]")));
                if let Some((_, (field, _, _))) = identifier {
                    errors.add(field, sentence(&description));
                } else if let Some((_, field, missing)) = FIELDS.iter().find(|(known, _, _)| *known == path) {
                    let typed = form_value(form, field);
                    errors.add(
                        field,
                        if typed.trim().is_empty() { (*missing).to_owned() } else { sentence(&description) },
                    );
                } else {
                    errors.add("legal_name", sentence(&description));
                }
            }
        }
        tonic::Code::AlreadyExists => {
            // The service names the identifier another provider holds.
            let held = identifiers
                .iter()
                .enumerate()
                .find(|(index, _)| status.message().contains(&format!("provider.identifiers[{index}]")));
            let field = held.map_or("charity_number", |(_, (field, _, _))| *field);
            errors.add(
                field,
                "An organisation with this number is already registered on the marketplace. If it is yours, ask the \
                 person who registered it to add you",
            );
        }
        tonic::Code::Aborted => errors.add(
            "legal_name",
            "Someone else in your organisation changed these details while you were: check them and save again",
        ),
        _ => return None,
    }
    Some(errors)
}

/// The charity's own profile, as its member reads it.
async fn own_profile(state: &PortalState, person: &Person) -> Result<Provider, PageError> {
    let request = state.as_person(person, GetProviderRequest { provider_id: person.organisation_id.clone() })?;
    state.providers().get_provider(request).await?.into_inner().provider.ok_or(PageError::NotFound)
}

/// The form filled from the profile as stored.
fn form_of(provider: &Provider) -> OrganisationForm {
    let address = provider.registered_address.clone().unwrap_or_default();
    let identifier = |scheme: OrgIdScheme| {
        provider.identifiers.iter().find(|known| known.scheme == scheme as i32).map(|known| known.value.clone())
    };
    OrganisationForm {
        legal_name: provider.legal_name.clone(),
        legal_form: LegalForm::try_from(provider.legal_form).unwrap_or(LegalForm::Unspecified).as_str_name().to_owned(),
        charity_number: identifier(OrgIdScheme::GbChc).unwrap_or_default(),
        company_number: identifier(OrgIdScheme::GbCoh).unwrap_or_default(),
        address_line1: address.line1,
        address_line2: address.line2,
        town: address.town,
        postcode: address.postcode,
        contact_email: provider.contact_email.clone(),
        contact_phone: provider.contact_phone.clone(),
        paid_staff_count: provider.paid_staff_count.to_string(),
        volunteer_count: provider.volunteer_count.to_string(),
        etag: provider.etag.clone(),
        ..Default::default()
    }
}

/// GET /organisation/edit
pub async fn change_organisation_page(
    State(state): State<PortalState>,
    CharityVisit { session, jar, person }: CharityVisit,
) -> Result<Response, PageError> {
    let provider = own_profile(&state, &person).await?;
    Ok(form_page(&state, &session, jar, Purpose::Change, &form_of(&provider), &FormErrors::default()))
}

/// The fields the form changes.
const CHANGED: [&str; 8] = [
    "legal_name",
    "legal_form",
    "identifiers",
    "registered_address",
    "contact_email",
    "contact_phone",
    "paid_staff_count",
    "volunteer_count",
];

/// POST /organisation/edit
pub async fn change_organisation(
    State(state): State<PortalState>,
    headers: HeaderMap,
    visit: Visit,
    Form(form): Form<OrganisationForm>,
) -> Result<Response, PageError> {
    visit.check_form(&headers, &form.csrf_token)?;
    let CharityVisit { session, jar, person } = CharityVisit::try_from(visit)?;
    let mut errors = FormErrors::default();
    let (mut provider, identifiers) = provider_of(&form, &mut errors);
    if !errors.is_empty() {
        return Ok(form_page(&state, &session, jar, Purpose::Change, &form, &errors));
    }
    provider.id.clone_from(&person.organisation_id);
    provider.etag.clone_from(&form.etag);
    let mask = prost_types::FieldMask { paths: CHANGED.iter().map(|path| (*path).to_owned()).collect() };
    let request = UpdateProviderRequest { provider: Some(provider), update_mask: Some(mask) };
    let request = state.as_person(&person, request)?;
    match state.providers().update_provider(request).await {
        Ok(_) => Ok((jar, Redirect::to("/organisation/check?changed=1")).into_response()),
        Err(status) => match refusal(&status, &form, &identifiers) {
            Some(errors) => Ok(form_page(&state, &session, jar, Purpose::Change, &form, &errors)),
            None => Err(status.into()),
        },
    }
}

/// A whole number of people, 0 or more; `None` (with the field's problem) otherwise.
fn count(errors: &mut FormErrors, field: &str, typed: &str, what: &str) -> Option<i32> {
    let typed = typed.trim();
    if typed.is_empty() {
        errors.add(field, format!("Enter the number of {what}, or 0"));
        return None;
    }
    match typed.parse::<i32>() {
        Ok(number) if (0..=100_000).contains(&number) => Some(number),
        _ => {
            errors.add(field, format!("Enter the number of {what} as a whole number, like 3"));
            None
        }
    }
}

fn form_value<'a>(form: &'a OrganisationForm, field: &str) -> &'a str {
    match field {
        "legal_name" => &form.legal_name,
        "legal_form" => &form.legal_form,
        "address_line1" => &form.address_line1,
        "address_line2" => &form.address_line2,
        "town" => &form.town,
        "postcode" => &form.postcode,
        "contact_email" => &form.contact_email,
        "contact_phone" => &form.contact_phone,
        "paid_staff_count" => &form.paid_staff_count,
        "volunteer_count" => &form.volunteer_count,
        _ => "",
    }
}
