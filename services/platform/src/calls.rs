//! Calls from one service to another over gRPC, as the calling service's own identity
//! (`service:<name>`, role `service`): a token minted with the shared HS256 secret, or the one the
//! identity provider issued (`SERVICE_TOKEN`). The peer's address comes from the settings, or is set
//! once the all-in-one knows where it listens.

use std::sync::{Arc, RwLock};

use tonic::transport::{Channel, Endpoint};

use crate::Error;
use crate::auth::{Claims, Role, mint_hs256};
use crate::config::Settings;

/// How long a minted service token lives; a fresh one is minted for every call.
const TOKEN_LIFETIME_SECS: i64 = 300;

/// Another service this one calls.
#[derive(Clone)]
pub struct Peer {
    /// The peer's name, for messages: "compliance".
    name: &'static str,
    url: Arc<RwLock<Option<String>>>,
    identity: Arc<ServiceIdentity>,
}

impl Peer {
    pub fn new(name: &'static str, url: Option<String>, identity: Arc<ServiceIdentity>) -> Self {
        Self { name, url: Arc::new(RwLock::new(url)), identity }
    }

    /// Points the peer at `url` (`http://host:port`).
    pub fn set_url(&self, url: String) {
        if let Ok(mut current) = self.url.write() {
            *current = Some(url);
        }
    }

    /// A channel to the peer (connected on first use) and the bearer value to send.
    pub fn connect(&self) -> Result<(Channel, String), Error> {
        let url = self.url.read().ok().and_then(|url| url.clone()).ok_or_else(|| {
            Error::Unavailable(format!("the {} service's address is not configured; try again later", self.name))
        })?;
        let endpoint = Endpoint::from_shared(url.clone())
            .map_err(|error| Error::internal(format!("{} URL {url:?}: {error}", self.name)))?;
        Ok((endpoint.connect_lazy(), format!("Bearer {}", self.identity.token()?)))
    }

    /// A request carrying this service's identity.
    pub fn request<T>(&self, message: T, bearer: &str) -> Result<tonic::Request<T>, Error> {
        let mut request = tonic::Request::new(message);
        let value = bearer.parse().map_err(|_| Error::internal("the service token is not a header value"))?;
        request.metadata_mut().insert("authorization", value);
        crate::telemetry::inject_traceparent(request.metadata_mut());
        Ok(request)
    }

    /// UNAVAILABLE for a peer that could not be reached, with what to do.
    pub fn unavailable(&self, status: &tonic::Status) -> Error {
        Error::Unavailable(format!("the {} service could not be reached ({}); try again", self.name, status.message()))
    }
}

/// Who this service is when it calls others.
pub struct ServiceIdentity {
    subject: String,
    secret: Option<String>,
    issued: Option<String>,
    issuer: String,
    audience: String,
}

impl ServiceIdentity {
    pub fn from_settings(service: &str, settings: &Settings) -> Self {
        Self {
            subject: format!("service:{service}"),
            secret: settings.auth_hs256_secret.clone(),
            issued: settings.service_token.clone(),
            issuer: settings.auth_issuer.clone(),
            audience: settings.auth_audience.clone(),
        }
    }

    fn token(&self) -> Result<String, Error> {
        if let Some(token) = &self.issued {
            return Ok(token.clone());
        }
        let Some(secret) = &self.secret else {
            return Err(Error::internal("SERVICE_TOKEN: required to call other services without AUTH_HS256_SECRET"));
        };
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: self.subject.clone(),
            org: "platform".into(),
            org_name: None,
            roles: vec![Role::Service],
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            exp: now + TOKEN_LIFETIME_SECS,
            iat: now,
        };
        mint_hs256(secret.as_bytes(), &claims)
    }
}
