//! The opening record of a closed tender, for its council's officer: each bid's SHA-256, version
//! and time as opened at the deadline, and whose it is, so that every bidder can check its bid was
//! opened unaltered. No bid's contents: those are the panel's, on its scoring pages.

use axum::extract::{Path, State};
use axum::response::Response;
use minijinja::context;
use platform::auth::Role;
use proto::commissioning::tendering::v1::{GetOpeningRecordRequest, GetTenderRequest, TenderStatus};

use super::super::{FormErrors, PageError, page};
use crate::PortalState;
use crate::visitor::StaffVisit;

/// GET /tenders/{id}/opening-record
pub async fn opening_record(
    State(state): State<PortalState>,
    Path(id): Path<String>,
    visit: StaffVisit,
) -> Result<Response, PageError> {
    let StaffVisit { session, jar, person } = visit.with_role(Role::Officer)?;
    let request = state.as_person(&person, GetTenderRequest { tender_id: id.clone() })?;
    let tender = state.tendering().get_tender(request).await?.into_inner().tender.ok_or(PageError::NotFound)?;
    // Any signed-in person may read an opening record; this page is the buying council's.
    if tender.council_id != person.organisation_id {
        return Err(PageError::Forbidden);
    }
    let open = matches!(tender.status(), TenderStatus::ActiveEnquiries | TenderStatus::ActiveTendering);
    let record = if open {
        None
    } else {
        let request = state.as_person(&person, GetOpeningRecordRequest { tender_id: id.clone() })?;
        match state.tendering().get_opening_record(request).await {
            Ok(found) => found.into_inner().opening_record,
            Err(status) if status.code() == tonic::Code::FailedPrecondition => None,
            Err(status) => return Err(status.into()),
        }
    };
    let time = super::super::uk_time;
    let record = record.map(|record| {
        let entries: Vec<_> = record
            .entries
            .iter()
            .map(|entry| {
                let partners: Vec<&str> = entry.partners.iter().map(|partner| partner.name.as_str()).collect();
                context! {
                    provider => &entry.provider_name,
                    sha256 => &entry.sha256_hex,
                    version => entry.version,
                    received => time(entry.receive_time.as_ref()),
                    partners => partners.join(", "),
                }
            })
            .collect();
        context! {
            deadline => time(record.bid_deadline.as_ref()),
            opened => time(record.open_time.as_ref()),
            entries,
        }
    });
    let values = context! {
        tender => context! { id => &tender.id, title => &tender.title },
        record,
    };
    Ok(page(&state, &session, jar, "panel_opening.html", "Opening record", &FormErrors::default(), values))
}
