//! Bidding: a task list of the tender's questions and the price, a page per question (its word
//! limit counted live with JavaScript and checked here either way), each saved to the provider's
//! sealed draft (SaveBidDraft) as it goes, then "check your answers" with the declaration, the bid
//! sent (SubmitBid, which deletes the draft), and the receipt with its SHA-256 and time. Before the
//! deadline a sent bid may be changed (its answers are the new draft's start) and sent again, or
//! withdrawn.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use axum_extra::extract::cookie::CookieJar;
use minijinja::context;
use proto::commissioning::common::v1::Money;
use proto::commissioning::tendering::v1::{
    Answer, Bid, BidContent, BidQuestion, BidStatus, GetBidDraftRequest, GetMyBidRequest, GetTenderRequest,
    PartnerConfirmation, PartnerStatus, SaveBidDraftRequest, SubmitBidRequest, Tender, WithdrawBidRequest,
};
use serde::{Deserialize, Serialize};

use super::tenders::pounds;
use super::{FormErrors, PageError, page, sentence, typed_pounds, uk_time};
use crate::PortalState;
use crate::calls::field_violations;
use crate::sessions::{Person, Session};
use crate::visitor::{CharityVisit, Visit};

/// What a bid page needs: who is bidding, on what, and what it has written so far.
pub(super) struct Bidding {
    pub person: Person,
    pub tender: Tender,
    pub draft: BidContent,
}

/// The words of an answer, as the limit counts them.
pub fn words(text: &str) -> usize {
    text.split_whitespace().count()
}

pub(super) async fn bidding(state: &PortalState, person: Person, tender_id: &str) -> Result<Bidding, PageError> {
    let request = state.as_person(&person, GetTenderRequest { tender_id: tender_id.to_owned() })?;
    let tender = state.tendering().get_tender(request).await?.into_inner().tender.ok_or(PageError::NotFound)?;
    let request = GetBidDraftRequest { tender_id: tender.id.clone(), provider_id: person.organisation_id.clone() };
    let draft = match state.tendering().get_bid_draft(state.as_person(&person, request)?).await {
        Ok(found) => found.into_inner().draft.and_then(|draft| draft.content).unwrap_or_default(),
        // No draft: the bid already sent, if any, is where a change starts.
        Err(status) if status.code() == tonic::Code::NotFound => sent_bid(state, &person, &tender.id)
            .await?
            .filter(|bid| bid.status == BidStatus::Submitted as i32)
            .and_then(|bid| bid.content)
            .unwrap_or_default(),
        Err(status) => return Err(status.into()),
    };
    Ok(Bidding { person, tender, draft })
}

/// The provider's own bid on the tender, if it has sent one.
async fn sent_bid(state: &PortalState, person: &Person, tender_id: &str) -> Result<Option<Bid>, PageError> {
    let request = GetMyBidRequest { tender_id: tender_id.to_owned(), ..Default::default() };
    match state.tendering().get_my_bid(state.as_person(person, request)?).await {
        Ok(found) => Ok(found.into_inner().bid.filter(|bid| !bid.viewed_as_partner)),
        Err(status) if status.code() == tonic::Code::NotFound => Ok(None),
        Err(status) => Err(status.into()),
    }
}

/// Saves the draft, as the provider's members wrote it so far.
pub(super) async fn save(state: &PortalState, bidding: &Bidding) -> Result<(), tonic::Status> {
    let request = SaveBidDraftRequest {
        tender_id: bidding.tender.id.clone(),
        provider_id: bidding.person.organisation_id.clone(),
        content: Some(bidding.draft.clone()),
    };
    let request = state.as_person(&bidding.person, request).map_err(|_| tonic::Status::unavailable("signing"))?;
    state.tendering().save_bid_draft(request).await.map(|_| ())
}

fn answer_of<'a>(draft: &'a BidContent, question: &BidQuestion) -> &'a str {
    draft.answers.iter().find(|answer| answer.bid_question_id == question.id).map_or("", |answer| answer.text.as_str())
}

pub(super) fn tender_values(tender: &Tender) -> minijinja::Value {
    context! { id => &tender.id, title => &tender.title, council => &tender.council_name }
}

/// GET /tenders/{id}/bid
pub async fn overview(
    State(state): State<PortalState>,
    Path(id): Path<String>,
    CharityVisit { session, jar, person }: CharityVisit,
) -> Result<Response, PageError> {
    let bidding = bidding(&state, person, &id).await?;
    let status = |done: bool, text: String| {
        if done {
            context! { text }
        } else {
            context! { tag => context! { text => "Not yet started", classes => "govuk-tag--blue" } }
        }
    };
    let mut tasks: Vec<_> = bidding
        .tender
        .bid_questions
        .iter()
        .enumerate()
        .map(|(index, question)| {
            let written = words(answer_of(&bidding.draft, question));
            context! {
                title => context! { text => &question.text },
                href => format!("/tenders/{id}/bid/answers/{}", index + 1),
                status => status(written > 0, format!("{written} of {} words", question.word_limit)),
            }
        })
        .collect();
    let price = pounds(bidding.draft.total_price.as_ref());
    tasks.push(context! {
        title => context! { text => "Your price" },
        href => format!("/tenders/{id}/bid/price"),
        status => status(!price.is_empty(), price),
    });
    let partners = bidding.draft.consortium_partners.len();
    tasks.push(context! {
        title => context! { text => "Partners, if you bid as a consortium" },
        href => format!("/tenders/{id}/bid/partners"),
        status => context! { text => match partners { 0 => "None".to_owned(), 1 => "1 partner".to_owned(), count => format!("{count} partners") } },
    });
    let values = context! { tender => tender_values(&bidding.tender), tasks };
    Ok(page(&state, &session, jar, "bid.html", "Your bid", &FormErrors::default(), values))
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct AnswerForm {
    #[serde(skip_serializing)]
    csrf_token: String,
    answer: String,
}

fn answer_page(
    state: &PortalState,
    session: &Session,
    jar: CookieJar,
    bidding: &Bidding,
    number: usize,
    text: &str,
    errors: &FormErrors,
) -> Response {
    let Some(question) = bidding.tender.bid_questions.get(number.wrapping_sub(1)) else {
        return PageError::NotFound.into_response();
    };
    let values = context! {
        tender => tender_values(&bidding.tender),
        number,
        count => bidding.tender.bid_questions.len(),
        question => context! { text => &question.text, guidance => &question.guidance, word_limit => question.word_limit },
        answer => text,
    };
    page(state, session, jar, "bid_answer.html", &question.text, errors, values)
}

/// GET /tenders/{id}/bid/answers/{number}
pub async fn answer_form(
    State(state): State<PortalState>,
    Path((id, number)): Path<(String, usize)>,
    CharityVisit { session, jar, person }: CharityVisit,
) -> Result<Response, PageError> {
    let bidding = bidding(&state, person, &id).await?;
    let text = bidding
        .tender
        .bid_questions
        .get(number.wrapping_sub(1))
        .map_or("", |question| answer_of(&bidding.draft, question));
    Ok(answer_page(&state, &session, jar, &bidding, number, text, &FormErrors::default()))
}

/// POST /tenders/{id}/bid/answers/{number}
pub async fn save_answer(
    State(state): State<PortalState>,
    headers: HeaderMap,
    Path((id, number)): Path<(String, usize)>,
    visit: Visit,
    Form(form): Form<AnswerForm>,
) -> Result<Response, PageError> {
    visit.check_form(&headers, &form.csrf_token)?;
    let CharityVisit { session, jar, person } = CharityVisit::try_from(visit)?;
    let mut bidding = bidding(&state, person, &id).await?;
    let Some(question) = bidding.tender.bid_questions.get(number.wrapping_sub(1)).cloned() else {
        return Err(PageError::NotFound);
    };
    let mut errors = FormErrors::default();
    let written = words(&form.answer);
    let limit = usize::try_from(question.word_limit).unwrap_or(0);
    if limit > 0 && written > limit {
        errors.add("answer", format!("Your answer must be {limit} words or fewer; it has {written}"));
        return Ok(answer_page(&state, &session, jar, &bidding, number, &form.answer, &errors));
    }
    bidding.draft.answers.retain(|answer| answer.bid_question_id != question.id);
    bidding.draft.answers.push(Answer { bid_question_id: question.id.clone(), text: form.answer.trim().to_owned() });
    match save(&state, &bidding).await {
        Ok(()) => Ok((jar, Redirect::to(&format!("/tenders/{id}/bid"))).into_response()),
        Err(status) if status.code() == tonic::Code::FailedPrecondition => {
            errors.add("answer", format!("Your answer could not be saved: {}", status.message()));
            Ok(answer_page(&state, &session, jar, &bidding, number, &form.answer, &errors))
        }
        Err(status) => Err(status.into()),
    }
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct PriceForm {
    #[serde(skip_serializing)]
    csrf_token: String,
    price: String,
}

fn price_page(
    state: &PortalState,
    session: &Session,
    jar: CookieJar,
    bidding: &Bidding,
    typed: &str,
    errors: &FormErrors,
) -> Response {
    let values = context! {
        tender => tender_values(&bidding.tender),
        price => typed,
        budget => pounds(bidding.tender.maximum_budget.as_ref().or(bidding.tender.estimated_value.as_ref())),
    };
    page(state, session, jar, "bid_price.html", "Your price", errors, values)
}

/// GET /tenders/{id}/bid/price
pub async fn price_form(
    State(state): State<PortalState>,
    Path(id): Path<String>,
    CharityVisit { session, jar, person }: CharityVisit,
) -> Result<Response, PageError> {
    let bidding = bidding(&state, person, &id).await?;
    let typed =
        bidding.draft.total_price.as_ref().map_or_else(String::new, |price| (price.amount_pence / 100).to_string());
    Ok(price_page(&state, &session, jar, &bidding, &typed, &FormErrors::default()))
}

/// POST /tenders/{id}/bid/price
pub async fn save_price(
    State(state): State<PortalState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    visit: Visit,
    Form(form): Form<PriceForm>,
) -> Result<Response, PageError> {
    visit.check_form(&headers, &form.csrf_token)?;
    let CharityVisit { session, jar, person } = CharityVisit::try_from(visit)?;
    let mut bidding = bidding(&state, person, &id).await?;
    let mut errors = FormErrors::default();
    let Ok(Some(pounds)) = typed_pounds(&form.price) else {
        errors.add("price", "Enter your price in whole pounds, like 7500");
        return Ok(price_page(&state, &session, jar, &bidding, &form.price, &errors));
    };
    bidding.draft.total_price =
        Some(Money { amount_pence: pounds.saturating_mul(100), currency: "GBP".into(), vat_included: true });
    save(&state, &bidding).await?;
    Ok((jar, Redirect::to(&format!("/tenders/{id}/bid"))).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SendForm {
    csrf_token: String,
    request_id: String,
    declaration: String,
}

fn check_page(
    state: &PortalState,
    session: &Session,
    jar: CookieJar,
    bidding: &Bidding,
    errors: &FormErrors,
) -> Response {
    let id = &bidding.tender.id;
    let change = |href: String, what: &str| {
        context! { items => vec![context! { href, text => "Change", visuallyHiddenText => what }] }
    };
    let mut rows: Vec<_> = bidding
        .tender
        .bid_questions
        .iter()
        .enumerate()
        .map(|(index, question)| {
            let text = answer_of(&bidding.draft, question);
            context! {
                key => context! { text => &question.text },
                value => context! { text => if text.is_empty() { "Not answered yet" } else { text } },
                actions => change(format!("/tenders/{id}/bid/answers/{}", index + 1), &question.text),
            }
        })
        .collect();
    let price = pounds(bidding.draft.total_price.as_ref());
    rows.push(context! {
        key => context! { text => "Your price" },
        value => context! { text => if price.is_empty() { "Not given yet".to_owned() } else { price } },
        actions => change(format!("/tenders/{id}/bid/price"), "your price"),
    });
    let partners: Vec<String> =
        bidding.draft.consortium_partners.iter().map(|partner| format!("{}: {}", partner.name, partner.role)).collect();
    rows.push(context! {
        key => context! { text => "Partners" },
        value => context! { text => if partners.is_empty() { "None".to_owned() } else { partners.join("; ") } },
        actions => change(format!("/tenders/{id}/bid/partners"), "your partners"),
    });
    let declaration = vec![context! {
        value => "yes",
        text => "I declare that the documents in our locker are true and in force, and that we can deliver this service for the price given.",
    }];
    let values = context! {
        tender => tender_values(&bidding.tender),
        rows,
        declaration,
        request_id => uuid::Uuid::new_v4().to_string(),
    };
    page(state, session, jar, "bid_check.html", "Check your answers before sending your bid", errors, values)
}

/// GET /tenders/{id}/bid/check
pub async fn check(
    State(state): State<PortalState>,
    Path(id): Path<String>,
    CharityVisit { session, jar, person }: CharityVisit,
) -> Result<Response, PageError> {
    let bidding = bidding(&state, person, &id).await?;
    Ok(check_page(&state, &session, jar, &bidding, &FormErrors::default()))
}

/// POST /tenders/{id}/bid/check: sends the bid.
pub async fn send(
    State(state): State<PortalState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    visit: Visit,
    Form(form): Form<SendForm>,
) -> Result<Response, PageError> {
    visit.check_form(&headers, &form.csrf_token)?;
    let CharityVisit { session, jar, person } = CharityVisit::try_from(visit)?;
    let bidding = bidding(&state, person, &id).await?;
    let mut errors = FormErrors::default();
    if form.declaration != "yes" {
        errors.add("declaration", "Confirm the declaration to send your bid");
        return Ok(check_page(&state, &session, jar, &bidding, &errors));
    }
    let content = BidContent { evidence_declaration: true, ..bidding.draft.clone() };
    let request = SubmitBidRequest {
        request_id: if form.request_id.trim().is_empty() { uuid::Uuid::new_v4().to_string() } else { form.request_id },
        tender_id: bidding.tender.id.clone(),
        provider_id: bidding.person.organisation_id.clone(),
        content: Some(content),
    };
    let request = state.as_person(&bidding.person, request)?;
    match state.tendering().submit_bid(request).await {
        Ok(_) => Ok((jar, Redirect::to(&format!("/tenders/{id}/bid/receipt"))).into_response()),
        Err(status) if status.code() == tonic::Code::InvalidArgument => {
            let problems: Vec<_> = field_violations(&status)
                .iter()
                .map(|(path, description)| refusal(&bidding.tender, &bidding.draft, path, description))
                .collect();
            errors.add("declaration", problems.join(". "));
            Ok(check_page(&state, &session, jar, &bidding, &errors))
        }
        Err(status) if status.code() == tonic::Code::FailedPrecondition => {
            errors.add("declaration", format!("Your bid could not be sent: {}", status.message()));
            Ok(check_page(&state, &session, jar, &bidding, &errors))
        }
        Err(status) => Err(status.into()),
    }
}

/// A refusal of the bid in words: which answer or the price it is about, then what is wrong.
fn refusal(tender: &Tender, draft: &BidContent, path: &str, description: &str) -> String {
    let answered = path.strip_prefix("content.answers[").and_then(|rest| rest.split(']').next());
    let question = answered
        .and_then(|index| index.parse::<usize>().ok())
        .and_then(|index| draft.answers.get(index))
        .and_then(|answer| tender.bid_questions.iter().find(|question| question.id == answer.bid_question_id));
    match question {
        Some(question) => format!("{}: {}", question.text, description),
        None if path.contains("price") => format!("Your price: {description}"),
        None => sentence(description),
    }
}

/// GET /tenders/{id}/bid/receipt
pub async fn receipt(
    State(state): State<PortalState>,
    Path(id): Path<String>,
    CharityVisit { session, jar, person }: CharityVisit,
) -> Result<Response, PageError> {
    let tender = state.as_person(&person, GetTenderRequest { tender_id: id.clone() })?;
    let tender = state.tendering().get_tender(tender).await?.into_inner().tender.ok_or(PageError::NotFound)?;
    let bid = sent_bid(&state, &person, &id).await?.ok_or(PageError::NotFound)?;
    let receipt = bid.receipt.unwrap_or_default();
    let received = uk_time(receipt.receive_time.as_ref());
    let values = context! {
        tender => tender_values(&tender),
        sent => bid.status == BidStatus::Submitted as i32,
        receipt => context! {
            bid_id => receipt.bid_id,
            version => receipt.version,
            sha256 => receipt.sha256_hex,
            received,
        },
        price => pounds(bid.content.as_ref().and_then(|content| content.total_price.as_ref())),
        partners => bid.partners.iter().map(partner_answer).collect::<Vec<_>>(),
    };
    let title = if bid.status == BidStatus::Submitted as i32 { "Bid sent" } else { "Bid withdrawn" };
    Ok(page(&state, &session, jar, "bid_receipt.html", title, &FormErrors::default(), values))
}

/// A partner named in the bid and its members' answer, as a row with a tag.
fn partner_answer(partner: &PartnerConfirmation) -> minijinja::Value {
    let (text, classes) = match PartnerStatus::try_from(partner.status).unwrap_or(PartnerStatus::Unspecified) {
        PartnerStatus::Confirmed => ("Confirmed", "govuk-tag--green"),
        PartnerStatus::Declined => ("Declined: no longer in the bid", "govuk-tag--red"),
        _ => ("Not yet confirmed", "govuk-tag--yellow"),
    };
    context! { name => &partner.name, tag => context! { text, classes } }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct WithdrawForm {
    csrf_token: String,
}

/// POST /tenders/{id}/bid/withdraw: the bid's contents are deleted; it may be sent again before
/// the deadline.
pub async fn withdraw(
    State(state): State<PortalState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    visit: Visit,
    Form(form): Form<WithdrawForm>,
) -> Result<Response, PageError> {
    visit.check_form(&headers, &form.csrf_token)?;
    let CharityVisit { jar, person, .. } = CharityVisit::try_from(visit)?;
    let bid = sent_bid(&state, &person, &id).await?.ok_or(PageError::NotFound)?;
    let request = state.as_person(&person, WithdrawBidRequest { bid_id: bid.id })?;
    state.tendering().withdraw_bid(request).await?;
    Ok((jar, Redirect::to(&format!("/tenders/{id}/bid/receipt"))).into_response())
}
