//! Signed checkpoints of the audit chain's head. The chain alone cannot tell an intact log from
//! one rewritten (every later hash recomputed) or cut back (the head moved down): both are
//! self-consistent. A checkpoint, signed with a key the database does not hold and published
//! outside it, vouches that row `seq` had `hash`; [`check`] finds any row that no longer does.

use chrono::{DateTime, Utc};
use proto::commissioning::events::v1::AuditCheckpoint;
use ring::signature::{ED25519, Ed25519KeyPair, KeyPair, UnparsedPublicKey};
use sea_orm::{ConnectionTrait, EntityTrait};
use sha2::{Digest, Sha256};

use super::{AuditBreak, VerifyError, log};

/// What each signature covers first, so a checkpoint's signature means nothing elsewhere.
const CONTEXT: &str = "commissioning-audit-checkpoint-v1";

/// The key file made in `DATA_DIR` when `AUDIT_SIGNING_KEY_FILE` is unset.
pub const GENERATED_KEY_FILE: &str = "audit-signing-key.pem";

/// The service's audit key: signs checkpoints, and names its public half by a key id.
pub struct AuditSigner {
    pair: Ed25519KeyPair,
    public: AuditPublicKey,
}

/// The public half, which is all a verifier needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditPublicKey {
    bytes: Vec<u8>,
    /// The first 16 hex characters of the SHA-256 of the raw key.
    pub key_id: String,
}

impl AuditSigner {
    /// From a PKCS#8 Ed25519 key, as DER or PEM ("PRIVATE KEY").
    pub fn from_pkcs8(bytes: &[u8]) -> Result<Self, String> {
        let der = crate::keys::pkcs8_der(bytes);
        let pair = Ed25519KeyPair::from_pkcs8_maybe_unchecked(&der)
            .map_err(|error| format!("not a PKCS#8 Ed25519 key: {error}"))?;
        let public = AuditPublicKey::from_raw(pair.public_key().as_ref());
        Ok(Self { pair, public })
    }

    /// The key named by `AUDIT_SIGNING_KEY_FILE`; unset, one made once and kept in `DATA_DIR`
    /// (outside the database, but better kept on another machine: set the file in production).
    pub fn from_settings(settings: &crate::config::Settings) -> anyhow::Result<Self> {
        let (bytes, origin) = match &settings.audit_signing_key_file {
            Some(path) => {
                let bytes = std::fs::read(path).map_err(|error| {
                    anyhow::anyhow!("AUDIT_SIGNING_KEY_FILE: cannot read {}: {error}", path.display())
                })?;
                (bytes, format!("AUDIT_SIGNING_KEY_FILE ({})", path.display()))
            }
            None => {
                let pem = crate::runtime::dev_secret_file(&settings.data_dir, GENERATED_KEY_FILE, || {
                    Self::generate_pem().map_err(anyhow::Error::msg)
                })?;
                (pem.into_bytes(), format!("{}/{GENERATED_KEY_FILE}", settings.data_dir.display()))
            }
        };
        Self::from_pkcs8(&bytes).map_err(|problem| anyhow::anyhow!("{origin}: {problem}"))
    }

    /// A new key, as PEM, for a service that has none yet.
    pub fn generate_pem() -> Result<String, String> {
        let document = Ed25519KeyPair::generate_pkcs8(&ring::rand::SystemRandom::new())
            .map_err(|error| format!("cannot generate an Ed25519 key: {error}"))?;
        Ok(crate::keys::pkcs8_pem(document.as_ref()))
    }

    pub fn public_key(&self) -> &AuditPublicKey {
        &self.public
    }

    /// A checkpoint saying row `seq` of `service`'s log has `hash`, signed now.
    pub fn sign(&self, service: &str, seq: i64, hash: &str, at: DateTime<Utc>) -> AuditCheckpoint {
        let message = signed_message(service, seq, hash, at.timestamp_micros());
        AuditCheckpoint {
            service: service.to_owned(),
            seq,
            hash: hash.to_owned(),
            signed_at: Some(crate::time::to_timestamp(at)),
            key_id: self.public.key_id.clone(),
            signature: self.pair.sign(&message).as_ref().to_vec(),
        }
    }
}

impl AuditPublicKey {
    fn from_raw(bytes: &[u8]) -> Self {
        Self { bytes: bytes.to_vec(), key_id: hex::encode(&Sha256::digest(bytes)[..8]) }
    }

    /// Whether `checkpoint` was signed with this key, unaltered.
    pub fn signed(&self, checkpoint: &AuditCheckpoint) -> bool {
        let Some(at) = checkpoint.signed_at.as_ref().and_then(crate::time::from_timestamp) else { return false };
        let message = signed_message(&checkpoint.service, checkpoint.seq, &checkpoint.hash, at.timestamp_micros());
        checkpoint.key_id == self.key_id
            && UnparsedPublicKey::new(&ED25519, &self.bytes).verify(&message, &checkpoint.signature).is_ok()
    }
}

fn signed_message(service: &str, seq: i64, hash: &str, micros: i64) -> Vec<u8> {
    serde_json::json!([CONTEXT, service, seq, hash, micros]).to_string().into_bytes()
}

/// What checking a log against its checkpoints found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CheckpointReport {
    /// Checkpoints whose row still has the signed hash.
    pub matched: usize,
    /// Checkpoints not signed with the key, or of another service: ignored, and worth a look.
    pub unsigned: usize,
}

/// Checks `service`'s log, already verified as a chain of `rows` rows, against `checkpoints`:
/// each correctly signed one must name a row that is still there with the same hash. Returns the
/// first break, the earliest checkpoint's row, when one does not.
pub async fn check<C: ConnectionTrait>(
    db: &C,
    service: &str,
    rows: i64,
    checkpoints: &[AuditCheckpoint],
    key: &AuditPublicKey,
) -> Result<CheckpointReport, VerifyError> {
    let mut report = CheckpointReport::default();
    let mut vouched: Vec<_> =
        checkpoints.iter().filter(|checkpoint| checkpoint.service == service && key.signed(checkpoint)).collect();
    report.unsigned = checkpoints.iter().filter(|checkpoint| checkpoint.service == service).count() - vouched.len();
    vouched.sort_by_key(|checkpoint| checkpoint.seq);
    for checkpoint in vouched {
        let signed_at = checkpoint
            .signed_at
            .as_ref()
            .and_then(crate::time::from_timestamp)
            .map(|at| at.to_rfc3339())
            .unwrap_or_default();
        if checkpoint.seq > rows {
            return Err(AuditBreak {
                seq: rows + 1,
                problem: format!(
                    "the log ends at row {rows}, but a checkpoint signed at {signed_at} vouches for row {} \
                     (rows removed and the head moved back)",
                    checkpoint.seq
                ),
            }
            .into());
        }
        let row = log::Entity::find_by_id(checkpoint.seq).one(db).await?;
        if row.is_none_or(|row| row.hash != checkpoint.hash) {
            return Err(AuditBreak {
                seq: checkpoint.seq,
                problem: format!(
                    "its hash differs from the checkpoint signed at {signed_at} (the log was rewritten up to here)"
                ),
            }
            .into());
        }
        report.matched += 1;
    }
    Ok(report)
}
