//! A council's own tender as its officer reads it: where it is, the bids received so far (the
//! number only, as the service tells the buying council), its publication duties once published,
//! its amendments, and what the officer can do next (answer questions, amend, cancel).

use axum::extract::{Path, Query, State};
use axum::response::Response;
use minijinja::{Value, context};
use proto::commissioning::tendering::v1::{Amendment, PublicationDuties, Tender, TenderStatus};
use serde::Deserialize;

use super::{officer, own_tender, pounds, tender_values, when};
use crate::PortalState;
use crate::pages::{FormErrors, PageError, page};
use crate::visitor::StaffVisit;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TenderQuery {
    published: Option<String>,
    amended: Option<String>,
    cancelled: Option<String>,
}

fn row(key: &str, value: String) -> Value {
    context! { key => context! { text => key }, value => context! { text => value } }
}

fn required(yes: bool) -> String {
    if yes { "Required".into() } else { "Not required".into() }
}

/// What the council must publish, as the service decided it on publishing.
fn duties(duties: &PublicationDuties) -> Vec<Value> {
    vec![
        row(
            "Publish the spend (Local Government Transparency Code)",
            required(duties.transparency_publication_required),
        ),
        row(
            "A notice on the Central Digital Platform (Procurement Act 2023)",
            required(duties.central_digital_platform_notice_required),
        ),
        row("A contract details notice after the award", required(duties.contract_details_notice_required)),
        row("Value these were decided from, with VAT and any extension", pounds(duties.assessed_value.as_ref())),
        row("Notice threshold applied", pounds(duties.notice_threshold.as_ref())),
    ]
}

/// An amendment as bidders were told it.
pub(super) fn amendment(amendment: &Amendment) -> Value {
    let deadline = if amendment.material {
        format!(
            "Material: bids now close at {} (it was {}), so that bidders have the minimum bid period to change their bids.",
            when(amendment.new_bid_deadline.as_ref()),
            when(amendment.previous_bid_deadline.as_ref())
        )
    } else {
        "Not material: the bid deadline did not change.".to_owned()
    };
    context! {
        made => when(amendment.amend_time.as_ref()),
        reason => &amendment.reason,
        changed => amendment.changed_fields.join(", ").replace('_', " "),
        deadline,
    }
}

/// GET /officer/tenders/{id}
pub async fn tender(
    State(state): State<PortalState>,
    Path(id): Path<String>,
    Query(query): Query<TenderQuery>,
    visit: StaffVisit,
) -> Result<Response, PageError> {
    let StaffVisit { session, jar, person } = officer(visit)?;
    let tender: Tender = own_tender(&state, &person, &id).await?;
    let status = tender.status();
    let published = !matches!(status, TenderStatus::Draft | TenderStatus::Unspecified);
    let mut rows = vec![
        row("Estimated value", pounds(tender.estimated_value.as_ref())),
        row("Questions close", when(tender.enquiry_period_end.as_ref())),
        row("Bids close", when(tender.bid_deadline.as_ref())),
    ];
    if published {
        rows.push(row("Published", when(tender.publish_time.as_ref())));
        rows.push(row("Bids received so far", tender.bid_count.to_string()));
    }
    if !tender.status_reason.is_empty() {
        rows.push(row("Reason", tender.status_reason.clone()));
    }
    let open = matches!(status, TenderStatus::ActiveEnquiries | TenderStatus::ActiveTendering);
    let values = context! {
        tender => tender_values(&tender),
        summary => &tender.summary,
        rows,
        duties => tender.publication_duties.as_ref().filter(|_| published).map(duties),
        amendments => tender.amendments.iter().rev().map(amendment).collect::<Vec<_>>(),
        latest => tender.amendments.last().map(amendment),
        draft => status == TenderStatus::Draft,
        open,
        can_cancel => open || matches!(status, TenderStatus::Draft | TenderStatus::ActiveEvaluation),
        just_published => query.published.is_some(),
        just_amended => query.amended.is_some(),
        just_cancelled => query.cancelled.is_some(),
    };
    let title = tender.title.clone();
    Ok(page(&state, &session, jar, "officer_tender.html", &title, &FormErrors::default(), values))
}
