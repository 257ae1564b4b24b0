//! What the tendering service hears: providers' public profiles (a contract's supplier details)
//! and completed evaluations (which bids may be awarded).

use platform::db::Database;
use platform::events::{EventHandler, HandlerError, InboundEvent, inbox};
use proto::commissioning::events::v1::{EvaluationCompleted, ProviderRegistered, ProviderUpdated};

use crate::store::{evaluations, known_providers};

/// Durable consumer name of the provider directory.
pub const PROVIDER_DIRECTORY: &str = "tendering-provider-directory";

/// Durable consumer name of the evaluation results.
pub const EVALUATION_RESULTS: &str = "tendering-evaluation-results";

/// Keeps providers' public profiles.
pub struct ProviderDirectory {
    pub db: Database,
}

impl EventHandler for ProviderDirectory {
    async fn handle(&self, event: &InboundEvent) -> Result<(), HandlerError> {
        let profile = match event.event_type.as_str() {
            "providers.provider_registered" => event.decode::<ProviderRegistered>()?.provider,
            "providers.provider_updated" => event.decode::<ProviderUpdated>()?.provider,
            _ => return Ok(()),
        };
        let Some(profile) = profile.filter(|profile| !profile.provider_id.is_empty()) else {
            return Err(HandlerError::Reject(format!("{} without a provider", event.event_type)));
        };
        inbox::apply_once(&self.db, PROVIDER_DIRECTORY, event, |txn| {
            Box::pin(async move {
                known_providers::record(txn, &profile).await.map_err(|error| HandlerError::Retry(error.to_string()))
            })
        })
        .await?;
        Ok(())
    }
}

/// Keeps each tender's completed evaluation.
pub struct EvaluationResults {
    pub db: Database,
}

impl EventHandler for EvaluationResults {
    async fn handle(&self, event: &InboundEvent) -> Result<(), HandlerError> {
        if event.event_type != "evaluation.completed" {
            return Ok(());
        }
        let completed: EvaluationCompleted = event.decode()?;
        if completed.tender_id.is_empty() {
            return Err(HandlerError::Reject("evaluation.completed without a tender".into()));
        }
        inbox::apply_once(&self.db, EVALUATION_RESULTS, event, |txn| {
            Box::pin(async move {
                evaluations::record(txn, &completed).await.map_err(|error| HandlerError::Retry(error.to_string()))
            })
        })
        .await?;
        Ok(())
    }
}
