//! Calling the services as the person signed in: a token signed for them, a few minutes long, on
//! each request; and what a refusal means for the page.

use platform::auth::Claims;
use platform::config::Settings;
use proto::commissioning::compliance::v1::compliance_service_client::ComplianceServiceClient;
use proto::commissioning::evaluation::v1::evaluation_service_client::EvaluationServiceClient;
use proto::commissioning::providers::v1::providers_service_client::ProvidersServiceClient;
use proto::commissioning::tendering::v1::tendering_service_client::TenderingServiceClient;
use tonic::transport::{Channel, Endpoint};
use tonic_types::StatusExt;

use crate::PortalState;
use crate::pages::PageError;
use crate::sessions::Person;
use crate::signing::TOKEN_LIFETIME_SECS;

/// Where each service is called: all at one address (the all-in-one, or a gRPC router in front
/// of the services), or each at its own when the services run apart.
pub struct Channels {
    providers: Channel,
    compliance: Channel,
    tendering: Channel,
    evaluation: Channel,
}

impl Channels {
    /// Each service at its own URL setting, or at `default` (`PORTAL_GRPC_URL`) without one.
    pub fn new(settings: &Settings, default: &str) -> anyhow::Result<Self> {
        let timeout = std::time::Duration::from_secs(settings.grpc_request_timeout_secs);
        let channel = |own: &Option<String>, setting: &str| -> anyhow::Result<Channel> {
            let (url, named) = match own.as_deref() {
                Some(url) => (url, setting),
                None => (default, "PORTAL_GRPC_URL"),
            };
            if url.is_empty() {
                anyhow::bail!("{setting}: set the http://host:port of the service, or PORTAL_GRPC_URL for all of them");
            }
            Ok(Endpoint::from_shared(url.to_owned())
                .map_err(|error| anyhow::anyhow!("{named} {url:?}: {error}"))?
                .timeout(timeout)
                .connect_lazy())
        };
        Ok(Self {
            providers: channel(&settings.providers_url, "PROVIDERS_URL")?,
            compliance: channel(&settings.compliance_url, "COMPLIANCE_URL")?,
            tendering: channel(&settings.tendering_url, "TENDERING_URL")?,
            evaluation: channel(&settings.evaluation_url, "EVALUATION_URL")?,
        })
    }
}

impl PortalState {
    pub fn providers(&self) -> ProvidersServiceClient<Channel> {
        ProvidersServiceClient::new(self.0.channels.providers.clone())
    }

    pub fn compliance(&self) -> ComplianceServiceClient<Channel> {
        ComplianceServiceClient::new(self.0.channels.compliance.clone())
    }

    pub fn tendering(&self) -> TenderingServiceClient<Channel> {
        TenderingServiceClient::new(self.0.channels.tendering.clone())
    }

    pub fn evaluation(&self) -> EvaluationServiceClient<Channel> {
        EvaluationServiceClient::new(self.0.channels.evaluation.clone())
    }

    /// `message` as a request from `person`, with their token.
    pub fn as_person<T>(&self, person: &Person, message: T) -> Result<tonic::Request<T>, PageError> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: person.user_id.clone(),
            org: person.organisation_id.clone(),
            org_name: Some(person.organisation_name.clone()),
            roles: person.roles.clone(),
            iss: self.0.issuer.clone(),
            aud: self.0.audience.clone(),
            exp: now + TOKEN_LIFETIME_SECS,
            iat: now,
        };
        let token = self.0.signer.sign(&claims).map_err(PageError::Internal)?;
        let mut request = tonic::Request::new(message);
        let value =
            format!("Bearer {token}").parse().map_err(|error| PageError::Internal(anyhow::anyhow!("{error}")))?;
        request.metadata_mut().insert("authorization", value);
        Ok(request)
    }
}

/// The field violations of an INVALID_ARGUMENT refusal: (field path, what is wrong).
pub fn field_violations(status: &tonic::Status) -> Vec<(String, String)> {
    status
        .get_details_bad_request()
        .map(|bad| bad.field_violations.into_iter().map(|violation| (violation.field, violation.description)).collect())
        .unwrap_or_default()
}

impl From<tonic::Status> for PageError {
    /// A refusal the page does not handle itself.
    fn from(status: tonic::Status) -> Self {
        use tonic::Code;
        match status.code() {
            Code::Unauthenticated => Self::SignInNeeded,
            Code::PermissionDenied => Self::Forbidden,
            Code::NotFound => Self::NotFound,
            Code::Unavailable | Code::DeadlineExceeded | Code::ResourceExhausted | Code::Aborted => {
                tracing::warn!(code = ?status.code(), message = status.message(), "a service did not answer the portal");
                Self::Unavailable
            }
            _ => Self::Internal(anyhow::anyhow!("{:?}: {}", status.code(), status.message())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn each_service_needs_its_own_url_or_the_shared_one() {
        let mut settings = Settings::defaults(0);
        assert!(Channels::new(&settings, "http://127.0.0.1:50051").is_ok(), "one address for all");
        settings.providers_url = Some("http://providers:50051".into());
        let refused = Channels::new(&settings, "").err().map(|error| error.to_string()).unwrap_or_default();
        assert!(refused.starts_with("COMPLIANCE_URL:"), "{refused}");
        settings.compliance_url = Some("http://compliance:50051".into());
        settings.tendering_url = Some("http://tendering:50051".into());
        settings.evaluation_url = Some("not a url".into());
        let refused = Channels::new(&settings, "").err().map(|error| error.to_string()).unwrap_or_default();
        assert!(refused.starts_with("EVALUATION_URL \"not a url\""), "{refused}");
    }
}
