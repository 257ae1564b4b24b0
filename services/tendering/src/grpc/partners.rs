//! ConfirmConsortiumPartner and DeclineConsortiumPartner: the members of a consortium partner a bid
//! names answer being named, before the deadline. A confirmation sits beside the sealed bid; a
//! decline reseals the bid without the partner, as a new version for the lead. Nothing here logs or
//! audits the bid's contents.

use platform::Error;
use platform::audit;
use platform::auth::Caller;
use platform::db::database_now;
use proto::commissioning::tendering::v1::*;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, DatabaseTransaction};
use tonic::{Request, Response};

use super::bids::{bid_key, open, seal, version_receipt};
use super::tenders::{ensure_open_for_bids, locked};
use super::{Answer, TenderingApi};
use crate::domain::{PartnerAnswer, answer_refusal, without_partner};
use crate::events;
use crate::store::{bids, partners, tenders};

impl TenderingApi {
    pub(super) async fn confirm_partner(
        &self,
        request: Request<ConfirmConsortiumPartnerRequest>,
    ) -> Answer<ConfirmConsortiumPartnerResponse> {
        let caller = Caller::of(&request)?.clone();
        let bid_id = required_bid_id(&request.get_ref().bid_id)?;
        let bid = self
            .db
            .unit_of_work(|txn| {
                Box::pin(async move {
                    let (_, bid, row) = answerable(txn, &caller, &bid_id, PartnerAnswer::Confirm).await?;
                    if row.status() != PartnerStatus::Confirmed {
                        let now = database_now(txn).await?;
                        partners::answer(txn, row, PartnerStatus::Confirmed, &caller.user_id, now).await?;
                        let details = serde_json::json!({
                            "tender_id": bid.tender_id, "partner_provider_id": caller.organisation_id,
                        });
                        audit::record_by(txn, &caller, "bid.partner_confirmed", ("bid", &bid.id), details).await?;
                    }
                    Ok::<_, Error>(bid)
                })
            })
            .await?;
        Ok(Response::new(ConfirmConsortiumPartnerResponse { bid: Some(self.presented(&bid, true).await?) }))
    }

    pub(super) async fn decline_partner(
        &self,
        request: Request<DeclineConsortiumPartnerRequest>,
    ) -> Answer<DeclineConsortiumPartnerResponse> {
        let caller = Caller::of(&request)?.clone();
        let bid_id = required_bid_id(&request.get_ref().bid_id)?;
        let master_key = self.master_key.clone();
        let partner = self
            .db
            .unit_of_work(|txn| {
                Box::pin(async move {
                    let (stored, bid, row) = answerable(txn, &caller, &bid_id, PartnerAnswer::Decline).await?;
                    let now = database_now(txn).await?;
                    let key = bid_key(&master_key, &stored)?;
                    let content = without_partner(&open(&key, &bid)?, &row.provider_id);
                    // The lead's place in a tie-break stays: the version keeps its receive time.
                    let version = bid.version + 1;
                    let receipt =
                        version_receipt(&bid.tender_id, &bid.id, &bid.provider_id, version, &content, bid.received_at)?;
                    let mut resealed: bids::ActiveModel = bid.clone().into();
                    resealed.version = Set(version);
                    resealed.sealed_content = Set(Some(seal(&key, &content, &receipt)?));
                    resealed.sha256_hex = Set(receipt.sha256_hex.clone());
                    resealed.nonce_hex = Set(receipt.nonce_hex.clone());
                    resealed.updated_at = Set(now);
                    resealed.update(txn).await?;
                    let row = partners::answer(txn, row, PartnerStatus::Declined, &caller.user_id, now).await?;
                    let details = serde_json::json!({
                        "tender_id": bid.tender_id, "partner_provider_id": caller.organisation_id,
                        "version": version, "sha256": receipt.sha256_hex,
                    });
                    audit::record_by(txn, &caller, "bid.partner_declined", ("bid", &bid.id), details).await?;
                    events::consortium_partner_declined(txn, &stored.tender, &bid.id, version, now).await?;
                    Ok::<_, Error>(row.shown())
                })
            })
            .await?;
        Ok(Response::new(DeclineConsortiumPartnerResponse { partner: Some(partner) }))
    }
}

fn required_bid_id(bid_id: &str) -> Result<String, Error> {
    let bid_id = bid_id.trim();
    if bid_id.is_empty() {
        return Err(Error::invalid("bid_id", "required: the id of the bid that names your provider, from GetMyBid"));
    }
    Ok(bid_id.to_owned())
}

/// The locked tender, the bid and the caller's partner row, when the caller's provider is named in
/// the bid, the deadline has not passed by the database clock and it may give `answer`.
async fn answerable(
    txn: &DatabaseTransaction,
    caller: &Caller,
    bid_id: &str,
    answer: PartnerAnswer,
) -> Result<(tenders::Stored, bids::Model, partners::Model), Error> {
    let provider = caller.organisation_id.as_str();
    let not_found = || Error::NotFound { kind: "bid", id: format!("{bid_id} naming {provider}") };
    let bid = bids::find(txn, bid_id).await?.ok_or_else(not_found)?;
    partners::find(txn, &bid.id, provider).await?.ok_or_else(not_found)?;
    let stored = locked(txn, &bid.tender_id).await?;
    let what = match answer {
        PartnerAnswer::Confirm => "confirmed",
        PartnerAnswer::Decline => "declined",
    };
    ensure_open_for_bids(&stored.tender, database_now(txn).await?, what)?;
    // Read again under the tender's lock: the lead may just have replaced or withdrawn the bid.
    let bid = bids::find(txn, bid_id).await?.ok_or_else(not_found)?;
    let row = partners::find(txn, &bid.id, provider).await?.ok_or_else(not_found)?;
    if let Some(why) = answer_refusal(row.status(), answer) {
        return Err(Error::precondition("PARTNER_DECLINED", why));
    }
    Ok((stored, bid, row))
}
