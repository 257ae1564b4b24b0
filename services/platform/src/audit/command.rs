//! `audit verify`, for operators: walks each service's chain and checks it against the signed
//! checkpoints read back from the event bus, printing one line per service and naming the first
//! bad row. It reads only: no migration, no consumer disturbed.

use prost::Message;
use proto::commissioning::events::v1::AuditCheckpoint;

use super::VerifyError;
use super::checkpoint::{self, AuditPublicKey, AuditSigner, CheckpointReport};
use super::watch::CHECKPOINT_EVENT;
use crate::config::Settings;
use crate::db::Database;
use crate::events::EventBus;

/// Verifies the audit logs of `services` on `settings`' databases and bus; prints what it found
/// and says whether every log is intact.
pub async fn verify_services(settings: &Settings, services: &[&str]) -> anyhow::Result<bool> {
    let key = AuditSigner::from_settings(settings)?.public_key().clone();
    let bus = crate::runtime::connect_bus(settings).await?;
    let mut intact = true;
    for service in services {
        let url = settings.database_url_for(service);
        let db = Database::connect(&url, 1)
            .await
            .map_err(|error| anyhow::anyhow!("cannot open the {service} database (DATABASE_URL): {error}"))?;
        match verify_service(service, &db, &bus, &key).await {
            Ok((rows, report)) => {
                println!(
                    "{service}: the audit log is intact: {rows} rows, {} signed checkpoints matched",
                    report.matched
                );
                if report.unsigned > 0 {
                    println!(
                        "{service}: {} checkpoints were not signed with this key (key id {}) and were ignored",
                        report.unsigned, key.key_id
                    );
                }
            }
            Err(VerifyError::Broken(broken)) => {
                intact = false;
                println!("{service}: the audit log is damaged: row {}: {}", broken.seq, broken.problem);
            }
            Err(error) => anyhow::bail!("{service}: {error}"),
        }
    }
    Ok(intact)
}

/// Checks one service's chain, then the checkpoints published for it.
pub async fn verify_service(
    service: &str,
    db: &Database,
    bus: &EventBus,
    key: &AuditPublicKey,
) -> Result<(i64, CheckpointReport), VerifyError> {
    let head = super::verify_chain(db.conn()).await?;
    let checkpoints = published_checkpoints(bus, service).await?;
    let report = checkpoint::check(db.conn(), service, head.rows, &checkpoints, key).await?;
    Ok((head.rows, report))
}

/// The checkpoints on the bus for `service`; one that does not decode is skipped (and so counts
/// for nothing).
async fn published_checkpoints(bus: &EventBus, service: &str) -> Result<Vec<AuditCheckpoint>, VerifyError> {
    let events = bus
        .replay(&format!("platform.{service}.{CHECKPOINT_EVENT}"))
        .await
        .map_err(|error| VerifyError::CheckpointsUnreadable(error.to_string()))?;
    Ok(events.iter().filter_map(|event| AuditCheckpoint::decode(event.payload.as_slice()).ok()).collect())
}
