//! The crash run: bids sent to the tendering service from several workers, each bid retried with
//! its own `request_id` until it is acknowledged, while services are killed with SIGKILL and
//! started again; then every acknowledged bid is looked for, the tender's count read, and every
//! `tendering.bid_submitted` on the stream counted: none lost, none doubled, none for a bid that
//! was never acknowledged.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use platform::auth::Role;
use platform::events::EventBus;
use platform::testing::{named_token, nats_bus, with_token};
use prost::Message;
use proto::commissioning::events::v1::BidSubmitted;
use proto::commissioning::tendering::v1::tendering_service_client::TenderingServiceClient;
use proto::commissioning::tendering::v1::*;
use tokio::sync::Mutex;
use tonic::Status;
use tonic::transport::Endpoint;

use crate::all_in_one::{gbp, open_tender};
use crate::processes::Services;

/// What is crashed.
#[derive(Clone, Copy, Debug)]
pub enum Victim {
    /// One of the four services: SIGKILL, then started again on the same database and stream.
    Service(&'static str),
    /// The machine's NATS server: SIGKILL, then started again on its JetStream folder.
    Nats,
    /// The machine's PostgreSQL: stopped in immediate mode (as a crash: no checkpoint), then
    /// started again.
    Postgres,
}

impl Victim {
    /// `providers`, `compliance`, `tendering`, `evaluation`, `nats` or `postgres`.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "nats" => Some(Self::Nats),
            "postgres" => Some(Self::Postgres),
            _ => crate::processes::SERVICES
                .iter()
                .find(|service| **service == name)
                .map(|service| Self::Service(service)),
        }
    }

    /// Crashes it and brings it back; how long until the tendering service is SERVING again.
    async fn crash(self, services: &mut Services) -> anyhow::Result<Duration> {
        let killed = Instant::now();
        match self {
            Self::Service(name) => {
                services.stop(name);
                services.restart(name).await;
            }
            Self::Nats => {
                shell("pkill -KILL -x nats-server; sleep 0.2")?;
                shell(START_NATS)?;
            }
            Self::Postgres => {
                shell(&format!("pg_ctlcluster --skip-systemctl-redirect {POSTGRES_CLUSTER} stop -m immediate"))?;
                shell(&format!("pg_ctlcluster --skip-systemctl-redirect {POSTGRES_CLUSTER} start"))?;
            }
        }
        let tendering = services.address("tendering");
        let deadline = Instant::now() + Duration::from_secs(120);
        while platform::testing::health_status(tendering, TENDERING).await != platform::testing::ServingStatus::Serving
        {
            anyhow::ensure!(Instant::now() < deadline, "tendering was not SERVING 120 s after {self:?} crashed");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(killed.elapsed())
    }
}

const TENDERING: &str = "commissioning.tendering.v1.TenderingService";
/// How this machine starts its NATS server (as `scripts/test` does).
const START_NATS: &str = "start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- \
    -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log";
/// The machine's PostgreSQL cluster, as `pg_ctlcluster` names it.
const POSTGRES_CLUSTER: &str = "$(ls /etc/postgresql | head -n 1) main";

fn shell(command: &str) -> anyhow::Result<()> {
    let status = std::process::Command::new("sh").args(["-c", command]).status()?;
    anyhow::ensure!(status.success(), "`{command}` failed: {status}");
    Ok(())
}

/// What to do.
pub struct Plan {
    /// Bids in flight at once.
    pub workers: usize,
    /// What to crash, in turn, one per kill.
    pub victims: Vec<Victim>,
    /// How many kills in all.
    pub kills: usize,
    /// Load between one restart and the next kill.
    pub between_kills: Duration,
    /// The longest one bid may take to be acknowledged, retries included.
    pub patience: Duration,
}

/// What happened.
#[derive(Debug, Default)]
pub struct Figures {
    /// Bids begun (each with its own provider and request id).
    pub sent: usize,
    pub acknowledged: usize,
    /// Acknowledged bids read back by their providers afterwards, at the acknowledged version.
    pub found: usize,
    /// The tender's bid count afterwards.
    pub counted: i32,
    /// Acknowledged bids without a `bid_submitted` event.
    pub events_lost: usize,
    /// Events beyond the first for one bid version.
    pub events_doubled: usize,
    /// Events for a bid that was never acknowledged.
    pub events_unacknowledged: usize,
    /// Answers to every attempt, by code.
    pub codes: BTreeMap<String, u64>,
    /// From each kill until the service answered SERVING again.
    pub recoveries: Vec<Duration>,
    pub elapsed: Duration,
}

impl Figures {
    /// The figures as a Markdown table, for RELIABILITY.md.
    pub fn table(&self) -> String {
        let codes: Vec<_> = self.codes.iter().map(|(code, count)| format!("{code} {count}")).collect();
        let slowest = self.recoveries.iter().max().copied().unwrap_or_default();
        let mean = self.recoveries.iter().sum::<Duration>().checked_div(self.recoveries.len() as u32);
        [
            "| measure | result |".to_owned(),
            "|---|---|".to_owned(),
            format!("| bids sent | {} in {:.0} s |", self.sent, self.elapsed.as_secs_f64()),
            format!("| acknowledged | {} |", self.acknowledged),
            format!("| found after (and the tender's count) | {} ({}) |", self.found, self.counted),
            format!("| events lost | {} |", self.events_lost),
            format!("| events doubled | {} |", self.events_doubled),
            format!("| events for unacknowledged bids | {} |", self.events_unacknowledged),
            format!("| codes seen | {} |", codes.join(", ")),
            format!(
                "| kills, time to SERVING again | {}, mean {:.2} s, slowest {:.2} s |",
                self.recoveries.len(),
                mean.unwrap_or_default().as_secs_f64(),
                slowest.as_secs_f64()
            ),
        ]
        .join("\n")
    }
}

/// Runs `plan` against `services`, which it leaves running.
pub async fn run(services: &mut Services, plan: &Plan) -> anyhow::Result<Figures> {
    let tendering = services.address("tendering");
    let tender = open_tender(&platform::testing::channel(tendering).await).await?;
    let started = Instant::now();
    let stop = Arc::new(AtomicBool::new(false));
    let codes = Arc::new(Mutex::new(BTreeMap::<String, u64>::new()));
    let workers: Vec<_> = (0..plan.workers)
        .map(|worker| {
            let (tender, stop, codes, patience) = (tender.clone(), stop.clone(), codes.clone(), plan.patience);
            tokio::spawn(async move {
                let mut outcomes = Vec::new();
                for sequence in 0.. {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let provider = format!("crash-{worker}-{sequence}");
                    let receipt = bid_until_acknowledged(tendering, &tender, &provider, &codes, patience).await;
                    outcomes.push((provider, receipt));
                }
                outcomes
            })
        })
        .collect();

    let mut recoveries = Vec::new();
    for kill in 0..plan.kills {
        tokio::time::sleep(plan.between_kills).await;
        recoveries.push(plan.victims[kill % plan.victims.len()].crash(services).await?);
    }
    tokio::time::sleep(plan.between_kills).await;
    stop.store(true, Ordering::Relaxed);
    let mut outcomes = Vec::new();
    for worker in workers {
        outcomes.extend(worker.await?);
    }
    let elapsed = started.elapsed();

    let acknowledged: Vec<(String, BidReceipt)> =
        outcomes.iter().filter_map(|(provider, receipt)| Some((provider.clone(), receipt.clone()?))).collect();
    let mut figures = Figures {
        sent: outcomes.len(),
        acknowledged: acknowledged.len(),
        codes: codes.lock().await.clone(),
        recoveries,
        elapsed,
        ..Figures::default()
    };
    let tendering = platform::testing::channel(services.address("tendering")).await;
    for (provider, receipt) in &acknowledged {
        let token = named_token(&format!("{provider}-lead"), provider, provider, &[Role::Provider]);
        let request = GetMyBidRequest { tender_id: tender.id.clone(), bid_id: String::new() };
        let bid = TenderingServiceClient::new(tendering.clone()).get_my_bid(with_token(request, &token)).await;
        let held = bid.ok().and_then(|bid| bid.into_inner().bid).and_then(|bid| bid.receipt);
        if held.is_some_and(|held| held.bid_id == receipt.bid_id && held.version == receipt.version) {
            figures.found += 1;
        }
    }
    let officer = named_token("olu", "lambeth", "Lambeth", &[Role::Officer]);
    let read = GetTenderRequest { tender_id: tender.id.clone() };
    let read = TenderingServiceClient::new(tendering).get_tender(with_token(read, &officer)).await?;
    figures.counted = read.into_inner().tender.context("the tender")?.bid_count;

    let published = published_bids(services, acknowledged.len()).await?;
    let mut versions: HashMap<(String, i32), usize> = HashMap::new();
    for event in &published {
        *versions.entry((event.bid_id.clone(), event.version)).or_default() += 1;
    }
    for (_, receipt) in &acknowledged {
        if versions
            .remove(&(receipt.bid_id.clone(), receipt.version))
            .inspect(|count| figures.events_doubled += count - 1)
            .is_none()
        {
            figures.events_lost += 1;
        }
    }
    figures.events_unacknowledged = versions.values().sum();
    Ok(figures)
}

/// The bid of `provider`, sent and sent again with the same request id until it is
/// acknowledged, for at most `patience`; `None` if it never was.
async fn bid_until_acknowledged(
    tendering: SocketAddr,
    tender: &Tender,
    provider: &str,
    codes: &Mutex<BTreeMap<String, u64>>,
    patience: Duration,
) -> Option<BidReceipt> {
    let token = named_token(&format!("{provider}-lead"), provider, provider, &[Role::Provider]);
    let request = new_bid(tender, provider);
    let began = Instant::now();
    while began.elapsed() < patience {
        let answer = async {
            let endpoint =
                Endpoint::from_shared(format!("http://{tendering}")).map_err(|_| Status::internal("address"))?;
            let channel = endpoint
                .connect_timeout(Duration::from_secs(1))
                .connect()
                .await
                .map_err(|error| Status::unavailable(error.to_string()))?;
            let mut call = with_token(request.clone(), &token);
            call.set_timeout(Duration::from_secs(10));
            TenderingServiceClient::new(channel).submit_bid(call).await
        };
        let code = match answer.await {
            Ok(response) => {
                *codes.lock().await.entry("OK".into()).or_default() += 1;
                return response.into_inner().receipt;
            }
            Err(status) => status.code(),
        };
        *codes.lock().await.entry(format!("{code:?}")).or_default() += 1;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    None
}

/// A complete new bid on `tender` from `provider`, with a fresh request id: one answer per question
/// and a price within the tender's value.
pub fn new_bid(tender: &Tender, provider: &str) -> SubmitBidRequest {
    SubmitBidRequest {
        request_id: uuid::Uuid::new_v4().to_string(),
        tender_id: tender.id.clone(),
        provider_id: provider.to_owned(),
        content: Some(BidContent {
            total_price: Some(gbp(7_500)),
            answers: tender
                .bid_questions
                .iter()
                .map(|question| Answer {
                    bid_question_id: question.id.clone(),
                    text: "We visit weekly and call in between; volunteers live on the estate.".into(),
                })
                .collect(),
            evidence_declaration: true,
            ..Default::default()
        }),
    }
}

/// Every `tendering.bid_submitted` on the services' stream, once at least `expected` are there or
/// after 30 s of waiting for the outboxes to drain.
async fn published_bids(services: &Services, expected: usize) -> anyhow::Result<Vec<BidSubmitted>> {
    let bus = EventBus::Nats(nats_bus(services.events().clone()).await);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let pattern = "lambeth.tendering.bid_submitted";
        if bus.replay(pattern).await?.len() >= expected || Instant::now() > deadline {
            // A moment more, for a late second copy of one.
            tokio::time::sleep(Duration::from_secs(2)).await;
            let events = bus.replay(pattern).await?;
            return Ok(events.iter().filter_map(|event| BidSubmitted::decode(event.payload.as_slice()).ok()).collect());
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}
