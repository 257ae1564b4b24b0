//! The all-in-one `marketplace serve` as a child process, on the embedded default or on fresh
//! PostgreSQL databases and a fresh NATS stream: what the soak and the fault suite run against.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use platform::auth::Role;
use platform::testing::{named_token, with_token};
use proto::commissioning::common::v1::{Area, Date, DateRange, Money, area};
use proto::commissioning::tendering::v1::tendering_service_client::TenderingServiceClient;
use proto::commissioning::tendering::v1::*;
use tonic::transport::Channel;

/// Where the all-in-one keeps its data.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Backend {
    /// SQLite files and the embedded event log in a fresh folder.
    Embedded,
    /// Fresh PostgreSQL databases (`TEST_DATABASE_URL`) and a fresh NATS stream (`TEST_NATS_URL`).
    Postgres,
}

/// A running all-in-one, its data and its log (stderr).
pub struct AllInOne {
    child: Child,
    pub address: std::net::SocketAddr,
    folder: tempfile::TempDir,
    storage: Storage,
}

impl AllInOne {
    /// Starts `binary` (under `under`, a profiler's command line, if given) on a fresh folder and
    /// `backend`, with the test tokens' secret and a one-second shortest bid period, and waits
    /// until it answers its health check.
    pub async fn start(binary: &Path, backend: Backend, under: Option<&str>) -> anyhow::Result<Self> {
        let folder = tempfile::tempdir()?;
        let storage = Storage::create(backend).await?;
        let address = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
        let mut words = under.unwrap_or_default().split_whitespace();
        let mut command = match words.next() {
            Some(program) => {
                let mut command = Command::new(program);
                command.args(words).arg(binary);
                command
            }
            None => Command::new(binary),
        };
        let log = std::fs::File::create(folder.path().join("all-in-one.log"))?;
        command
            .arg("--data-dir")
            .arg(folder.path())
            .args(["serve", "--listen", &address.to_string(), "--portal-listen", "127.0.0.1:0"])
            .env("AUTH_HS256_SECRET", platform::testing::TEST_SECRET)
            .env("TENDERING_MINIMUM_BID_PERIOD_SECS", "1")
            .envs(storage.environment())
            .stdout(Stdio::null())
            .stderr(log);
        let child = command
            .spawn()
            .with_context(|| format!("{} (build it with cargo build -p marketplace)", binary.display()))?;
        let running = Self { child, address, folder, storage };
        match wait_until_serving(address).await {
            Ok(()) => Ok(running),
            Err(error) => Err(error.context(running.log())),
        }
    }

    /// The `marketplace` process itself: the child, or the first of its descendants of that name
    /// (when it runs under a profiler).
    pub fn pid(&self) -> u32 {
        let root = self.child.id();
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

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// What it has written to stderr so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.folder.path().join("all-in-one.log")).unwrap_or_default()
    }

    /// Asks it to stop as production would (SIGTERM, so a profiler under it writes its data),
    /// waits for it, and removes its databases and stream.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        Command::new("kill").args(["-TERM", &self.pid().to_string()]).status()?;
        self.child.wait()?;
        self.storage.remove().await;
        Ok(())
    }
}

/// The databases and event stream of a PostgreSQL + NATS run, removed at its end.
struct Storage {
    databases: Vec<platform::testing::PostgresDatabase>,
    database_url: Option<String>,
    events: Option<platform::events::EventsConfig>,
}

/// Each has a database of its own, the portal included.
const DATABASES: [&str; 5] = ["providers", "compliance", "tendering", "evaluation", "portal"];

impl Storage {
    async fn create(backend: Backend) -> anyhow::Result<Self> {
        if let Backend::Embedded = backend {
            return Ok(Self { databases: Vec::new(), database_url: None, events: None });
        }
        let base = platform::testing::test_database_name();
        let mut databases = Vec::new();
        for service in DATABASES {
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

    async fn remove(&mut self) {
        for database in std::mem::take(&mut self.databases) {
            database.drop_database().await;
        }
        if let Some(events) = self.events.take()
            && let Ok(client) = async_nats::connect(platform::testing::nats_url()).await
        {
            let _ = async_nats::jetstream::new(client).delete_stream(&events.stream).await;
        }
    }
}

/// Waits until the server at `address` answers its health check, for at most two minutes.
pub async fn wait_until_serving(address: std::net::SocketAddr) -> anyhow::Result<()> {
    let started = Instant::now();
    loop {
        if serving(address).await {
            return Ok(());
        }
        if started.elapsed() > Duration::from_secs(120) {
            bail!("the all-in-one did not start");
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Whether the server at `address` answers that it is serving.
async fn serving(address: std::net::SocketAddr) -> bool {
    use tonic_health::pb::HealthCheckRequest;
    use tonic_health::pb::health_client::HealthClient;
    let Ok(channel) = tonic::transport::Endpoint::from_shared(format!("http://{address}")) else { return false };
    let Ok(channel) = channel.connect().await else { return false };
    let request = HealthCheckRequest { service: String::new() };
    HealthClient::new(channel).check(request).await.is_ok_and(|response| response.into_inner().status == 1)
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

pub fn gbp(pounds: i64) -> Money {
    Money { amount_pence: pounds * 100, currency: "GBP".into(), vat_included: true }
}

/// A befriending tender of Lambeth's, published and open for bids for a day.
pub async fn open_tender(channel: &Channel) -> anyhow::Result<Tender> {
    let officer = named_token("olu", "lambeth", "Lambeth", &[Role::Officer]);
    let now = chrono::Utc::now();
    let tender = Tender {
        title: "Befriending, load test".into(),
        summary: "Weekly visits for people over 65 who live alone.".into(),
        description_sections: vec![DescriptionSection {
            heading: "The service".into(),
            body: "Weekly home visits of an hour by trained volunteers in Brixton (SW2).".into(),
        }],
        areas: vec![Area {
            council_id: "lambeth".into(),
            part: Some(area::Part::PostcodeDistrict("SW2".into())),
            label: "Brixton".into(),
        }],
        estimated_value: Some(gbp(8_000)),
        contract_period: Some(DateRange {
            start_date: Some(Date { year: 2027, month: 4, day: 1 }),
            end_date: Some(Date { year: 2028, month: 3, day: 31 }),
        }),
        enquiry_period_end: Some(platform::time::to_timestamp(now + chrono::Duration::seconds(2))),
        bid_deadline: Some(platform::time::to_timestamp(now + chrono::Duration::days(1))),
        eligibility: Some(TenderEligibility {
            minimum_age: 65,
            description: "living alone".into(),
            ..Default::default()
        }),
        ..Default::default()
    };
    let mut client = TenderingServiceClient::new(channel.clone());
    let create =
        CreateTenderRequest { request_id: "load".into(), template_id: "befriending".into(), tender: Some(tender) };
    let draft = client.create_tender(with_token(create, &officer)).await?.into_inner().tender.context("draft")?;
    let published = client.publish_tender(with_token(PublishTenderRequest { tender_id: draft.id }, &officer)).await?;
    tokio::time::sleep(Duration::from_millis(2_200)).await;
    published.into_inner().tender.context("tender")
}
