//! The four services as their own processes, as production runs them: each service's own binary
//! with its own PostgreSQL database, all on one NATS JetStream stream, calling each other.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use marketplace::demo::{Connection, Tokens};
use platform::events::EventsConfig;
use platform::testing::{
    PostgresDatabase, TEST_AUDIENCE, TEST_BIDS_MASTER_KEY, TEST_ISSUER, TEST_SECRET, channel, delete_stream,
    isolated_events_config, nats_bus, nats_url,
};

/// The four services, by their binaries' names.
pub const SERVICES: [&str; 4] = ["providers", "compliance", "tendering", "evaluation"];
const BID_PERIOD_SECS: u64 = 3;

struct Running {
    child: Child,
    addr: SocketAddr,
    environment: Vec<(String, String)>,
}

pub struct Services {
    events: EventsConfig,
    databases: Vec<PostgresDatabase>,
    running: HashMap<&'static str, Running>,
    logs: tempfile::TempDir,
}

/// A free loopback port for a service to listen on.
fn free_address() -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("bound")
}

/// The service's own binary, built beside the running test or load generator (`scripts/test`
/// builds them first).
pub fn binary(name: &str) -> PathBuf {
    let running = std::env::current_exe().expect("the running binary");
    let mut target = running.parent().expect("the target folder");
    // A test binary is in `target/<profile>/deps`, the load generator in `target/<profile>`.
    if target.ends_with("deps") {
        target = target.parent().expect("the target folder");
    }
    let path = target.join(name);
    assert!(path.exists(), "{} is missing: build the services first (cargo build --workspace --bins)", path.display());
    path
}

impl Services {
    pub async fn start() -> Self {
        let events = isolated_events_config();
        // Creates the stream once, before the services race to.
        drop(nats_bus(events.clone()).await);
        let addresses: HashMap<_, _> = SERVICES.iter().map(|name| (*name, free_address())).collect();
        let mut services = Self {
            events,
            databases: Vec::new(),
            running: HashMap::new(),
            logs: tempfile::tempdir().expect("a folder"),
        };
        for name in SERVICES {
            let database = PostgresDatabase::create().await;
            let mut environment = vec![
                ("DATABASE_URL", database.url.clone()),
                ("NATS_URL", nats_url()),
                ("EVENTS_SUBJECT_ROOT", services.events.subject_root.clone()),
                ("EVENTS_STREAM", services.events.stream.clone()),
                ("OUTBOX_POLL_INTERVAL_MS", "100".into()),
                ("AUTH_HS256_SECRET", TEST_SECRET.into()),
                ("AUTH_ISSUER", TEST_ISSUER.into()),
                ("AUTH_AUDIENCE", TEST_AUDIENCE.into()),
                ("BIDS_MASTER_KEY", TEST_BIDS_MASTER_KEY.into()),
                ("GRPC_LISTEN_ADDR", addresses[name].to_string()),
                ("COMPLIANCE_URL", format!("http://{}", addresses["compliance"])),
                ("TENDERING_URL", format!("http://{}", addresses["tendering"])),
                ("EVALUATION_URL", format!("http://{}", addresses["evaluation"])),
                ("TENDERING_MINIMUM_BID_PERIOD_SECS", BID_PERIOD_SECS.to_string()),
                ("TENDERING_SCHEDULER_INTERVAL_MS", "200".into()),
                ("DATA_DIR", services.logs.path().join(name).display().to_string()),
            ];
            environment.push(("LOG_FORMAT", "text".into()));
            let environment = environment.into_iter().map(|(key, value)| (key.to_owned(), value)).collect();
            services.databases.push(database);
            services.launch(name, addresses[name], environment).await;
        }
        services
    }

    async fn launch(&mut self, name: &'static str, addr: SocketAddr, environment: Vec<(String, String)>) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.logs.path().join(format!("{name}.log")))
            .expect("a log file");
        let child = Command::new(binary(name))
            .env_clear()
            .envs(environment.iter().map(|(key, value)| (key, value)))
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .stdout(Stdio::from(log.try_clone().expect("log")))
            .stderr(Stdio::from(log))
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {name}: {error}"));
        self.running.insert(name, Running { child, addr, environment });
        self.wait_until_serving(name, addr).await;
    }

    async fn wait_until_serving(&self, name: &str, addr: SocketAddr) {
        use tonic_health::pb::HealthCheckRequest;
        use tonic_health::pb::health_check_response::ServingStatus;
        use tonic_health::pb::health_client::HealthClient;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        loop {
            if tokio::net::TcpStream::connect(addr).await.is_ok() {
                let answer =
                    HealthClient::new(channel(addr).await).check(HealthCheckRequest { service: String::new() }).await;
                if answer.is_ok_and(|answer| answer.into_inner().status() == ServingStatus::Serving) {
                    return;
                }
            }
            let log = std::fs::read_to_string(self.logs.path().join(format!("{name}.log"))).unwrap_or_default();
            assert!(tokio::time::Instant::now() < deadline, "{name} did not start:\n{log}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Where service `name` listens.
    pub fn address(&self, name: &str) -> SocketAddr {
        self.running[name].addr
    }

    /// The stream and subjects the services share.
    pub fn events(&self) -> &EventsConfig {
        &self.events
    }

    pub fn subject_root(&self) -> &str {
        &self.events.subject_root
    }

    pub fn bid_period_secs(&self) -> u64 {
        BID_PERIOD_SECS
    }

    pub fn tokens(&self) -> Tokens {
        Tokens { secret: TEST_SECRET.into(), issuer: TEST_ISSUER.into(), audience: TEST_AUDIENCE.into() }
    }

    pub async fn connection(&self) -> Connection {
        Connection {
            providers: channel(self.running["providers"].addr).await,
            compliance: channel(self.running["compliance"].addr).await,
            tendering: channel(self.running["tendering"].addr).await,
            evaluation: channel(self.running["evaluation"].addr).await,
        }
    }

    /// Kills a service's process, as a crash would.
    pub fn stop(&mut self, name: &'static str) {
        let running = self.running.get_mut(name).unwrap_or_else(|| panic!("{name} is not running"));
        running.child.kill().expect("killed");
        running.child.wait().expect("reaped");
    }

    /// Starts a stopped service again, on the same address, database and stream.
    pub async fn restart(&mut self, name: &'static str) {
        let running = self.running.remove(name).unwrap_or_else(|| panic!("{name} was never started"));
        self.launch(name, running.addr, running.environment).await;
    }

    pub async fn stop_all(mut self) {
        for running in self.running.values_mut() {
            let _ = running.child.kill();
            let _ = running.child.wait();
        }
        delete_stream(&nats_bus(self.events.clone()).await).await;
        for database in self.databases {
            database.drop_database().await;
        }
    }
}
