//! The long crash runs behind RELIABILITY.md: the four services as their own processes on
//! PostgreSQL and NATS, bids sent all along, while services, NATS or PostgreSQL are crashed in
//! turn (see [`e2e::crashes`]). NATS and PostgreSQL are the machine's own, as `scripts/test`
//! starts them: crashing them interrupts anything else using them.

use std::time::Duration;

use anyhow::Context;
use e2e::crashes::{Plan, Victim};
use e2e::processes::Services;

#[derive(clap::Args)]
pub struct Options {
    /// What to crash, in turn: providers, compliance, tendering, evaluation, nats, postgres.
    #[arg(long, value_delimiter = ',', default_value = "providers,compliance,tendering,evaluation")]
    crash: Vec<String>,
    /// Crashes of each.
    #[arg(long, default_value_t = 10)]
    times: usize,
    /// Bids in flight at once.
    #[arg(long, default_value_t = 8)]
    workers: usize,
    /// Seconds of load between one recovery and the next crash.
    #[arg(long, default_value_t = 3.0)]
    seconds_between: f64,
}

pub async fn run(options: Options) -> anyhow::Result<()> {
    let victims = options
        .crash
        .iter()
        .map(|name| Victim::parse(name).with_context(|| format!("cannot crash {name:?}")))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let plan = Plan {
        workers: options.workers,
        kills: victims.len() * options.times,
        victims,
        between_kills: Duration::from_secs_f64(options.seconds_between),
        patience: Duration::from_secs(180),
    };
    println!("Crashing {} {} times each, {} bids in flight ...", options.crash.join(", "), options.times, plan.workers);
    let mut services = Services::start().await;
    let figures = e2e::crashes::run(&mut services, &plan).await;
    services.stop_all().await;
    println!("{}", figures?.table());
    Ok(())
}
