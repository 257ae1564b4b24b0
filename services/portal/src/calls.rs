//! Calling the services as the person signed in: a token signed for them, a few minutes long, on
//! each request; and what a refusal means for the page.

use platform::auth::Claims;
use proto::commissioning::compliance::v1::compliance_service_client::ComplianceServiceClient;
use proto::commissioning::evaluation::v1::evaluation_service_client::EvaluationServiceClient;
use proto::commissioning::providers::v1::providers_service_client::ProvidersServiceClient;
use proto::commissioning::tendering::v1::tendering_service_client::TenderingServiceClient;
use tonic::transport::Channel;
use tonic_types::StatusExt;

use crate::PortalState;
use crate::pages::PageError;
use crate::sessions::Person;
use crate::signing::TOKEN_LIFETIME_SECS;

impl PortalState {
    pub fn providers(&self) -> ProvidersServiceClient<Channel> {
        ProvidersServiceClient::new(self.0.channel.clone())
    }

    pub fn compliance(&self) -> ComplianceServiceClient<Channel> {
        ComplianceServiceClient::new(self.0.channel.clone())
    }

    pub fn tendering(&self) -> TenderingServiceClient<Channel> {
        TenderingServiceClient::new(self.0.channel.clone())
    }

    pub fn evaluation(&self) -> EvaluationServiceClient<Channel> {
        EvaluationServiceClient::new(self.0.channel.clone())
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
