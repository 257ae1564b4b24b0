//! The short-lived tokens the portal calls the services with, on behalf of the person signed in.
//! In production they are ES256, signed with the portal's own P-256 key, whose public half the
//! services fetch from `/.well-known/jwks.json` (their `AUTH_JWKS_URL`). In development (the
//! embedded default) they are HS256 with the development secret, as `marketplace token` mints.

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use platform::auth::Claims;
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
use sha2::{Digest, Sha256};

/// How long a service token lives: long enough for one page's calls.
pub const TOKEN_LIFETIME_SECS: i64 = 300;

/// Signs the services' tokens.
pub enum TokenSigner {
    /// HS256 with the development secret; the development sign-in page is offered.
    Development { secret: Vec<u8> },
    /// ES256 with the portal's key.
    Production { key: EncodingKey, key_id: String, public_jwk: serde_json::Value },
}

impl TokenSigner {
    pub fn development(secret: &str) -> Self {
        Self::Development { secret: secret.as_bytes().to_vec() }
    }

    /// Reads a PKCS#8 (DER, or PEM with a "PRIVATE KEY" block) ECDSA P-256 key.
    pub fn from_key_file(path: &Path) -> anyhow::Result<Self> {
        let bytes = std::fs::read(path)
            .map_err(|error| anyhow::anyhow!("PORTAL_SIGNING_KEY_FILE: cannot read {}: {error}", path.display()))?;
        let der = platform::keys::pkcs8_der(&bytes);
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &der, &ring::rand::SystemRandom::new())
            .map_err(|_| {
            anyhow::anyhow!("PORTAL_SIGNING_KEY_FILE: {} is not a PKCS#8 ECDSA P-256 key", path.display())
        })?;
        // An uncompressed point: 0x04, then x and y of 32 bytes each.
        let point = pair.public_key().as_ref();
        let (x, y) = point[1..].split_at(32);
        let key_id = URL_SAFE_NO_PAD.encode(&Sha256::digest(point)[..12]);
        let public_jwk = serde_json::json!({
            "kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig", "kid": key_id,
            "x": URL_SAFE_NO_PAD.encode(x), "y": URL_SAFE_NO_PAD.encode(y),
        });
        Ok(Self::Production { key: EncodingKey::from_ec_der(&der), key_id, public_jwk })
    }

    /// Whether this is development signing, where the development sign-in page is allowed.
    pub fn is_development(&self) -> bool {
        matches!(self, Self::Development { .. })
    }

    pub fn sign(&self, claims: &Claims) -> anyhow::Result<String> {
        let token = match self {
            Self::Development { secret } => platform::auth::mint_hs256(secret, claims)?,
            Self::Production { key, key_id, .. } => {
                let header = Header { kid: Some(key_id.clone()), ..Header::new(Algorithm::ES256) };
                jsonwebtoken::encode(&header, claims, key)?
            }
        };
        Ok(token)
    }

    /// The JWKS of the public keys; empty in development.
    pub fn jwks(&self) -> serde_json::Value {
        let keys = match self {
            Self::Development { .. } => Vec::new(),
            Self::Production { public_jwk, .. } => vec![public_jwk.clone()],
        };
        serde_json::json!({ "keys": keys })
    }
}
