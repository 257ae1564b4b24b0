//! What the compliance service hears: from tendering, which providers bid to which council (at the
//! opening, consortium partners included) and which hold its contracts (partners too), so that
//! council's officers may see their lockers; from
//! providers, how many paid staff each has, so that employer's liability is asked only of employers.

use platform::db::Database;
use platform::events::{EventHandler, HandlerError, InboundEvent, inbox};
use proto::commissioning::events::v1::{
    ContractAwarded, ContractRegistered, ProviderProfile, ProviderRegistered, ProviderUpdated, TenderClosed,
};

use crate::store::{access, staff};

/// Durable consumer name of the access tracker.
pub const ACCESS_TRACKER: &str = "compliance-council-access";

/// Durable consumer name of the staff tracker.
pub const STAFF_TRACKER: &str = "compliance-provider-staff";

/// Records providers' paid staff numbers from their profile events.
pub struct StaffTracker {
    pub db: Database,
}

impl EventHandler for StaffTracker {
    async fn handle(&self, event: &InboundEvent) -> Result<(), HandlerError> {
        let profile: Option<ProviderProfile> = match event.event_type.as_str() {
            "providers.provider_registered" => event.decode::<ProviderRegistered>()?.provider,
            "providers.provider_updated" => event.decode::<ProviderUpdated>()?.provider,
            // Services and matches say nothing about staff.
            _ => return Ok(()),
        };
        let Some(profile) = profile.filter(|profile| !profile.provider_id.is_empty()) else {
            return Err(HandlerError::Reject(format!("{} without a provider", event.event_type)));
        };
        inbox::apply_once(&self.db, STAFF_TRACKER, event, |txn| {
            Box::pin(async move {
                staff::record(txn, &profile.provider_id, profile.paid_staff_count)
                    .await
                    .map_err(|error| HandlerError::Retry(error.to_string()))
            })
        })
        .await?;
        Ok(())
    }
}

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
                let bidders = entries.into_iter().flat_map(|entry| {
                    std::iter::once(entry.provider_id)
                        .chain(entry.partners.into_iter().map(|partner| partner.provider_id))
                });
                bidders
                    .map(|provider| {
                        (closed.council_id.clone(), provider, format!("bid to tender {}", closed.tender_id))
                    })
                    .collect()
            }
            "tendering.contract_awarded" => {
                let awarded: ContractAwarded = event.decode()?;
                contract_grants(&awarded.council_id, awarded.contract.as_ref())
            }
            "tendering.contract_registered" => {
                let registered: ContractRegistered = event.decode()?;
                contract_grants(&registered.council_id, registered.contract.as_ref())
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

/// The contract's supplier and each consortium partner.
fn contract_grants(
    council_id: &str,
    contract: Option<&proto::commissioning::tendering::v1::Contract>,
) -> Vec<(String, String, String)> {
    let Some(contract) = contract else { return Vec::new() };
    contract
        .supplier
        .iter()
        .chain(&contract.partners)
        .map(|supplier| (council_id.to_owned(), supplier.provider_id.clone(), format!("contract {}", contract.id)))
        .collect()
}
