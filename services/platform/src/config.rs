//! Typed settings from environment variables, optionally layered over a TOML file named by
//! `MARKETPLACE_CONFIG_FILE`. Every setting has a safe default or is optional; a malformed value
//! stops start-up with an error that names the variable.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// Stands for the service's name in `DATABASE_URL` (`postgres://db/marketplace_{service}`).
pub const SERVICE_PLACEHOLDER: &str = "{service}";

/// The environment variable naming an optional TOML file of settings (same keys as the variables).
pub const CONFIG_FILE_VAR: &str = "MARKETPLACE_CONFIG_FILE";

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Every setting a service reads. Each field is read from the environment variable of the same
/// name in upper case (`database_url` from `DATABASE_URL`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Folder for the embedded default's SQLite files, event log and documents.
    pub data_dir: PathBuf,
    /// `postgres://...` or `sqlite://...`; unset means a SQLite file in `DATA_DIR`.
    pub database_url: Option<String>,
    /// Largest number of pooled database connections.
    pub database_max_connections: u32,
    /// Longest a call waits for a pooled database connection before UNAVAILABLE: well under
    /// `GRPC_REQUEST_TIMEOUT_SECS`, so an outage is reported as one instead of a deadline.
    pub database_acquire_timeout_secs: u64,
    /// `nats://host:port` of a JetStream server; unset means the embedded event log in `DATA_DIR`.
    pub nats_url: Option<String>,
    /// First token of every event subject (`<root>.<tenant>.<service>.<event>`).
    pub events_subject_root: String,
    /// JetStream stream holding `<root>.>`.
    pub events_stream: String,
    /// Stream replicas: 1 on one server, 3 on a production cluster.
    pub events_replicas: usize,
    /// Seconds within which JetStream drops a re-published event with the same id.
    pub events_duplicate_window_secs: u64,
    /// Deliveries of one event before a consumer gives up on it.
    pub events_max_deliver: i64,
    /// Seconds a delivered event may go unacknowledged before it is delivered again (after a crash,
    /// to another replica); a handler still working says so well within it.
    pub events_ack_wait_secs: u64,
    /// How often the outbox relay looks for unsent events when nothing wakes it.
    pub outbox_poll_interval_ms: u64,
    /// Days sent outbox rows and inbox marks are kept before they are pruned.
    pub events_retention_days: u64,
    /// Largest compliance document accepted, in bytes.
    pub documents_max_bytes: u64,
    /// S3 bucket for compliance documents; unset means the folder `<DATA_DIR>/documents`.
    pub documents_s3_bucket: Option<String>,
    /// Endpoint of S3-compatible storage (MinIO, Ceph); unset means AWS itself.
    pub documents_s3_endpoint: Option<String>,
    /// Region of the bucket.
    pub documents_s3_region: String,
    /// Access key for the bucket; unset means the usual `AWS_*` variables or the instance's role.
    pub documents_s3_access_key_id: Option<String>,
    /// Secret key paired with `DOCUMENTS_S3_ACCESS_KEY_ID`.
    pub documents_s3_secret_access_key: Option<String>,
    /// `host:port` of a clamd malware scanner; unset means uploads are not scanned.
    pub clamd_address: Option<String>,
    /// TOML file of tendering thresholds and evidence bands with their effective dates; unset means
    /// the rules built in (the Procurement Act 2023 thresholds from 1 January 2026).
    pub tendering_rules_file: Option<PathBuf>,
    /// Shortest time from publishing (or a material amendment) to the bid deadline.
    pub tendering_minimum_bid_period_secs: u64,
    /// How often the tendering scheduler looks for tenders whose period has ended.
    pub tendering_scheduler_interval_ms: u64,
    /// The 32-byte key (base64) that wraps each tender's bid key; required with PostgreSQL. Unset on
    /// the embedded default means a key made once and kept in `DATA_DIR`.
    pub bids_master_key: Option<String>,
    /// PKCS#8 Ed25519 key (PEM or DER) that signs the audit log's checkpoints; unset means a key
    /// made once and kept in `DATA_DIR`.
    pub audit_signing_key_file: Option<PathBuf>,
    /// How often each service checks its audit chain and signs a checkpoint of a grown one.
    pub audit_check_interval_secs: u64,
    /// The OCDS prefix of contracting-process ids (`ocds-` and six characters, registered with OCDS).
    pub ocds_ocid_prefix: String,
    /// `http://host:port` of the providers service, for the portal when the services run apart.
    pub providers_url: Option<String>,
    /// `http://host:port` of the compliance service, which tendering asks about a winner's evidence.
    pub compliance_url: Option<String>,
    /// `http://host:port` of the tendering service, from which evaluation fetches opened bids.
    pub tendering_url: Option<String>,
    /// `http://host:port` of the evaluation service, which tendering asks for a completed
    /// evaluation when `evaluation.completed` has not reached it yet; unset means it waits for the event.
    pub evaluation_url: Option<String>,
    /// The token this service presents to the others, issued by the identity provider; unset means
    /// one minted with `AUTH_HS256_SECRET`.
    pub service_token: Option<String>,
    /// Address the gRPC server listens on.
    pub grpc_listen_addr: SocketAddr,
    /// Longest a call may take before DEADLINE_EXCEEDED.
    pub grpc_request_timeout_secs: u64,
    /// Largest gRPC message accepted or sent.
    pub grpc_max_message_bytes: usize,
    /// Calls served at once across all connections; more wait.
    pub grpc_concurrency_limit: usize,
    /// Expected `iss` of bearer tokens.
    pub auth_issuer: String,
    /// Expected `aud` of bearer tokens.
    pub auth_audience: String,
    /// Shared secret for HS256 tokens (development and the embedded default).
    pub auth_hs256_secret: Option<String>,
    /// Path of a JWKS file with the identity provider's RS256/ES256 public keys.
    pub auth_jwks_path: Option<PathBuf>,
    /// URL of the identity provider's JWKS (fetched at start-up and refreshed).
    pub auth_jwks_url: Option<String>,
    /// Clock skew allowed when checking `exp` and `nbf`.
    pub auth_leeway_secs: u64,
    /// `text` or `json`.
    pub log_format: LogFormat,
    /// OTLP/gRPC endpoint for traces; unset means traces are not exported.
    pub otel_exporter_otlp_endpoint: Option<String>,
    /// Address the web portal listens on.
    pub portal_listen_addr: SocketAddr,
    /// `http://host:port` of the services' gRPC server the portal calls (the all-in-one sets it to
    /// its own).
    pub portal_grpc_url: Option<String>,
    /// PKCS#8 file of the ECDSA P-256 key the portal signs the services' tokens with (ES256), its
    /// public key served at `/.well-known/jwks.json` for the services' `AUTH_JWKS_URL`. Unset means
    /// development: tokens signed with `AUTH_HS256_SECRET` and the development sign-in page.
    pub portal_signing_key_file: Option<PathBuf>,
    /// The councils that commission through the marketplace, as `id=Name` pairs separated by
    /// commas: the areas a charity may say it serves.
    pub portal_councils: String,
    /// The identity provider people sign in through (OpenID Connect discovery at
    /// `<issuer>/.well-known/openid-configuration`). Unset means the development sign-in page,
    /// which is refused whenever this is set.
    pub portal_oidc_issuer_url: Option<String>,
    /// The portal's client id at the identity provider.
    pub portal_oidc_client_id: Option<String>,
    /// The portal's client secret at the identity provider (or `PORTAL_OIDC_CLIENT_SECRET_FILE`).
    pub portal_oidc_client_secret: Option<String>,
    /// A file holding the client secret, so that it stays out of the environment.
    pub portal_oidc_client_secret_file: Option<PathBuf>,
    /// The scopes asked for beside `openid`, separated by spaces.
    pub portal_oidc_scopes: String,
    /// The ID token claim listing a council member's marketplace roles (`officer`, `evaluator`,
    /// `integrator`), as an Entra ID app role or a Keycloak role mapper puts them.
    pub portal_oidc_roles_claim: String,
    /// Which council a member of staff works for, by the domain of their verified email address:
    /// `domain=council-id` pairs separated by commas (`lambeth.gov.uk=lambeth`).
    pub portal_council_domains: String,
    /// The mail server the portal sends notifications through: `smtps://user:password@host`
    /// (TLS from the start), `smtp://host:587?tls=required` (STARTTLS), or `smtp://host:port`
    /// (no TLS: a relay on the same host only). Unset means notifications are shown in the portal
    /// and no mail is sent.
    pub portal_smtp_url: Option<String>,
    /// Who the portal's mail comes from, such as `Commissioning marketplace
    /// <notifications@example.org>`; required with `PORTAL_SMTP_URL`.
    pub portal_mail_from: Option<String>,
    /// The portal's address as people reach it (`https://marketplace.example.org`), for the links
    /// in its mail; unset means the address it listens on.
    pub portal_public_url: Option<String>,
    /// Seconds before a notification's mail that failed is tried again; each later try waits
    /// twice as long, up to an hour.
    pub portal_mail_retry_secs: u64,
}

impl Settings {
    /// Defaults for a service whose gRPC server listens on `port` when nothing else is set.
    pub fn defaults(port: u16) -> Self {
        Self {
            data_dir: PathBuf::from("./data"),
            database_url: None,
            database_max_connections: 10,
            database_acquire_timeout_secs: 5,
            nats_url: None,
            events_subject_root: "commissioning".into(),
            events_stream: "COMMISSIONING".into(),
            events_replicas: 1,
            events_duplicate_window_secs: 120,
            events_max_deliver: 10,
            events_ack_wait_secs: 5,
            outbox_poll_interval_ms: 500,
            events_retention_days: 7,
            documents_max_bytes: 20 * 1024 * 1024,
            documents_s3_bucket: None,
            documents_s3_endpoint: None,
            documents_s3_region: "eu-west-2".into(),
            documents_s3_access_key_id: None,
            documents_s3_secret_access_key: None,
            clamd_address: None,
            tendering_rules_file: None,
            tendering_minimum_bid_period_secs: 7 * 24 * 3600,
            tendering_scheduler_interval_ms: 1000,
            bids_master_key: None,
            audit_signing_key_file: None,
            audit_check_interval_secs: 300,
            ocds_ocid_prefix: "ocds-cmkt01".into(),
            providers_url: None,
            compliance_url: None,
            tendering_url: None,
            evaluation_url: None,
            service_token: None,
            grpc_listen_addr: SocketAddr::from(([127, 0, 0, 1], port)),
            grpc_request_timeout_secs: 30,
            grpc_max_message_bytes: 4 * 1024 * 1024,
            grpc_concurrency_limit: 256,
            auth_issuer: "commissioning-marketplace".into(),
            auth_audience: "commissioning".into(),
            auth_hs256_secret: None,
            auth_jwks_path: None,
            auth_jwks_url: None,
            auth_leeway_secs: 30,
            log_format: LogFormat::Text,
            otel_exporter_otlp_endpoint: None,
            portal_listen_addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            portal_grpc_url: None,
            portal_signing_key_file: None,
            portal_councils: "lambeth=Lambeth,woking=Woking,wigan=Wigan".into(),
            portal_oidc_issuer_url: None,
            portal_oidc_client_id: None,
            portal_oidc_client_secret: None,
            portal_oidc_client_secret_file: None,
            portal_oidc_scopes: "email profile".into(),
            portal_oidc_roles_claim: "roles".into(),
            portal_council_domains: String::new(),
            portal_smtp_url: None,
            portal_mail_from: None,
            portal_public_url: None,
            portal_mail_retry_secs: 60,
        }
    }

    /// Reads the settings: defaults, then the optional file, then the environment.
    pub fn load(port: u16) -> Result<Self, ConfigError> {
        Self::from_figment(Self::figment(port))
    }

    /// The layered sources, exposed so a binary can add its own (command-line flags, say).
    pub fn figment(port: u16) -> Figment {
        let mut figment = Figment::from(Serialized::defaults(Self::defaults(port)));
        if let Ok(file) = std::env::var(CONFIG_FILE_VAR) {
            figment = figment.merge(Toml::file_exact(file));
        }
        let names = Self::variable_names();
        figment.merge(Env::raw().filter(move |key| names.iter().any(|name| key == *name)))
    }

    /// Extracts settings; an error names the variable at fault.
    pub fn from_figment(figment: Figment) -> Result<Self, ConfigError> {
        config_file_readable()?;
        let settings: Self = figment.extract().map_err(|error| {
            let variable = error.path.join("_").to_uppercase();
            ConfigError(format!("{variable}: {}", error.kind))
        })?;
        settings.validate()
    }

    /// Values that parse but make no sense.
    fn validate(self) -> Result<Self, ConfigError> {
        let positive = [
            ("DATABASE_MAX_CONNECTIONS", u64::from(self.database_max_connections)),
            ("DATABASE_ACQUIRE_TIMEOUT_SECS", self.database_acquire_timeout_secs),
            ("AUDIT_CHECK_INTERVAL_SECS", self.audit_check_interval_secs),
            ("EVENTS_REPLICAS", self.events_replicas as u64),
            ("EVENTS_MAX_DELIVER", u64::try_from(self.events_max_deliver).unwrap_or(0)),
            ("EVENTS_ACK_WAIT_SECS", self.events_ack_wait_secs),
            ("OUTBOX_POLL_INTERVAL_MS", self.outbox_poll_interval_ms),
            ("EVENTS_RETENTION_DAYS", self.events_retention_days),
            ("DOCUMENTS_MAX_BYTES", self.documents_max_bytes),
            ("TENDERING_SCHEDULER_INTERVAL_MS", self.tendering_scheduler_interval_ms),
            ("GRPC_REQUEST_TIMEOUT_SECS", self.grpc_request_timeout_secs),
            ("GRPC_MAX_MESSAGE_BYTES", self.grpc_max_message_bytes as u64),
            ("GRPC_CONCURRENCY_LIMIT", self.grpc_concurrency_limit as u64),
            ("PORTAL_MAIL_RETRY_SECS", self.portal_mail_retry_secs),
        ];
        if let Some((variable, _)) = positive.into_iter().find(|(_, value)| *value == 0) {
            return Err(ConfigError(format!("{variable}: must be at least 1")));
        }
        if self.documents_s3_access_key_id.is_some() != self.documents_s3_secret_access_key.is_some() {
            return Err(ConfigError(
                "DOCUMENTS_S3_SECRET_ACCESS_KEY: set it together with DOCUMENTS_S3_ACCESS_KEY_ID, or neither".into(),
            ));
        }
        if self.portal_smtp_url.is_some() && self.portal_mail_from.is_none() {
            return Err(ConfigError(
                "PORTAL_MAIL_FROM: set who the portal's mail comes from (like Marketplace <notifications@example.org>) \
                 together with PORTAL_SMTP_URL"
                    .into(),
            ));
        }
        if self.portal_oidc_issuer_url.is_some() != self.portal_oidc_client_id.is_some() {
            return Err(ConfigError(
                "PORTAL_OIDC_CLIENT_ID: set it together with PORTAL_OIDC_ISSUER_URL, or neither".into(),
            ));
        }
        if self.portal_oidc_client_secret.is_some() && self.portal_oidc_client_secret_file.is_some() {
            return Err(ConfigError(
                "PORTAL_OIDC_CLIENT_SECRET_FILE: set the client secret or its file, not both".into(),
            ));
        }
        Ok(self)
    }

    /// The environment variables read, as listed in the README.
    pub fn variable_names() -> Vec<&'static str> {
        vec![
            "DATA_DIR",
            "DATABASE_URL",
            "DATABASE_MAX_CONNECTIONS",
            "DATABASE_ACQUIRE_TIMEOUT_SECS",
            "NATS_URL",
            "EVENTS_SUBJECT_ROOT",
            "EVENTS_STREAM",
            "EVENTS_REPLICAS",
            "EVENTS_DUPLICATE_WINDOW_SECS",
            "EVENTS_MAX_DELIVER",
            "EVENTS_ACK_WAIT_SECS",
            "OUTBOX_POLL_INTERVAL_MS",
            "EVENTS_RETENTION_DAYS",
            "DOCUMENTS_MAX_BYTES",
            "DOCUMENTS_S3_BUCKET",
            "DOCUMENTS_S3_ENDPOINT",
            "DOCUMENTS_S3_REGION",
            "DOCUMENTS_S3_ACCESS_KEY_ID",
            "DOCUMENTS_S3_SECRET_ACCESS_KEY",
            "CLAMD_ADDRESS",
            "TENDERING_RULES_FILE",
            "TENDERING_MINIMUM_BID_PERIOD_SECS",
            "TENDERING_SCHEDULER_INTERVAL_MS",
            "BIDS_MASTER_KEY",
            "AUDIT_SIGNING_KEY_FILE",
            "AUDIT_CHECK_INTERVAL_SECS",
            "OCDS_OCID_PREFIX",
            "PROVIDERS_URL",
            "COMPLIANCE_URL",
            "TENDERING_URL",
            "EVALUATION_URL",
            "SERVICE_TOKEN",
            "GRPC_LISTEN_ADDR",
            "GRPC_REQUEST_TIMEOUT_SECS",
            "GRPC_MAX_MESSAGE_BYTES",
            "GRPC_CONCURRENCY_LIMIT",
            "AUTH_ISSUER",
            "AUTH_AUDIENCE",
            "AUTH_HS256_SECRET",
            "AUTH_JWKS_PATH",
            "AUTH_JWKS_URL",
            "AUTH_LEEWAY_SECS",
            "LOG_FORMAT",
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            "PORTAL_LISTEN_ADDR",
            "PORTAL_GRPC_URL",
            "PORTAL_SIGNING_KEY_FILE",
            "PORTAL_COUNCILS",
            "PORTAL_OIDC_ISSUER_URL",
            "PORTAL_OIDC_CLIENT_ID",
            "PORTAL_OIDC_CLIENT_SECRET",
            "PORTAL_OIDC_CLIENT_SECRET_FILE",
            "PORTAL_OIDC_SCOPES",
            "PORTAL_OIDC_ROLES_CLAIM",
            "PORTAL_COUNCIL_DOMAINS",
            "PORTAL_SMTP_URL",
            "PORTAL_MAIL_FROM",
            "PORTAL_PUBLIC_URL",
            "PORTAL_MAIL_RETRY_SECS",
        ]
    }

    /// The database URL, defaulting to `<DATA_DIR>/<service>.sqlite`.
    /// A `{service}` in `DATABASE_URL` is replaced by the service's name, so that one setting gives
    /// each service of the all-in-one its own database.
    pub fn database_url_for(&self, service: &str) -> String {
        match &self.database_url {
            Some(url) => url.replace(SERVICE_PLACEHOLDER, service),
            None => format!("sqlite://{}?mode=rwc", self.data_dir.join(format!("{service}.sqlite")).display()),
        }
    }

    /// How long sent outbox rows and inbox marks are kept.
    pub fn events_retention(&self) -> Duration {
        Duration::from_secs(self.events_retention_days.saturating_mul(86_400))
    }

    /// Longest a call waits for a pooled database connection.
    pub fn database_acquire_timeout(&self) -> Duration {
        Duration::from_secs(self.database_acquire_timeout_secs)
    }

    /// How often each service checks its audit chain.
    pub fn audit_check_interval(&self) -> Duration {
        Duration::from_secs(self.audit_check_interval_secs)
    }

    /// The outbox relay's idle polling period.
    pub fn outbox_poll_interval(&self) -> Duration {
        Duration::from_millis(self.outbox_poll_interval_ms)
    }
}

/// The file named by `MARKETPLACE_CONFIG_FILE`, when set, must be there: figment's own error would
/// name neither the variable nor the path.
fn config_file_readable() -> Result<(), ConfigError> {
    let Ok(file) = std::env::var(CONFIG_FILE_VAR) else { return Ok(()) };
    std::fs::metadata(&file).map(|_| ()).map_err(|error| {
        ConfigError(format!(
            "{CONFIG_FILE_VAR}: cannot read the configuration file {file:?} ({error}); \
             give the path of a TOML file of settings, or unset {CONFIG_FILE_VAR}"
        ))
    })
}

/// A setting is malformed or missing; the message names the variable and what is expected.
#[derive(Debug, thiserror::Error)]
#[error("configuration error: {0}")]
pub struct ConfigError(pub String);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::result_large_err, reason = "figment::Jail's closure returns figment's own error type")]
    fn a_malformed_value_names_its_variable() {
        // In a jail: the tests that set variables run one at a time, and this one reads them too.
        figment::Jail::expect_with(|_| {
            let figment =
                Figment::from(Serialized::defaults(Settings::defaults(1))).merge(("GRPC_REQUEST_TIMEOUT_SECS", "soon"));
            let error = Settings::from_figment(figment).expect_err("a word is not a number");
            assert!(error.0.starts_with("GRPC_REQUEST_TIMEOUT_SECS: "), "{error}");
            Ok(())
        });
    }

    #[test]
    #[allow(clippy::result_large_err, reason = "figment::Jail's closure returns figment's own error type")]
    fn environment_variables_are_read_by_their_upper_case_names() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("NATS_URL", "nats://broker:4222");
            jail.set_env("GRPC_MAX_MESSAGE_BYTES", "1024");
            jail.set_env("UNRELATED_VARIABLE", "ignored");
            let settings = Settings::load(1).expect("valid");
            assert_eq!(settings.nats_url.as_deref(), Some("nats://broker:4222"));
            assert_eq!(settings.grpc_max_message_bytes, 1024);
            jail.set_env("EVENTS_REPLICAS", "three");
            let error = Settings::load(1).expect_err("not a number");
            assert!(error.0.starts_with("EVENTS_REPLICAS: "), "{error}");
            jail.set_env("EVENTS_REPLICAS", "1");
            jail.set_env("EVENTS_MAX_DELIVER", "-1");
            let error = Settings::load(1).expect_err("deliveries must be bounded");
            assert_eq!(error.0, "EVENTS_MAX_DELIVER: must be at least 1");
            Ok(())
        });
    }

    #[test]
    #[allow(clippy::result_large_err, reason = "figment::Jail's closure returns figment's own error type")]
    fn a_missing_configuration_file_is_named_with_its_variable() {
        figment::Jail::expect_with(|jail| {
            jail.set_env(CONFIG_FILE_VAR, "/nowhere/marketplace.toml");
            let error = Settings::load(1).expect_err("no such file");
            assert!(error.0.starts_with("MARKETPLACE_CONFIG_FILE: "), "{error}");
            assert!(error.0.contains("/nowhere/marketplace.toml"), "{error}");
            jail.create_file("marketplace.toml", "events_ack_wait_secs = 2")?;
            jail.set_env(CONFIG_FILE_VAR, "marketplace.toml");
            assert_eq!(Settings::load(1).expect("a readable file").events_ack_wait_secs, 2);
            Ok(())
        });
    }

    #[test]
    fn defaults_put_sqlite_under_the_data_dir() {
        let settings = Settings::defaults(50061);
        assert_eq!(settings.database_url_for("providers"), "sqlite://./data/providers.sqlite?mode=rwc");
        let shared = Settings { database_url: Some("postgres://db/market_{service}".into()), ..settings.clone() };
        assert_eq!(shared.database_url_for("tendering"), "postgres://db/market_tendering");
        assert_eq!(settings.grpc_listen_addr.port(), 50061);
    }
}
