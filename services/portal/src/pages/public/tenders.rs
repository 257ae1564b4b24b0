//! Open tenders for anyone, signed in or not: the list of tenders taking questions or bids, and
//! each one's published details with the council's published answers. The portal asks the
//! tendering service with no token at all, as the public, so it is shown only what the service
//! publishes to everyone (never a draft, a bid count or an unanswered question).

use axum::extract::{Path, State};
use axum::response::Response;
use minijinja::context;
use proto::commissioning::tendering::v1::{
    GetTenderRequest, ListQuestionsRequest, ListTendersRequest, QuestionStatus, TenderStatus,
};

use crate::PortalState;
use crate::pages::locker::kind_name;
use crate::pages::tenders::{facts, pounds};
use crate::pages::{FormErrors, PageError, page};
use crate::visitor::Visit;

/// GET /open/tenders
pub async fn open_tenders(
    State(state): State<PortalState>,
    Visit { session, jar }: Visit,
) -> Result<Response, PageError> {
    let request = ListTendersRequest {
        statuses: vec![TenderStatus::ActiveEnquiries as i32, TenderStatus::ActiveTendering as i32],
        page_size: 100,
        ..Default::default()
    };
    let found = state.tendering().list_tenders(request).await?.into_inner().tenders;
    let tenders: Vec<_> = found.iter().map(facts).collect();
    let councils: Vec<_> = state.0.councils.iter().map(|(id, name)| context! { id, name }).collect();
    let values = context! { tenders, councils };
    Ok(page(&state, &session, jar, "open_tenders.html", "Open tenders", &FormErrors::default(), values))
}

/// GET /open/tenders/{id}
pub async fn open_tender(
    State(state): State<PortalState>,
    Path(id): Path<String>,
    Visit { session, jar }: Visit,
) -> Result<Response, PageError> {
    let tender = state.tendering().get_tender(GetTenderRequest { tender_id: id.clone() }).await?;
    let tender = tender.into_inner().tender.ok_or(PageError::NotFound)?;
    let request = ListQuestionsRequest { tender_id: tender.id.clone(), page_size: 100, ..Default::default() };
    let questions = state.tendering().list_questions(request).await?.into_inner().questions;
    let answered: Vec<_> = questions
        .iter()
        .filter(|question| question.status() == QuestionStatus::Answered)
        .map(|question| context! { text => &question.text, answer => &question.answer })
        .collect();
    let sections: Vec<_> = tender
        .description_sections
        .iter()
        .map(|section| context! { heading => &section.heading, body => &section.body })
        .collect();
    let questions: Vec<_> = tender
        .bid_questions
        .iter()
        .map(|question| context! { text => &question.text, word_limit => question.word_limit })
        .collect();
    let evidence: Vec<_> = tender
        .evidence_requirements
        .iter()
        .map(|requirement| {
            let cover = requirement.minimum_cover.as_ref().filter(|cover| cover.amount_pence > 0);
            context! { kind => kind_name(requirement.kind), cover => cover.map(|cover| pounds(Some(cover))) }
        })
        .collect();
    let open = matches!(tender.status(), TenderStatus::ActiveEnquiries | TenderStatus::ActiveTendering);
    let values = context! {
        tender => facts(&tender),
        open,
        sections,
        questions,
        evidence,
        answered,
    };
    Ok(page(&state, &session, jar, "open_tender.html", &tender.title, &FormErrors::default(), values))
}
