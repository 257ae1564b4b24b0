//! The gRPC face of the tendering service: each call checks who may make it, then does its work in
//! one unit of work on the locked tender, with its audit row and events. `tenders` holds the
//! tender's own calls, `questions` the clarification questions, `bids` the sealed bids and their
//! opening, `partners` consortium partners' answers, `awards` the awards, `contracts` the portfolio
//! and the finance write-back, `contract_extensions` the exercise of a contract's option to extend,
//! `open_data` the OCDS release packages.

mod access;
mod awards;
mod bids;
mod contract_extensions;
mod contracts;
mod drafts;
mod open_data;
mod partners;
mod questions;
mod tenders;

use std::sync::Arc;

use platform::calls::Peer;
use platform::db::Database;
use proto::commissioning::tendering::v1::tendering_service_server::TenderingService;
use proto::commissioning::tendering::v1::*;
use tonic::{Request, Response, Status};

use crate::domain::Rules;
use crate::sealing::MasterKey;

/// Serves `TenderingService`.
pub struct TenderingApi {
    db: Database,
    rules: Arc<Rules>,
    master_key: Arc<MasterKey>,
    minimum_bid_period: chrono::Duration,
    ocid_prefix: String,
    /// The compliance service, asked about a winner's evidence.
    compliance: Peer,
    /// The evaluation service, asked for a completed evaluation whose event is late.
    evaluation: Peer,
}

/// How the API is set up.
pub struct Setup {
    pub rules: Arc<Rules>,
    pub master_key: Arc<MasterKey>,
    pub minimum_bid_period: chrono::Duration,
    pub ocid_prefix: String,
    pub compliance: Peer,
    pub evaluation: Peer,
}

impl TenderingApi {
    pub fn new(db: Database, setup: Setup) -> Self {
        let Setup { rules, master_key, minimum_bid_period, ocid_prefix, compliance, evaluation } = setup;
        Self { db, rules, master_key, minimum_bid_period, ocid_prefix, compliance, evaluation }
    }
}

/// The result of a call, as the generated trait wants it.
type Answer<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl TenderingService for TenderingApi {
    async fn create_tender(&self, request: Request<CreateTenderRequest>) -> Answer<CreateTenderResponse> {
        self.create(request).await
    }

    async fn update_tender(&self, request: Request<UpdateTenderRequest>) -> Answer<UpdateTenderResponse> {
        self.update(request).await
    }

    async fn publish_tender(&self, request: Request<PublishTenderRequest>) -> Answer<PublishTenderResponse> {
        self.publish(request).await
    }

    async fn cancel_tender(&self, request: Request<CancelTenderRequest>) -> Answer<CancelTenderResponse> {
        self.cancel(request).await
    }

    async fn get_tender(&self, request: Request<GetTenderRequest>) -> Answer<GetTenderResponse> {
        self.get(request).await
    }

    async fn list_tenders(&self, request: Request<ListTendersRequest>) -> Answer<ListTendersResponse> {
        self.list(request).await
    }

    async fn list_templates(&self, request: Request<ListTemplatesRequest>) -> Answer<ListTemplatesResponse> {
        self.templates(request).await
    }

    async fn ask_question(&self, request: Request<AskQuestionRequest>) -> Answer<AskQuestionResponse> {
        self.ask(request).await
    }

    async fn answer_question(&self, request: Request<AnswerQuestionRequest>) -> Answer<AnswerQuestionResponse> {
        self.answer(request).await
    }

    async fn list_questions(&self, request: Request<ListQuestionsRequest>) -> Answer<ListQuestionsResponse> {
        self.questions(request).await
    }

    async fn submit_bid(&self, request: Request<SubmitBidRequest>) -> Answer<SubmitBidResponse> {
        self.submit(request).await
    }

    async fn withdraw_bid(&self, request: Request<WithdrawBidRequest>) -> Answer<WithdrawBidResponse> {
        self.withdraw(request).await
    }

    async fn save_bid_draft(&self, request: Request<SaveBidDraftRequest>) -> Answer<SaveBidDraftResponse> {
        self.save_draft(request).await
    }

    async fn get_bid_draft(&self, request: Request<GetBidDraftRequest>) -> Answer<GetBidDraftResponse> {
        self.draft(request).await
    }

    async fn get_my_bid(&self, request: Request<GetMyBidRequest>) -> Answer<GetMyBidResponse> {
        self.my_bid(request).await
    }

    async fn confirm_consortium_partner(
        &self,
        request: Request<ConfirmConsortiumPartnerRequest>,
    ) -> Answer<ConfirmConsortiumPartnerResponse> {
        self.confirm_partner(request).await
    }

    async fn decline_consortium_partner(
        &self,
        request: Request<DeclineConsortiumPartnerRequest>,
    ) -> Answer<DeclineConsortiumPartnerResponse> {
        self.decline_partner(request).await
    }

    async fn get_opening_record(&self, request: Request<GetOpeningRecordRequest>) -> Answer<GetOpeningRecordResponse> {
        self.opening_record(request).await
    }

    async fn list_opened_bids(&self, request: Request<ListOpenedBidsRequest>) -> Answer<ListOpenedBidsResponse> {
        self.opened_bids(request).await
    }

    async fn award_tender(&self, request: Request<AwardTenderRequest>) -> Answer<AwardTenderResponse> {
        self.award(request).await
    }

    async fn declare_tender_unsuccessful(
        &self,
        request: Request<DeclareTenderUnsuccessfulRequest>,
    ) -> Answer<DeclareTenderUnsuccessfulResponse> {
        self.declare_unsuccessful(request).await
    }

    async fn register_contract(&self, request: Request<RegisterContractRequest>) -> Answer<RegisterContractResponse> {
        self.register(request).await
    }

    async fn get_contract(&self, request: Request<GetContractRequest>) -> Answer<GetContractResponse> {
        self.read_contract(request).await
    }

    async fn list_contracts(&self, request: Request<ListContractsRequest>) -> Answer<ListContractsResponse> {
        self.contracts_of(request).await
    }

    async fn get_commissioning_summary(
        &self,
        request: Request<GetCommissioningSummaryRequest>,
    ) -> Answer<GetCommissioningSummaryResponse> {
        self.summary(request).await
    }

    async fn record_finance_reference(
        &self,
        request: Request<RecordFinanceReferenceRequest>,
    ) -> Answer<RecordFinanceReferenceResponse> {
        self.finance(request).await
    }

    async fn exercise_contract_extension(
        &self,
        request: Request<ExerciseContractExtensionRequest>,
    ) -> Answer<ExerciseContractExtensionResponse> {
        self.exercise_contract_extension(request).await
    }

    async fn get_ocds_release_package(
        &self,
        request: Request<GetOcdsReleasePackageRequest>,
    ) -> Answer<GetOcdsReleasePackageResponse> {
        self.open_data(request).await
    }
}
