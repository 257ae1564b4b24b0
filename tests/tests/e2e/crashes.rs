//! kill -9 of the tendering service under load, on PostgreSQL + NATS, each service its own
//! process as production runs them: every bid a provider was told was received is there
//! afterwards, counted once, and published once; nothing was published for a bid that was not.
//! The longer runs (every service, ten kills each) are `load crashes`, with their figures in
//! RELIABILITY.md.

use std::time::Duration;

use e2e::crashes::{Plan, Victim, run};
use e2e::processes::Services;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_bids_survive_kill_9_and_each_is_published_once() {
    let mut services = Services::start().await;
    let plan = Plan {
        workers: 4,
        victims: vec![Victim::Service("tendering")],
        kills: 3,
        between_kills: Duration::from_millis(1_500),
        patience: Duration::from_secs(60),
    };
    let figures = run(&mut services, &plan).await.expect("the crash run");
    println!("{}", figures.table());
    assert!(figures.acknowledged > 0, "{figures:?}");
    assert_eq!(figures.acknowledged, figures.sent, "every bid was acknowledged in the end: {figures:?}");
    assert_eq!(figures.found, figures.acknowledged, "every acknowledged bid is there: {figures:?}");
    assert_eq!(usize::try_from(figures.counted).ok(), Some(figures.acknowledged), "counted once: {figures:?}");
    assert_eq!((figures.events_lost, figures.events_doubled, figures.events_unacknowledged), (0, 0, 0), "{figures:?}");
    assert!(!figures.codes.contains_key("Internal"), "{figures:?}");
    assert_eq!(figures.recoveries.len(), 3);
    services.stop_all().await;
}
