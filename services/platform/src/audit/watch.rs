//! The scheduled self-check of a service's audit log, every `AUDIT_CHECK_INTERVAL_SECS`: it walks
//! the chain and checks it still holds the last checkpoint it signed; when the chain has grown it
//! signs a new checkpoint and publishes it on the event bus (and in the log). A break is logged as
//! an error and published as `<service>.audit_chain_broken`, once per distinct break; the service
//! keeps taking calls, since refusing bids would not mend the log.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use prost::Message;
use proto::commissioning::events::v1::{AuditChainBroken, AuditCheckpoint};

use super::checkpoint::{self, AuditSigner};
use super::{AuditBreak, VerifyError};
use crate::db::Database;
use crate::events::{EventBus, OutboundEvent, Publisher};

/// The event types, after the service's name.
pub const CHECKPOINT_EVENT: &str = "audit_checkpoint";
pub const BROKEN_EVENT: &str = "audit_chain_broken";
/// The counter of breaks found, once per distinct break, labelled with the service.
pub const BREAKS_METRIC: &str = "audit_chain_breaks_total";

/// One service's self-check.
pub struct AuditWatch {
    pub service: &'static str,
    pub db: Database,
    pub bus: EventBus,
    pub signer: Arc<AuditSigner>,
}

/// What the last round left for the next.
#[derive(Default)]
struct Memory {
    last_checkpoint: Option<AuditCheckpoint>,
    reported: Option<AuditBreak>,
}

impl AuditWatch {
    /// Runs a round now and then every `interval`, until the task is aborted.
    pub fn spawn(self, interval: Duration) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let mut memory = Memory::default();
            let mut ticks = tokio::time::interval(interval);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                self.round(&mut memory).await;
            }
        })
    }

    async fn round(&self, memory: &mut Memory) {
        match self.check(memory.last_checkpoint.as_slice()).await {
            Ok(head) => {
                memory.reported = None;
                let covered = memory.last_checkpoint.as_ref().map_or(0, |checkpoint| checkpoint.seq);
                if head.rows > covered {
                    let checkpoint = self.signer.sign(self.service, head.rows, &head.hash, Utc::now());
                    if self.publish(CHECKPOINT_EVENT, &checkpoint).await {
                        tracing::info!(
                            service = self.service,
                            audit.seq = checkpoint.seq,
                            audit.hash = %checkpoint.hash,
                            audit.key_id = %checkpoint.key_id,
                            audit.signature = %hex::encode(&checkpoint.signature),
                            "audit checkpoint signed and published"
                        );
                        memory.last_checkpoint = Some(checkpoint);
                    }
                }
            }
            Err(VerifyError::Broken(broken)) => {
                if memory.reported.as_ref() == Some(&broken) {
                    return;
                }
                metrics::counter!(BREAKS_METRIC, "service" => self.service).increment(1);
                tracing::error!(
                    service = self.service,
                    audit.first_bad_seq = broken.seq,
                    problem = %broken.problem,
                    "the audit log is damaged: run `audit verify` and investigate; calls are still taken"
                );
                let alarm = AuditChainBroken {
                    service: self.service.to_owned(),
                    first_bad_seq: broken.seq,
                    problem: broken.problem.clone(),
                    detected_at: Some(crate::time::to_timestamp(Utc::now())),
                };
                if self.publish(BROKEN_EVENT, &alarm).await {
                    memory.reported = Some(broken);
                }
            }
            Err(error) => {
                tracing::warn!(service = self.service, %error, "the audit log could not be read; checking again later");
            }
        }
    }

    async fn check(&self, checkpoints: &[AuditCheckpoint]) -> Result<super::ChainHead, VerifyError> {
        let head = super::verify_chain(self.db.conn()).await?;
        checkpoint::check(self.db.conn(), self.service, head.rows, checkpoints, self.signer.public_key()).await?;
        Ok(head)
    }

    /// Publishes straight to the bus, not through the outbox: the point is to get it out of the
    /// database. Says whether the bus stored it.
    async fn publish(&self, event: &str, payload: &impl Message) -> bool {
        let event = OutboundEvent {
            id: uuid::Uuid::now_v7().to_string(),
            event_type: format!("{}.{event}", self.service),
            tenant: "platform".into(),
            aggregate_id: self.service.into(),
            time: Utc::now(),
            traceparent: None,
            payload: payload.encode_to_vec(),
        };
        match self.bus.publish(&event).await {
            Ok(_) => true,
            Err(error) => {
                tracing::warn!(service = self.service, %error, event = %event.event_type, "not published; retrying next round");
                false
            }
        }
    }
}
