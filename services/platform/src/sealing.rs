//! Envelope encryption of what must stay sealed at rest: tendering's bids, and the opened bids the
//! evaluation service keeps.
//!
//! Each sealed thing (a tender's bids, an evaluation) has its own random AES-256-GCM *data key*;
//! the contents are sealed under it. The data key is stored only *wrapped*: encrypted under the
//! *master key* (`BIDS_MASTER_KEY`, from configuration, never in the database), with the owner's id
//! (the tender's, the evaluation's) as associated data so a wrapped key cannot be moved to another.
//!
//! Why a key per owner: deleting a wrapped data key makes everything sealed under it unreadable at
//! once, even in backups (crypto-shredding: a cancelled tender's bids are destroyed unread). One key
//! per owner also limits what a single leaked data key exposes.
//!
//! Every ciphertext is `nonce (12) || ciphertext || tag (16)` with a fresh random nonce. The
//! caller binds sealed bytes to their place with associated data (e.g. `"<tender_id>/<bid_id>/<version>"`),
//! so ciphertexts cannot be swapped between places. `ring` is the only crypto provider.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};

use crate::config::Settings;

/// Where the embedded default keeps its master key, in the data folder.
pub const DEV_MASTER_KEY_FILE: &str = "bids-master.key";

/// Length of an AES-256 key in bytes.
const KEY_LEN: usize = 32;
/// Length of an AES-GCM tag in bytes.
const TAG_LEN: usize = 16;

/// Errors; messages never contain key material or plaintext.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    /// The configured master key is unusable; the message says why.
    #[error("{0}")]
    BadMasterKey(String),
    /// Sealed data (or a wrapped key) failed authentication.
    #[error("sealed data failed authentication: tampered, truncated, or the wrong key or associated data")]
    Tampered,
    /// The system random number generator failed.
    #[error("the system random number generator failed")]
    Random,
}

/// The master key that wraps every data key.
pub struct MasterKey {
    key: LessSafeKey,
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(..)")
    }
}

impl MasterKey {
    /// The 32-byte key given base64-encoded (standard alphabet, padding optional) in BIDS_MASTER_KEY.
    pub fn from_base64(encoded: &str) -> Result<Self, SealError> {
        const EXPECTED: &str = "BIDS_MASTER_KEY: expected 32 bytes, base64-encoded (standard alphabet)";
        let lenient = GeneralPurpose::new(
            &base64::alphabet::STANDARD,
            GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
        );
        // The decoder's own error would quote the offending byte, so it is not passed on.
        let bytes = lenient
            .decode(encoded.trim())
            .map_err(|_| SealError::BadMasterKey(format!("{EXPECTED}; the value is not valid base64")))?;
        if bytes.len() != KEY_LEN {
            return Err(SealError::BadMasterKey(format!("{EXPECTED}; got {} bytes", bytes.len())));
        }
        Ok(Self { key: aes_key(&bytes)? })
    }

    /// The master key of `BIDS_MASTER_KEY`: required with PostgreSQL; on the embedded default, when
    /// unset, a key made once and kept in the data folder (shared by the services of the all-in-one).
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Arc<Self>> {
        let encoded = match &settings.bids_master_key {
            Some(key) => key.clone(),
            None if settings.database_url.as_deref().is_some_and(|url| url.starts_with("postgres")) => {
                anyhow::bail!("BIDS_MASTER_KEY: required with PostgreSQL (32 random bytes, base64-encoded)")
            }
            None => crate::runtime::dev_secret_file(&settings.data_dir, DEV_MASTER_KEY_FILE, || {
                Self::generate_base64().map_err(anyhow::Error::from)
            })?,
        };
        Ok(Arc::new(Self::from_base64(&encoded)?))
    }

    /// A fresh random 32-byte master key, base64-encoded (for `marketplace` dev set-up and tests).
    pub fn generate_base64() -> Result<String, SealError> {
        Ok(STANDARD.encode(random::<KEY_LEN>()?))
    }

    /// A new random data key for `owner_id` (a tender, an evaluation), and that key wrapped
    /// (encrypted) under the master key with the owner's id as associated data.
    pub fn new_data_key(&self, owner_id: &str) -> Result<(DataKey, Vec<u8>), SealError> {
        let raw = random::<KEY_LEN>()?;
        let wrapped = seal_with(&self.key, &raw, owner_id.as_bytes())?;
        Ok((DataKey { key: aes_key(&raw)? }, wrapped))
    }

    /// Unwraps a data key wrapped for `owner_id`; Tampered if the bytes or the owner's id do not match.
    pub fn unwrap_data_key(&self, owner_id: &str, wrapped: &[u8]) -> Result<DataKey, SealError> {
        let raw = open_with(&self.key, wrapped, owner_id.as_bytes())?;
        if raw.len() != KEY_LEN {
            return Err(SealError::Tampered);
        }
        Ok(DataKey { key: aes_key(&raw)? })
    }
}

/// One owner's data key (a tender's, which seals its bids; an evaluation's).
pub struct DataKey {
    key: LessSafeKey,
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(..)")
    }
}

impl DataKey {
    /// Encrypts with a fresh random 96-bit nonce; output is nonce || ciphertext || tag. `aad` binds the ciphertext to its bid (the caller passes e.g. "<tender_id>/<bid_id>/<version>").
    pub fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Result<Vec<u8>, SealError> {
        seal_with(&self.key, plaintext, aad)
    }

    /// Decrypts what `seal` wrote with the same aad; Tampered on any mismatch or truncation.
    pub fn open(&self, sealed: &[u8], aad: &[u8]) -> Result<Vec<u8>, SealError> {
        open_with(&self.key, sealed, aad)
    }
}

/// `N` bytes from the system's secure random number generator.
pub fn random<const N: usize>() -> Result<[u8; N], SealError> {
    let mut bytes = [0u8; N];
    SystemRandom::new().fill(&mut bytes).map_err(|_| SealError::Random)?;
    Ok(bytes)
}

/// An AES-256-GCM key from 32 raw bytes.
fn aes_key(raw: &[u8]) -> Result<LessSafeKey, SealError> {
    // Callers have already checked the length, so ring's length check cannot fail here.
    let unbound = UnboundKey::new(&AES_256_GCM, raw)
        .map_err(|_| SealError::BadMasterKey(format!("expected a {KEY_LEN}-byte key")))?;
    Ok(LessSafeKey::new(unbound))
}

/// Seals `plaintext` as nonce || ciphertext || tag under `key`.
fn seal_with(key: &LessSafeKey, plaintext: &[u8], aad: &[u8]) -> Result<Vec<u8>, SealError> {
    let nonce = random::<NONCE_LEN>()?;
    let mut out = Vec::with_capacity(NONCE_LEN + plaintext.len() + TAG_LEN);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(plaintext);
    // ring refuses only inputs beyond GCM's limit (about 64 GiB), which no gRPC message reaches.
    let tag = key
        .seal_in_place_separate_tag(Nonce::assume_unique_for_key(nonce), Aad::from(aad), &mut out[NONCE_LEN..])
        .map_err(|_| SealError::Tampered)?;
    out.extend_from_slice(tag.as_ref());
    Ok(out)
}

/// Opens nonce || ciphertext || tag under `key`; Tampered on any failure, never a panic.
fn open_with(key: &LessSafeKey, sealed: &[u8], aad: &[u8]) -> Result<Vec<u8>, SealError> {
    let (nonce, ciphertext) = sealed.split_at_checked(NONCE_LEN).ok_or(SealError::Tampered)?;
    let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| SealError::Tampered)?;
    let mut buffer = ciphertext.to_vec();
    let len = key.open_in_place(nonce, Aad::from(aad), &mut buffer).map_err(|_| SealError::Tampered)?.len();
    buffer.truncate(len);
    Ok(buffer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn master() -> MasterKey {
        MasterKey::from_base64(&MasterKey::generate_base64().expect("random works")).expect("generated key is valid")
    }

    fn data_key() -> DataKey {
        master().new_data_key("tender-1").expect("random works").0
    }

    const AAD: &[u8] = b"tender-1/bid-1/1";

    #[test]
    fn seal_then_open_returns_the_plaintext() {
        let key = data_key();
        let sealed = key.seal(b"price 1200 pence", AAD).expect("seal");
        assert_eq!(sealed.len(), NONCE_LEN + 16 + TAG_LEN);
        assert_eq!(key.open(&sealed, AAD).expect("open"), b"price 1200 pence");
        let empty = key.seal(b"", AAD).expect("seal empty");
        assert_eq!(key.open(&empty, AAD).expect("open empty"), b"");
    }

    #[test]
    fn sealing_twice_gives_different_ciphertexts() {
        let key = data_key();
        let a = key.seal(b"same bid", AAD).expect("seal");
        let b = key.seal(b"same bid", AAD).expect("seal");
        assert_ne!(a, b);
        assert_ne!(a[..NONCE_LEN], b[..NONCE_LEN]);
    }

    #[test]
    fn opening_with_another_aad_is_tampered() {
        let key = data_key();
        let sealed = key.seal(b"bid", AAD).expect("seal");
        let result = key.open(&sealed, b"tender-1/bid-1/2");
        assert!(matches!(result, Err(SealError::Tampered)), "{result:?}");
    }

    #[test]
    fn a_flipped_byte_is_tampered() {
        let key = data_key();
        let sealed = key.seal(b"bid contents", AAD).expect("seal");
        for index in [0, NONCE_LEN, sealed.len() - 1] {
            let mut bad = sealed.clone();
            bad[index] ^= 0x01;
            assert!(matches!(key.open(&bad, AAD), Err(SealError::Tampered)), "byte {index}");
        }
    }

    #[test]
    fn truncated_input_is_tampered_without_panicking() {
        let key = data_key();
        let sealed = key.seal(b"bid contents", AAD).expect("seal");
        for len in [0, 1, NONCE_LEN - 1, NONCE_LEN, NONCE_LEN + TAG_LEN - 1, sealed.len() - 1] {
            assert!(matches!(key.open(&sealed[..len], AAD), Err(SealError::Tampered)), "length {len}");
        }
    }

    #[test]
    fn a_wrapped_key_does_not_unwrap_for_another_tender() {
        let master = master();
        let (key, wrapped) = master.new_data_key("tender-1").expect("new key");
        assert_eq!(wrapped.len(), NONCE_LEN + KEY_LEN + TAG_LEN);
        let unwrapped = master.unwrap_data_key("tender-1", &wrapped).expect("same tender unwraps");
        let sealed = key.seal(b"bid", AAD).expect("seal");
        assert_eq!(unwrapped.open(&sealed, AAD).expect("unwrapped key opens"), b"bid");
        let other = master.unwrap_data_key("tender-2", &wrapped);
        assert!(matches!(other, Err(SealError::Tampered)), "{other:?}");
    }

    #[test]
    fn another_master_key_cannot_unwrap() {
        let (_, wrapped) = master().new_data_key("tender-1").expect("new key");
        let result = master().unwrap_data_key("tender-1", &wrapped);
        assert!(matches!(result, Err(SealError::Tampered)), "{result:?}");
    }

    #[test]
    fn from_base64_accepts_32_bytes_with_or_without_padding() {
        let encoded = MasterKey::generate_base64().expect("random works");
        assert!(encoded.ends_with('='));
        MasterKey::from_base64(&encoded).expect("padded");
        MasterKey::from_base64(encoded.trim_end_matches('=')).expect("unpadded");
        assert_eq!(format!("{:?}", MasterKey::from_base64(&encoded).expect("padded")), "MasterKey(..)");
        assert_eq!(format!("{:?}", data_key()), "DataKey(..)");
    }

    #[test]
    fn the_embedded_default_keeps_one_key_and_postgres_needs_one_set() {
        let folder = tempfile::tempdir().expect("a folder");
        let mut settings = Settings::defaults(0);
        settings.data_dir = folder.path().to_path_buf();
        let key = MasterKey::from_settings(&settings).expect("made");
        let (_, wrapped) = key.new_data_key("tender-1").expect("new key");
        let again = MasterKey::from_settings(&settings).expect("read back");
        again.unwrap_data_key("tender-1", &wrapped).expect("the same key, kept in the data folder");
        settings.database_url = Some("postgres://db/marketplace_evaluation".into());
        let refused = MasterKey::from_settings(&settings).expect_err("required with PostgreSQL");
        assert!(refused.to_string().starts_with("BIDS_MASTER_KEY: required with PostgreSQL"), "{refused}");
        settings.bids_master_key = Some(STANDARD.encode([7u8; 31]));
        let short = MasterKey::from_settings(&settings).expect_err("31 bytes");
        assert!(short.to_string().contains("got 31 bytes"), "{short}");
    }

    #[test]
    fn from_base64_refuses_31_bytes_and_non_base64() {
        for bad in [STANDARD.encode([7u8; 31]), "not base64 at all!".to_owned(), String::new()] {
            match MasterKey::from_base64(&bad) {
                Err(SealError::BadMasterKey(message)) => {
                    assert!(message.contains("BIDS_MASTER_KEY: expected 32 bytes, base64-encoded"), "{message}")
                }
                other => panic!("{bad:?} gave {other:?}"),
            }
        }
    }
}
