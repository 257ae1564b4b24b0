//! The soak behind RELIABILITY.md: the release all-in-one, on the embedded default or on
//! PostgreSQL and NATS, sent generated requests over every call (most of them wrong: bad fields,
//! unknown ids, bodies that are not protobuf, bad tokens) at a steady pace, while its resident
//! memory (`VmRSS`) is sampled, to show whether memory levels off.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use e2e::all_in_one::{AllInOne, Backend, open_tender, resident_mib};
use e2e::generated::Generator;
use rand::SeedableRng;
use rand::rngs::StdRng;
use tonic::transport::{Channel, Endpoint};

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
    /// Only calls that read (Get, List, Search, Export, Check, Download): requests that store
    /// nothing, so memory that still grows is the server's own, not the data it keeps.
    #[arg(long)]
    read_only: bool,
}

/// The verbs of calls that store nothing.
const READING: [&str; 6] = ["Get", "List", "Search", "Export", "Check", "Download"];

/// Memory of the server after `requests` requests, `elapsed` into the run.
struct Sample {
    elapsed: Duration,
    requests: u64,
    resident_mib: f64,
}

pub async fn run(options: Options) -> anyhow::Result<()> {
    let server =
        AllInOne::start(&e2e::processes::binary("marketplace"), options.backend, options.under.as_deref()).await?;
    let result = drive(&options, &server).await;
    let log = server.log();
    server.stop().await?;
    let (samples, codes) = result?;
    report(&options, &samples, &codes);
    // What the server itself said went wrong, whatever the clients saw.
    let errors = log.lines().filter(|line| line.contains("ERROR")).count();
    let panics = log.matches("panicked at").count();
    println!("| server log | {errors} ERROR lines, {panics} panics |");
    Ok(())
}

async fn drive(options: &Options, server: &AllInOne) -> anyhow::Result<(Vec<Sample>, BTreeMap<String, u64>)> {
    let (address, pid) = (server.address, server.pid());
    let channel = platform::testing::channel(address).await;
    let tender = open_tender(&channel).await?;
    let mut known_ids = vec![tender.id.clone(), "lambeth".into(), "wigan".into(), "befriending".into()];
    known_ids.extend(tender.bid_questions.iter().map(|question| question.id.clone()));
    let mut generator = Generator::new(known_ids)?;
    if options.read_only {
        let method = |path: &str| path.rsplit('/').next().unwrap_or_default().to_owned();
        generator.calls.retain(|call| READING.iter().any(|verb| method(&call.path).starts_with(verb)));
    }
    let generator = Arc::new(generator);
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
                    let request = generator.request(&mut rng);
                    let path = request.call.path.clone();
                    let code = match e2e::raw::send(&channel, request).await {
                        Ok(()) => "OK".into(),
                        // The server's own failures are counted by call, to be found.
                        Err(status) if matches!(status.code(), tonic::Code::Internal | tonic::Code::Unknown) => {
                            format!("{:?} ({path}: {})", status.code(), status.message())
                        }
                        Err(status) => format!("{:?}", status.code()),
                    };
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
