//! Bearer-token authentication. Every call carries a JWT naming the caller, its organisation and
//! its roles (only the calls a service names open, such as reading open data, may come without
//! one); it is verified with `jsonwebtoken` against an HS256 secret (development and the
//! embedded default) or the identity provider's RS256/ES256 keys from a JWKS file or URL. Only
//! the algorithms of the configured keys are accepted; issuer, audience and expiry are checked
//! with a small explicit leeway. The verified [`Caller`] rides in the request's extensions.

use std::collections::HashSet;
use std::future::{Ready, ready};
use std::path::Path;
use std::sync::{Arc, RwLock};
use std::task::{Context, Poll};
use std::time::Duration;

use futures::future::Either;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use tonic::server::NamedService;
use tonic::{Request, Status};
use tower::Service;

use crate::config::{ConfigError, Settings};
use crate::error::Error;

/// How often keys fetched from a JWKS URL are refreshed (identity providers rotate them).
const JWKS_REFRESH: Duration = Duration::from_secs(600);
/// A token signed by a key not yet known asks for a refresh at once, but no more often than this.
const JWKS_MIN_REFRESH: Duration = Duration::from_secs(5);

/// What a caller may be. One token may carry several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A council's procurement officer.
    Officer,
    /// A member of a council's evaluation panel.
    Evaluator,
    /// A member of a provider organisation.
    Provider,
    /// A council's finance-system integration.
    Integrator,
    /// A platform administrator.
    Admin,
    /// Another marketplace service calling internally.
    Service,
}

/// The claims of a marketplace token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The user (or `service:<name>`).
    pub sub: String,
    /// The organisation the user acts for: a council, a provider, or `platform`.
    pub org: String,
    /// The organisation's name as people know it ("Lambeth"), shown where its decisions are
    /// recorded. Optional: the organisation id stands in for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_name: Option<String>,
    pub roles: Vec<Role>,
    pub iss: String,
    pub aud: String,
    /// Expiry, seconds since the epoch.
    pub exp: i64,
    /// Issued at, seconds since the epoch.
    pub iat: i64,
}

/// What is read from a verified token: `iss`, `aud` (a string or a list), `exp` and `nbf` are
/// checked by `jsonwebtoken` before this is decoded.
#[derive(Debug, Deserialize)]
struct IncomingClaims {
    sub: String,
    org: String,
    #[serde(default)]
    org_name: Option<String>,
    #[serde(default)]
    roles: Vec<serde_json::Value>,
}

/// A verified caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub user_id: String,
    pub organisation_id: String,
    /// The token's `org_name`, or the organisation id when it has none.
    pub organisation_name: String,
    pub roles: HashSet<Role>,
}

impl Caller {
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// `Ok` when the caller has any of `roles` (admins always do); PERMISSION_DENIED otherwise.
    pub fn require_any(&self, roles: &[Role]) -> Result<(), Error> {
        if self.has_role(Role::Admin) || roles.iter().any(|role| self.has_role(*role)) {
            return Ok(());
        }
        let wanted = roles.iter().map(|role| format!("{role:?}").to_lowercase()).collect::<Vec<_>>().join(" or ");
        Err(Error::PermissionDenied(format!("this call needs the {wanted} role; ask your administrator for it")))
    }

    /// `Ok` when `given`, the organisation a request names in `field`, is empty or the caller's
    /// own; PERMISSION_DENIED naming the field otherwise, rather than quietly storing the request
    /// as the caller's: a caller acts only for the organisation its token names.
    pub fn require_own_organisation(&self, field: &str, given: &str) -> Result<(), Error> {
        let given = given.trim();
        if given.is_empty() || given == self.organisation_id {
            return Ok(());
        }
        Err(Error::PermissionDenied(format!(
            "{field} names another organisation; you act for {}: leave {field} empty or give your own",
            self.organisation_id
        )))
    }

    /// The verified caller of a request that passed [`Authenticated`]; UNAUTHENTICATED for an open
    /// call made without a token.
    pub fn of<T>(request: &Request<T>) -> Result<&Caller, Error> {
        request
            .extensions()
            .get::<Caller>()
            .ok_or_else(|| Error::Unauthenticated("no verified caller; send a bearer token".into()))
    }
}

/// The keys tokens are checked against.
enum Keys {
    Shared(DecodingKey),
    Published(JwkSet),
}

/// Verifies bearer tokens.
pub struct Authenticator {
    keys: RwLock<Keys>,
    /// Raised when a token names a key id the published keys lack (a rotation, probably).
    unknown_key: Arc<tokio::sync::Notify>,
    algorithms: Vec<Algorithm>,
    issuer: String,
    audience: String,
    leeway: Duration,
}

impl Authenticator {
    /// Accepts HS256 tokens signed with `secret`.
    pub fn hs256(secret: &[u8], issuer: &str, audience: &str, leeway: Duration) -> Self {
        Self::new(Keys::Shared(DecodingKey::from_secret(secret)), vec![Algorithm::HS256], issuer, audience, leeway)
    }

    /// Accepts RS256 and ES256 tokens signed by a key in `jwks`.
    pub fn jwks(jwks: JwkSet, issuer: &str, audience: &str, leeway: Duration) -> Self {
        Self::new(Keys::Published(jwks), vec![Algorithm::RS256, Algorithm::ES256], issuer, audience, leeway)
    }

    fn new(keys: Keys, algorithms: Vec<Algorithm>, issuer: &str, audience: &str, leeway: Duration) -> Self {
        Self {
            keys: RwLock::new(keys),
            unknown_key: Arc::new(tokio::sync::Notify::new()),
            algorithms,
            issuer: issuer.into(),
            audience: audience.into(),
            leeway,
        }
    }

    /// Builds the authenticator the settings describe: a JWKS URL or file if given, else the
    /// HS256 secret. With none, start-up stops naming the variables to set.
    pub async fn from_settings(settings: &Settings) -> Result<Arc<Self>, ConfigError> {
        let leeway = Duration::from_secs(settings.auth_leeway_secs);
        let (issuer, audience) = (&settings.auth_issuer, &settings.auth_audience);
        if let Some(url) = &settings.auth_jwks_url {
            let jwks = fetch_jwks(url).await.map_err(|error| ConfigError(format!("AUTH_JWKS_URL: {error}")))?;
            let authenticator = Arc::new(Self::jwks(jwks, issuer, audience, leeway));
            authenticator.clone().refresh_from(url.clone());
            return Ok(authenticator);
        }
        if let Some(path) = &settings.auth_jwks_path {
            let jwks = read_jwks(path).map_err(|error| ConfigError(format!("AUTH_JWKS_PATH: {error}")))?;
            return Ok(Arc::new(Self::jwks(jwks, issuer, audience, leeway)));
        }
        match &settings.auth_hs256_secret {
            Some(secret) if secret.len() >= 32 => {
                Ok(Arc::new(Self::hs256(secret.as_bytes(), issuer, audience, leeway)))
            }
            Some(_) => Err(ConfigError("AUTH_HS256_SECRET must be at least 32 characters".into())),
            None => Err(ConfigError(
                "no token keys: set AUTH_JWKS_URL or AUTH_JWKS_PATH (production) or AUTH_HS256_SECRET (development)"
                    .into(),
            )),
        }
    }

    /// Keeps the keys of a JWKS URL fresh: every 10 minutes, and soon after a token names a key
    /// id not yet known. A failed refresh keeps the keys already held.
    fn refresh_from(self: Arc<Self>, url: String) {
        let unknown_key = self.unknown_key.clone();
        let authenticator = Arc::downgrade(&self);
        tokio::spawn(async move {
            let mut fetched = tokio::time::Instant::now();
            loop {
                tokio::select! {
                    () = tokio::time::sleep(JWKS_REFRESH) => {}
                    () = unknown_key.notified() => tokio::time::sleep_until(fetched + JWKS_MIN_REFRESH).await,
                }
                let Some(authenticator) = authenticator.upgrade() else { return };
                fetched = tokio::time::Instant::now();
                match fetch_jwks(&url).await {
                    Ok(jwks) => match authenticator.keys.write() {
                        Ok(mut keys) => *keys = Keys::Published(jwks),
                        Err(_) => tracing::error!("token keys lock poisoned"),
                    },
                    Err(error) => tracing::warn!(%error, "JWKS refresh failed; keeping the current keys"),
                }
            }
        });
    }

    /// Checks a token and returns its caller. Every failure is UNAUTHENTICATED.
    pub fn verify(&self, token: &str) -> Result<Caller, Error> {
        let rejected = |why: &str| Error::Unauthenticated(format!("bearer token rejected: {why}; sign in again"));
        let header = jsonwebtoken::decode_header(token).map_err(|_| rejected("malformed or unsupported algorithm"))?;
        if !self.algorithms.contains(&header.alg) {
            return Err(rejected("algorithm not accepted"));
        }
        let mut validation = Validation::new(header.alg);
        validation.algorithms = vec![header.alg];
        validation.leeway = self.leeway.as_secs();
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.validate_nbf = true;
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        let keys = self.keys.read().map_err(|_| Error::internal("token keys lock poisoned"))?;
        let key = match &*keys {
            Keys::Shared(key) => key.clone(),
            Keys::Published(jwks) => {
                let jwk = match &header.kid {
                    Some(kid) => jwks.find(kid),
                    None if jwks.keys.len() == 1 => jwks.keys.first(),
                    None => None,
                };
                let Some(jwk) = jwk else {
                    self.unknown_key.notify_one();
                    return Err(rejected("signed by an unknown key"));
                };
                DecodingKey::from_jwk(jwk).map_err(|_| rejected("signed by an unusable key"))?
            }
        };
        let claims = jsonwebtoken::decode::<IncomingClaims>(token, &key, &validation)
            .map_err(|error| rejected(&error.to_string()))?
            .claims;
        // Identity providers add roles of their own (`offline_access`, say); only ours count.
        let roles = claims.roles.into_iter().filter_map(|role| serde_json::from_value(role).ok()).collect();
        let organisation_name =
            claims.org_name.filter(|name| !name.trim().is_empty()).unwrap_or_else(|| claims.org.clone());
        Ok(Caller { user_id: claims.sub, organisation_id: claims.org, organisation_name, roles })
    }

    /// The caller named by a request's `authorization: Bearer <token>` header: `None` when the
    /// header is missing and `open` (the call needs no token), UNAUTHENTICATED when it is missing
    /// otherwise or when the token is bad. A token that is sent is always checked, open call or not.
    pub fn caller_of(&self, headers: &http::HeaderMap, open: bool) -> Result<Option<Caller>, Error> {
        let Some(header) = headers.get(http::header::AUTHORIZATION) else {
            if open {
                return Ok(None);
            }
            return Err(Error::Unauthenticated("missing bearer token: send `authorization: Bearer <token>`".into()));
        };
        let token = header.to_str().ok().and_then(|value| value.strip_prefix("Bearer ")).ok_or_else(|| {
            Error::Unauthenticated("malformed authorization header: send `authorization: Bearer <token>`".into())
        })?;
        self.verify(token.trim()).map(Some)
    }
}

/// Who may make a call, checked before the service reads the request: a caller the call never
/// serves is refused whatever it sent, so a stranger learns nothing of how to shape a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// Anyone, with or without a token: open data.
    Anyone,
    /// Any caller with a valid token; what it then sees is the call's own rule.
    AnyCaller,
    /// Callers with one of these roles; admins always may.
    Roles(&'static [Role]),
}

/// A service's access rules: each of its methods (by name, "GetTender") and who may call it.
pub type WhoMayCall = &'static [(&'static str, Who)];

/// A gRPC service behind its access rules: each call's verified [`Caller`] is put into its
/// request; a call without a token (unless [`Who::Anyone`] may make it), with a bad one, or from a
/// caller without a role the call serves is refused (UNAUTHENTICATED, PERMISSION_DENIED) before
/// the service sees it. A method with no rule is refused too, so a new call is closed until it
/// says who may make it.
#[derive(Clone)]
pub struct Authenticated<S> {
    inner: S,
    authenticator: Arc<Authenticator>,
    who_may_call: WhoMayCall,
}

impl<S> Authenticated<S> {
    pub fn new(inner: S, authenticator: Arc<Authenticator>, who_may_call: WhoMayCall) -> Self {
        Self { inner, authenticator, who_may_call }
    }

    fn admit(&self, path: &str, headers: &http::HeaderMap) -> Result<Option<Caller>, Error> {
        let method = path.rsplit('/').next().unwrap_or_default();
        let who = self.who_may_call.iter().find(|(name, _)| *name == method).map(|(_, who)| *who);
        let caller = self.authenticator.caller_of(headers, who == Some(Who::Anyone))?;
        match (who, &caller) {
            (None, _) => Err(Error::PermissionDenied(format!("{method} has no access rule; nobody may call it"))),
            (Some(Who::Roles(roles)), Some(caller)) => caller.require_any(roles).map(|()| caller.clone()).map(Some),
            _ => Ok(caller),
        }
    }
}

impl<S, B> Service<http::Request<B>> for Authenticated<S>
where
    S: Service<http::Request<B>, Response = http::Response<tonic::body::Body>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Either<Ready<Result<S::Response, S::Error>>, S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: http::Request<B>) -> Self::Future {
        match self.admit(request.uri().path(), request.headers()) {
            Ok(caller) => {
                if let Some(caller) = caller {
                    request.extensions_mut().insert(caller);
                }
                Either::Right(self.inner.call(request))
            }
            Err(error) => Either::Left(ready(Ok(Status::from(error).into_http()))),
        }
    }
}

impl<S: NamedService> NamedService for Authenticated<S> {
    const NAME: &'static str = S::NAME;
}

/// Signs an HS256 token: development tokens for the embedded default, and tests.
pub fn mint_hs256(secret: &[u8], claims: &Claims) -> Result<String, Error> {
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &EncodingKey::from_secret(secret))
        .map_err(Error::internal)
}

fn read_jwks(path: &Path) -> Result<JwkSet, String> {
    let text = std::fs::read_to_string(path).map_err(|error| format!("cannot read {}: {error}", path.display()))?;
    serde_json::from_str(&text).map_err(|error| format!("{} is not a JWKS: {error}", path.display()))
}

async fn fetch_jwks(url: &str) -> Result<JwkSet, String> {
    let response = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .map_err(|error| error.to_string())?
        .get(url)
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(|error| format!("cannot fetch {url}: {error}"))?;
    response.json().await.map_err(|error| format!("{url} did not return a JWKS: {error}"))
}
