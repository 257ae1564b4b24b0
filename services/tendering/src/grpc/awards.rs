//! AwardTender and DeclareTenderUnsuccessful. An award needs the completed evaluation's ranking
//! (from `evaluation.completed`, or asked of the evaluation service when the event is late) and the
//! evidence of the winner and of each consortium partner it names: compliance's CheckCompliance is
//! asked for each before the unit of work (no lock is held across the network), and the state is
//! checked again on the locked tender inside it.

use chrono::Utc;
use platform::auth::Caller;
use platform::db::database_now;
use platform::time::to_timestamp;
use platform::validation::{optional_text, required_text};
use platform::{Error, PreconditionViolation, idempotency};
use proto::commissioning::common::v1::{DocumentKind, Money};
use proto::commissioning::compliance::v1::CheckComplianceRequest;
use proto::commissioning::compliance::v1::compliance_service_client::ComplianceServiceClient;
use proto::commissioning::evaluation::v1::evaluation_service_client::EvaluationServiceClient;
use proto::commissioning::evaluation::v1::{EvaluationStatus, GetEvaluationRequest};
use proto::commissioning::events::v1::{EvaluationCompleted, LotRanking, NotifiedBidder, UnsuccessfulReason};
use proto::commissioning::tendering::v1::*;
use sea_orm::{ActiveModelTrait, ActiveValue::Set};
use tonic::{Request, Response};

use super::access::ensure_buying_officer;
use super::bids::{bid_key, open};
use super::tenders::{locked, record, required_id};
use super::{Answer, TenderingApi};
use crate::domain::option_for_contract;
use crate::events;
use crate::store::{bids, contracts, evaluations, known_providers, tenders};

const REASON_MAX: usize = 1_000;
const COST_CENTRE_MAX: usize = 100;

impl TenderingApi {
    pub(super) async fn award(&self, request: Request<AwardTenderRequest>) -> Answer<AwardTenderResponse> {
        let caller = Caller::of(&request)?.clone();
        let reader = caller.clone();
        let request = request.into_inner();
        let tender_id = required_id(&request.tender_id)?;
        // Who may call before what they sent.
        let stored = tenders::find(self.db.conn(), &tender_id)
            .await?
            .ok_or(Error::NotFound { kind: "tender", id: tender_id.clone() })?;
        ensure_buying_officer(&caller, &stored.tender)?;
        idempotency::check_request_id("request_id", &request.request_id)?;
        if request.bid_id.trim().is_empty() {
            return Err(Error::invalid("bid_id", "required: the winning bid").into());
        }
        let reason = optional_text(&request.reason, REASON_MAX)
            .map_err(|invalid| Error::InvalidArgument(vec![invalid.at("reason")]))?;
        let cost_centre = optional_text(&request.cost_centre, COST_CENTRE_MAX)
            .map_err(|invalid| Error::InvalidArgument(vec![invalid.at("cost_centre")]))?;
        if let Some(contract_id) =
            idempotency::earlier(self.db.conn(), &caller.user_id, "AwardTender", &request.request_id).await?
        {
            return self.awarded(&reader, &tender_id, &contract_id).await;
        }
        let evaluation = match evaluations::find(self.db.conn(), &tender_id).await? {
            Some(heard) => Some(heard),
            None => self.completed_evaluation(&tender_id).await?,
        };
        let choice = choose(&stored.tender, evaluation.as_ref(), &request.lot_id, &request.bid_id, &reason)?;
        let bid = bids::find(self.db.conn(), &request.bid_id)
            .await?
            .ok_or(Error::NotFound { kind: "bid", id: request.bid_id.clone() })?;
        let content = open(&bid_key(&self.master_key, &stored)?, &bid)?;
        let suppliers = self.suppliers(&bid, &content).await?;
        self.check_evidence(&stored.tender, &suppliers).await?;
        let (lead, partners) = suppliers.split_first().map(|(lead, rest)| (lead.clone(), rest.to_vec())).unzip();

        let master_key = self.master_key.clone();
        let (tender_id_for_tx, request_id) = (tender_id.clone(), request.request_id.clone());
        let contract_id = self
            .db
            .unit_of_work(|txn| {
                Box::pin(async move {
                    let mut stored = locked(txn, &tender_id_for_tx).await?;
                    let contract_id = uuid::Uuid::new_v4().to_string();
                    if let Some(earlier) = idempotency::claim(txn, &caller.user_id, "AwardTender", &request_id, &contract_id).await? {
                        return Ok::<_, Error>(earlier);
                    }
                    ensure_evaluating(&stored.tender)?;
                    if contracts::for_lot(txn, &stored.tender.id, &choice.lot_id).await?.is_some() {
                        return Err(Error::precondition("LOT_AWARDED", format!("lot {} is already awarded", choice.lot_id)));
                    }
                    let bid = bids::find(txn, &choice.bid_id).await?.ok_or_else(|| Error::NotFound { kind: "bid", id: choice.bid_id.clone() })?;
                    let content = open(&bid_key(&master_key, &stored)?, &bid)?;
                    let now = database_now(txn).await?;
                    let contract = Contract {
                        id: contract_id.clone(),
                        council_id: stored.tender.council_id.clone(),
                        route: ContractRoute::MicroTender as i32,
                        title: contract_title(&stored.tender, &choice.lot_id),
                        description: stored.tender.summary.clone(),
                        supplier: lead,
                        partners: partners.unwrap_or_default(),
                        value: lot_value(&content, &choice.lot_id, stored.tender.lots.len()),
                        period: stored.tender.contract_period,
                        category: stored.tender.category,
                        cpv_codes: stored.tender.cpv_codes.clone(),
                        areas: stored.tender.areas.clone(),
                        funders: stored.tender.funders.clone(),
                        tender_id: stored.tender.id.clone(),
                        lot_id: choice.lot_id.clone(),
                        bid_id: bid.id.clone(),
                        cost_centre,
                        award_reason: reason,
                        ocid: stored.tender.ocid.clone(),
                        extension: option_for_contract(&stored.tender),
                        ..Default::default()
                    };
                    let start = stored
                        .tender
                        .contract_period
                        .as_ref()
                        .and_then(|period| platform::dates::parse_optional_date(period.start_date.as_ref()).ok().flatten())
                        .ok_or_else(|| Error::internal("a published tender without a contract start"))?;
                    contracts::insert(txn, &contract, start, now).await?;
                    let mut winner: bids::ActiveModel = bid.clone().into();
                    winner.status = Set(BidStatus::Successful as i32);
                    winner.updated_at = Set(now);
                    winner.update(txn).await?;
                    stored.tender.lot_awards.push(LotAward {
                        lot_id: choice.lot_id.clone(),
                        bid_id: bid.id.clone(),
                        award_time: Some(to_timestamp(now)),
                    });
                    let awarded_lots = contracts::of_tender(txn, &stored.tender.id).await?.len();
                    if awarded_lots >= stored.tender.lots.len().max(1) {
                        stored.tender.status = TenderStatus::Awarded as i32;
                        stored.tender.award_time = Some(to_timestamp(now));
                        bids::move_all(txn, &stored.tender.id, BidStatus::Opened, BidStatus::Unsuccessful, false, now).await?;
                    }
                    tenders::save(txn, &stored, now).await?;
                    let details = serde_json::json!({ "contract_id": contract.id, "bid_id": bid.id, "lot_id": choice.lot_id, "recommended": choice.recommended });
                    record(txn, &caller, "tender.awarded", &stored.tender, details).await?;
                    events::contract_awarded(txn, &stored.tender, &contract).await?;
                    let winner_name = contract.supplier.as_ref().map(|supplier| supplier.name.clone()).unwrap_or_default();
                    events::bidders_notified(txn, &stored.tender, &contract, &winner_name, notified(&choice.ranking, &bid.id), Utc::now())
                        .await?;
                    Ok(contract.id)
                })
            })
            .await?;
        self.awarded(&reader, &tender_id, &contract_id).await
    }

    pub(super) async fn declare_unsuccessful(
        &self,
        request: Request<DeclareTenderUnsuccessfulRequest>,
    ) -> Answer<DeclareTenderUnsuccessfulResponse> {
        let caller = Caller::of(&request)?.clone();
        let reader = caller.clone();
        let request = request.into_inner();
        let tender_id = required_id(&request.tender_id)?;
        let reason = required_text(&request.reason, REASON_MAX)
            .map_err(|invalid| Error::InvalidArgument(vec![invalid.at("reason")]))?;
        let id = self
            .db
            .unit_of_work(|txn| {
                Box::pin(async move {
                    let mut stored = locked(txn, &tender_id).await?;
                    ensure_buying_officer(&caller, &stored.tender)?;
                    ensure_evaluating(&stored.tender)?;
                    if !contracts::of_tender(txn, &stored.tender.id).await?.is_empty() {
                        return Err(Error::precondition(
                            "LOT_AWARDED",
                            "a lot is already awarded; the tender cannot end without award",
                        ));
                    }
                    let now = Utc::now();
                    bids::move_all(txn, &stored.tender.id, BidStatus::Opened, BidStatus::Unsuccessful, false, now)
                        .await?;
                    stored.tender.status = TenderStatus::Unsuccessful as i32;
                    stored.tender.status_reason = reason;
                    tenders::save(txn, &stored, now).await?;
                    let details = serde_json::json!({ "reason": stored.tender.status_reason });
                    record(txn, &caller, "tender.declared_unsuccessful", &stored.tender, details).await?;
                    events::unsuccessful(txn, &stored.tender, UnsuccessfulReason::NoAcceptableBid, now).await?;
                    Ok::<_, Error>(stored.tender.id)
                })
            })
            .await?;
        Ok(Response::new(DeclareTenderUnsuccessfulResponse { tender: Some(self.reread(&reader, id).await?) }))
    }

    /// The tender's completed evaluation when `evaluation.completed` has not arrived yet, asked of
    /// the evaluation service (GetEvaluation as this service's identity) and recorded as the event
    /// would record it, so the event changes nothing when it comes. `None` while it is not
    /// completed, or when the evaluation service's address is not configured.
    async fn completed_evaluation(&self, tender_id: &str) -> Result<Option<EvaluationCompleted>, Error> {
        if !self.evaluation.is_configured() {
            return Ok(None);
        }
        let (channel, bearer) = self.evaluation.connect()?;
        let request = GetEvaluationRequest { tender_id: tender_id.to_owned(), ..Default::default() };
        let answer =
            EvaluationServiceClient::new(channel).get_evaluation(self.evaluation.request(request, &bearer)?).await;
        let evaluation = match answer {
            Ok(response) => response.into_inner().evaluation.unwrap_or_default(),
            // Not opened yet: not completed either.
            Err(status) if status.code() == tonic::Code::NotFound => return Ok(None),
            Err(status) => return Err(self.evaluation.error(status)),
        };
        if evaluation.status() != EvaluationStatus::Completed || evaluation.tender_id != tender_id {
            return Ok(None);
        }
        let completed = platform::rankings::completed(&evaluation);
        let recorded = completed.clone();
        self.db.unit_of_work(|txn| Box::pin(async move { evaluations::record(txn, &recorded).await })).await?;
        Ok(Some(completed))
    }

    /// The winning bid's suppliers as a finance system needs them: the lead, then each consortium
    /// partner, from the providers register when known.
    async fn suppliers(&self, bid: &bids::Model, content: &BidContent) -> Result<Vec<Supplier>, Error> {
        let mut suppliers = Vec::with_capacity(1 + content.consortium_partners.len());
        let lead = known_providers::find(self.db.conn(), &bid.provider_id).await?;
        suppliers.push(supplier(&bid.provider_id, &bid.provider_name, lead));
        for partner in &content.consortium_partners {
            let provider_id = partner.provider_id.trim();
            let profile = known_providers::find(self.db.conn(), provider_id).await?;
            suppliers.push(supplier(provider_id, &partner.name, profile));
        }
        Ok(suppliers)
    }

    /// FAILED_PRECONDITION naming each requirement the suppliers' evidence falls short of, each with
    /// the organisation it belongs to ("Knaphill Friends: public liability cover ...").
    async fn check_evidence(&self, tender: &Tender, suppliers: &[Supplier]) -> Result<(), Error> {
        if tender.evidence_requirements.is_empty() {
            return Ok(());
        }
        let on_date = tender.contract_period.as_ref().and_then(|period| period.start_date);
        let (channel, bearer) = self.compliance.connect()?;
        let mut compliance = ComplianceServiceClient::new(channel);
        let mut violations = Vec::new();
        for supplier in suppliers {
            let check = CheckComplianceRequest {
                provider_id: supplier.provider_id.clone(),
                requirements: tender.evidence_requirements.clone(),
                on_date,
                tender_id: tender.id.clone(),
            };
            let answer = compliance
                .check_compliance(self.compliance.request(check, &bearer)?)
                .await
                .map_err(|status| self.compliance.error(status))?
                .into_inner();
            if answer.all_met {
                continue;
            }
            violations.extend(
                answer
                    .results
                    .iter()
                    .filter(|result| {
                        !matches!(
                            result.status(),
                            proto::commissioning::common::v1::RequirementStatus::Met
                                | proto::commissioning::common::v1::RequirementStatus::NotApplicable
                        )
                    })
                    .map(|result| PreconditionViolation {
                        kind: "EVIDENCE".into(),
                        subject: result
                            .requirement
                            .as_ref()
                            .and_then(|requirement| DocumentKind::try_from(requirement.kind).ok())
                            .unwrap_or(DocumentKind::Unspecified)
                            .as_str_name()
                            .into(),
                        description: format!("{}: {}", supplier.name, result.explanation),
                    }),
            );
        }
        if violations.is_empty() {
            return Ok(());
        }
        let message = if suppliers.len() > 1 {
            "the winning consortium's evidence falls short of the tender's requirements; each shortfall names its \
             organisation"
        } else {
            "the winner's evidence falls short of the tender's requirements"
        };
        Err(Error::FailedPreconditions { message: message.into(), reason: "EVIDENCE_SHORT", violations })
    }

    /// The tender and the contract an award made.
    async fn awarded(&self, reader: &Caller, tender_id: &str, contract_id: &str) -> Answer<AwardTenderResponse> {
        let tender = self.reread(reader, tender_id.to_owned()).await?;
        let contract = contracts::find(self.db.conn(), contract_id)
            .await?
            .ok_or_else(|| Error::NotFound { kind: "contract", id: contract_id.to_owned() })?;
        Ok(Response::new(AwardTenderResponse { tender: Some(tender), contract: Some(contract) }))
    }
}

/// What the officer chose, checked against the completed evaluation.
struct Choice {
    lot_id: String,
    bid_id: String,
    recommended: bool,
    ranking: LotRanking,
}

fn choose(
    tender: &Tender,
    evaluation: Option<&EvaluationCompleted>,
    lot_id: &str,
    bid_id: &str,
    reason: &str,
) -> Result<Choice, Error> {
    ensure_evaluating(tender)?;
    let evaluation = evaluation.ok_or_else(|| {
        Error::precondition(
            "NO_EVALUATION",
            "the evaluation has not been completed; award once the panel has ranked the bids",
        )
    })?;
    let lot_id = match (lot_id.trim(), tender.lots.as_slice()) {
        ("", [only]) => only.id.clone(),
        ("", _) => return Err(Error::invalid("lot_id", "required: this tender has several lots")),
        (lot, lots) if lots.iter().any(|known| known.id == lot) => lot.to_owned(),
        (lot, _) => return Err(Error::invalid("lot_id", format!("the tender has no lot {lot}"))),
    };
    let ranking =
        evaluation.rankings.iter().find(|ranking| ranking.lot_id == lot_id).cloned().ok_or_else(|| {
            Error::precondition("NOT_RANKED", format!("the evaluation ranked no bids for lot {lot_id}"))
        })?;
    let entry = ranking.ranking.iter().find(|entry| entry.bid_id == bid_id).ok_or_else(|| {
        Error::precondition("NOT_RANKED", format!("bid {bid_id} is not ranked for lot {lot_id}; award a ranked bid"))
    })?;
    if entry.failed || entry.rank < 1 {
        return Err(Error::precondition(
            "BID_FAILED",
            format!("bid {bid_id} failed a pass/fail criterion and cannot be awarded"),
        ));
    }
    let recommended = ranking.recommended_bid_id == bid_id;
    if !recommended && reason.is_empty() {
        return Err(Error::invalid("reason", "required: this is not the bid the evaluation recommended; say why"));
    }
    Ok(Choice { lot_id, bid_id: bid_id.to_owned(), recommended, ranking })
}

fn ensure_evaluating(tender: &Tender) -> Result<(), Error> {
    if tender.status != TenderStatus::ActiveEvaluation as i32 {
        let status = TenderStatus::try_from(tender.status).unwrap_or(TenderStatus::Unspecified);
        return Err(Error::precondition(
            "TENDER_NOT_IN_EVALUATION",
            format!("the tender is {}; only a tender in evaluation can be awarded or ended", status.as_str_name()),
        ));
    }
    Ok(())
}

/// A supplier as a finance system needs it: from the providers register when known, else by the
/// name the bid gave.
fn supplier(
    provider_id: &str,
    name: &str,
    profile: Option<proto::commissioning::events::v1::ProviderProfile>,
) -> Supplier {
    match profile {
        Some(profile) => Supplier {
            provider_id: profile.provider_id,
            name: profile.legal_name,
            identifiers: profile.identifiers,
            address: profile.registered_address,
            size_class: profile.size_class,
            vcse: profile.vcse,
        },
        None => Supplier { provider_id: provider_id.to_owned(), name: name.to_owned(), ..Default::default() },
    }
}

fn contract_title(tender: &Tender, lot_id: &str) -> String {
    match tender.lots.iter().find(|lot| lot.id == lot_id) {
        Some(lot) if tender.lots.len() > 1 => format!("{}: {}", tender.title, lot.title),
        _ => tender.title.clone(),
    }
}

/// The winning bid's price for the lot: its lot price, or its total for a one-lot tender.
fn lot_value(content: &BidContent, lot_id: &str, lot_count: usize) -> Option<Money> {
    let lot_price =
        content.lot_prices.iter().find(|price| price.lot_id == lot_id).and_then(|price| price.price.clone());
    lot_price.or_else(|| (lot_count <= 1).then(|| content.total_price.clone()).flatten())
}

fn notified(ranking: &LotRanking, winning_bid_id: &str) -> Vec<NotifiedBidder> {
    ranking
        .ranking
        .iter()
        .map(|entry| NotifiedBidder {
            bid_id: entry.bid_id.clone(),
            provider_id: entry.provider_id.clone(),
            outcome: if entry.bid_id == winning_bid_id { BidStatus::Successful } else { BidStatus::Unsuccessful }
                as i32,
            rank: entry.rank,
        })
        .collect()
}
