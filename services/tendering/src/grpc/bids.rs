//! SubmitBid, WithdrawBid, GetMyBid, GetOpeningRecord, ListOpenedBids. A bid's contents are sealed
//! under its tender's key before they reach the database and opened only for its own provider and
//! the consortium partners it names, or for the evaluation service after the deadline. Nothing here
//! logs or audits contents.

use chrono::{DateTime, Utc};
use platform::audit;
use platform::auth::{Caller, Role};
use platform::db::database_now;
use platform::paging::Page;
use platform::time::{from_timestamp, to_timestamp};
use platform::validation::{element, field};
use platform::{Error, idempotency};
use prost::Message;
use proto::commissioning::tendering::v1::*;
use sea_orm::{ActiveModelTrait, ActiveValue::Set};
use tonic::{Request, Response};

use super::access::{EVALUATION_SERVICE, acts_for_provider, ensure_visible, status_name};
use super::tenders::{ensure_open_for_bids, locked, required_id};
use super::{Answer, TenderingApi};
use crate::domain::check_bid;
use crate::events;
use crate::sealing::{self, DataKey, MasterKey};
use crate::store::{bid_drafts, bids, known_providers, openings, partners, tenders};

impl TenderingApi {
    pub(super) async fn submit(&self, request: Request<SubmitBidRequest>) -> Answer<SubmitBidResponse> {
        let caller = Caller::of(&request)?.clone();
        let request = request.into_inner();
        if !acts_for_provider(&caller, &request.provider_id) {
            return Err(
                Error::PermissionDenied("only a member of the bidding provider may submit its bid".into()).into()
            );
        }
        idempotency::check_request_id("request_id", &request.request_id)?;
        let tender_id = required_id(&request.tender_id)?;
        let Some(content) = request.content else {
            return Err(Error::invalid("content", "required: the bid's prices, answers and declaration").into());
        };
        let master_key = self.master_key.clone();
        let receipt = self
            .db
            .unit_of_work(|txn| {
                Box::pin(async move {
                    let mut stored = locked(txn, &tender_id).await?;
                    ensure_visible(&caller, &stored.tender)?;
                    let tender = &stored.tender.clone();
                    let now = database_now(txn).await?;
                    ensure_taking_bids(tender, now)?;
                    if tender.procedure == Procedure::RequestForQuotes as i32
                        && !tender.invited_provider_ids.contains(&request.provider_id)
                    {
                        return Err(Error::PermissionDenied(
                            "this request for quotes is open only to the providers the council invited".into(),
                        ));
                    }
                    let violations = check_bid(&content, tender, &request.provider_id);
                    if !violations.is_empty() {
                        return Err(Error::InvalidArgument(violations));
                    }
                    let named = registered_partners(txn, &content).await?;
                    let existing = bids::of_provider(txn, &tender.id, &request.provider_id).await?;
                    let (bid_id, version) = match &existing {
                        Some(bid) => (bid.id.clone(), bid.version + 1),
                        None => (uuid::Uuid::new_v4().to_string(), 1),
                    };
                    let receipt = version_receipt(&tender.id, &bid_id, &request.provider_id, version, &content, now)?;
                    let receipt_key = ReceiptKey::of(&receipt, now);
                    let claimed =
                        idempotency::claim(txn, &caller.user_id, "SubmitBid", &request.request_id, &receipt_key);
                    if let Some(earlier) = claimed.await? {
                        return ReceiptKey::parse(&earlier, &tender.id, &request.provider_id);
                    }
                    let sealed = seal(&bid_key(&master_key, &stored)?, &content, &receipt)?;
                    let row = bids::ActiveModel {
                        id: Set(bid_id.clone()),
                        tender_id: Set(tender.id.clone()),
                        provider_id: Set(request.provider_id.clone()),
                        provider_name: Set(caller.organisation_name.clone()),
                        status: Set(BidStatus::Submitted as i32),
                        version: Set(version),
                        sealed_content: Set(Some(sealed)),
                        sha256_hex: Set(receipt.sha256_hex.clone()),
                        nonce_hex: Set(receipt.nonce_hex.clone()),
                        received_at: Set(now),
                        created_at: Set(existing.as_ref().map_or(now, |bid| bid.created_at)),
                        updated_at: Set(now),
                    };
                    let was_in = existing.as_ref().is_some_and(|bid| bid.status == BidStatus::Submitted as i32);
                    if existing.is_some() {
                        row.update(txn).await?;
                    } else {
                        row.insert(txn).await?;
                    }
                    partners::name(txn, &tender.id, &bid_id, &named, now).await?;
                    bid_drafts::delete(txn, &tender.id, &request.provider_id).await?;
                    if !was_in {
                        stored.tender.bid_count += 1;
                        tenders::set_bid_count(txn, &stored.tender.id, stored.tender.bid_count).await?;
                    }
                    let count = u64::try_from(stored.tender.bid_count).unwrap_or(0);
                    let details = serde_json::json!({
                        "tender_id": tender.id, "version": version, "sha256": receipt.sha256_hex,
                    });
                    audit::record_by(txn, &caller, "bid.submitted", ("bid", &bid_id), details).await?;
                    events::bid_submitted(txn, tender, &bid_id, version, now, count).await?;
                    Ok(receipt)
                })
            })
            .await?;
        Ok(Response::new(SubmitBidResponse { receipt: Some(receipt) }))
    }

    pub(super) async fn withdraw(&self, request: Request<WithdrawBidRequest>) -> Answer<WithdrawBidResponse> {
        let caller = Caller::of(&request)?.clone();
        let bid_id = request.into_inner().bid_id;
        if bid_id.trim().is_empty() {
            return Err(Error::invalid("bid_id", "required: the bid's id from its receipt").into());
        }
        let bid = self
            .db
            .unit_of_work(|txn| {
                Box::pin(async move {
                    let not_found = || Error::NotFound { kind: "bid", id: bid_id.clone() };
                    let bid = bids::find(txn, &bid_id).await?.ok_or_else(not_found)?;
                    if !acts_for_provider(&caller, &bid.provider_id) {
                        return Err(Error::PermissionDenied("only the bidding provider may withdraw its bid".into()));
                    }
                    let mut tender = locked(txn, &bid.tender_id).await?;
                    ensure_open_for_bids(&tender.tender, database_now(txn).await?, "withdrawn")?;
                    let bid = bids::find(txn, &bid_id).await?.ok_or_else(not_found)?;
                    if bid.status != BidStatus::Submitted as i32 {
                        return Err(Error::precondition("BID_NOT_SUBMITTED", "this bid is already withdrawn"));
                    }
                    let now = Utc::now();
                    let mut row: bids::ActiveModel = bid.into();
                    row.status = Set(BidStatus::Withdrawn as i32);
                    row.sealed_content = Set(None);
                    row.updated_at = Set(now);
                    let bid = row.update(txn).await?;
                    partners::forget_bid(txn, &bid.id).await?;
                    tender.tender.bid_count -= 1;
                    tenders::set_bid_count(txn, &tender.tender.id, tender.tender.bid_count).await?;
                    let details = serde_json::json!({ "tender_id": bid.tender_id, "version": bid.version });
                    audit::record_by(txn, &caller, "bid.withdrawn", ("bid", &bid.id), details).await?;
                    Ok::<_, Error>(bid)
                })
            })
            .await?;
        Ok(Response::new(WithdrawBidResponse { bid: Some(shown(&bid, None)) }))
    }

    pub(super) async fn my_bid(&self, request: Request<GetMyBidRequest>) -> Answer<GetMyBidResponse> {
        let caller = Caller::of(&request)?.clone();
        let tender_id = required_id(&request.get_ref().tender_id)?;
        let (bid, viewed_as_partner) = self.readable_bid(&caller, &tender_id, request.get_ref().bid_id.trim()).await?;
        Ok(Response::new(GetMyBidResponse { bid: Some(self.presented(&bid, viewed_as_partner).await?) }))
    }

    /// The bid on the tender the caller's provider may read, and whether it reads it as a partner:
    /// `bid_id` when given (its own, or one naming it that it has not declined), else its own bid,
    /// else the one bid naming it.
    async fn readable_bid(&self, caller: &Caller, tender_id: &str, bid_id: &str) -> Result<(bids::Model, bool), Error> {
        let provider = caller.organisation_id.as_str();
        let not_found =
            || Error::NotFound { kind: "bid", id: format!("of or naming {provider} on tender {tender_id}") };
        let db = self.db.conn();
        if !bid_id.is_empty() {
            let bid = bids::find(db, bid_id).await?.filter(|bid| bid.tender_id == tender_id).ok_or_else(not_found)?;
            if bid.provider_id == provider {
                return Ok((bid, false));
            }
            let row = partners::find(db, &bid.id, provider).await?;
            let named = row.is_some_and(|row| row.status() != PartnerStatus::Declined);
            return if named { Ok((bid, true)) } else { Err(not_found()) };
        }
        if let Some(bid) = bids::of_provider(db, tender_id, provider).await? {
            return Ok((bid, false));
        }
        match partners::naming(db, tender_id, provider).await?.as_slice() {
            [] => Err(not_found()),
            [only] => Ok((bids::find(db, &only.bid_id).await?.ok_or_else(not_found)?, true)),
            several => Err(Error::invalid(
                "bid_id",
                format!(
                    "your provider is named as a consortium partner in {} bids on this tender: give the id of the \
                     bid to read (the lead has it on its receipt)",
                    several.len()
                ),
            )),
        }
    }

    /// A bid as its lead's or a partner's members see it: its contents, receipt and partners' answers.
    pub(super) async fn presented(&self, bid: &bids::Model, viewed_as_partner: bool) -> Result<Bid, Error> {
        let content = match &bid.sealed_content {
            Some(_) => {
                let stored = tenders::find(self.db.conn(), &bid.tender_id)
                    .await?
                    .ok_or_else(|| Error::NotFound { kind: "tender", id: bid.tender_id.clone() })?;
                Some(open(&bid_key(&self.master_key, &stored)?, bid)?)
            }
            None => None,
        };
        let partners = partners::of_bid(self.db.conn(), &bid.id).await?.iter().map(partners::Model::shown).collect();
        Ok(Bid { partners, viewed_as_partner, ..shown(bid, content) })
    }

    pub(super) async fn opening_record(
        &self,
        request: Request<GetOpeningRecordRequest>,
    ) -> Answer<GetOpeningRecordResponse> {
        let caller = Caller::of(&request)?.clone();
        let tender_id = required_id(&request.get_ref().tender_id)?;
        let stored = tenders::find(self.db.conn(), &tender_id)
            .await?
            .ok_or(Error::NotFound { kind: "tender", id: tender_id })?;
        ensure_visible(&caller, &stored.tender)?;
        let record = openings::find(self.db.conn(), &stored.tender.id).await?.ok_or_else(|| {
            Error::precondition(
                "TENDER_NOT_CLOSED",
                format!("the tender is {}; bids are opened at its deadline", status_name(&stored.tender)),
            )
        })?;
        Ok(Response::new(GetOpeningRecordResponse { opening_record: Some(record) }))
    }

    pub(super) async fn opened_bids(&self, request: Request<ListOpenedBidsRequest>) -> Answer<ListOpenedBidsResponse> {
        let caller = Caller::of(&request)?.clone();
        if !(caller.has_role(Role::Service) && caller.user_id == EVALUATION_SERVICE) {
            return Err(Error::PermissionDenied("only the evaluation service may read opened bids".into()).into());
        }
        let page = Page::of(request.get_ref())?;
        let tender_id = required_id(&request.get_ref().tender_id)?;
        let stored = tenders::find(self.db.conn(), &tender_id)
            .await?
            .ok_or(Error::NotFound { kind: "tender", id: tender_id })?;
        if openings::find(self.db.conn(), &stored.tender.id).await?.is_none()
            || stored.tender.status == TenderStatus::Cancelled as i32
        {
            return Err(Error::precondition(
                "TENDER_NOT_CLOSED",
                format!("the tender is {}; its bids are not open", status_name(&stored.tender)),
            )
            .into());
        }
        let key = bid_key(&self.master_key, &stored)?;
        let mut opened = Vec::new();
        for status in [BidStatus::Opened, BidStatus::Successful, BidStatus::Unsuccessful] {
            opened.extend(bids::in_status(self.db.conn(), &stored.tender.id, status).await?);
        }
        opened.sort_by(|a, b| (a.received_at, &a.id).cmp(&(b.received_at, &b.id)));
        let mut shown_bids = Vec::new();
        for bid in opened.iter().skip(page.offset as usize).take(page.limit as usize) {
            shown_bids.push(OpenedBid {
                bid_id: bid.id.clone(),
                provider_id: bid.provider_id.clone(),
                provider_name: bid.provider_name.clone(),
                content: Some(open(&key, bid)?),
                receipt: Some(receipt(bid)),
                partners: partners::named_in(self.db.conn(), &bid.id).await?,
            });
        }
        let next_page_token = page.next_token(shown_bids.len());
        Ok(Response::new(ListOpenedBidsResponse { bids: shown_bids, next_page_token }))
    }
}

/// FAILED_PRECONDITION unless bids are being taken now, by the database clock: after the enquiry
/// period (even if the scheduler has not yet moved the tender) and before the deadline.
fn ensure_taking_bids(tender: &Tender, now: DateTime<Utc>) -> Result<(), Error> {
    ensure_open_for_bids(tender, now, "submitted")?;
    if let Some(opens) = tender.enquiry_period_end.as_ref().and_then(from_timestamp).filter(|opens| now < *opens) {
        return Err(Error::precondition(
            "BIDDING_NOT_OPEN",
            format!("bidding opens at {}, when the enquiry period ends", opens.to_rfc3339()),
        ));
    }
    Ok(())
}

/// Each consortium partner's provider id and registered name; INVALID_ARGUMENT naming each partner
/// that is not a provider registered on the marketplace (without quoting it: bids are sealed).
async fn registered_partners<C: sea_orm::ConnectionTrait>(
    txn: &C,
    content: &BidContent,
) -> Result<Vec<(String, String)>, Error> {
    let mut named = Vec::new();
    let mut unknown = Vec::new();
    for (index, partner) in content.consortium_partners.iter().enumerate() {
        let provider_id = partner.provider_id.trim();
        match known_providers::find(txn, provider_id).await? {
            Some(profile) => named.push((provider_id.to_owned(), profile.legal_name)),
            None => unknown.push(platform::FieldViolation::new(
                field(&element("content", "consortium_partners", index), "provider_id"),
                "not a provider registered on the marketplace: a partner joins the marketplace first, then the \
                 lead names it by its provider id",
            )),
        }
    }
    if unknown.is_empty() { Ok(named) } else { Err(Error::InvalidArgument(unknown)) }
}

/// The receipt of a new version of a bid: a fresh nonce and the SHA-256 of its hash input.
pub(super) fn version_receipt(
    tender_id: &str,
    bid_id: &str,
    provider_id: &str,
    version: i32,
    content: &BidContent,
    received: DateTime<Utc>,
) -> Result<BidReceipt, Error> {
    let nonce_hex = sealing::receipt_nonce_hex().map_err(Error::internal)?;
    let input = BidHashInput {
        tender_id: tender_id.to_owned(),
        bid_id: bid_id.to_owned(),
        provider_id: provider_id.to_owned(),
        version,
        nonce_hex: nonce_hex.clone(),
        content: Some(content.clone()),
    };
    Ok(BidReceipt {
        bid_id: bid_id.to_owned(),
        tender_id: tender_id.to_owned(),
        provider_id: provider_id.to_owned(),
        version,
        sha256_hex: sealing::bid_sha256(&input),
        nonce_hex,
        receive_time: Some(to_timestamp(received)),
    })
}

/// The contents of the version `receipt` is for, sealed under the tender's key and bound to it.
pub(super) fn seal(key: &DataKey, content: &BidContent, receipt: &BidReceipt) -> Result<Vec<u8>, Error> {
    key.seal(&content.encode_to_vec(), aad(receipt).as_bytes()).map_err(Error::internal)
}

/// The tender's own bid key.
pub(super) fn bid_key(master_key: &MasterKey, stored: &tenders::Stored) -> Result<DataKey, Error> {
    let wrapped = stored.wrapped_bid_key.as_deref().ok_or_else(|| {
        Error::precondition(
            "TENDER_HAS_NO_BIDS",
            format!("the tender is {}; it holds no bids", status_name(&stored.tender)),
        )
    })?;
    master_key.unwrap_data_key(&stored.tender.id, wrapped).map_err(Error::internal)
}

/// What a sealed version is bound to, so it cannot be moved to another bid or version.
fn aad(receipt: &BidReceipt) -> String {
    format!("{}/{}/{}", receipt.tender_id, receipt.bid_id, receipt.version)
}

/// The contents of a stored bid.
pub(super) fn open(key: &DataKey, bid: &bids::Model) -> Result<BidContent, Error> {
    let sealed =
        bid.sealed_content.as_deref().ok_or_else(|| Error::internal(format!("bid {} has no contents", bid.id)))?;
    let plain = key.open(sealed, aad(&receipt(bid)).as_bytes()).map_err(Error::internal)?;
    BidContent::decode(plain.as_slice()).map_err(Error::internal)
}

fn receipt(bid: &bids::Model) -> BidReceipt {
    BidReceipt {
        bid_id: bid.id.clone(),
        tender_id: bid.tender_id.clone(),
        provider_id: bid.provider_id.clone(),
        version: bid.version,
        sha256_hex: bid.sha256_hex.clone(),
        nonce_hex: bid.nonce_hex.clone(),
        receive_time: Some(to_timestamp(bid.received_at)),
    }
}

fn shown(bid: &bids::Model, content: Option<BidContent>) -> Bid {
    Bid {
        id: bid.id.clone(),
        tender_id: bid.tender_id.clone(),
        provider_id: bid.provider_id.clone(),
        status: bid.status,
        content,
        receipt: Some(receipt(bid)),
        create_time: Some(to_timestamp(bid.created_at)),
        update_time: Some(to_timestamp(bid.updated_at)),
        ..Default::default()
    }
}

/// A receipt kept as an idempotency key's result, so a retried SubmitBid returns the first receipt
/// even after later versions: "bid/version/sha256/nonce/received microseconds".
struct ReceiptKey;

impl ReceiptKey {
    fn of(receipt: &BidReceipt, received: DateTime<Utc>) -> String {
        format!(
            "{}/{}/{}/{}/{}",
            receipt.bid_id,
            receipt.version,
            receipt.sha256_hex,
            receipt.nonce_hex,
            received.timestamp_micros()
        )
    }

    fn parse(key: &str, tender_id: &str, provider_id: &str) -> Result<BidReceipt, Error> {
        let broken = || Error::internal(format!("stored receipt key {key:?} is malformed"));
        let parts: Vec<&str> = key.split('/').collect();
        let [bid_id, version, sha256_hex, nonce_hex, micros] = parts.as_slice() else { return Err(broken()) };
        let received = micros.parse().ok().and_then(DateTime::from_timestamp_micros).ok_or_else(broken)?;
        Ok(BidReceipt {
            bid_id: (*bid_id).to_owned(),
            tender_id: tender_id.to_owned(),
            provider_id: provider_id.to_owned(),
            version: version.parse().map_err(|_| broken())?,
            sha256_hex: (*sha256_hex).to_owned(),
            nonce_hex: (*nonce_hex).to_owned(),
            receive_time: Some(to_timestamp(received)),
        })
    }
}
