//! What the council's event feed hears: every tendering and evaluation event on a council's
//! subjects, kept as it came.

use std::sync::Arc;

use platform::events::{ConsumerHandle, ConsumerSpec, EventBus, EventHandler, HandlerError, InboundEvent};

use super::{Received, keep};
use crate::PortalState;

/// The durable consumers: name, and the subjects each hears.
const CONSUMERS: [(&str, &str); 2] =
    [("portal-council-tendering", "*.tendering.*"), ("portal-council-evaluation", "*.evaluation.*")];

/// Starts the consumers.
pub async fn start(bus: &EventBus, state: &PortalState) -> anyhow::Result<Vec<ConsumerHandle>> {
    let mut handles = Vec::new();
    for (name, pattern) in CONSUMERS {
        let handler = Arc::new(Keeper { state: state.clone() });
        handles.push(bus.consume(ConsumerSpec { name: name.into(), pattern: pattern.into() }, handler).await?);
    }
    Ok(handles)
}

/// Keeps each event of a council.
struct Keeper {
    state: PortalState,
}

impl EventHandler for Keeper {
    async fn handle(&self, event: &InboundEvent) -> Result<(), HandlerError> {
        // The platform's own events (its audit checkpoints) belong to no council.
        if event.tenant.is_empty() || event.tenant == "platform" {
            return Ok(());
        }
        let received = Received {
            id: &event.id,
            council_id: &event.tenant,
            event_type: &event.event_type,
            subject: &event.aggregate_id,
            nats_subject: &event.subject,
            time: event.time,
            payload: &event.payload,
        };
        Ok(keep(self.state.0.db.conn(), received).await?)
    }
}
