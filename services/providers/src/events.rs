//! The events the providers service publishes, all through the outbox. Profile and service events
//! belong to no council (tenant `platform`); a tender match goes to the tender's council.

use platform::Error;
use proto::commissioning::events::v1::{
    ProviderProfile, ProviderRegistered, ProviderUpdated, ServiceChangeKind, ServiceChanged, TenderMatched,
};
use proto::commissioning::providers::v1::{Provider, Service};
use sea_orm::ConnectionTrait;

use platform::events::outbox::enqueue;

/// Tenant of events that belong to no one council.
pub const PLATFORM: &str = "platform";

/// The public part of a profile, as events carry it (no members, no personal contact details).
pub fn public_profile(provider: &Provider) -> ProviderProfile {
    ProviderProfile {
        provider_id: provider.id.clone(),
        legal_name: provider.legal_name.clone(),
        trading_name: provider.trading_name.clone(),
        legal_form: provider.legal_form,
        identifiers: provider.identifiers.clone(),
        registered_address: provider.registered_address.clone(),
        contact_email: provider.contact_email.clone(),
        website: provider.website.clone(),
        size_class: provider.size_class,
        vcse: provider.vcse,
        paid_staff_count: provider.paid_staff_count,
        volunteer_count: provider.volunteer_count,
    }
}

pub async fn registered<C: ConnectionTrait>(txn: &C, provider: &Provider, user_id: &str) -> Result<(), Error> {
    let event = ProviderRegistered { provider: Some(public_profile(provider)), registered_by_user_id: user_id.into() };
    enqueue(txn, "providers.provider_registered", PLATFORM, &provider.id, &event).await.map(|_| ())
}

pub async fn updated<C: ConnectionTrait>(txn: &C, provider: &Provider, changed: Vec<String>) -> Result<(), Error> {
    let event = ProviderUpdated { provider: Some(public_profile(provider)), changed_fields: changed };
    enqueue(txn, "providers.provider_updated", PLATFORM, &provider.id, &event).await.map(|_| ())
}

pub async fn service_changed<C: ConnectionTrait>(
    txn: &C,
    change: ServiceChangeKind,
    service: &Service,
    changed: Vec<String>,
) -> Result<(), Error> {
    let event = ServiceChanged { change: change as i32, service: Some(service.clone()), changed_fields: changed };
    // Keyed by provider, so one provider's service changes arrive in order.
    enqueue(txn, "providers.service_changed", PLATFORM, &service.provider_id, &event).await.map(|_| ())
}

pub async fn tender_matched<C: ConnectionTrait>(txn: &C, matched: &TenderMatched) -> Result<(), Error> {
    enqueue(txn, "providers.tender_matched", &matched.council_id, &matched.tender_id, matched).await.map(|_| ())
}
