//! Three services of one marketplace, and the people who use them.

use std::time::Duration;

use chrono::Utc;
use compliance::Compliance;
use evaluation::Evaluation;
use platform::auth::Role;
use platform::testing::{TestApp, named_token, token, with_token};
use proto::commissioning::common::v1::{Area, Date, DateRange, DocumentKind, EvidenceRequirement, Money};
use proto::commissioning::evaluation::v1::evaluation_service_client::EvaluationServiceClient;
use proto::commissioning::tendering::v1::tendering_service_client::TenderingServiceClient;
use proto::commissioning::tendering::v1::*;
use tendering::Tendering;
use tonic::transport::Channel;

/// Compliance (owning the event stream), tendering and evaluation, calling each other.
pub struct Marketplace {
    pub compliance: TestApp<Compliance>,
    pub tendering: TestApp<Tendering>,
    pub evaluation: TestApp<Evaluation>,
}

impl Marketplace {
    pub async fn on_postgres() -> Self {
        let compliance = TestApp::<Compliance>::on_postgres().await;
        let compliance_url = format!("http://{}", compliance.addr());
        let tendering = TestApp::<Tendering>::on_postgres_beside(&compliance, |settings| {
            short_periods(settings);
            settings.compliance_url = Some(compliance_url.clone());
        })
        .await;
        let tendering_url = format!("http://{}", tendering.addr());
        let evaluation = TestApp::<Evaluation>::on_postgres_beside(&compliance, |settings| {
            settings.compliance_url = Some(compliance_url);
            settings.tendering_url = Some(tendering_url);
        })
        .await;
        Self { compliance, tendering, evaluation }
    }

    pub async fn on_sqlite() -> Self {
        let compliance = TestApp::<Compliance>::on_sqlite().await;
        let compliance_url = format!("http://{}", compliance.addr());
        let tendering = TestApp::<Tendering>::on_sqlite_beside(&compliance, |settings| {
            short_periods(settings);
            settings.compliance_url = Some(compliance_url.clone());
        })
        .await;
        let tendering_url = format!("http://{}", tendering.addr());
        let evaluation = TestApp::<Evaluation>::on_sqlite_beside(&compliance, |settings| {
            settings.compliance_url = Some(compliance_url);
            settings.tendering_url = Some(tendering_url);
        })
        .await;
        Self { compliance, tendering, evaluation }
    }

    pub async fn tenders(&self) -> TenderingServiceClient<Channel> {
        TenderingServiceClient::new(self.tendering.channel().await)
    }

    pub async fn evaluations(&self) -> EvaluationServiceClient<Channel> {
        EvaluationServiceClient::new(self.evaluation.channel().await)
    }

    /// Stops the services, the stream's owner last.
    pub async fn stop(self) {
        self.evaluation.stop().await;
        self.tendering.stop().await;
        self.compliance.stop().await;
    }
}

fn short_periods(settings: &mut platform::config::Settings) {
    settings.tendering_minimum_bid_period_secs = 2;
    settings.tendering_scheduler_interval_ms = 200;
}

pub fn lambeth_officer() -> String {
    named_token("olu", "lambeth", "Lambeth", &[Role::Officer])
}

/// A member of Lambeth's panel.
pub fn panellist(user: &str) -> String {
    named_token(user, "lambeth", "Lambeth", &[Role::Evaluator])
}

pub fn member_of(provider: &str) -> String {
    named_token(&format!("{provider}-lead"), provider, &format!("{provider} charity"), &[Role::Provider])
}

pub fn woking_officer() -> String {
    token("wes", "woking", &[Role::Officer])
}

pub fn gbp(pounds: i64) -> Money {
    Money { amount_pence: pounds * 100, currency: "GBP".into(), vat_included: true }
}

/// The criteria of the worked example: price 40, reach 45 (of 5), social value 15 (of 5), and
/// safeguarding pass/fail.
pub fn criteria() -> Vec<Criterion> {
    let scored = |id: &str, kind: CriterionKind, weight: i32, max_score: i32| Criterion {
        id: id.into(),
        name: id.into(),
        kind: kind as i32,
        weight,
        max_score,
        ..Default::default()
    };
    vec![
        scored("price", CriterionKind::Price, 40, 0),
        scored("reach", CriterionKind::Quality, 45, 5),
        scored("social", CriterionKind::SocialValue, 15, 5),
        scored("safeguarding", CriterionKind::PassFail, 0, 0),
    ]
}

/// Publishes a befriending tender with the worked example's criteria and a GBP 2m public liability
/// requirement; its enquiries end in 1 s and bids in 3.5 s.
pub async fn published_tender(market: &Marketplace) -> Tender {
    let now = Utc::now();
    let at = |after: Duration| platform::time::to_timestamp(now + after);
    let tender = Tender {
        title: "Befriending for isolated older people, Brixton".into(),
        summary: "Weekly visits and calls for people over 65 who live alone.".into(),
        areas: vec![Area {
            council_id: "lambeth".into(),
            label: "Brixton".into(),
            part: Some(proto::commissioning::common::v1::area::Part::PostcodeDistrict("SW2".into())),
        }],
        estimated_value: Some(gbp(8_000)),
        contract_period: Some(DateRange {
            start_date: Some(Date { year: 2027, month: 4, day: 1 }),
            end_date: Some(Date { year: 2028, month: 3, day: 31 }),
        }),
        criteria: criteria(),
        evidence_requirements: vec![EvidenceRequirement {
            kind: DocumentKind::PublicLiabilityInsurance as i32,
            minimum_cover: Some(gbp(2_000_000)),
            ..Default::default()
        }],
        enquiry_period_end: Some(at(Duration::from_secs(1))),
        bid_deadline: Some(at(Duration::from_millis(3_500))),
        ..Default::default()
    };
    let create = CreateTenderRequest {
        request_id: uuid::Uuid::new_v4().to_string(),
        template_id: "befriending".into(),
        tender: Some(tender),
    };
    let draft = market.tenders().await.create_tender(with_token(create, &lambeth_officer())).await;
    let draft = draft.expect("created").into_inner().tender.expect("tender");
    let publish = PublishTenderRequest { tender_id: draft.id.clone() };
    let published = market.tenders().await.publish_tender(with_token(publish, &lambeth_officer())).await;
    published.expect("published").into_inner().tender.expect("tender")
}

/// Submits `provider`'s bid at `pounds`, once bidding is open.
pub async fn bid(market: &Marketplace, tender: &Tender, provider: &str, pounds: i64) -> BidReceipt {
    let request = SubmitBidRequest {
        request_id: uuid::Uuid::new_v4().to_string(),
        tender_id: tender.id.clone(),
        provider_id: provider.into(),
        content: Some(BidContent {
            total_price: Some(gbp(pounds)),
            answers: tender
                .bid_questions
                .iter()
                .map(|question| Answer { bid_question_id: question.id.clone(), text: "We visit weekly.".into() })
                .collect(),
            evidence_declaration: true,
            ..Default::default()
        }),
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        match market.tenders().await.submit_bid(with_token(request.clone(), &member_of(provider))).await {
            Ok(response) => return response.into_inner().receipt.expect("receipt"),
            Err(status) if status.message().contains("bidding opens") && tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(status) => panic!("bid refused: {status:?}"),
        }
    }
}

/// Polls `check` until it gives a value (events cross the services asynchronously).
pub async fn eventually<T, F, Fut>(what: &str, check: F) -> T
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(tokio::time::Instant::now() < deadline, "{what} never happened");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
