//! What the compliance service hears from tendering: which providers bid to which council (at the
//! opening) and which hold its contracts, so that council's officers may see their lockers.

use platform::db::Database;
use platform::events::{EventHandler, HandlerError, InboundEvent, inbox};
use proto::commissioning::events::v1::{ContractAwarded, ContractRegistered, TenderClosed};

use crate::store::access;

/// Durable consumer name of the access tracker.
pub const ACCESS_TRACKER: &str = "compliance-council-access";

/// Records council access from tendering events.
pub struct AccessTracker {
    pub db: Database,
}

impl EventHandler for AccessTracker {
    async fn handle(&self, event: &InboundEvent) -> Result<(), HandlerError> {
        let grants: Vec<(String, String, String)> = match event.event_type.as_str() {
            "tendering.tender_closed" => {
                let closed: TenderClosed = event.decode()?;
                let entries = closed.opening_record.map(|record| record.entries).unwrap_or_default();
                entries
                    .into_iter()
                    .map(|entry| {
                        (closed.council_id.clone(), entry.provider_id, format!("bid to tender {}", closed.tender_id))
                    })
                    .collect()
            }
            "tendering.contract_awarded" => {
                let awarded: ContractAwarded = event.decode()?;
                contract_grant(&awarded.council_id, awarded.contract.as_ref()).into_iter().collect()
            }
            "tendering.contract_registered" => {
                let registered: ContractRegistered = event.decode()?;
                contract_grant(&registered.council_id, registered.contract.as_ref()).into_iter().collect()
            }
            // Other tendering events say nothing about who may see a locker.
            _ => return Ok(()),
        };
        inbox::apply_once(&self.db, ACCESS_TRACKER, event, |txn| {
            Box::pin(async move {
                for (council, provider, reason) in
                    grants.iter().filter(|(council, provider, _)| !council.is_empty() && !provider.is_empty())
                {
                    access::grant(txn, council, provider, reason)
                        .await
                        .map_err(|error| HandlerError::Retry(error.to_string()))?;
                }
                Ok(())
            })
        })
        .await?;
        Ok(())
    }
}

fn contract_grant(
    council_id: &str,
    contract: Option<&proto::commissioning::tendering::v1::Contract>,
) -> Option<(String, String, String)> {
    let contract = contract?;
    let provider = contract.supplier.as_ref()?.provider_id.clone();
    Some((council_id.to_owned(), provider, format!("contract {}", contract.id)))
}
