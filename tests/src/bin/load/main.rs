//! The load generator behind BENCHMARKS.md. One run measures, side by side on this machine:
//! SubmitBid throughput at its best concurrency and its latency at half that rate; the same
//! database transaction run by pgbench on the same PostgreSQL; GetTender against a no-op handler
//! (the health check) driven by the same client; the event lag from commit to a NATS consumer; and
//! the all-in-one's start-up time and idle memory.
//!
//! `cargo build --release --bin load --bin marketplace && ./target/release/load` (PostgreSQL and NATS
//! running, as for the tests): it starts the release `marketplace` beside it.
//!
//! `./target/release/load soak` is the soak behind RELIABILITY.md (see [`soak`]; `--help` lists
//! its options), and `./target/release/load crashes` its crash runs (see [`crashes`]).

mod crashes;
mod soak;

use std::future::Future;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use e2e::all_in_one::open_tender;
use futures::StreamExt;
use platform::auth::Role;
use platform::testing::{TestApp, named_token, with_token};
use prost::Message;
use proto::commissioning::events::v1::BidSubmitted;
use proto::commissioning::tendering::v1::tendering_service_client::TenderingServiceClient;
use proto::commissioning::tendering::v1::*;
use tendering::Tendering;
use tokio::sync::Mutex;
use tonic::transport::Channel;

/// How long each measured stretch runs.
const STRETCH: Duration = Duration::from_secs(5);
const CONCURRENCIES: [usize; 6] = [1, 2, 4, 8, 16, 32];

#[derive(Parser)]
#[command(about = "The load generator behind BENCHMARKS.md and the soak behind RELIABILITY.md")]
struct Cli {
    #[command(subcommand)]
    mode: Option<Mode>,
}

#[derive(Subcommand)]
enum Mode {
    /// Send the release all-in-one generated requests, most of them wrong, sampling its memory.
    Soak(soak::Options),
    /// Bid all along while the services, NATS or PostgreSQL are crashed in turn.
    Crashes(crashes::Options),
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().mode {
        Some(Mode::Soak(options)) => soak::run(options).await,
        Some(Mode::Crashes(options)) => crashes::run(options).await,
        None => benchmarks().await,
    }
}

/// The figures of BENCHMARKS.md.
async fn benchmarks() -> anyhow::Result<()> {
    println!("Starting the tendering service on a fresh PostgreSQL database and NATS stream ...");
    let app = TestApp::<Tendering>::on_postgres_with(|settings| {
        settings.tendering_minimum_bid_period_secs = 1;
        settings.tendering_scheduler_interval_ms = 3_600_000;
        settings.grpc_concurrency_limit = 1_024;
        settings.database_max_connections = 20;
    })
    .await;
    let channel = platform::testing::channel(app.addr()).await;
    let tender = open_tender(&channel).await?;
    let mut report = Vec::new();

    // SubmitBid at each concurrency, closed loop: each worker sends its next bid when its last returns.
    let mut best = (0, 0.0);
    for concurrency in CONCURRENCIES {
        let (channel, tender) = (channel.clone(), tender.clone());
        // Every bid from a new provider: workers of each round are numbered apart.
        let run = closed_loop(concurrency, move |worker, sequence| {
            submit(channel.clone(), tender.clone(), concurrency * 100 + worker, sequence)
        })
        .await?;
        println!("SubmitBid, {concurrency} at a time: {:.0}/s (p50 {:.1} ms)", run.rate(), run.percentile(50.0));
        if run.rate() > best.1 {
            best = (concurrency, run.rate());
        }
    }
    report.push(format!("| SubmitBid, best concurrency ({}) | {:.0} bids/s |", best.0, best.1));

    // Half that rate, open loop, with a NATS consumer timing each bid's event from its commit.
    let nats = async_nats::connect(platform::testing::nats_url()).await?;
    let mut events = nats.subscribe(format!("{}.lambeth.tendering.bid_submitted", app.subject_root())).await?;
    let lags = Arc::new(Mutex::new(Vec::new()));
    let collector = {
        let lags = lags.clone();
        tokio::spawn(async move {
            while let Some(message) = events.next().await {
                let arrived = chrono::Utc::now();
                if let Ok(event) = BidSubmitted::decode(message.payload.as_ref())
                    && let Some(committed) = event.receive_time.as_ref().and_then(platform::time::from_timestamp)
                {
                    lags.lock().await.push((arrived - committed).to_std().unwrap_or_default());
                }
            }
        })
    };
    let (bidding, open) = (channel.clone(), tender.clone());
    let half = open_loop(best.1 / 2.0, Duration::from_secs(10), move |worker, sequence| {
        submit(bidding.clone(), open.clone(), worker + 10_000, sequence)
    })
    .await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    collector.abort();
    let lags = Timings(lags.lock().await.clone(), Duration::from_secs(10));
    report.push(format!(
        "| SubmitBid at half that rate ({:.0}/s) | p50 {:.1} ms, p99 {:.1} ms |",
        best.1 / 2.0,
        half.percentile(50.0),
        half.percentile(99.0)
    ));
    report.push(format!(
        "| event lag, commit to NATS consumer, at half rate | p50 {:.1} ms, p99 {:.1} ms ({} events) |",
        lags.percentile(50.0),
        lags.percentile(99.0),
        lags.0.len()
    ));

    // The same transaction in pgbench, at the same concurrency, on the same database.
    let pgbench = pgbench(&app, &tender.id, best.0).await?;
    report.push(format!(
        "| the same transaction in pgbench ({} clients) | {pgbench:.0} tx/s; SubmitBid reaches {:.0}% of it |",
        best.0,
        100.0 * best.1 / pgbench
    ));

    // GetTender against a handler that does nothing (the health check), same client, same server.
    let officer = named_token("olu", "lambeth", "Lambeth", &[Role::Officer]);
    let concurrency = best.0.max(8);
    let (reading, tender_id) = (channel.clone(), tender.id.clone());
    let reads =
        closed_loop(concurrency, move |_, _| get_tender(reading.clone(), tender_id.clone(), officer.clone())).await?;
    let probing = channel.clone();
    let noops = closed_loop(concurrency, move |_, _| health(probing.clone())).await?;
    report.push(format!(
        "| GetTender, {concurrency} at a time | {:.0}/s (p50 {:.2} ms); a no-op handler {:.0}/s: {:.0}% of it |",
        reads.rate(),
        reads.percentile(50.0),
        noops.rate(),
        100.0 * reads.rate() / noops.rate()
    ));
    app.stop().await;

    let (startup, memory) = all_in_one_startup_and_memory().await?;
    report.push(format!("| all-in-one start-up (embedded default, fresh folder) | {startup:.0} ms |"));
    report.push(format!("| all-in-one idle memory (resident, after start-up) | {memory:.1} MiB |"));

    println!("\n| measure | result |\n|---|---|");
    for line in report {
        println!("{line}");
    }
    Ok(())
}

/// Latencies of one stretch and how long it ran.
struct Timings(Vec<Duration>, Duration);

impl Timings {
    fn rate(&self) -> f64 {
        self.0.len() as f64 / self.1.as_secs_f64()
    }

    fn percentile(&self, percent: f64) -> f64 {
        let mut sorted = self.0.clone();
        sorted.sort();
        let index = ((sorted.len() as f64 * percent / 100.0).ceil() as usize).saturating_sub(1);
        sorted.get(index).map_or(0.0, |latency| latency.as_secs_f64() * 1_000.0)
    }
}

/// `concurrency` workers each calling `call` back to back for the stretch.
async fn closed_loop<F, Fut>(concurrency: usize, call: F) -> anyhow::Result<Timings>
where
    F: Fn(usize, usize) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = anyhow::Result<()>> + Send,
{
    let started = Instant::now();
    let workers: Vec<_> = (0..concurrency)
        .map(|worker| {
            let call = call.clone();
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut sequence = 0;
                while started.elapsed() < STRETCH {
                    let sent = Instant::now();
                    call(worker, sequence).await?;
                    latencies.push(sent.elapsed());
                    sequence += 1;
                }
                Ok::<_, anyhow::Error>(latencies)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for worker in workers {
        latencies.extend(worker.await??);
    }
    Ok(Timings(latencies, started.elapsed()))
}

/// Calls sent at a steady `rate` per second for `length`, whatever the answers' pace.
async fn open_loop<F, Fut>(rate: f64, length: Duration, call: F) -> anyhow::Result<Timings>
where
    F: Fn(usize, usize) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = anyhow::Result<()>> + Send + 'static,
{
    let started = Instant::now();
    let mut ticker = tokio::time::interval(Duration::from_secs_f64(1.0 / rate.max(1.0)));
    let mut calls = Vec::new();
    let mut sequence = 0;
    while started.elapsed() < length {
        ticker.tick().await;
        let call = call.clone();
        calls.push(tokio::spawn(async move {
            let sent = Instant::now();
            call(0, sequence).await.map(|()| sent.elapsed())
        }));
        sequence += 1;
    }
    let mut latencies = Vec::new();
    for call in calls {
        latencies.push(call.await??);
    }
    Ok(Timings(latencies, length))
}

/// One new bid from provider `load-<worker>-<sequence>`.
async fn submit(channel: Channel, tender: Tender, worker: usize, sequence: usize) -> anyhow::Result<()> {
    let provider = format!("load-{worker}-{sequence}");
    let token = named_token(&format!("{provider}-lead"), &provider, &provider, &[Role::Provider]);
    let request = e2e::crashes::new_bid(&tender, &provider);
    TenderingServiceClient::new(channel).submit_bid(with_token(request, &token)).await?;
    Ok(())
}

async fn get_tender(channel: Channel, tender_id: String, token: String) -> anyhow::Result<()> {
    TenderingServiceClient::new(channel).get_tender(with_token(GetTenderRequest { tender_id }, &token)).await?;
    Ok(())
}

/// The health check: a call whose handler does nothing, to compare the others with.
async fn health(channel: Channel) -> anyhow::Result<()> {
    use tonic_health::pb::HealthCheckRequest;
    use tonic_health::pb::health_client::HealthClient;
    HealthClient::new(channel).check(HealthCheckRequest { service: String::new() }).await?;
    Ok(())
}

/// SubmitBid's transaction, statement for statement, as a pgbench script: lock the tender, read
/// the clock, claim the request id, look for the provider's bid, insert it, count it in, append
/// to the hash-chained audit log, take the aggregate's outbox lock and enqueue the event.
const SUBMIT_BID_TRANSACTION: &str = r"\set n random(1, 2000000000)
BEGIN;
SELECT status FROM tender WHERE id = :tender FOR UPDATE;
SELECT clock_timestamp();
INSERT INTO idempotency_key (caller, operation, request_id, resource_id, created_at) VALUES ('pgbench', 'SubmitBid', 'r-' || :n || '-' || :client_id, repeat('r', 180), now()) ON CONFLICT DO NOTHING;
SELECT id FROM bid WHERE tender_id = :tender AND provider_id = 'pgbench-' || :n || '-' || :client_id;
INSERT INTO bid (id, tender_id, provider_id, provider_name, status, version, sealed_content, sha256_hex, nonce_hex, received_at, created_at, updated_at) VALUES (md5(random()::text || :n), :tender, 'pgbench-' || :n || '-' || :client_id, 'pgbench', 1, 1, decode(repeat('ab', 400), 'hex'), md5(:n::text) || md5(:n::text), md5(:client_id::text) || md5(:client_id::text), clock_timestamp(), now(), now());
UPDATE tender SET bid_count = bid_count + 1 WHERE id = :tender;
UPDATE audit_head SET seq = seq + 1 WHERE id = 1;
SELECT seq, hash FROM audit_head WHERE id = 1;
INSERT INTO audit_log (seq, recorded_at, actor, organisation, action, entity_kind, entity_id, details, prev_hash, hash) SELECT seq, now(), 'pgbench', 'pgbench', 'bid.submitted', 'bid', md5(:n::text), '{}', hash, md5(random()::text) || md5(random()::text) FROM audit_head WHERE id = 1;
UPDATE audit_head SET hash = md5(random()::text) WHERE id = 1;
SELECT pg_advisory_xact_lock(hashtextextended(:tender, 0));
INSERT INTO outbox (event_id, event_type, tenant, aggregate_id, payload, traceparent, created_at) VALUES (md5(random()::text), 'tendering.bid_submitted', 'lambeth', :tender, decode(repeat('0a', 90), 'hex'), NULL, now());
COMMIT;
";

/// pgbench's transactions per second for the script above, `clients` at a time, for the stretch.
async fn pgbench(app: &TestApp<Tendering>, tender_id: &str, clients: usize) -> anyhow::Result<f64> {
    let folder = tempfile::tempdir()?;
    let script = folder.path().join("submit_bid.sql");
    std::fs::write(&script, SUBMIT_BID_TRANSACTION)?;
    let url = app.database_url();
    let output = Command::new("pgbench")
        .args(["-n", "-c", &clients.to_string(), "-j", "2", "-T", &STRETCH.as_secs().to_string()])
        .arg("-D")
        .arg(format!("tender='{tender_id}'"))
        .arg("-f")
        .arg(&script)
        .arg(url)
        .output()
        .context("pgbench (Debian's postgresql-client) must be installed")?;
    let text = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        bail!("pgbench failed: {}{}", text, String::from_utf8_lossy(&output.stderr));
    }
    let tps = text
        .lines()
        .find_map(|line| line.strip_prefix("tps = "))
        .and_then(|rest| rest.split_whitespace().next())
        .context("no tps in pgbench's output")?;
    Ok(tps.parse()?)
}

/// Starts the release all-in-one on a fresh folder: milliseconds until it serves, and its resident
/// memory in MiB once idle.
async fn all_in_one_startup_and_memory() -> anyhow::Result<(f64, f64)> {
    let binary = e2e::processes::binary("marketplace");
    let folder = tempfile::tempdir()?;
    let address = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
    let started = Instant::now();
    let mut child = Command::new(&binary)
        .args(["--data-dir"])
        .arg(folder.path())
        .args(["serve", "--listen", &address.to_string(), "--portal-listen", "127.0.0.1:0"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("{} (build it with cargo build --release -p marketplace)", binary.display()))?;
    e2e::all_in_one::wait_until_serving(address).await?;
    let startup = started.elapsed().as_secs_f64() * 1_000.0;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let memory = e2e::all_in_one::resident_mib(child.id())?;
    child.kill()?;
    child.wait()?;
    Ok((startup, memory))
}
