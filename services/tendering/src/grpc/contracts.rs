//! RegisterContract, GetContract, ListContracts, GetCommissioningSummary, RecordFinanceReference:
//! a council's whole portfolio, block and micro, and the finance system's write-back.

use chrono::Utc;
use platform::auth::{Caller, Role};
use platform::dates::parse_optional_date;
use platform::paging::Page;
use platform::time::{from_timestamp, to_timestamp};
use platform::validation::optional_text;
use platform::{Error, audit, idempotency};
use proto::commissioning::tendering::v1::*;
use tonic::{Request, Response};

use super::{Answer, TenderingApi};
use crate::domain::{check_block_contract, summarise};
use crate::events;
use crate::store::{contracts, tenders};

const REFERENCE_MAX: usize = 100;

impl TenderingApi {
    pub(super) async fn register(&self, request: Request<RegisterContractRequest>) -> Answer<RegisterContractResponse> {
        let caller = Caller::of(&request)?.clone();
        let request = request.into_inner();
        let given = request.contract.unwrap_or_default();
        caller.require_own_organisation("contract.council_id", &given.council_id)?;
        idempotency::check_request_id("request_id", &request.request_id)?;
        let start = check_block_contract(&given, "contract").map_err(Error::InvalidArgument)?;
        let contract = Contract {
            id: uuid::Uuid::new_v4().to_string(),
            council_id: caller.organisation_id.clone(),
            route: ContractRoute::Block as i32,
            partners: Vec::new(),
            tender_id: String::new(),
            lot_id: String::new(),
            bid_id: String::new(),
            finance: None,
            award_reason: String::new(),
            extension: None,
            extension_exercise: None,
            status: 0,
            create_time: None,
            update_time: None,
            ..given
        };
        let contract = Contract { ocid: format!("{}-{}", self.ocid_prefix, contract.id), ..contract };
        let id = self
            .db
            .unit_of_work(|txn| {
                Box::pin(async move {
                    if let Some(earlier) =
                        idempotency::claim(txn, &caller.user_id, "RegisterContract", &request.request_id, &contract.id)
                            .await?
                    {
                        return Ok::<_, Error>(earlier);
                    }
                    contracts::insert(txn, &contract, start, Utc::now()).await?;
                    let details = serde_json::json!({ "supplier": contract.supplier.as_ref().map(|s| s.name.clone()) });
                    audit::record_by(txn, &caller, "contract.registered", ("contract", &contract.id), details).await?;
                    events::contract_registered(txn, &contract).await?;
                    Ok(contract.id)
                })
            })
            .await?;
        Ok(Response::new(RegisterContractResponse { contract: Some(self.contract(&id).await?) }))
    }

    pub(super) async fn read_contract(&self, request: Request<GetContractRequest>) -> Answer<GetContractResponse> {
        let caller = Caller::of(&request)?.clone();
        let contract = self.contract(&request.get_ref().contract_id).await?;
        if !may_read(&caller, &contract) {
            return Err(Error::PermissionDenied(
                "only the council's officers and integrators, and the supplier, may read this contract".into(),
            )
            .into());
        }
        Ok(Response::new(GetContractResponse { contract: Some(contract) }))
    }

    pub(super) async fn contracts_of(&self, request: Request<ListContractsRequest>) -> Answer<ListContractsResponse> {
        let caller = Caller::of(&request)?.clone();
        let page = Page::of(request.get_ref())?;
        let request = request.into_inner();
        let council_reader = caller.has_role(Role::Admin)
            || ((caller.has_role(Role::Officer) || caller.has_role(Role::Integrator))
                && caller.organisation_id == request.council_id);
        let supplier_reader = caller.has_role(Role::Provider)
            && !request.supplier_provider_id.is_empty()
            && caller.organisation_id == request.supplier_provider_id;
        if request.council_id.is_empty() && !supplier_reader {
            return Err(Error::invalid("council_id", "required: whose contracts to list").into());
        }
        if !(council_reader || supplier_reader) {
            return Err(Error::PermissionDenied(
                "a council's contracts are for its officers and integrators; a provider sees its own".into(),
            )
            .into());
        }
        let filter = contracts::Filter {
            council_id: &request.council_id,
            supplier_provider_id: &request.supplier_provider_id,
            routes: &request.routes,
        };
        let found = contracts::list(self.db.conn(), &filter, page).await?;
        let next_page_token = page.next_token(found.len());
        Ok(Response::new(ListContractsResponse { contracts: found, next_page_token }))
    }

    pub(super) async fn summary(
        &self,
        request: Request<GetCommissioningSummaryRequest>,
    ) -> Answer<GetCommissioningSummaryResponse> {
        let caller = Caller::of(&request)?.clone();
        let request = request.into_inner();
        if !(caller.has_role(Role::Admin)
            || (caller.has_role(Role::Officer) && caller.organisation_id == request.council_id))
        {
            return Err(Error::PermissionDenied("a council's portfolio is for its own officers".into()).into());
        }
        let period = request.period.unwrap_or_default();
        let start = parse_optional_date(period.start_date.as_ref())
            .map_err(|invalid| Error::InvalidArgument(vec![invalid.at("period.start_date")]))?;
        let end = parse_optional_date(period.end_date.as_ref())
            .map_err(|invalid| Error::InvalidArgument(vec![invalid.at("period.end_date")]))?;
        let (Some(start), Some(end)) = (start, end) else {
            return Err(Error::invalid("period", "required: both the first and the last day of the period").into());
        };
        if end < start {
            return Err(Error::invalid("period.end_date", "the period ends before it starts").into());
        }
        let held = contracts::starting_between(self.db.conn(), &request.council_id, start, end).await?;
        let mut publish_to_award = Vec::new();
        for tender_id in
            held.iter().filter(|contract| !contract.tender_id.is_empty()).map(|contract| &contract.tender_id)
        {
            let Some(stored) = tenders::find(self.db.conn(), tender_id).await? else { continue };
            let published = stored.tender.publish_time.as_ref().and_then(from_timestamp);
            let awarded = stored.tender.award_time.as_ref().and_then(from_timestamp);
            if let (Some(published), Some(awarded)) = (published, awarded)
                && !publish_to_award.iter().any(|(id, _)| id == tender_id)
            {
                publish_to_award.push((tender_id.clone(), awarded - published));
            }
        }
        let durations: Vec<_> = publish_to_award.into_iter().map(|(_, duration)| duration).collect();
        let summary = summarise(&request.council_id, (start, end), &held, &durations);
        Ok(Response::new(GetCommissioningSummaryResponse { summary: Some(summary) }))
    }

    pub(super) async fn finance(
        &self,
        request: Request<RecordFinanceReferenceRequest>,
    ) -> Answer<RecordFinanceReferenceResponse> {
        let caller = Caller::of(&request)?.clone();
        let request = request.into_inner();
        let text = |value: &str, path: &str| {
            optional_text(value, REFERENCE_MAX).map_err(|invalid| Error::InvalidArgument(vec![invalid.at(path)]))
        };
        let order = text(&request.purchase_order_number, "purchase_order_number")?;
        let supplier_reference = text(&request.supplier_reference, "supplier_reference")?;
        let cost_centre = text(&request.cost_centre, "cost_centre")?;
        if order.is_empty() && supplier_reference.is_empty() && cost_centre.is_empty() {
            return Err(Error::invalid(
                "purchase_order_number",
                "give a purchase-order number, a supplier reference or a cost centre",
            )
            .into());
        }
        let id = self
            .db
            .unit_of_work(|txn| {
                Box::pin(async move {
                    let not_found = || Error::NotFound { kind: "contract", id: request.contract_id.clone() };
                    let mut contract = contracts::lock(txn, &request.contract_id).await?.ok_or_else(not_found)?;
                    if !caller.has_role(Role::Admin) && caller.organisation_id != contract.council_id {
                        return Err(Error::PermissionDenied("an integrator writes back only to its own council's contracts".into()));
                    }
                    let mut finance = contract.finance.clone().unwrap_or_default();
                    if !order.is_empty() {
                        finance.purchase_order_number = order;
                    }
                    if !supplier_reference.is_empty() {
                        finance.supplier_reference = supplier_reference;
                    }
                    finance.recorded_by_user_id.clone_from(&caller.user_id);
                    finance.record_time = Some(to_timestamp(Utc::now()));
                    contract.finance = Some(finance);
                    if !cost_centre.is_empty() {
                        contract.cost_centre = cost_centre;
                    }
                    contracts::save(txn, &contract, Utc::now()).await?;
                    let details = serde_json::json!({ "purchase_order_number": contract.finance.as_ref().map(|f| f.purchase_order_number.clone()) });
                    audit::record_by(txn, &caller, "contract.finance_linked", ("contract", &contract.id), details).await?;
                    events::finance_linked(txn, &contract).await?;
                    Ok::<_, Error>(contract.id)
                })
            })
            .await?;
        Ok(Response::new(RecordFinanceReferenceResponse { contract: Some(self.contract(&id).await?) }))
    }

    pub(super) async fn contract(&self, id: &str) -> Result<Contract, Error> {
        if id.trim().is_empty() {
            return Err(Error::invalid("contract_id", "required: the contract's id"));
        }
        contracts::find(self.db.conn(), id)
            .await?
            .ok_or_else(|| Error::NotFound { kind: "contract", id: id.to_owned() })
    }
}

/// The council's officers and integrators, the supplier's members, admins.
fn may_read(caller: &Caller, contract: &Contract) -> bool {
    let council = (caller.has_role(Role::Officer) || caller.has_role(Role::Integrator))
        && caller.organisation_id == contract.council_id;
    let supplier = caller.has_role(Role::Provider)
        && contract
            .supplier
            .as_ref()
            .is_some_and(|supplier| !supplier.provider_id.is_empty() && supplier.provider_id == caller.organisation_id);
    caller.has_role(Role::Admin) || council || supplier
}
