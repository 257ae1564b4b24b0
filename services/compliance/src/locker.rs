//! A stored document as the compliance rules see it: the wire's times turned into UK dates, the
//! status paired with its verification or rejection.

use platform::Error;
use platform::time::london_date;
use proto::commissioning::common::v1::DocumentKind;
use proto::commissioning::compliance::v1::{CoverBasis, Document, DocumentStatus};

use crate::domain::{Cover, LockerDocument, Pence, Rejection, Status, Verification, parse_optional_date};

/// The rules' view of `document`. A stored document that does not fit them is a bug, not the
/// caller's mistake.
pub fn locker_document(document: &Document) -> Result<LockerDocument, Error> {
    let broken = |why: String| Error::internal(format!("document {} cannot be checked: {why}", document.id));
    let day = |time: &Option<prost_types::Timestamp>| {
        time.as_ref()
            .and_then(platform::time::from_timestamp)
            .map(london_date)
            .unwrap_or_else(platform::time::london_today)
    };
    let verification = document.verification.as_ref().map(|verification| Verification {
        council_name: verification.council_name.clone(),
        on: day(&verification.verify_time),
    });
    let rejection = document.rejection.as_ref().map(|rejection| Rejection {
        council_name: (!rejection.council_id.is_empty()).then(|| rejection.council_name.clone()),
        on: day(&rejection.reject_time),
        reason: rejection.reason.clone(),
    });
    let status = DocumentStatus::try_from(document.status).unwrap_or(DocumentStatus::Unspecified);
    let status = Status::from_parts(status, verification, rejection).map_err(|invalid| broken(invalid.to_string()))?;
    let cover = match document.insurance.as_ref().and_then(|insurance| insurance.limit_of_indemnity.as_ref()) {
        Some(limit) => {
            let pence = Pence::parse(limit, "cover").map_err(|violations| broken(format!("{violations:?}")))?;
            let basis = document.insurance.as_ref().map_or(0, |insurance| insurance.cover_basis);
            Some(Cover::new(pence, CoverBasis::try_from(basis).unwrap_or(CoverBasis::Unspecified)))
        }
        None => None,
    };
    Ok(LockerDocument {
        id: document.id.clone(),
        kind: DocumentKind::try_from(document.kind).unwrap_or(DocumentKind::Unspecified),
        status,
        cover,
        valid_from: parse_optional_date(document.valid_from.as_ref()).map_err(|invalid| broken(invalid.to_string()))?,
        expires_on: parse_optional_date(document.expires_on.as_ref()).map_err(|invalid| broken(invalid.to_string()))?,
    })
}
