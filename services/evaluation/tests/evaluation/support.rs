//! Three services of one marketplace, and the people who use them.

use std::time::Duration;

use chrono::Utc;
use compliance::Compliance;
use evaluation::Evaluation;
use platform::auth::Role;
use platform::config::Settings;
use platform::events::{OutboundEvent, Publisher};
use platform::runtime::Service;
use platform::testing::{TestApp, named_token, token, with_token};
use proto::commissioning::common::v1::{Area, Date, DateRange, DocumentKind, EvidenceRequirement, Money};
use proto::commissioning::evaluation::v1::evaluation_service_client::EvaluationServiceClient;
use proto::commissioning::tendering::v1::tendering_service_client::TenderingServiceClient;
use proto::commissioning::tendering::v1::*;
use sea_orm::ConnectionTrait;
use tendering::Tendering;
use tonic::transport::Channel;

/// Compliance (owning the event stream), tendering and evaluation, calling each other.
pub struct Marketplace {
    pub compliance: TestApp<Compliance>,
    pub tendering: TestApp<Tendering>,
    pub evaluation: TestApp<Evaluation>,
}

/// Where the evaluation service hears events.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Events {
    /// On the stream compliance and tendering share, as in production.
    Shared,
    /// On a stream of its own: nothing passes between it and tendering unless a test delivers it
    /// ([`forward`]), so a test holds an event back for as long as it likes.
    Apart,
}

impl Marketplace {
    pub async fn on_postgres() -> Self {
        Self::start(true, Events::Shared, |_| {}).await
    }

    pub async fn on_sqlite() -> Self {
        Self::start(false, Events::Shared, |_| {}).await
    }

    /// On PostgreSQL and NATS, with the evaluation service on its own stream and its settings
    /// changed by `configure`.
    pub async fn apart_on_postgres(configure: impl FnOnce(&mut Settings)) -> Self {
        Self::start(true, Events::Apart, configure).await
    }

    /// On SQLite, with the evaluation service on its own embedded log and its settings changed by
    /// `configure`.
    pub async fn apart_on_sqlite(configure: impl FnOnce(&mut Settings)) -> Self {
        Self::start(false, Events::Apart, configure).await
    }

    async fn start(postgres: bool, events: Events, configure: impl FnOnce(&mut Settings)) -> Self {
        let compliance = if postgres {
            TestApp::<Compliance>::on_postgres().await
        } else {
            TestApp::<Compliance>::on_sqlite().await
        };
        let compliance_url = format!("http://{}", compliance.addr());
        let tendering_settings = |settings: &mut Settings| {
            short_periods(settings);
            settings.compliance_url = Some(compliance_url.clone());
        };
        let tendering = if postgres {
            TestApp::<Tendering>::on_postgres_beside(&compliance, tendering_settings).await
        } else {
            TestApp::<Tendering>::on_sqlite_beside(&compliance, tendering_settings).await
        };
        let tendering_url = format!("http://{}", tendering.addr());
        let evaluation_settings = |settings: &mut Settings| {
            settings.compliance_url = Some(compliance_url.clone());
            settings.tendering_url = Some(tendering_url);
            configure(settings);
        };
        let evaluation = match (postgres, events) {
            (true, Events::Shared) => TestApp::<Evaluation>::on_postgres_beside(&compliance, evaluation_settings).await,
            (false, Events::Shared) => TestApp::<Evaluation>::on_sqlite_beside(&compliance, evaluation_settings).await,
            (true, Events::Apart) => TestApp::<Evaluation>::on_postgres_with(evaluation_settings).await,
            (false, Events::Apart) => TestApp::<Evaluation>::on_sqlite_with(evaluation_settings).await,
        };
        // Started before evaluation, tendering learns its address now.
        tendering.service.evaluation().set_url(format!("http://{}", evaluation.addr()));
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

fn short_periods(settings: &mut Settings) {
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
        description_sections: [
            ("What we want", "Weekly home visits of an hour by trained volunteers."),
            ("Who it is for", "People over 65 in Brixton who live alone."),
            ("Where", "Brixton (SW2)."),
            ("Outcomes we are looking for", "Fewer people saying they often feel lonely after six months."),
        ]
        .map(|(heading, body)| DescriptionSection { heading: heading.into(), body: body.into() })
        .to_vec(),
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
        eligibility: Some(TenderEligibility {
            minimum_age: 65,
            description: "living alone".into(),
            ..Default::default()
        }),
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
    bid_saying(market, tender, provider, gbp(pounds), "We visit weekly.").await
}

/// Submits `provider`'s bid at `price`, answering every question with `words`, once bidding is open.
pub async fn bid_saying(
    market: &Marketplace,
    tender: &Tender,
    provider: &str,
    price: Money,
    words: &str,
) -> BidReceipt {
    bid_with(market, tender, provider, price, words, &[]).await
}

/// Submits `provider`'s bid at `pounds` naming consortium `partners`, once bidding is open and
/// tendering has heard of the partners.
pub async fn consortium_bid(
    market: &Marketplace,
    tender: &Tender,
    provider: &str,
    pounds: i64,
    partners: &[&str],
) -> BidReceipt {
    bid_with(market, tender, provider, gbp(pounds), "We visit weekly.", partners).await
}

async fn bid_with(
    market: &Marketplace,
    tender: &Tender,
    provider: &str,
    price: Money,
    words: &str,
    partners: &[&str],
) -> BidReceipt {
    let request = SubmitBidRequest {
        request_id: uuid::Uuid::new_v4().to_string(),
        tender_id: tender.id.clone(),
        provider_id: provider.into(),
        content: Some(BidContent {
            total_price: Some(price),
            answers: tender
                .bid_questions
                .iter()
                .map(|question| Answer { bid_question_id: question.id.clone(), text: words.into() })
                .collect(),
            consortium_partners: partners
                .iter()
                .map(|partner| ConsortiumPartner {
                    provider_id: (*partner).into(),
                    name: (*partner).into(),
                    role: "runs the coffee mornings".into(),
                })
                .collect(),
            evidence_declaration: true,
            ..Default::default()
        }),
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        match market.tenders().await.submit_bid(with_token(request.clone(), &member_of(provider))).await {
            Ok(response) => return response.into_inner().receipt.expect("receipt"),
            Err(status)
                if ["bidding opens", "not a provider registered"]
                    .iter()
                    .any(|wait| status.message().contains(wait))
                    && tokio::time::Instant::now() < deadline =>
            {
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

/// The rows `sql` selects from `db`.
pub async fn rows(db: &platform::db::Database, sql: &str) -> Vec<sea_orm::QueryResult> {
    db.conn().query_all_raw(sea_orm::Statement::from_string(db.backend(), sql.to_owned())).await.expect("read")
}

/// Delivers the `event_type` events `from` has published (as its outbox holds them, under their own
/// ids) to `to`, as the broker would have; returns their ids. For a marketplace whose evaluation
/// service hears events apart.
pub async fn forward<A: Service, B: Service>(from: &TestApp<A>, to: &TestApp<B>, event_type: &str) -> Vec<String> {
    let db = from.database().await;
    let sql = format!(
        "SELECT event_id, tenant, aggregate_id, payload FROM outbox WHERE event_type = '{event_type}' ORDER BY seq"
    );
    let found = eventually(&format!("{event_type} in the outbox"), || async {
        let found = rows(&db, &sql).await;
        (!found.is_empty()).then_some(found)
    })
    .await;
    let mut ids = Vec::new();
    for row in found {
        let event = OutboundEvent {
            id: row.try_get("", "event_id").expect("id"),
            event_type: event_type.into(),
            tenant: row.try_get("", "tenant").expect("tenant"),
            aggregate_id: row.try_get("", "aggregate_id").expect("aggregate"),
            time: Utc::now(),
            traceparent: None,
            payload: row.try_get("", "payload").expect("payload"),
        };
        to.bus.publish(&event).await.expect("delivered");
        ids.push(event.id);
    }
    ids
}

/// Waits until `consumer` of `app` has handled the event `id`.
pub async fn handled<S: Service>(app: &TestApp<S>, consumer: &str, id: &str) {
    let db = app.database().await;
    let sql = format!("SELECT event_id FROM inbox WHERE consumer = '{consumer}' AND event_id = '{id}'");
    eventually(&format!("{consumer} handling {id}"), || async { (!rows(&db, &sql).await.is_empty()).then_some(()) })
        .await;
}
