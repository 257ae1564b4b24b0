//! Documents kept as PENDING_SCAN while the scanner was down are scanned again until it answers:
//! a clean file becomes SUBMITTED, an infected one REJECTED with its file deleted. Each move is
//! made on the locked row only if it is still pending, so two replicas never move one twice.

use std::time::Duration;

use chrono::Utc;
use platform::Error;
use platform::audit::{self, AuditEntry};
use platform::db::Database;
use proto::commissioning::compliance::v1::{DocumentStatus, Rejection};

use crate::events;
use crate::files::DocumentFiles;
use crate::scan::{Scanner, Verdict};
use crate::store::documents;

/// How often pending documents are retried.
const RETRY_EVERY: Duration = Duration::from_secs(60);

/// The identity the scanner's decisions are audited under.
const SCANNER_ACTOR: &str = "service:compliance";

/// Retries pending scans every minute, until aborted.
pub fn spawn(db: Database, files: DocumentFiles, scanner: Scanner) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(RETRY_EVERY).await;
            match rescan_pending(&db, &files, &scanner).await {
                Ok(0) => {}
                Ok(decided) => tracing::info!(decided, "pending malware scans decided"),
                Err(error) => tracing::warn!(%error, "pending malware scans failed; will retry"),
            }
        }
    })
}

/// Scans every pending document once; stops at the first scan the scanner cannot answer. Returns
/// how many documents it moved.
pub async fn rescan_pending(db: &Database, files: &DocumentFiles, scanner: &Scanner) -> Result<usize, Error> {
    let mut decided = 0;
    for pending in documents::pending_scan(db.conn()).await? {
        let bytes = files.get(&pending.object_key).await?;
        let found = match scanner.scan(&bytes).await {
            Verdict::Clean => None,
            Verdict::Infected(signature) => Some(signature),
            Verdict::Unavailable(why) => {
                tracing::warn!(%why, "malware scanner still unavailable; documents stay pending");
                return Ok(decided);
            }
        };
        let infected = found.is_some();
        if settle(db, &pending.document.id, found).await? {
            decided += 1;
            if infected {
                files.delete(&pending.object_key).await;
            }
        }
    }
    Ok(decided)
}

/// Moves one pending document by the scan's finding; `false` when it was no longer pending.
async fn settle(db: &Database, id: &str, found: Option<String>) -> Result<bool, Error> {
    let id = id.to_owned();
    db.unit_of_work(|txn| {
        Box::pin(async move {
            let Some(stored) = documents::lock(txn, &id).await? else { return Ok(false) };
            let mut document = stored.document;
            if document.status != DocumentStatus::PendingScan as i32 {
                return Ok(false);
            }
            let now = Utc::now();
            let action = match &found {
                None => {
                    document.status = DocumentStatus::Submitted as i32;
                    "document.scan_passed"
                }
                Some(signature) => {
                    document.status = DocumentStatus::Rejected as i32;
                    document.rejection = Some(Rejection {
                        reject_time: Some(platform::time::to_timestamp(now)),
                        reason: format!("the malware scanner found {signature}; upload a clean copy"),
                        ..Default::default()
                    });
                    "document.scan_failed"
                }
            };
            documents::update(txn, &document, now).await?;
            let entry = AuditEntry {
                actor: SCANNER_ACTOR,
                organisation: "platform",
                action,
                entity_kind: "document",
                entity_id: &document.id,
                details: serde_json::json!({ "provider_id": document.provider_id, "signature": found }),
            };
            audit::record(txn, entry).await?;
            if found.is_some() {
                events::rejected(txn, &document).await?;
            } else {
                events::submitted(txn, &document).await?;
            }
            Ok(true)
        })
    })
    .await
}
