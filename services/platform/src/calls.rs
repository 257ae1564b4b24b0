//! Calls from one service to another over gRPC, as the calling service's own identity
//! (`service:<name>`, role `service`): a token minted with the shared HS256 secret, or the one the
//! identity provider issued (`SERVICE_TOKEN`). The peer's address comes from the settings, or is set
//! once the all-in-one knows where it listens.

use std::sync::{Arc, RwLock};

use tonic::Code;
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

    /// Whether the peer's address is known (set in the settings, or by the all-in-one).
    pub fn is_configured(&self) -> bool {
        self.url.read().is_ok_and(|url| url.is_some())
    }

    /// What a failed call to the peer means for this service's own caller: see [`peer_error`].
    pub fn error(&self, status: tonic::Status) -> Error {
        peer_error(self.name, status)
    }
}

/// A failed call to peer `name`, as this service answers its own caller. A refusal
/// (INVALID_ARGUMENT, NOT_FOUND, PERMISSION_DENIED, FAILED_PRECONDITION, ...) is passed on as it
/// came: same code, message and details. Only a peer out of reach (a transport failure, which
/// tonic reports as UNKNOWN or UNAVAILABLE, or DEADLINE_EXCEEDED) is UNAVAILABLE, saying to try
/// again. UNAUTHENTICATED means the peer refused this service's own identity, which the caller can
/// do nothing about: it is INTERNAL, logged with the peer's words.
pub fn peer_error(name: &str, status: tonic::Status) -> Error {
    match status.code() {
        Code::Unknown | Code::Unavailable | Code::DeadlineExceeded => Error::Unavailable(format!(
            "the {name} service could not be reached ({}); try again in a moment",
            status.message()
        )),
        Code::Unauthenticated => {
            Error::internal(format!("the {name} service refused this service's identity: {}", status.message()))
        }
        _ => Error::Refused(Box::new(status)),
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

#[cfg(test)]
mod tests {
    use tonic::Status;
    use tonic_types::{ErrorDetails, StatusExt};

    use super::*;

    #[test]
    fn a_refusal_is_passed_on_with_its_code_message_and_details() {
        let details = ErrorDetails::with_precondition_failure_violation("EVIDENCE", "PL", "cover too low");
        let refused = Status::with_error_details(Code::FailedPrecondition, "the evidence falls short", details);
        let passed: Status = peer_error("compliance", refused).into();
        assert_eq!(passed.code(), Code::FailedPrecondition);
        assert_eq!(passed.message(), "the evidence falls short");
        let violations = passed.get_details_precondition_failure().expect("details kept").violations;
        assert_eq!((violations[0].subject.as_str(), violations[0].description.as_str()), ("PL", "cover too low"));
        for code in [Code::InvalidArgument, Code::NotFound, Code::PermissionDenied, Code::ResourceExhausted] {
            let passed: Status = peer_error("tendering", Status::new(code, "no")).into();
            assert_eq!((passed.code(), passed.message()), (code, "no"));
        }
    }

    #[test]
    fn only_a_peer_out_of_reach_is_unavailable() {
        for code in [Code::Unknown, Code::Unavailable, Code::DeadlineExceeded] {
            let passed: Status = peer_error("evaluation", Status::new(code, "tcp connect error")).into();
            assert_eq!(passed.code(), Code::Unavailable, "{code:?}");
            assert!(passed.message().contains("the evaluation service could not be reached"), "{}", passed.message());
        }
        let refused_identity: Status = peer_error("evaluation", Status::unauthenticated("bad token")).into();
        assert_eq!(refused_identity.code(), Code::Internal, "the caller's own token was fine");
    }
}
