//! The demo: the story of the people the marketplace is for, walked through its gRPC calls as they
//! would make them, printing each step as it happens. `marketplace demo` runs it against a running
//! marketplace or one it starts itself; the end-to-end tests run the same story and check what it
//! returns. Every step checks its own outcome, so a story that goes wrong stops with an error.

mod cast;
mod story;

use std::io::Write;
use std::time::Duration;

use platform::auth::{Claims, Role, mint_hs256};
use tonic::transport::Channel;

pub use story::run;

/// Where each service is reached: one channel for the all-in-one, four for separate services.
#[derive(Clone)]
pub struct Connection {
    pub providers: Channel,
    pub compliance: Channel,
    pub tendering: Channel,
    pub evaluation: Channel,
}

impl Connection {
    /// All four services on one address.
    pub fn all_in_one(channel: Channel) -> Self {
        Self {
            providers: channel.clone(),
            compliance: channel.clone(),
            tendering: channel.clone(),
            evaluation: channel,
        }
    }
}

/// Mints the tokens of the story's people with the marketplace's HS256 secret.
pub struct Tokens {
    pub secret: String,
    pub issuer: String,
    pub audience: String,
}

impl Tokens {
    fn mint(&self, user: &str, organisation: &str, organisation_name: &str, roles: &[Role]) -> anyhow::Result<String> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: user.to_owned(),
            org: organisation.to_owned(),
            org_name: Some(organisation_name.to_owned()),
            roles: roles.to_vec(),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            exp: now + 3_600,
            iat: now,
        };
        Ok(mint_hs256(self.secret.as_bytes(), &claims)?)
    }
}

/// How the story is paced.
pub struct Pace {
    /// The marketplace's shortest bid period (`TENDERING_MINIMUM_BID_PERIOD_SECS`): the demo's
    /// tenders close this long after publishing, plus a margin.
    pub bid_period: Duration,
    /// Stop once the tenders are published, leaving them open to try the portal with: Lambeth's
    /// taking bids at once, Woking's still taking questions.
    pub stop_after_publishing: bool,
    /// Stop once the bids are in and Lambeth's tender has closed and its evaluation opened, before
    /// the panel is assigned, to try the panel's pages with.
    pub stop_after_bidding: bool,
}

/// What the story did, for its closing summary and for tests.
#[derive(Debug, Default)]
pub struct Summary {
    pub tenders_posted: usize,
    pub charities: usize,
    pub bids: usize,
    pub refused_award_shortfall: String,
    pub winner: String,
    pub contract_value_pence: i64,
    pub purchase_order: String,
    pub feedback_read: usize,
    pub block_contracts: i32,
    pub micro_contracts: i32,
    pub small_share_basis_points: i32,
    pub vcse_share_basis_points: i32,
    pub ocds_releases: usize,
}

/// Prints the story's steps with their progress.
pub struct Narrator<W: Write> {
    out: W,
    step: usize,
    steps: usize,
}

impl<W: Write> Narrator<W> {
    pub fn new(out: W, steps: usize) -> Self {
        Self { out, step: 0, steps }
    }

    fn step(&mut self, title: &str) {
        self.step += 1;
        let _ = writeln!(self.out, "\n[{}/{}] {title}", self.step, self.steps);
    }

    fn say(&mut self, line: &str) {
        let _ = writeln!(self.out, "      {line}");
    }
}
