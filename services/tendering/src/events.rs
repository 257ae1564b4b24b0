//! The events the tendering service publishes, through the outbox, to the buying council's tenant.
//! None carries a bid's contents: bid events name ids, versions and counts only; an award carries
//! the contract, never the losing bids' prices.

use chrono::{DateTime, Utc};
use platform::Error;
use platform::events::outbox::enqueue;
use platform::time::to_timestamp;
use proto::commissioning::events::v1::{
    BidSubmitted, BiddersNotified, ConsortiumPartnerDeclined, ContractAwarded, ContractExtended, ContractRegistered,
    FinanceLinked, NotifiedBidder, PublishedTender, TenderAmended, TenderCancelled, TenderClosed, TenderPublished,
    TenderUnsuccessful, UnsuccessfulReason,
};
use proto::commissioning::tendering::v1::{Amendment, Contract, OpeningRecord, Tender, TenderStatus};
use sea_orm::ConnectionTrait;

/// The public facts of a published tender (never its bids or bid count).
fn published_facts(tender: &Tender) -> PublishedTender {
    PublishedTender {
        council_name: tender.council_name.clone(),
        ocid: tender.ocid.clone(),
        title: tender.title.clone(),
        summary: tender.summary.clone(),
        description_sections: tender.description_sections.clone(),
        category: tender.category,
        categories: tender.categories.clone(),
        cpv_codes: tender.cpv_codes.clone(),
        areas: tender.areas.clone(),
        estimated_value: tender.estimated_value.clone(),
        maximum_budget: tender.maximum_budget.clone(),
        contract_period: tender.contract_period,
        funders: tender.funders.clone(),
        procedure: tender.procedure,
        invited_provider_ids: tender.invited_provider_ids.clone(),
        evidence_requirements: tender.evidence_requirements.clone(),
        lots: tender.lots.clone(),
        criteria: tender.criteria.clone(),
        bid_questions: tender.bid_questions.clone(),
        tie_break_rule: tender.tie_break_rule,
        enquiry_period_end: tender.enquiry_period_end,
        bid_deadline: tender.bid_deadline,
        publication_duties: tender.publication_duties.clone(),
        price_weight_reason: tender.price_weight_reason.clone(),
        extension: tender.extension.clone(),
        estimated_value_with_options: crate::domain::value_with_options(tender),
        eligibility: tender.eligibility.clone(),
    }
}

pub async fn published<C: ConnectionTrait>(txn: &C, tender: &Tender) -> Result<(), Error> {
    let event = TenderPublished {
        tender_id: tender.id.clone(),
        council_id: tender.council_id.clone(),
        tender: Some(published_facts(tender)),
        publish_time: tender.publish_time,
    };
    enqueue(txn, "tendering.tender_published", &tender.council_id, &tender.id, &event).await.map(|_| ())
}

pub async fn amended<C: ConnectionTrait>(txn: &C, tender: &Tender, amendment: &Amendment) -> Result<(), Error> {
    let event = TenderAmended {
        tender_id: tender.id.clone(),
        council_id: tender.council_id.clone(),
        tender: Some(published_facts(tender)),
        amendment: Some(amendment.clone()),
    };
    enqueue(txn, "tendering.tender_amended", &tender.council_id, &tender.id, &event).await.map(|_| ())
}

pub async fn closed<C: ConnectionTrait>(txn: &C, tender: &Tender, record: &OpeningRecord) -> Result<(), Error> {
    let event = TenderClosed {
        tender_id: tender.id.clone(),
        council_id: tender.council_id.clone(),
        title: tender.title.clone(),
        opening_record: Some(record.clone()),
        bid_count: i32::try_from(record.entries.len()).unwrap_or(i32::MAX),
        status: tender.status,
        criteria: tender.criteria.clone(),
        bid_questions: tender.bid_questions.clone(),
        lots: tender.lots.clone(),
        tie_break_rule: tender.tie_break_rule,
        evidence_requirements: tender.evidence_requirements.clone(),
        contract_period: tender.contract_period,
    };
    enqueue(txn, "tendering.tender_closed", &tender.council_id, &tender.id, &event).await.map(|_| ())
}

pub async fn cancelled<C: ConnectionTrait>(
    txn: &C,
    tender: &Tender,
    previous: TenderStatus,
    destroyed_bid_count: u64,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let event = TenderCancelled {
        tender_id: tender.id.clone(),
        council_id: tender.council_id.clone(),
        reason: tender.status_reason.clone(),
        previous_status: previous as i32,
        destroyed_bid_count: i32::try_from(destroyed_bid_count).unwrap_or(i32::MAX),
        cancel_time: Some(to_timestamp(now)),
    };
    enqueue(txn, "tendering.tender_cancelled", &tender.council_id, &tender.id, &event).await.map(|_| ())
}

pub async fn unsuccessful<C: ConnectionTrait>(
    txn: &C,
    tender: &Tender,
    reason: UnsuccessfulReason,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let event = TenderUnsuccessful {
        tender_id: tender.id.clone(),
        council_id: tender.council_id.clone(),
        reason: reason as i32,
        explanation: tender.status_reason.clone(),
        decide_time: Some(to_timestamp(now)),
    };
    enqueue(txn, "tendering.tender_unsuccessful", &tender.council_id, &tender.id, &event).await.map(|_| ())
}

/// A bid (or a new version of it) arrived: ids, version, time and the count, never contents.
pub async fn bid_submitted<C: ConnectionTrait>(
    txn: &C,
    tender: &Tender,
    bid_id: &str,
    version: i32,
    received: DateTime<Utc>,
    bid_count: u64,
) -> Result<(), Error> {
    let event = BidSubmitted {
        tender_id: tender.id.clone(),
        council_id: tender.council_id.clone(),
        bid_id: bid_id.to_owned(),
        version,
        receive_time: Some(to_timestamp(received)),
        bid_count: i32::try_from(bid_count).unwrap_or(i32::MAX),
    };
    enqueue(txn, "tendering.bid_submitted", &tender.council_id, &tender.id, &event).await.map(|_| ())
}

/// A consortium partner declined and was removed from a bid: ids, the new version and the time, never
/// a provider id (before the deadline the council may not learn who bids, or with whom).
pub async fn consortium_partner_declined<C: ConnectionTrait>(
    txn: &C,
    tender: &Tender,
    bid_id: &str,
    version: i32,
    declined: DateTime<Utc>,
) -> Result<(), Error> {
    let event = ConsortiumPartnerDeclined {
        tender_id: tender.id.clone(),
        council_id: tender.council_id.clone(),
        bid_id: bid_id.to_owned(),
        version,
        decline_time: Some(to_timestamp(declined)),
    };
    enqueue(txn, "tendering.consortium_partner_declined", &tender.council_id, &tender.id, &event).await.map(|_| ())
}

/// A lot was awarded: the contract with everything a finance system needs.
pub async fn contract_awarded<C: ConnectionTrait>(txn: &C, tender: &Tender, contract: &Contract) -> Result<(), Error> {
    let event = ContractAwarded {
        tender_id: tender.id.clone(),
        council_id: tender.council_id.clone(),
        contract: Some(contract.clone()),
        tender_title: tender.title.clone(),
        contract_details_notice_required: tender
            .publication_duties
            .as_ref()
            .is_some_and(|duties| duties.contract_details_notice_required),
        tender_awarded: tender.status == TenderStatus::Awarded as i32,
    };
    enqueue(txn, "tendering.contract_awarded", &tender.council_id, &tender.id, &event).await.map(|_| ())
}

/// The bidders on an awarded lot were told its outcome.
pub async fn bidders_notified<C: ConnectionTrait>(
    txn: &C,
    tender: &Tender,
    contract: &Contract,
    winning_provider_name: &str,
    bidders: Vec<NotifiedBidder>,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let event = BiddersNotified {
        tender_id: tender.id.clone(),
        council_id: tender.council_id.clone(),
        lot_id: contract.lot_id.clone(),
        contract_id: contract.id.clone(),
        winning_bid_id: contract.bid_id.clone(),
        winning_provider_id: supplier_provider_id(contract),
        winning_provider_name: winning_provider_name.to_owned(),
        bidders,
        notify_time: Some(to_timestamp(now)),
    };
    enqueue(txn, "tendering.bidders_notified", &tender.council_id, &tender.id, &event).await.map(|_| ())
}

pub async fn contract_registered<C: ConnectionTrait>(txn: &C, contract: &Contract) -> Result<(), Error> {
    let event = ContractRegistered { council_id: contract.council_id.clone(), contract: Some(contract.clone()) };
    enqueue(txn, "tendering.contract_registered", &contract.council_id, &contract.id, &event).await.map(|_| ())
}

pub async fn finance_linked<C: ConnectionTrait>(txn: &C, contract: &Contract) -> Result<(), Error> {
    let event = FinanceLinked {
        contract_id: contract.id.clone(),
        council_id: contract.council_id.clone(),
        finance: contract.finance.clone(),
        cost_centre: contract.cost_centre.clone(),
        supplier_provider_id: supplier_provider_id(contract),
        tender_id: contract.tender_id.clone(),
    };
    enqueue(txn, "tendering.finance_linked", &contract.council_id, &contract.id, &event).await.map(|_| ())
}

/// A contract's option to extend was exercised: its new end date, the added value and the
/// council's reference, for the finance system.
pub async fn contract_extended<C: ConnectionTrait>(txn: &C, contract: &Contract) -> Result<(), Error> {
    let exercised = contract.extension_exercise.clone().unwrap_or_default();
    let event = ContractExtended {
        contract_id: contract.id.clone(),
        council_id: contract.council_id.clone(),
        reference: exercised.reference,
        previous_end_date: exercised.previous_end_date,
        new_end_date: contract.period.and_then(|period| period.end_date),
        added_value: exercised.added_value,
        new_value: contract.value.clone(),
        supplier_provider_id: supplier_provider_id(contract),
        tender_id: contract.tender_id.clone(),
        purchase_order_number: contract
            .finance
            .as_ref()
            .map(|finance| finance.purchase_order_number.clone())
            .unwrap_or_default(),
        exercised_by_user_id: exercised.exercised_by_user_id,
        exercise_time: exercised.exercise_time,
    };
    enqueue(txn, "tendering.contract_extended", &contract.council_id, &contract.id, &event).await.map(|_| ())
}

/// The supplier's marketplace provider id, empty when the supplier is not on the marketplace.
fn supplier_provider_id(contract: &Contract) -> String {
    contract.supplier.as_ref().map(|supplier| supplier.provider_id.clone()).unwrap_or_default()
}
