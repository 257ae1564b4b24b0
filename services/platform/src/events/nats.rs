//! The NATS JetStream bus: one file-backed stream for `<root>.>` with a duplicate window,
//! `Nats-Msg-Id` de-duplication, and durable pull consumers with explicit acknowledgement,
//! bounded redelivery, NAK with delay on a passing error and TERM on a hopeless message.
//! Uses only what a 2.9 server offers.

use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::{self, AckKind, consumer, stream};
use async_nats::{HeaderMap, HeaderValue};
use futures::StreamExt;

use super::dispatch::{Outcome, deliver, unreadable, with_progress};
use super::{
    BusError, ConsumerSpec, EventHandler, EventsConfig, InboundEvent, OutboundEvent, PublishReceipt, Publisher,
};

/// Messages pulled at once: few, so none waits in the buffer past its acknowledgement deadline.
const PULL_BATCH: usize = 16;

/// Messages fetched at once by a replay, how long one fetch waits, and how soon the server drops
/// a replay's consumer should it be left behind.
const REPLAY_BATCH: usize = 256;
const REPLAY_FETCH_WAIT: Duration = Duration::from_secs(2);
const REPLAY_INACTIVE_THRESHOLD: Duration = Duration::from_secs(60);

/// Pause before a consumer re-subscribes after losing its pull subscription.
const RESUBSCRIBE_DELAY: Duration = Duration::from_secs(1);

/// A connection to JetStream and the marketplace's stream.
#[derive(Clone)]
pub struct NatsBus {
    jetstream: jetstream::Context,
    config: Arc<EventsConfig>,
}

impl NatsBus {
    /// Connects and makes sure the stream exists.
    pub async fn connect(url: &str, config: EventsConfig) -> Result<Self, BusError> {
        let client = async_nats::connect(url).await.map_err(|error| {
            BusError(format!("cannot connect to NATS at {} (NATS_URL): {error}", without_credentials(url)))
        })?;
        let jetstream = jetstream::new(client);
        jetstream
            .get_or_create_stream(stream::Config {
                name: config.stream.clone(),
                subjects: vec![config.filter(">")],
                storage: stream::StorageType::File,
                num_replicas: config.replicas,
                duplicate_window: config.duplicate_window,
                ..Default::default()
            })
            .await
            .map_err(|error| BusError(format!("cannot create stream {}: {error}", config.stream)))?;
        Ok(Self { jetstream, config: Arc::new(config) })
    }

    pub fn config(&self) -> &EventsConfig {
        &self.config
    }

    /// The JetStream context, for integrators' tests and administration.
    pub fn jetstream(&self) -> &jetstream::Context {
        &self.jetstream
    }

    /// Creates (or resumes) a durable pull consumer and runs it until the handle is dropped.
    pub(super) async fn consume<H: EventHandler>(
        &self,
        spec: ConsumerSpec,
        handler: Arc<H>,
    ) -> Result<tokio::task::JoinHandle<()>, BusError> {
        let stream = self.jetstream.get_stream(&self.config.stream).await.map_err(BusError::new)?;
        // Create or update: a durable consumer made before `EVENTS_ACK_WAIT_SECS` changed takes
        // the new setting.
        let consumer: consumer::PullConsumer = stream
            .create_consumer(consumer::pull::Config {
                durable_name: Some(spec.name.clone()),
                filter_subject: self.config.filter(&spec.pattern),
                ack_policy: consumer::AckPolicy::Explicit,
                ack_wait: self.config.ack_wait,
                max_deliver: self.config.max_deliver,
                ..Default::default()
            })
            .await
            .map_err(|error| BusError(format!("cannot create consumer {}: {error}", spec.name)))?;
        let config = self.config.clone();
        Ok(tokio::spawn(async move {
            loop {
                if let Err(error) = run_consumer(&spec.name, &config, &consumer, handler.as_ref()).await {
                    tracing::warn!(consumer = %spec.name, %error, "consumer lost its subscription; resubscribing");
                }
                tokio::time::sleep(RESUBSCRIBE_DELAY).await;
            }
        }))
    }
}

impl NatsBus {
    /// Every event in the stream matching `pattern`, oldest first, read by a consumer of its own
    /// that acknowledges nothing and is deleted afterwards: no durable consumer is disturbed.
    pub(super) async fn replay(&self, pattern: &str) -> Result<Vec<InboundEvent>, BusError> {
        let stream = self.jetstream.get_stream(&self.config.stream).await.map_err(BusError::new)?;
        let mut consumer: consumer::PullConsumer = stream
            .create_consumer(consumer::pull::Config {
                filter_subject: self.config.filter(pattern),
                deliver_policy: consumer::DeliverPolicy::All,
                ack_policy: consumer::AckPolicy::None,
                inactive_threshold: REPLAY_INACTIVE_THRESHOLD,
                ..Default::default()
            })
            .await
            .map_err(BusError::new)?;
        let mut pending = consumer.info().await.map_err(BusError::new)?.num_pending;
        let mut events = Vec::new();
        while pending > 0 {
            let mut batch = consumer
                .fetch()
                .max_messages(usize::try_from(pending).unwrap_or(usize::MAX).min(REPLAY_BATCH))
                .expires(REPLAY_FETCH_WAIT)
                .messages()
                .await
                .map_err(BusError::new)?;
            let mut fetched = 0;
            while let Some(message) = batch.next().await {
                let message = message.map_err(BusError::new)?;
                fetched += 1;
                match inbound(&self.config, &message, 1) {
                    Ok(event) => events.push(event),
                    Err(reason) => {
                        tracing::warn!(subject = message.subject.as_str(), %reason, "replay skipped an unreadable event")
                    }
                }
            }
            if fetched == 0 {
                break;
            }
            pending = pending.saturating_sub(fetched);
        }
        let name = consumer.cached_info().name.clone();
        if let Err(error) = stream.delete_consumer(&name).await {
            tracing::debug!(%error, "replay consumer left to expire");
        }
        Ok(events)
    }
}

impl Publisher for NatsBus {
    /// Publishes and waits for JetStream's acknowledgement.
    async fn publish(&self, event: &OutboundEvent) -> Result<PublishReceipt, BusError> {
        let mut headers = HeaderMap::new();
        for (name, value) in event.headers() {
            let value: HeaderValue =
                value.parse().map_err(|error| BusError(format!("header {name} of event {}: {error}", event.id)))?;
            headers.insert(name, value);
        }
        let ack = self
            .jetstream
            .publish_with_headers(event.subject(&self.config.subject_root), headers, event.payload.clone().into())
            .await
            .map_err(BusError::new)?
            .await
            .map_err(BusError::new)?;
        Ok(PublishReceipt { duplicate: ack.duplicate })
    }
}

async fn run_consumer<H: EventHandler>(
    name: &str,
    config: &EventsConfig,
    consumer: &consumer::PullConsumer,
    handler: &H,
) -> Result<(), BusError> {
    let mut messages = consumer.stream().max_messages_per_batch(PULL_BATCH).messages().await.map_err(BusError::new)?;
    while let Some(message) = messages.next().await {
        let message = message.map_err(BusError::new)?;
        let delivered = message.info().map(|info| info.delivered).unwrap_or(1);
        let parsed = inbound(config, &message, u32::try_from(delivered).unwrap_or(u32::MAX));
        let ack = match parsed {
            Ok(event) => {
                match with_progress(deliver(name, config, handler, &event), config.progress_interval(), || async {
                    if let Err(error) = message.ack_with(AckKind::Progress).await {
                        tracing::warn!(consumer = name, %error, "in-progress acknowledgement not sent");
                    }
                })
                .await
                {
                    Outcome::Ack => AckKind::Ack,
                    Outcome::RetryAfter(delay) => AckKind::Nak(Some(delay)),
                    Outcome::Terminate => AckKind::Term,
                }
            }
            Err(reason) => {
                unreadable(name, message.subject.as_str(), &reason);
                AckKind::Term
            }
        };
        // A lost acknowledgement means a redelivery, which the inbox makes harmless.
        if let Err(error) = message.ack_with(ack).await {
            tracing::warn!(consumer = name, %error, "acknowledgement not sent; the event will be redelivered");
        }
    }
    Ok(())
}

/// Reads a JetStream message as an event.
fn inbound(config: &EventsConfig, message: &jetstream::Message, delivery: u32) -> Result<InboundEvent, String> {
    let headers = message.headers.clone().unwrap_or_default();
    let header = |name: &str| headers.get(name).map(|value| value.as_str().to_owned());
    InboundEvent::parse(&config.subject_root, message.subject.as_str(), header, message.payload.to_vec(), delivery)
}

/// A NATS URL fit for an error message: any user and password are left out.
fn without_credentials(url: &str) -> String {
    match url.split_once("://").and_then(|(scheme, rest)| rest.rsplit_once('@').map(|(_, host)| (scheme, host))) {
        Some((scheme, host)) => format!("{scheme}://{host}"),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::without_credentials;

    #[test]
    fn credentials_stay_out_of_error_messages() {
        assert_eq!(without_credentials("nats://user:secret@broker:4222"), "nats://broker:4222");
        assert_eq!(without_credentials("nats://127.0.0.1:4222"), "nats://127.0.0.1:4222");
    }
}
