//! What the evaluation service hears from tendering: a tender closed with bids (open an
//! evaluation, fetching the opened bids and each bidder's evidence status as the evaluation
//! service's identity, each bid flagged when a consortium partner it names had not confirmed), was
//! cancelled (cancel its evaluation), or a lot was awarded and its bidders told (record the winner
//! and release their feedback).

use std::sync::Arc;

use platform::audit::{self, AuditEntry};
use platform::calls::Peer;
use platform::db::Database;
use platform::events::{EventHandler, HandlerError, InboundEvent, inbox};
use platform::sealing::MasterKey;
use proto::commissioning::evaluation::v1::{EvaluatedBid, Evaluation, EvaluationStatus};
use proto::commissioning::events::v1::{BiddersNotified, TenderCancelled, TenderClosed};
use proto::commissioning::tendering::v1::tendering_service_client::TenderingServiceClient;
use proto::commissioning::tendering::v1::{ListOpenedBidsRequest, OpenedBid, PartnerStatus, TenderStatus};
use sea_orm::DatabaseTransaction;

use crate::{awards, events, evidence, store};

/// Durable consumer name.
pub const TENDER_EVENTS: &str = "evaluation-tender-events";

/// The identity the service's own changes are audited under.
const SERVICE: &str = "service:evaluation";

/// Opens, cancels and releases evaluations as tenders move.
pub struct TenderEvents {
    pub db: Database,
    pub master: Arc<MasterKey>,
    pub tendering: Peer,
    pub compliance: Peer,
}

impl EventHandler for TenderEvents {
    async fn handle(&self, event: &InboundEvent) -> Result<(), HandlerError> {
        match event.event_type.as_str() {
            "tendering.tender_closed" => self.open(event).await,
            "tendering.tender_cancelled" => {
                let cancelled: TenderCancelled = event.decode()?;
                self.change(event, cancelled.tender_id, |evaluation| {
                    if evaluation.status == EvaluationStatus::Completed as i32 {
                        return None;
                    }
                    evaluation.status = EvaluationStatus::Cancelled as i32;
                    Some("evaluation.cancelled")
                })
                .await
            }
            "tendering.bidders_notified" => self.release(event).await,
            _ => Ok(()),
        }
    }
}

impl TenderEvents {
    /// Opens the tender's evaluation once, with its opened bids.
    async fn open(&self, event: &InboundEvent) -> Result<(), HandlerError> {
        let master = self.master.clone();
        let closed: TenderClosed = event.decode()?;
        if closed.status != TenderStatus::ActiveEvaluation as i32 || closed.bid_count == 0 {
            return Ok(());
        }
        let retry = |error: platform::Error| HandlerError::Retry(error.to_string());
        if store::of_tender(self.db.conn(), &master, &closed.tender_id).await.map_err(retry)?.is_some() {
            // Already open: the delivery is noted as handled and nothing else happens.
            inbox::apply_once(&self.db, TENDER_EVENTS, event, |_| Box::pin(async { Ok(()) })).await?;
            return Ok(());
        }
        let bids = self.opened_bids(&closed.tender_id).await.map_err(retry)?;
        let mut evaluation = Evaluation {
            id: uuid::Uuid::new_v4().to_string(),
            tender_id: closed.tender_id.clone(),
            council_id: closed.council_id.clone(),
            tender_title: closed.title.clone(),
            status: EvaluationStatus::Scoring as i32,
            criteria: closed.criteria.clone(),
            bid_questions: closed.bid_questions.clone(),
            lots: closed.lots.clone(),
            tie_break_rule: closed.tie_break_rule,
            evidence_requirements: closed.evidence_requirements.clone(),
            contract_period: closed.contract_period,
            bids: bids
                .into_iter()
                .map(|bid| EvaluatedBid {
                    // The panel is told of any partner that had not agreed to be named by the deadline.
                    partner_unconfirmed: bid
                        .partners
                        .iter()
                        .any(|partner| partner.status() != PartnerStatus::Confirmed),
                    bid_id: bid.bid_id,
                    provider_id: bid.provider_id,
                    provider_name: bid.provider_name,
                    content: bid.content,
                    receipt: bid.receipt,
                    partners: bid.partners,
                    ..Default::default()
                })
                .collect(),
            open_time: Some(platform::time::to_timestamp(chrono::Utc::now())),
            ..Default::default()
        };
        // The panel sees the evidence from the start; without compliance it opens all the same.
        match evidence::check(&self.compliance, &evaluation).await {
            Ok(found) => evidence::fill(&mut evaluation, &found),
            Err(error) => tracing::warn!(tender_id = %closed.tender_id, %error, "evidence not checked at opening"),
        }
        inbox::apply_once(&self.db, TENDER_EVENTS, event, |txn| {
            Box::pin(async move {
                let opened = async {
                    if store::insert(txn, &master, &evaluation).await? {
                        record(txn, &evaluation, "evaluation.opened").await?;
                        events::opened(txn, &evaluation).await?;
                    }
                    Ok::<_, platform::Error>(())
                };
                opened.await.map_err(|error| HandlerError::Retry(error.to_string()))
            })
        })
        .await?;
        Ok(())
    }

    /// Every opened bid of the tender, page by page.
    async fn opened_bids(&self, tender_id: &str) -> Result<Vec<OpenedBid>, platform::Error> {
        let (channel, bearer) = self.tendering.connect()?;
        let mut client = TenderingServiceClient::new(channel);
        let mut bids = Vec::new();
        let mut page_token = String::new();
        loop {
            let request = ListOpenedBidsRequest { tender_id: tender_id.to_owned(), page_size: 200, page_token };
            let page = client
                .list_opened_bids(self.tendering.request(request, &bearer)?)
                .await
                .map_err(|status| self.tendering.error(status))?
                .into_inner();
            bids.extend(page.bids);
            if page.next_page_token.is_empty() {
                return Ok(bids);
            }
            page_token = page.next_page_token;
        }
    }

    /// Records the lot's winner and releases the bidders' feedback.
    async fn release(&self, event: &InboundEvent) -> Result<(), HandlerError> {
        let master = self.master.clone();
        let notified: BiddersNotified = event.decode()?;
        inbox::apply_once(&self.db, TENDER_EVENTS, event, |txn| {
            Box::pin(async move {
                awards::release(txn, &master, &notified.tender_id, &notified.lot_id, &notified.winning_bid_id)
                    .await
                    .map_err(|error| HandlerError::Retry(error.to_string()))
            })
        })
        .await?;
        Ok(())
    }

    /// Applies `change` to the tender's evaluation, if it has one; `change` names the audit action,
    /// or `None` to leave it as it is.
    async fn change(
        &self,
        event: &InboundEvent,
        tender_id: String,
        change: fn(&mut Evaluation) -> Option<&'static str>,
    ) -> Result<(), HandlerError> {
        let master = self.master.clone();
        inbox::apply_once(&self.db, TENDER_EVENTS, event, |txn| {
            Box::pin(async move {
                let changed = async {
                    let Some(mut evaluation) = store::lock_of_tender(txn, &master, &tender_id).await? else {
                        return Ok(());
                    };
                    if let Some(action) = change(&mut evaluation) {
                        store::save(txn, &master, &evaluation).await?;
                        record(txn, &evaluation, action).await?;
                    }
                    Ok::<_, platform::Error>(())
                };
                changed.await.map_err(|error| HandlerError::Retry(error.to_string()))
            })
        })
        .await?;
        Ok(())
    }
}

/// The audit row of a change the service made on its own, from what it heard.
pub(crate) async fn record(
    txn: &DatabaseTransaction,
    evaluation: &Evaluation,
    action: &str,
) -> Result<(), platform::Error> {
    let entry = AuditEntry {
        actor: SERVICE,
        organisation: &evaluation.council_id,
        action,
        entity_kind: "evaluation",
        entity_id: &evaluation.id,
        details: serde_json::json!({ "tender_id": evaluation.tender_id }),
    };
    audit::record(txn, entry).await.map(|_| ())
}
