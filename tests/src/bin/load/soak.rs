//! The soak behind RELIABILITY.md: the release all-in-one, on the embedded default or on
//! PostgreSQL and NATS, sent generated requests over every call (most of them wrong: bad fields,
//! unknown ids, bodies that are not protobuf, bad tokens) at a steady pace, while its resident
//! memory (`VmRSS`) is sampled, to show whether memory levels off.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use prost::bytes::{Buf, BufMut};
use rand::SeedableRng;
use rand::rngs::StdRng;
use tonic::codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};
use tonic::transport::{Channel, Endpoint};
use tonic::{Request, Status};

use crate::generated::{Generated, Generator};

/// Where the all-in-one keeps its data.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Backend {
    /// SQLite files and the embedded event log in a fresh folder.
    Embedded,
    /// Fresh PostgreSQL databases (`TEST_DATABASE_URL`) and a fresh NATS stream (`TEST_NATS_URL`).
    Postgres,
}

#[derive(clap::Args)]
pub struct Options {
    #[arg(long, value_enum, default_value = "embedded")]
    backend: Backend,
    /// Requests to send; the run ends at this count or after `--minutes`, whichever is first.
    #[arg(long, default_value_t = 30_000)]
    requests: u64,
    /// Longest the run may last.
    #[arg(long, default_value_t = 60.0)]
    minutes: f64,
    /// Requests in flight at once (each worker sends its next when its last is answered).
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// Each worker opens a new connection after this many requests.
    #[arg(long, default_value_t = 1_000)]
    reconnect_every: u64,
    /// Seconds between memory samples.
    #[arg(long, default_value_t = 10)]
    sample_secs: u64,
    /// Seed of the generated requests: the same seed sends the same requests.
    #[arg(long, default_value_t = 12)]
    seed: u64,
    /// A program to start the all-in-one under, with its arguments (for example "heaptrack -o
    /// /tmp/marketplace"); memory is then sampled from the marketplace process beneath it.
    #[arg(long)]
    under: Option<String>,
}

/// Memory of the server after `requests` requests, `elapsed` into the run.
struct Sample {
    elapsed: Duration,
    requests: u64,
    resident_mib: f64,
}

pub async fn run(options: Options) -> anyhow::Result<()> {
    let folder = tempfile::tempdir()?;
    let storage = Storage::create(options.backend).await?;
    let address = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
    let mut child = start(&options, folder.path(), &storage, address)?;
    let result = drive(&options, &child, address).await;
    stop(&mut child)?;
    storage.remove().await;
    let (samples, codes) = result?;
    report(&options, &samples, &codes);
    Ok(())
}

async fn drive(
    options: &Options,
    child: &Child,
    address: std::net::SocketAddr,
) -> anyhow::Result<(Vec<Sample>, BTreeMap<String, u64>)> {
    wait_until_serving(address).await?;
    let pid = server_pid(child.id());
    let channel = platform::testing::channel(address).await;
    let tender = crate::open_tender(&channel).await?;
    let mut known_ids = vec![tender.id.clone(), "lambeth".into(), "wigan".into(), "befriending".into()];
    known_ids.extend(tender.bid_questions.iter().map(|question| question.id.clone()));
    let generator = Arc::new(Generator::new(known_ids)?);
    println!(
        "Soak of the all-in-one ({:?}), pid {pid}: up to {} requests over {} calls, {} at a time, for at most {} min",
        options.backend,
        options.requests,
        generator.calls.len(),
        options.concurrency,
        options.minutes
    );

    let sent = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let length = Duration::from_secs_f64(options.minutes * 60.0);
    let workers: Vec<_> = (0..options.concurrency)
        .map(|worker| {
            let (generator, sent) = (generator.clone(), sent.clone());
            let (limit, reconnect_every) = (options.requests, options.reconnect_every.max(1));
            let mut rng = StdRng::seed_from_u64(options.seed.wrapping_add(worker as u64));
            tokio::spawn(async move {
                let mut codes = BTreeMap::<String, u64>::new();
                let mut channel = connect(address).await?;
                let mut own = 0;
                while started.elapsed() < length && sent.fetch_add(1, Ordering::Relaxed) < limit {
                    if own > 0 && own % reconnect_every == 0 {
                        channel = connect(address).await?;
                    }
                    let code = send(&channel, generator.request(&mut rng)).await;
                    *codes.entry(code).or_default() += 1;
                    own += 1;
                }
                Ok::<_, anyhow::Error>(codes)
            })
        })
        .collect();

    let mut samples = vec![Sample { elapsed: Duration::ZERO, requests: 0, resident_mib: resident_mib(pid)? }];
    println!("{:>8} {:>9} {:>9}", "seconds", "requests", "RSS MiB");
    let print = |sample: &Sample| {
        println!("{:>8.0} {:>9} {:>9.1}", sample.elapsed.as_secs_f64(), sample.requests, sample.resident_mib);
    };
    print(&samples[0]);
    let mut ticker = tokio::time::interval(Duration::from_secs(options.sample_secs.max(1)));
    ticker.tick().await;
    while !workers.iter().all(tokio::task::JoinHandle::is_finished) {
        tokio::select! {
            _ = ticker.tick() => {}
            () = tokio::time::sleep(Duration::from_millis(200)) => continue,
        }
        let sample = Sample {
            elapsed: started.elapsed(),
            requests: sent.load(Ordering::Relaxed).min(options.requests),
            resident_mib: resident_mib(pid)?,
        };
        print(&sample);
        samples.push(sample);
    }
    let mut codes = BTreeMap::new();
    for worker in workers {
        for (code, count) in worker.await?? {
            *codes.entry(code).or_default() += count;
        }
    }
    let sample =
        Sample { elapsed: started.elapsed(), requests: codes.values().sum(), resident_mib: resident_mib(pid)? };
    print(&sample);
    samples.push(sample);
    Ok((samples, codes))
}

async fn connect(address: std::net::SocketAddr) -> anyhow::Result<Channel> {
    Ok(Endpoint::from_shared(format!("http://{address}"))?.connect().await?)
}

/// Sends one generated request; the gRPC code it got ("OK" for an answer).
async fn send(channel: &Channel, generated: Generated<'_>) -> String {
    let Generated { call, body, authorization } = generated;
    let outcome = async {
        let path = http::uri::PathAndQuery::try_from(call.path.as_str()).map_err(|_| Status::internal("bad path"))?;
        let mut grpc = tonic::client::Grpc::new(channel.clone());
        grpc.ready().await.map_err(|error| Status::unavailable(error.to_string()))?;
        if call.client_streaming {
            let chunks = futures::stream::iter(vec![body.clone(), body]);
            grpc.client_streaming(dressed(chunks, authorization.as_deref()), path, Raw).await.map(|_| ())
        } else if call.server_streaming {
            let mut stream =
                grpc.server_streaming(dressed(body, authorization.as_deref()), path, Raw).await?.into_inner();
            while stream.message().await?.is_some() {}
            Ok(())
        } else {
            grpc.unary(dressed(body, authorization.as_deref()), path, Raw).await.map(|_| ())
        }
    };
    match outcome.await {
        Ok(()) => "OK".into(),
        Err(status) => format!("{:?}", status.code()),
    }
}

/// A request with a deadline and, if given, the authorization header.
fn dressed<T>(message: T, authorization: Option<&str>) -> Request<T> {
    let mut request = Request::new(message);
    request.set_timeout(Duration::from_secs(10));
    if let Some(value) = authorization.and_then(|value| value.parse().ok()) {
        request.metadata_mut().insert("authorization", value);
    }
    request
}

/// Bodies sent and received as they are, so that a request may be anything at all.
#[derive(Clone, Copy)]
struct Raw;

impl Codec for Raw {
    type Encode = Vec<u8>;
    type Decode = Vec<u8>;
    type Encoder = Raw;
    type Decoder = Raw;

    fn encoder(&mut self) -> Raw {
        Raw
    }

    fn decoder(&mut self) -> Raw {
        Raw
    }
}

impl Encoder for Raw {
    type Item = Vec<u8>;
    type Error = Status;

    fn encode(&mut self, item: Vec<u8>, dst: &mut EncodeBuf<'_>) -> Result<(), Status> {
        dst.put_slice(&item);
        Ok(())
    }
}

impl Decoder for Raw {
    type Item = Vec<u8>;
    type Error = Status;

    fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<Vec<u8>>, Status> {
        Ok(Some(src.copy_to_bytes(src.remaining()).to_vec()))
    }
}

/// The databases and event stream of a PostgreSQL + NATS run, removed at its end.
struct Storage {
    databases: Vec<platform::testing::PostgresDatabase>,
    database_url: Option<String>,
    events: Option<platform::events::EventsConfig>,
}

const SERVICES: [&str; 4] = ["providers", "compliance", "tendering", "evaluation"];

impl Storage {
    async fn create(backend: Backend) -> anyhow::Result<Self> {
        if let Backend::Embedded = backend {
            return Ok(Self { databases: Vec::new(), database_url: None, events: None });
        }
        let base = platform::testing::test_database_name();
        let mut databases = Vec::new();
        for service in SERVICES {
            databases.push(platform::testing::PostgresDatabase::create_named(&format!("{base}_{service}")).await);
        }
        let url = databases[0].url.replace("_providers", "_{service}");
        Ok(Self { databases, database_url: Some(url), events: Some(platform::testing::isolated_events_config()) })
    }

    /// Settings of the all-in-one for this storage.
    fn environment(&self) -> Vec<(&'static str, String)> {
        let mut environment = Vec::new();
        if let (Some(url), Some(events)) = (&self.database_url, &self.events) {
            environment.push(("DATABASE_URL", url.clone()));
            environment.push(("NATS_URL", platform::testing::nats_url()));
            environment.push(("EVENTS_SUBJECT_ROOT", events.subject_root.clone()));
            environment.push(("EVENTS_STREAM", events.stream.clone()));
            environment.push(("BIDS_MASTER_KEY", platform::testing::TEST_BIDS_MASTER_KEY.into()));
        }
        environment
    }

    async fn remove(self) {
        for database in self.databases {
            database.drop_database().await;
        }
        if let Some(events) = self.events
            && let Ok(client) = async_nats::connect(platform::testing::nats_url()).await
        {
            let _ = async_nats::jetstream::new(client).delete_stream(&events.stream).await;
        }
    }
}

/// Starts the release all-in-one (under `--under`, if given) on `folder` and `storage`, with the
/// test tokens' secret and a one-second shortest bid period.
fn start(options: &Options, folder: &Path, storage: &Storage, address: std::net::SocketAddr) -> anyhow::Result<Child> {
    let binary = marketplace_binary()?;
    let mut words = options.under.as_deref().unwrap_or_default().split_whitespace();
    let mut command = match words.next() {
        Some(program) => {
            let mut command = Command::new(program);
            command.args(words).arg(&binary);
            command
        }
        None => Command::new(&binary),
    };
    command
        .arg("--data-dir")
        .arg(folder)
        .args(["serve", "--listen", &address.to_string(), "--portal-listen", "127.0.0.1:0"])
        .env("AUTH_HS256_SECRET", platform::testing::TEST_SECRET)
        .env("TENDERING_MINIMUM_BID_PERIOD_SECS", "1")
        .envs(storage.environment())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
        .spawn()
        .with_context(|| format!("{} (build it with cargo build --release -p marketplace)", binary.display()))
}

/// Asks the all-in-one to stop as it would be in production (SIGTERM), so a profiler under it
/// writes its data, and waits for it.
fn stop(child: &mut Child) -> anyhow::Result<()> {
    let pid = server_pid(child.id());
    Command::new("kill").args(["-TERM", &pid.to_string()]).status()?;
    child.wait()?;
    Ok(())
}

pub fn marketplace_binary() -> anyhow::Result<PathBuf> {
    Ok(std::env::current_exe()?.parent().context("target folder")?.join("marketplace"))
}

pub async fn wait_until_serving(address: std::net::SocketAddr) -> anyhow::Result<()> {
    let started = Instant::now();
    loop {
        if tokio::net::TcpStream::connect(address).await.is_ok()
            && crate::health(platform::testing::channel(address).await).await.is_ok()
        {
            return Ok(());
        }
        if started.elapsed() > Duration::from_secs(120) {
            bail!("the all-in-one did not start");
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// The `marketplace` process itself: `root`, or the first of its descendants of that name (when it
/// runs under a profiler).
fn server_pid(root: u32) -> u32 {
    let mut queue = vec![root];
    while let Some(pid) = queue.pop() {
        if std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|name| name.trim() == "marketplace") {
            return pid;
        }
        let children = std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).unwrap_or_default();
        queue.extend(children.split_whitespace().filter_map(|child| child.parse::<u32>().ok()));
    }
    root
}

/// The resident memory of process `pid` in MiB (`VmRSS`).
pub fn resident_mib(pid: u32) -> anyhow::Result<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).context("the server has gone")?;
    let kib: f64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.split_whitespace().next())
        .context("no VmRSS")?
        .parse()?;
    Ok(kib / 1_024.0)
}

fn report(options: &Options, samples: &[Sample], codes: &BTreeMap<String, u64>) {
    let sent: u64 = codes.values().sum();
    let (Some(first), Some(last)) = (samples.first(), samples.last()) else { return };
    let half = &samples[samples.len() / 2];
    let peak = samples.iter().map(|sample| sample.resident_mib).fold(0.0, f64::max);
    println!("\n| measure | result |\n|---|---|");
    println!("| backend | {:?}, {} at a time, seed {} |", options.backend, options.concurrency, options.seed);
    println!(
        "| requests sent | {sent} in {:.0} s ({:.0}/s) |",
        last.elapsed.as_secs_f64(),
        sent as f64 / last.elapsed.as_secs_f64()
    );
    println!("| RSS at the start (after setting up, before the load) | {:.1} MiB |", first.resident_mib);
    println!("| RSS after {} requests (half-way) | {:.1} MiB |", half.requests, half.resident_mib);
    println!("| RSS at the end | {:.1} MiB (peak {peak:.1} MiB) |", last.resident_mib);
    let codes: Vec<_> = codes.iter().map(|(code, count)| format!("{code} {count}")).collect();
    println!("| codes seen | {} |", codes.join(", "));
}
