//! Handing one delivered event to a handler and deciding what to tell the bus: acknowledge,
//! redeliver later (a passing failure), or terminate (a message that can never be handled).
//! Shared by the NATS and embedded consumers so both behave the same.

use std::future::Future;
use std::time::Duration;

use std::panic::AssertUnwindSafe;

use futures::FutureExt;
use tracing::Instrument;

use super::{EventsConfig, InboundEvent};

/// Why a handler did not finish with an event.
#[derive(Debug, thiserror::Error)]
pub enum HandlerError {
    /// A passing failure (database busy, peer down): deliver again after a delay.
    #[error("retry: {0}")]
    Retry(String),
    /// The event can never be handled (undecodable, impossible): stop delivering it.
    #[error("reject: {0}")]
    Reject(String),
}

impl From<sea_orm::DbErr> for HandlerError {
    fn from(error: sea_orm::DbErr) -> Self {
        Self::Retry(error.to_string())
    }
}

/// Handles events of one consumer.
pub trait EventHandler: Send + Sync + 'static {
    fn handle(&self, event: &InboundEvent) -> impl Future<Output = Result<(), HandlerError>> + Send;
}

/// What the consumer does with a delivery once the handler has run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Ack,
    RetryAfter(Duration),
    Terminate,
}

/// Runs the handler inside a span joined to the producer's trace.
pub(crate) async fn deliver<H: EventHandler>(
    consumer: &str,
    config: &EventsConfig,
    handler: &H,
    event: &InboundEvent,
) -> Outcome {
    let span = tracing::info_span!(
        "event.consume",
        consumer,
        event_id = %event.id,
        event_type = %event.event_type,
        delivery = event.delivery,
    );
    crate::telemetry::set_remote_parent(&span, event.traceparent.as_deref());
    // A panicking handler is a bug, not a reason to stop consuming: treat it as a failed delivery.
    let result = AssertUnwindSafe(handler.handle(event).instrument(span.clone()))
        .catch_unwind()
        .await
        .unwrap_or_else(|_| Err(HandlerError::Retry("the handler panicked".into())));
    let _entered = span.enter();
    match result {
        Ok(()) => Outcome::Ack,
        Err(HandlerError::Retry(reason)) if i64::from(event.delivery) < config.max_deliver => {
            let delay = config.backoff_after(event.delivery);
            tracing::warn!(%reason, ?delay, "event handling failed; will retry");
            Outcome::RetryAfter(delay)
        }
        Err(HandlerError::Retry(reason)) => {
            terminated(consumer, event, &format!("gave up after {} deliveries: {reason}", event.delivery));
            Outcome::Terminate
        }
        Err(HandlerError::Reject(reason)) => {
            terminated(consumer, event, &reason);
            Outcome::Terminate
        }
    }
}

/// Runs `work`, calling `progress` every `interval` until it is done, so that a slow handler keeps
/// its delivery instead of having it redelivered (to another replica) half-way through.
pub(crate) async fn with_progress<T, F>(
    work: impl Future<Output = T>,
    interval: Duration,
    mut progress: impl FnMut() -> F,
) -> T
where
    F: Future<Output = ()>,
{
    tokio::pin!(work);
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + interval, interval);
    loop {
        tokio::select! {
            output = &mut work => return output,
            _ = ticks.tick() => progress().await,
        }
    }
}

/// The log line (and counter, for log-based metrics) of an event that will never be handled.
pub(crate) fn terminated(consumer: &str, event: &InboundEvent, reason: &str) {
    tracing::error!(
        counter.events_terminated = 1,
        consumer,
        event_id = %event.id,
        event_type = %event.event_type,
        %reason,
        "event terminated: it will not be delivered again"
    );
}

/// The log line of a message that is not even a readable event.
pub(crate) fn unreadable(consumer: &str, subject: &str, reason: &str) {
    tracing::error!(counter.events_terminated = 1, consumer, %subject, %reason, "unreadable event terminated");
}
