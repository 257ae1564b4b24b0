//! Acknowledgement deadlines: a handler that takes longer than `ack_wait` keeps its delivery (it
//! says it is still working), while the events of a consumer that stopped half-way are delivered
//! again as soon as `ack_wait` runs out, on NATS and on the embedded log alike.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use platform::events::embedded::EmbeddedLog;
use platform::events::{ConsumerSpec, EventBus, EventHandler, EventsConfig, HandlerError, InboundEvent};
use platform::testing::{SqliteDatabase, delete_stream, isolated_events_config, nats_bus, publish_event};

use super::support::Step;

const ACK_WAIT: Duration = Duration::from_secs(1);

/// Takes `pause` over every event, recording each delivery's number as it starts and as it ends.
struct Slow {
    pause: Duration,
    started: Mutex<Vec<u32>>,
    finished: Mutex<Vec<u32>>,
}

impl Slow {
    fn new(pause: Duration) -> Arc<Self> {
        Arc::new(Self { pause, started: Mutex::default(), finished: Mutex::default() })
    }

    fn started(&self) -> Vec<u32> {
        self.started.lock().expect("lock").clone()
    }

    fn finished(&self) -> Vec<u32> {
        self.finished.lock().expect("lock").clone()
    }

    async fn wait_until(&self, limit: Duration, done: impl Fn(&Self) -> bool) {
        let deadline = tokio::time::Instant::now() + limit;
        while !done(self) {
            assert!(
                tokio::time::Instant::now() < deadline,
                "started {:?}, finished {:?}",
                self.started(),
                self.finished()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl EventHandler for Slow {
    async fn handle(&self, event: &InboundEvent) -> Result<(), HandlerError> {
        self.started.lock().expect("lock").push(event.delivery);
        tokio::time::sleep(self.pause).await;
        self.finished.lock().expect("lock").push(event.delivery);
        Ok(())
    }
}

fn config() -> EventsConfig {
    EventsConfig { ack_wait: ACK_WAIT, ..isolated_events_config() }
}

fn spec() -> ConsumerSpec {
    ConsumerSpec { name: "slow".into(), pattern: "*.tests.step_taken".into() }
}

async fn publish_one(bus: &EventBus) {
    publish_event(bus, "tests.step_taken", "lambeth", "a1", Step { aggregate: "a1".into(), position: 0 }).await;
}

/// A handler busy for three acknowledgement deadlines is handed the event once, though a second
/// replica of its consumer stands ready to take what falls due.
async fn a_slow_handler_keeps_its_delivery(bus: EventBus) {
    let handler = Slow::new(3 * ACK_WAIT);
    let _consumer = bus.consume(spec(), handler.clone()).await.expect("consumer starts");
    let _replica = bus.consume(spec(), handler.clone()).await.expect("a replica starts");
    publish_one(&bus).await;
    handler.wait_until(Duration::from_secs(30), |slow| !slow.finished().is_empty()).await;
    // Were the delivery given up on while it was being handled, it would come again within ack_wait.
    tokio::time::sleep(2 * ACK_WAIT).await;
    assert_eq!(handler.started(), vec![1], "delivered once, never again while it was being handled");
    assert_eq!(handler.finished(), vec![1]);
}

/// A consumer stopped half-way through an event: the next one under the same durable name gets
/// the event again once ack_wait has run out.
async fn a_stopped_consumers_event_comes_again(bus: EventBus) {
    let stopped = Slow::new(Duration::from_secs(3600));
    let consumer = bus.consume(spec(), stopped.clone()).await.expect("consumer starts");
    publish_one(&bus).await;
    stopped.wait_until(Duration::from_secs(30), |slow| !slow.started().is_empty()).await;
    drop(consumer);

    let successor = Slow::new(Duration::ZERO);
    let _consumer = bus.consume(spec(), successor.clone()).await.expect("consumer starts again");
    successor.wait_until(ACK_WAIT + Duration::from_secs(10), |slow| !slow.finished().is_empty()).await;
    assert_eq!(successor.finished(), vec![2], "the second delivery of the same event");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_handler_keeps_its_nats_delivery() {
    let nats = nats_bus(config()).await;
    a_slow_handler_keeps_its_delivery(EventBus::Nats(nats.clone())).await;
    delete_stream(&nats).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_handler_keeps_its_embedded_delivery() {
    let files = SqliteDatabase::new();
    let log = EmbeddedLog::open(&files.dir.path().join("events.sqlite"), config()).await.expect("log opens");
    a_slow_handler_keeps_its_delivery(EventBus::Embedded(log)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_nats_consumers_event_comes_again_after_ack_wait() {
    let nats = nats_bus(config()).await;
    a_stopped_consumers_event_comes_again(EventBus::Nats(nats.clone())).await;
    delete_stream(&nats).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_embedded_consumers_event_comes_again_after_ack_wait() {
    let files = SqliteDatabase::new();
    let log = EmbeddedLog::open(&files.dir.path().join("events.sqlite"), config()).await.expect("log opens");
    a_stopped_consumers_event_comes_again(EventBus::Embedded(log)).await;
}
