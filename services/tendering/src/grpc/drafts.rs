//! SaveBidDraft, GetBidDraft: a bid written question by question, saved between sittings. A
//! draft is sealed under its tender's key like a bid, read back only by its own provider's
//! members, never opened, evaluated or counted, and deleted when the bid goes in. Nothing here
//! logs or audits contents.

use platform::Error;
use platform::auth::Caller;
use platform::db::database_now;
use platform::time::to_timestamp;
use prost::Message;
use proto::commissioning::tendering::v1::*;
use tonic::{Request, Response};

use super::access::{acts_for_provider, ensure_visible};
use super::bids::bid_key;
use super::tenders::{ensure_open_for_bids, required_id};
use super::{Answer, TenderingApi};
use crate::sealing::DataKey;
use crate::store::{bid_drafts, tenders};

impl TenderingApi {
    pub(super) async fn save_draft(&self, request: Request<SaveBidDraftRequest>) -> Answer<SaveBidDraftResponse> {
        let caller = Caller::of(&request)?.clone();
        let request = request.into_inner();
        ensure_member(&caller, &request.provider_id)?;
        let tender_id = required_id(&request.tender_id)?;
        let content = request.content.unwrap_or_default();
        let master_key = self.master_key.clone();
        let draft = self
            .db
            .unit_of_work(|txn| {
                Box::pin(async move {
                    let stored = tenders::find(txn, &tender_id)
                        .await?
                        .ok_or(Error::NotFound { kind: "tender", id: tender_id })?;
                    ensure_visible(&caller, &stored.tender)?;
                    let now = database_now(txn).await?;
                    ensure_open_for_bids(&stored.tender, now, "drafted")?;
                    let key = bid_key(&master_key, &stored)?;
                    let sealed = seal(&key, &stored.tender.id, &request.provider_id, &content)?;
                    let row = bid_drafts::Model {
                        tender_id: stored.tender.id.clone(),
                        provider_id: request.provider_id.clone(),
                        sealed_content: sealed,
                        updated_by: caller.user_id.clone(),
                        updated_at: now,
                    };
                    bid_drafts::save(txn, row.clone()).await?;
                    Ok::<_, Error>(shown(&row, content))
                })
            })
            .await?;
        Ok(Response::new(SaveBidDraftResponse { draft: Some(draft) }))
    }

    pub(super) async fn draft(&self, request: Request<GetBidDraftRequest>) -> Answer<GetBidDraftResponse> {
        let caller = Caller::of(&request)?.clone();
        let request = request.into_inner();
        ensure_member(&caller, &request.provider_id)?;
        let tender_id = required_id(&request.tender_id)?;
        let not_found = || Error::NotFound { kind: "bid draft", id: format!("{tender_id}/{}", request.provider_id) };
        let row = bid_drafts::find(self.db.conn(), &tender_id, &request.provider_id).await?.ok_or_else(not_found)?;
        let stored = tenders::find(self.db.conn(), &tender_id).await?.ok_or_else(not_found)?;
        // A cancelled tender's key is gone, and its drafts with it.
        let key = bid_key(&self.master_key, &stored).map_err(|_| not_found())?;
        let content = open(&key, &row)?;
        Ok(Response::new(GetBidDraftResponse { draft: Some(shown(&row, content)) }))
    }
}

/// PERMISSION_DENIED unless the caller is a member of `provider_id`.
fn ensure_member(caller: &Caller, provider_id: &str) -> Result<(), Error> {
    if acts_for_provider(caller, provider_id.trim()) {
        return Ok(());
    }
    Err(Error::PermissionDenied("only the provider's own members may write or read its draft bid".into()))
}

/// What a sealed draft is bound to, so that it cannot be moved to another tender or provider, nor
/// taken for a bid.
fn aad(tender_id: &str, provider_id: &str) -> String {
    format!("draft/{tender_id}/{provider_id}")
}

fn seal(key: &DataKey, tender_id: &str, provider_id: &str, content: &BidContent) -> Result<Vec<u8>, Error> {
    key.seal(&content.encode_to_vec(), aad(tender_id, provider_id).as_bytes()).map_err(Error::internal)
}

fn open(key: &DataKey, row: &bid_drafts::Model) -> Result<BidContent, Error> {
    let plain =
        key.open(&row.sealed_content, aad(&row.tender_id, &row.provider_id).as_bytes()).map_err(Error::internal)?;
    BidContent::decode(plain.as_slice()).map_err(Error::internal)
}

fn shown(row: &bid_drafts::Model, content: BidContent) -> BidDraft {
    BidDraft {
        tender_id: row.tender_id.clone(),
        provider_id: row.provider_id.clone(),
        content: Some(content),
        updated_by_user_id: row.updated_by.clone(),
        update_time: Some(to_timestamp(row.updated_at)),
    }
}
