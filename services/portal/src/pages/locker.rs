//! The charity's locker of compliance documents: each document with its state as a GOV.UK tag
//! (submitted, being checked, verified, rejected with the reason, expiring, expired), a form to
//! upload one (the file and the facts its kind needs) and one to renew one. The file goes to
//! UploadDocument or RenewDocument as it came; the compliance service decides what it is, and its
//! refusals are shown on their fields in plain English. A browser cannot keep a chosen file, so
//! a form with a problem asks for the file again and keeps everything else.

use axum::extract::{Multipart, Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use chrono::NaiveDate;
use minijinja::context;
use proto::commissioning::common::v1::{Date, DocumentKind, Money};
use proto::commissioning::compliance::v1::{
    Document, DocumentStatus, GetDocumentRequest, InsuranceDetails, ListDocumentsRequest, RenewDocumentMetadata,
    RenewDocumentRequest, UploadDocumentMetadata, UploadDocumentRequest, renew_document_request,
    upload_document_request,
};
use serde::Serialize;

use super::{FormErrors, PageError, page, sentence, typed_pounds};
use crate::PortalState;
use crate::calls::field_violations;
use crate::sessions::{Person, Session};
use crate::visitor::{CharityVisit, Visit};

/// The pieces a file is sent in (the service takes at most 1 MiB a message).
const CHUNK: usize = 1024 * 1024;

/// The kinds a charity may upload, as it names them.
pub const KINDS: [(DocumentKind, &str); 11] = [
    (DocumentKind::PublicLiabilityInsurance, "Public liability insurance certificate"),
    (DocumentKind::EmployersLiabilityInsurance, "Employer's liability insurance certificate"),
    (DocumentKind::ProfessionalIndemnityInsurance, "Professional indemnity insurance certificate"),
    (DocumentKind::SafeguardingAdultsPolicy, "Safeguarding adults policy"),
    (DocumentKind::SafeguardingChildrenPolicy, "Safeguarding children policy"),
    (DocumentKind::HealthAndSafetyPolicy, "Health and safety policy"),
    (DocumentKind::DbsCheckingPolicy, "DBS checking policy"),
    (DocumentKind::DataProtectionRegistration, "Data protection registration (ICO)"),
    (DocumentKind::EqualityPolicy, "Equality policy"),
    (DocumentKind::BusinessContinuityPlan, "Business continuity plan"),
    (DocumentKind::Other, "Something else"),
];

/// How a person names a document kind.
pub fn kind_name(kind: i32) -> &'static str {
    KINDS.iter().find(|(known, _)| *known as i32 == kind).map_or("Document", |(_, name)| *name)
}

/// A document's state as its tag shows it: the words and the tag's colour.
pub(super) fn state_tag(status: i32) -> (&'static str, &'static str) {
    match DocumentStatus::try_from(status).unwrap_or(DocumentStatus::Unspecified) {
        DocumentStatus::Submitted => ("Submitted", "govuk-tag--blue"),
        DocumentStatus::PendingScan => ("Being checked", "govuk-tag--grey"),
        DocumentStatus::Verified => ("Verified", "govuk-tag--green"),
        DocumentStatus::Rejected => ("Rejected", "govuk-tag--red"),
        DocumentStatus::Expiring => ("Expiring", "govuk-tag--yellow"),
        DocumentStatus::Expired => ("Expired", "govuk-tag--red"),
        DocumentStatus::Superseded => ("Replaced", "govuk-tag--grey"),
        DocumentStatus::Unspecified => ("Unknown", "govuk-tag--grey"),
    }
}

/// "31 March 2027", or nothing for a date not given.
pub fn long_date(date: Option<&Date>) -> String {
    date.and_then(|date| platform::dates::parse_date(date).ok()).map_or_else(String::new, platform::dates::long_date)
}

/// The documents of the charity's locker that count or need its attention (not those replaced).
pub async fn documents_of(state: &PortalState, person: &Person) -> Result<Vec<Document>, PageError> {
    let statuses = [
        DocumentStatus::Submitted,
        DocumentStatus::PendingScan,
        DocumentStatus::Verified,
        DocumentStatus::Rejected,
        DocumentStatus::Expiring,
        DocumentStatus::Expired,
    ];
    let request = ListDocumentsRequest {
        provider_id: person.organisation_id.clone(),
        statuses: statuses.iter().map(|status| *status as i32).collect(),
        page_size: 100,
        ..Default::default()
    };
    let request = state.as_person(person, request)?;
    Ok(state.compliance().list_documents(request).await?.into_inner().documents)
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct LockerQuery {
    #[serde(default)]
    uploaded: Option<String>,
}

/// GET /locker
pub async fn locker(
    State(state): State<PortalState>,
    axum::extract::Query(query): axum::extract::Query<LockerQuery>,
    CharityVisit { session, jar, person }: CharityVisit,
) -> Result<Response, PageError> {
    let documents = documents_of(&state, &person).await?;
    let documents: Vec<_> = documents
        .iter()
        .map(|document| {
            let (state_text, state_classes) = state_tag(document.status);
            context! {
                id => &document.id,
                title => &document.title,
                kind => kind_name(document.kind),
                state => context! { text => state_text, classes => state_classes },
                expires_on => long_date(document.expires_on.as_ref()),
                rejected_because => document.rejection.as_ref().map(|rejection| sentence(&rejection.reason)),
                verified_by => document.verification.as_ref().map(|verification| verification.council_name.clone()),
            }
        })
        .collect();
    let values = context! { documents, uploaded => query.uploaded.is_some() };
    Ok(page(&state, &session, jar, "locker.html", "Your documents", &FormErrors::default(), values))
}

/// What the upload and renewal forms hold, the file aside.
#[derive(Debug, Default, Serialize)]
pub struct DocumentForm {
    request_id: String,
    kind: String,
    title: String,
    valid_from: DateParts,
    expires_on: DateParts,
    insurer: String,
    policy_number: String,
    limit_of_indemnity: String,
}

/// A date as typed in the three boxes of a GOV.UK date input.
#[derive(Debug, Default, Serialize)]
pub(super) struct DateParts {
    pub day: String,
    pub month: String,
    pub year: String,
}

/// A file as the browser sent it.
struct Upload {
    filename: String,
    bytes: Vec<u8>,
}

/// The two forms: a new document, or the renewal of `document`.
enum Purpose<'a> {
    Upload,
    Renew(&'a Document),
}

fn form_page(
    state: &PortalState,
    session: &Session,
    jar: CookieJar,
    purpose: &Purpose<'_>,
    form: &DocumentForm,
    errors: &FormErrors,
) -> Response {
    let kinds: Vec<_> =
        KINDS.iter().map(|(kind, text)| context! { value => kind.as_str_name(), text => *text }).collect();
    let (action, renewing) = match purpose {
        Purpose::Upload => ("/locker/upload".to_owned(), None),
        Purpose::Renew(document) => (
            format!("/locker/{}/renew", document.id),
            Some(context! { title => &document.title, kind => kind_name(document.kind) }),
        ),
    };
    let title = if renewing.is_some() { "Renew a document" } else { "Upload a document" };
    let values = context! {
        form => minijinja::Value::from(minijinja::value::Serde(form)),
        kinds,
        action,
        renewing,
        max_megabytes => state.0.max_document_bytes / (1024 * 1024),
    };
    page(state, session, jar, "locker_upload.html", title, errors, values)
}

/// GET /locker/upload
pub async fn upload_page(
    State(state): State<PortalState>,
    CharityVisit { session, jar, .. }: CharityVisit,
) -> Response {
    let form = DocumentForm { request_id: uuid::Uuid::new_v4().to_string(), ..Default::default() };
    form_page(&state, &session, jar, &Purpose::Upload, &form, &FormErrors::default())
}

/// GET /locker/{id}/renew
pub async fn renew_page(
    State(state): State<PortalState>,
    Path(id): Path<String>,
    CharityVisit { session, jar, person }: CharityVisit,
) -> Result<Response, PageError> {
    let document = document(&state, &person, &id).await?;
    let form = DocumentForm {
        request_id: uuid::Uuid::new_v4().to_string(),
        title: document.title.clone(),
        insurer: document.insurance.as_ref().map(|insurance| insurance.insurer.clone()).unwrap_or_default(),
        ..Default::default()
    };
    Ok(form_page(&state, &session, jar, &Purpose::Renew(&document), &form, &FormErrors::default()))
}

async fn document(state: &PortalState, person: &Person, id: &str) -> Result<Document, PageError> {
    let request = state.as_person(person, GetDocumentRequest { document_id: id.to_owned() })?;
    state.compliance().get_document(request).await?.into_inner().document.ok_or(PageError::NotFound)
}

/// POST /locker/upload
pub async fn upload(
    State(state): State<PortalState>,
    headers: HeaderMap,
    visit: Visit,
    multipart: Multipart,
) -> Result<Response, PageError> {
    send(state, headers, visit, None, multipart).await
}

/// POST /locker/{id}/renew
pub async fn renew(
    State(state): State<PortalState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    visit: Visit,
    multipart: Multipart,
) -> Result<Response, PageError> {
    send(state, headers, visit, Some(id), multipart).await
}

/// Reads the form, checks what only the portal can (a file was chosen, dates and amounts are
/// numbers), and sends the document to the compliance service.
async fn send(
    state: PortalState,
    headers: HeaderMap,
    visit: Visit,
    renewing: Option<String>,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let mut errors = FormErrors::default();
    let (csrf_token, mut form, file) = read_form(multipart, state.0.max_document_bytes, &mut errors).await;
    visit.check_form(&headers, &csrf_token)?;
    let CharityVisit { session, jar, person } = CharityVisit::try_from(visit)?;
    let renewed = match &renewing {
        Some(id) => Some(document(&state, &person, id).await?),
        None => None,
    };
    let purpose = renewed.as_ref().map_or(Purpose::Upload, Purpose::Renew);
    if form.request_id.trim().is_empty() {
        form.request_id = uuid::Uuid::new_v4().to_string();
    }
    let kind = match &renewed {
        Some(document) => DocumentKind::try_from(document.kind).unwrap_or(DocumentKind::Unspecified),
        None => DocumentKind::from_str_name(&form.kind).unwrap_or(DocumentKind::Unspecified),
    };
    if kind == DocumentKind::Unspecified {
        errors.add("kind", "Select what kind of document it is");
    }
    let valid_from = date_of(&mut errors, "valid_from", &form.valid_from, "the date it starts");
    let expires_on = date_of(&mut errors, "expires_on", &form.expires_on, "the date it ends");
    let insurance = insurance_of(&mut errors, kind, &form);
    let Some(file) = file.filter(|_| errors.is_empty()) else {
        if !errors.is_empty() {
            errors.add("file", "Choose the file again: a browser cannot keep it while you correct the form");
        }
        return Ok(form_page(&state, &session, jar, &purpose, &form, &errors));
    };
    let facts = Facts { valid_from, expires_on, insurance, size_bytes: i64::try_from(file.bytes.len()).unwrap_or(0) };
    let sent = match &renewed {
        Some(document) => {
            let request = state.as_person(&person, tokio_stream::iter(renewal(&form, document, facts, file)))?;
            state.compliance().renew_document(request).await.map(|_| ())
        }
        None => {
            let request =
                state.as_person(&person, tokio_stream::iter(new_upload(&person, &form, kind, facts, file)))?;
            state.compliance().upload_document(request).await.map(|_| ())
        }
    };
    match sent {
        Ok(()) => Ok((jar, Redirect::to("/locker?uploaded=1")).into_response()),
        Err(status) if matches!(status.code(), tonic::Code::InvalidArgument | tonic::Code::ResourceExhausted) => {
            for (path, description) in field_violations(&status) {
                errors.add(form_field(&path), sentence(&description));
            }
            if errors.is_empty() {
                errors.add("file", sentence(status.message()));
            }
            errors.add("file", "Choose the file again");
            Ok(form_page(&state, &session, jar, &purpose, &form, &errors))
        }
        Err(status) => Err(status.into()),
    }
}

/// The form field of a service's field path (`metadata.insurance.insurer` is `insurer`).
fn form_field(path: &str) -> &'static str {
    const FIELDS: [(&str, &str); 8] = [
        ("metadata.kind", "kind"),
        ("metadata.title", "title"),
        ("metadata.valid_from", "valid_from-day"),
        ("metadata.expires_on", "expires_on-day"),
        ("metadata.insurance.insurer", "insurer"),
        ("metadata.insurance.policy_number", "policy_number"),
        ("metadata.insurance.limit_of_indemnity", "limit_of_indemnity"),
        ("metadata.insurance", "insurer"),
    ];
    FIELDS.iter().find(|(prefix, _)| path.starts_with(prefix)).map_or("file", |(_, field)| *field)
}

/// The dates and particulars of the document, as the service takes them.
struct Facts {
    valid_from: Option<Date>,
    expires_on: Option<Date>,
    insurance: Option<InsuranceDetails>,
    size_bytes: i64,
}

/// The messages of an UploadDocument stream: the metadata, then the file in pieces.
fn new_upload(
    person: &Person,
    form: &DocumentForm,
    kind: DocumentKind,
    facts: Facts,
    file: Upload,
) -> Vec<UploadDocumentRequest> {
    let metadata = UploadDocumentMetadata {
        request_id: form.request_id.clone(),
        provider_id: person.organisation_id.clone(),
        kind: kind as i32,
        title: form.title.trim().to_owned(),
        filename: file.filename,
        size_bytes: facts.size_bytes,
        sha256_hex: String::new(),
        valid_from: facts.valid_from,
        expires_on: facts.expires_on,
        insurance: facts.insurance,
    };
    let first = UploadDocumentRequest { payload: Some(upload_document_request::Payload::Metadata(metadata)) };
    let pieces = file
        .bytes
        .chunks(CHUNK)
        .map(|chunk| UploadDocumentRequest { payload: Some(upload_document_request::Payload::Chunk(chunk.to_vec())) });
    std::iter::once(first).chain(pieces).collect()
}

/// The messages of a RenewDocument stream for `document`.
fn renewal(form: &DocumentForm, document: &Document, facts: Facts, file: Upload) -> Vec<RenewDocumentRequest> {
    let metadata = RenewDocumentMetadata {
        request_id: form.request_id.clone(),
        document_id: document.id.clone(),
        title: form.title.trim().to_owned(),
        filename: file.filename,
        size_bytes: facts.size_bytes,
        sha256_hex: String::new(),
        valid_from: facts.valid_from,
        expires_on: facts.expires_on,
        insurance: facts.insurance,
    };
    let first = RenewDocumentRequest { payload: Some(renew_document_request::Payload::Metadata(metadata)) };
    let pieces = file
        .bytes
        .chunks(CHUNK)
        .map(|chunk| RenewDocumentRequest { payload: Some(renew_document_request::Payload::Chunk(chunk.to_vec())) });
    std::iter::once(first).chain(pieces).collect()
}

/// The form's fields and its file, if one was chosen; a file over the limit, or a body that could
/// not be read, is the file field's problem.
async fn read_form(
    mut multipart: Multipart,
    max_bytes: u64,
    errors: &mut FormErrors,
) -> (String, DocumentForm, Option<Upload>) {
    let mut csrf_token = String::new();
    let mut form = DocumentForm::default();
    let mut file = None;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(_) => {
                errors.add("file", format!("The file must be smaller than {} MB", max_bytes / (1024 * 1024)));
                break;
            }
        };
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            let filename = field.file_name().unwrap_or_default().to_owned();
            match field.bytes().await {
                Ok(bytes) if !bytes.is_empty() || !filename.is_empty() => {
                    file = Some(Upload { filename, bytes: bytes.to_vec() });
                }
                Ok(_) => {}
                Err(_) => {
                    errors.add("file", format!("The file must be smaller than {} MB", max_bytes / (1024 * 1024)));
                    break;
                }
            }
            continue;
        }
        let value = field.text().await.unwrap_or_default();
        let slot = match name.as_str() {
            "csrf_token" => &mut csrf_token,
            "request_id" => &mut form.request_id,
            "kind" => &mut form.kind,
            "title" => &mut form.title,
            "valid_from-day" => &mut form.valid_from.day,
            "valid_from-month" => &mut form.valid_from.month,
            "valid_from-year" => &mut form.valid_from.year,
            "expires_on-day" => &mut form.expires_on.day,
            "expires_on-month" => &mut form.expires_on.month,
            "expires_on-year" => &mut form.expires_on.year,
            "insurer" => &mut form.insurer,
            "policy_number" => &mut form.policy_number,
            "limit_of_indemnity" => &mut form.limit_of_indemnity,
            _ => continue,
        };
        *slot = value;
    }
    if file.is_none() && errors.is_empty() {
        errors.add("file", "Choose the file to upload");
    }
    (csrf_token, form, file)
}

/// A date from its three boxes; `None` when all are empty, or (with the field's problem) when
/// they are not a real date.
pub(super) fn date_of(errors: &mut FormErrors, field: &str, typed: &DateParts, what: &str) -> Option<Date> {
    let parts = [&typed.day, &typed.month, &typed.year].map(|part| part.trim());
    if parts.iter().all(|part| part.is_empty()) {
        return None;
    }
    let numbers = parts.map(|part| part.parse::<u32>().ok());
    match numbers {
        [Some(day), Some(month), Some(year)] if (1000..=9999).contains(&year) => {
            let real = i32::try_from(year).ok().and_then(|year| NaiveDate::from_ymd_opt(year, month, day));
            if real.is_some() {
                return Some(Date {
                    year: i32::try_from(year).unwrap_or(0),
                    month: i32::try_from(month).unwrap_or(0),
                    day: i32::try_from(day).unwrap_or(0),
                });
            }
            errors.add(&format!("{field}-day"), format!("Enter {what} as a real date, like 31 3 2027"));
        }
        _ => errors.add(&format!("{field}-day"), format!("Enter {what} as numbers, like 31 3 2027")),
    }
    None
}

/// The insurance particulars, for an insurance certificate only; the amount is typed in pounds.
fn insurance_of(errors: &mut FormErrors, kind: DocumentKind, form: &DocumentForm) -> Option<InsuranceDetails> {
    let insurance = matches!(
        kind,
        DocumentKind::PublicLiabilityInsurance
            | DocumentKind::EmployersLiabilityInsurance
            | DocumentKind::ProfessionalIndemnityInsurance
    );
    if !insurance {
        return None;
    }
    let pounds = typed_pounds(&form.limit_of_indemnity).unwrap_or_else(|()| {
        errors.add("limit_of_indemnity", "Enter the limit of indemnity in whole pounds, like 5000000");
        None
    });
    Some(InsuranceDetails {
        insurer: form.insurer.trim().to_owned(),
        policy_number: form.policy_number.trim().to_owned(),
        limit_of_indemnity: pounds.map(|pounds| Money {
            amount_pence: pounds.saturating_mul(100),
            currency: "GBP".into(),
            vat_included: false,
        }),
        cover_basis: 0,
    })
}
