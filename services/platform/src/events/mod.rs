//! Events between services: CloudEvents over NATS JetStream in production, or the embedded
//! SQLite event log for the all-in-one default, with the same guarantees. Services never publish
//! directly: they write events to their outbox in the same transaction as the change
//! ([`outbox::enqueue`]) and the [`relay::Relay`] publishes them. Consumers record each event in
//! their inbox ([`inbox::apply_once`]) so a redelivery has no second effect.

mod dispatch;
pub mod embedded;
pub mod envelope;
pub mod inbox;
pub mod nats;
pub mod outbox;
pub mod relay;
pub mod retention;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

pub use dispatch::{EventHandler, HandlerError};
pub use envelope::{InboundEvent, OutboundEvent};

use crate::config::Settings;

/// Where events go and how consumers retry them.
#[derive(Debug, Clone)]
pub struct EventsConfig {
    /// First subject token; tests use a unique root so they run in parallel in isolation.
    pub subject_root: String,
    /// JetStream stream capturing `<subject_root>.>`.
    pub stream: String,
    /// Stream replicas.
    pub replicas: usize,
    /// Window within which a re-published event id is dropped as a duplicate.
    pub duplicate_window: Duration,
    /// Deliveries of one event before the consumer gives up on it.
    pub max_deliver: i64,
    /// Delay before each redelivery after a passing failure; the last one repeats.
    pub backoff: Vec<Duration>,
    /// How long a delivered, unacknowledged event waits before it is delivered again.
    pub ack_wait: Duration,
}

impl EventsConfig {
    pub fn from_settings(settings: &Settings) -> Self {
        Self {
            subject_root: settings.events_subject_root.clone(),
            stream: settings.events_stream.clone(),
            replicas: settings.events_replicas,
            duplicate_window: Duration::from_secs(settings.events_duplicate_window_secs),
            max_deliver: settings.events_max_deliver,
            backoff: [1, 5, 30, 120, 600].into_iter().map(Duration::from_secs).collect(),
            ack_wait: Duration::from_secs(settings.events_ack_wait_secs),
        }
    }

    /// How often a consumer still handling an event tells the bus so (an in-progress
    /// acknowledgement), so that only a crashed consumer's events wait out `ack_wait`.
    pub fn progress_interval(&self) -> Duration {
        (self.ack_wait / 3).max(Duration::from_millis(100))
    }

    /// The delay before redelivery number `delivered + 1`.
    pub fn backoff_after(&self, delivered: u32) -> Duration {
        let index = (delivered.max(1) as usize - 1).min(self.backoff.len().saturating_sub(1));
        self.backoff.get(index).copied().unwrap_or(Duration::from_secs(1))
    }

    /// The full subject filter of a consumer pattern relative to the root.
    pub fn filter(&self, pattern: &str) -> String {
        format!("{}.{pattern}", self.subject_root)
    }
}

/// What the bus answered when it stored an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublishReceipt {
    /// The event id had been stored before, so this copy was dropped.
    pub duplicate: bool,
}

/// A failure to reach or use the event bus. Passing failures: the caller retries later.
#[derive(Debug, thiserror::Error)]
#[error("event bus: {0}")]
pub struct BusError(pub String);

impl BusError {
    pub fn new(error: impl std::fmt::Display) -> Self {
        Self(error.to_string())
    }
}

/// Stores an event durably and says so only once it is stored.
pub trait Publisher: Send + Sync + 'static {
    fn publish(&self, event: &OutboundEvent) -> impl Future<Output = Result<PublishReceipt, BusError>> + Send;
}

/// A durable named consumer: the same name resumes where it left off after a restart.
#[derive(Debug, Clone)]
pub struct ConsumerSpec {
    /// Durable name, unique per consuming service and purpose (`providers-tender-matcher`).
    pub name: String,
    /// Subject pattern below the root, with NATS wildcards: `*.tendering.tender_published`.
    pub pattern: String,
}

/// A running consumer; dropping it stops it. Events it had not acknowledged are delivered
/// again, to it or to a replica.
pub struct ConsumerHandle {
    task: tokio::task::JoinHandle<()>,
}

impl Drop for ConsumerHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The bus a service runs on.
#[derive(Clone)]
pub enum EventBus {
    Nats(nats::NatsBus),
    Embedded(embedded::EmbeddedLog),
}

impl EventBus {
    /// Starts a durable consumer that hands each matching event to `handler`.
    pub async fn consume<H: EventHandler>(
        &self,
        spec: ConsumerSpec,
        handler: Arc<H>,
    ) -> Result<ConsumerHandle, BusError> {
        let task = match self {
            Self::Nats(bus) => bus.consume(spec, handler).await?,
            Self::Embedded(log) => log.consume(spec, handler).await?,
        };
        Ok(ConsumerHandle { task })
    }

    /// Every stored event matching `pattern` (below the root), oldest first, without disturbing
    /// any consumer: for reading back what was published, such as audit checkpoints.
    pub async fn replay(&self, pattern: &str) -> Result<Vec<InboundEvent>, BusError> {
        match self {
            Self::Nats(bus) => bus.replay(pattern).await,
            Self::Embedded(log) => log.replay(pattern).await,
        }
    }

    /// The subject and retry settings.
    pub fn config(&self) -> &EventsConfig {
        match self {
            Self::Nats(bus) => bus.config(),
            Self::Embedded(log) => log.config(),
        }
    }
}

impl Publisher for EventBus {
    async fn publish(&self, event: &OutboundEvent) -> Result<PublishReceipt, BusError> {
        match self {
            Self::Nats(bus) => bus.publish(event).await,
            Self::Embedded(log) => log.publish(event).await,
        }
    }
}

/// Whether `subject` matches a NATS `filter` (`*` one token, `>` one or more trailing tokens).
pub fn subject_matches(filter: &str, subject: &str) -> bool {
    let mut subject_tokens = subject.split('.');
    for token in filter.split('.') {
        match (token, subject_tokens.next()) {
            (">", Some(_)) => return true,
            ("*", Some(_)) => {}
            (wanted, Some(actual)) if wanted == actual => {}
            _ => return false,
        }
    }
    subject_tokens.next().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_filters_follow_nats_wildcards() {
        assert!(subject_matches("c.>", "c.lambeth.tendering.tender_published"));
        assert!(subject_matches("c.*.tendering.tender_published", "c.lambeth.tendering.tender_published"));
        assert!(!subject_matches("c.*.tendering.tender_published", "c.lambeth.tendering.tender_closed"));
        assert!(!subject_matches("c.lambeth.>", "c.woking.tendering.tender_published"));
        assert!(!subject_matches("c.>", "c"));
        assert!(!subject_matches("c.*", "c.a.b"));
    }

    #[test]
    fn backoff_grows_then_repeats_its_last_step() {
        let config = EventsConfig::from_settings(&Settings::defaults(1));
        assert_eq!(config.backoff_after(1), Duration::from_secs(1));
        assert_eq!(config.backoff_after(2), Duration::from_secs(5));
        assert_eq!(config.backoff_after(50), Duration::from_secs(600));
    }
}
