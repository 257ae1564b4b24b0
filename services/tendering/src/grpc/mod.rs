//! The gRPC face of the tendering service: each call checks who may make it, then does its work in
//! one unit of work on the locked tender, with its audit row and events. `tenders` holds the
//! tender's own calls, `questions` the clarification questions, `bids` the sealed bids and their
//! opening. Calls of later stages (awards, contracts, open data) answer UNIMPLEMENTED for now.

mod access;
mod bids;
mod questions;
mod tenders;

use std::sync::Arc;

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
}

impl TenderingApi {
    pub fn new(
        db: Database,
        rules: Arc<Rules>,
        master_key: Arc<MasterKey>,
        minimum_bid_period: chrono::Duration,
        ocid_prefix: String,
    ) -> Self {
        Self { db, rules, master_key, minimum_bid_period, ocid_prefix }
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

    async fn get_my_bid(&self, request: Request<GetMyBidRequest>) -> Answer<GetMyBidResponse> {
        self.my_bid(request).await
    }

    async fn get_opening_record(&self, request: Request<GetOpeningRecordRequest>) -> Answer<GetOpeningRecordResponse> {
        self.opening_record(request).await
    }

    async fn list_opened_bids(&self, request: Request<ListOpenedBidsRequest>) -> Answer<ListOpenedBidsResponse> {
        self.opened_bids(request).await
    }
}
