//! Production sign-in: OpenID Connect's authorization code flow with PKCE, state and nonce against
//! the identity provider of `PORTAL_OIDC_ISSUER_URL`, the `openidconnect` crate discovering it and
//! checking its ID tokens (signature against its published keys, issuer, audience, expiry, nonce).
//! The portal keeps nothing of the provider's tokens: it learns who the person is, then calls the
//! services with tokens it signs itself.

pub mod pending;

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use anyhow::Context;
use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreErrorResponseType, CoreGenderClaim, CoreJsonWebKey,
    CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm, CoreRevocableToken, CoreRevocationErrorResponse,
    CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AdditionalClaims, AuthorizationCode, Client, ClientId, ClientSecret, CsrfToken, EmptyExtraTokenFields,
    EndSessionUrl, EndpointMaybeSet, EndpointNotSet, EndpointSet, IdTokenFields, IssuerUrl, LogoutRequest, Nonce,
    PkceCodeChallenge, PkceCodeVerifier, PostLogoutRedirectUrl, ProviderMetadataWithLogout, RedirectUrl,
    RequestTokenError, Scope, StandardErrorResponse, StandardTokenResponse, TokenResponse,
};
use platform::auth::Role;
use platform::config::Settings;
use serde::{Deserialize, Serialize};

/// How long the provider's metadata and keys are trusted before they are fetched again (providers
/// rotate their keys).
const REFRESH: Duration = Duration::from_secs(600);

/// The ID token's claims beyond the standard ones, of which the portal reads the roles claim.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct OtherClaims {
    #[serde(flatten)]
    claims: HashMap<String, serde_json::Value>,
}

impl AdditionalClaims for OtherClaims {}

type TokenFields = IdTokenFields<
    OtherClaims,
    EmptyExtraTokenFields,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;

/// A client of a discovered provider: authorization endpoint set, token and userinfo endpoints
/// as the provider says.
type ProviderClient = Client<
    OtherClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    StandardTokenResponse<TokenFields, CoreTokenType>,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

struct Discovered {
    client: ProviderClient,
    end_session: Option<EndSessionUrl>,
    at: Instant,
}

/// The identity provider the portal signs people in through.
pub struct Oidc {
    issuer: IssuerUrl,
    client_id: ClientId,
    client_secret: ClientSecret,
    redirect: RedirectUrl,
    after_sign_out: PostLogoutRedirectUrl,
    scopes: Vec<Scope>,
    roles_claim: String,
    /// (email domain, council id), from `PORTAL_COUNCIL_DOMAINS`.
    council_domains: Vec<(String, String)>,
    http: reqwest::Client,
    discovered: RwLock<Arc<Discovered>>,
}

/// Who the identity provider says signed in, its ID token checked.
#[derive(Debug, Clone)]
pub struct Identity {
    pub subject: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub email_verified: bool,
    /// The values of the roles claim.
    pub roles: Vec<String>,
}

/// Why a sign-in could not be finished.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// The provider could not be reached, or answered with a server error.
    #[error("the identity provider did not answer: {0}")]
    Unreachable(String),
    /// The provider refused the code (used already, expired, or not this client's).
    #[error("the identity provider refused the code: {0}")]
    Refused(String),
    /// The ID token failed a check: signature, issuer, audience, expiry or nonce.
    #[error("the ID token is not to be trusted: {0}")]
    Untrusted(String),
}

/// A member of a council's staff, as the identity provider's claims make them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staff {
    pub council_id: String,
    pub roles: Vec<Role>,
}

/// Why someone with council roles is not let in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotStaff {
    /// No verified email address to tell their council by.
    Unverified,
    /// Their email's domain is no council's in `PORTAL_COUNCIL_DOMAINS`.
    UnknownCouncil,
}

impl Oidc {
    /// The provider of the settings, discovered; `None` when `PORTAL_OIDC_ISSUER_URL` is unset.
    pub async fn from_settings(settings: &Settings, councils: &[(String, String)]) -> anyhow::Result<Option<Self>> {
        let Some(issuer) = &settings.portal_oidc_issuer_url else { return Ok(None) };
        let issuer = IssuerUrl::new(issuer.trim_end_matches('/').to_owned())
            .map_err(|error| anyhow::anyhow!("PORTAL_OIDC_ISSUER_URL {issuer:?}: {error}"))?;
        let client_id = settings
            .portal_oidc_client_id
            .clone()
            .context("PORTAL_OIDC_CLIENT_ID: set the portal's client id at the identity provider")?;
        let client_secret = match (&settings.portal_oidc_client_secret, &settings.portal_oidc_client_secret_file) {
            (Some(secret), _) => secret.clone(),
            (None, Some(path)) => std::fs::read_to_string(path)
                .map_err(|error| {
                    anyhow::anyhow!("PORTAL_OIDC_CLIENT_SECRET_FILE: cannot read {}: {error}", path.display())
                })?
                .trim()
                .to_owned(),
            (None, None) => anyhow::bail!(
                "PORTAL_OIDC_CLIENT_SECRET: set the portal's client secret at the identity provider \
                 (or PORTAL_OIDC_CLIENT_SECRET_FILE, a file holding it)"
            ),
        };
        let public_url = settings.portal_public_url.as_deref().context(
            "PORTAL_PUBLIC_URL: set the portal's address as people reach it (https://marketplace.example.org); \
             the identity provider sends them back to <it>/sign-in/callback",
        )?;
        let public_url = public_url.trim_end_matches('/');
        let redirect = RedirectUrl::new(format!("{public_url}/sign-in/callback"))
            .map_err(|error| anyhow::anyhow!("PORTAL_PUBLIC_URL {public_url:?}: {error}"))?;
        let after_sign_out = PostLogoutRedirectUrl::new(format!("{public_url}/"))
            .map_err(|error| anyhow::anyhow!("PORTAL_PUBLIC_URL {public_url:?}: {error}"))?;
        let council_domains = council_domains(&settings.portal_council_domains, councils)?;
        let scopes = settings
            .portal_oidc_scopes
            .split_whitespace()
            .filter(|scope| *scope != "openid")
            .map(|scope| Scope::new(scope.to_owned()))
            .collect();
        // No redirects: the provider's endpoints are taken as discovered (as openidconnect advises,
        // against request forgery).
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(settings.grpc_request_timeout_secs))
            .build()?;
        let client_id = ClientId::new(client_id);
        let discovered = discover(&http, &issuer, &client_id, &client_secret, &redirect)
            .await
            .map_err(|error| anyhow::anyhow!("PORTAL_OIDC_ISSUER_URL {}: {error:#}", issuer.as_str()))?;
        Ok(Some(Self {
            issuer,
            client_id,
            client_secret: ClientSecret::new(client_secret),
            redirect,
            after_sign_out,
            scopes,
            roles_claim: settings.portal_oidc_roles_claim.clone(),
            council_domains,
            http,
            discovered: RwLock::new(Arc::new(discovered)),
        }))
    }

    /// The provider's client, discovered again when its keys may have changed; a failed
    /// discovery keeps what was known.
    async fn current(&self) -> Arc<Discovered> {
        let known = match self.discovered.read() {
            Ok(held) => held.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        };
        if known.at.elapsed() < REFRESH {
            return known;
        }
        let secret = self.client_secret.secret();
        match discover(&self.http, &self.issuer, &self.client_id, secret, &self.redirect).await {
            Ok(fresh) => {
                let fresh = Arc::new(fresh);
                match self.discovered.write() {
                    Ok(mut held) => *held = fresh.clone(),
                    Err(poisoned) => *poisoned.into_inner() = fresh.clone(),
                }
                fresh
            }
            Err(error) => {
                tracing::warn!(error = %format!("{error:#}"), "identity provider discovery failed; keeping what was known");
                known
            }
        }
    }

    /// Where to send the person to sign in, and what to keep until they come back (`state`
    /// and the [`pending::Pending`]).
    pub async fn begin(&self) -> (openidconnect::url::Url, String, pending::Pending) {
        let discovered = self.current().await;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = discovered.client.authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        );
        for scope in &self.scopes {
            request = request.add_scope(scope.clone());
        }
        let (url, state, nonce) = request.set_pkce_challenge(challenge).url();
        let pending = pending::Pending { nonce: nonce.secret().clone(), pkce_verifier: verifier.secret().clone() };
        (url, state.secret().clone(), pending)
    }

    /// Exchanges the code of a sign-in for its ID token, and checks it.
    pub async fn finish(&self, code: String, pending: pending::Pending) -> Result<Identity, Failure> {
        let discovered = self.current().await;
        let client = &discovered.client;
        let request = client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|error| Failure::Unreachable(format!("no token endpoint: {error}")))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier));
        let response = request.request_async(&self.http).await.map_err(|error| match error {
            RequestTokenError::ServerResponse(response) => Failure::Refused(response.to_string()),
            RequestTokenError::Request(error) => Failure::Unreachable(error.to_string()),
            RequestTokenError::Parse(error, _) => Failure::Untrusted(format!("token response: {error}")),
            RequestTokenError::Other(error) => Failure::Unreachable(error),
        })?;
        let id_token = response.id_token().ok_or_else(|| Failure::Untrusted("no ID token was returned".into()))?;
        let claims = id_token
            .claims(&client.id_token_verifier(), &Nonce::new(pending.nonce))
            .map_err(|error| Failure::Untrusted(error.to_string()))?;
        let roles = match claims.additional_claims().claims.get(&self.roles_claim) {
            Some(serde_json::Value::Array(values)) => {
                values.iter().filter_map(|value| value.as_str()).map(str::to_owned).collect()
            }
            Some(serde_json::Value::String(values)) => {
                values.split([' ', ',']).filter(|value| !value.is_empty()).map(str::to_owned).collect()
            }
            _ => Vec::new(),
        };
        Ok(Identity {
            subject: claims.subject().to_string(),
            name: claims.name().and_then(|name| name.get(None)).map(|name| name.to_string()),
            email: claims.email().map(|email| email.to_string()),
            email_verified: claims.email_verified() == Some(true),
            roles,
        })
    }

    /// A member of a council's staff: `None` for someone with no council role (a charity's
    /// volunteer, found through the providers service instead).
    pub fn staff(&self, identity: &Identity) -> Result<Option<Staff>, NotStaff> {
        let mut roles = Vec::new();
        for value in &identity.roles {
            let role = match value.to_lowercase().as_str() {
                "officer" => Role::Officer,
                "evaluator" => Role::Evaluator,
                "integrator" => Role::Integrator,
                // Anything else the provider knows the person by is not a marketplace role.
                _ => continue,
            };
            if !roles.contains(&role) {
                roles.push(role);
            }
        }
        if roles.is_empty() {
            return Ok(None);
        }
        let Some(email) = identity.email.as_deref().filter(|_| identity.email_verified) else {
            return Err(NotStaff::Unverified);
        };
        let domain = email.rsplit_once('@').map(|(_, domain)| domain.to_lowercase()).unwrap_or_default();
        let council = self.council_domains.iter().find(|(known, _)| *known == domain);
        let Some((_, council_id)) = council else { return Err(NotStaff::UnknownCouncil) };
        Ok(Some(Staff { council_id: council_id.clone(), roles }))
    }

    /// Where to send someone signing out so that they are signed out of the provider too, when it
    /// says how (`end_session_endpoint`).
    pub async fn end_session_url(&self) -> Option<openidconnect::url::Url> {
        let discovered = self.current().await;
        let endpoint = discovered.end_session.clone()?;
        Some(
            LogoutRequest::from(endpoint)
                .set_client_id(self.client_id.clone())
                .set_post_logout_redirect_uri(self.after_sign_out.clone())
                .http_get_url(),
        )
    }
}

async fn discover(
    http: &reqwest::Client,
    issuer: &IssuerUrl,
    client_id: &ClientId,
    client_secret: &str,
    redirect: &RedirectUrl,
) -> anyhow::Result<Discovered> {
    let metadata = ProviderMetadataWithLogout::discover_async(issuer.clone(), http)
        .await
        .context("discovery (/.well-known/openid-configuration and its keys)")?;
    let end_session = metadata.additional_metadata().end_session_endpoint.clone();
    let client = ProviderClient::from_provider_metadata(
        metadata,
        client_id.clone(),
        Some(ClientSecret::new(client_secret.to_owned())),
    )
    .set_redirect_uri(redirect.clone());
    Ok(Discovered { client, end_session, at: Instant::now() })
}

/// `PORTAL_COUNCIL_DOMAINS` read as (domain, council id) pairs, each council one of
/// `PORTAL_COUNCILS`.
fn council_domains(setting: &str, councils: &[(String, String)]) -> anyhow::Result<Vec<(String, String)>> {
    setting
        .split(',')
        .map(str::trim)
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let Some((domain, council)) = pair.split_once('=') else {
                anyhow::bail!("PORTAL_COUNCIL_DOMAINS: {pair:?} is not domain=council, like lambeth.gov.uk=lambeth")
            };
            let (domain, council) = (domain.trim().to_lowercase(), council.trim());
            if domain.is_empty() || !councils.iter().any(|(id, _)| id == council) {
                anyhow::bail!(
                    "PORTAL_COUNCIL_DOMAINS: {pair:?} names no council of PORTAL_COUNCILS; give domain=council-id"
                );
            }
            Ok((domain, council.to_owned()))
        })
        .collect()
}
