//! The gRPC face of the providers service: checks the caller and the request, runs each change as
//! one unit of work (state, audit row and events together) and maps the result back to the
//! contract.

mod masks;

use chrono::Utc;
use platform::audit::{self, AuditEntry};
use platform::auth::Caller;
use platform::db::Database;
use platform::paging::Page;
use platform::{Error, idempotency};
use proto::commissioning::events::v1::ServiceChangeKind;
use proto::commissioning::providers::v1::providers_service_server::ProvidersService;
use proto::commissioning::providers::v1::*;
use sea_orm::{ConnectionTrait, DatabaseTransaction};
use tonic::{Request, Response, Status};

use crate::access::Standing;
use crate::domain::{NewMember, OfferedService, PostcodeDistrict, ProviderProfile};
use crate::store::search::SearchFilter;
use crate::store::services::ServiceFilter;
use crate::store::{evidence, matching, members, profiles, search, services};
use crate::{events, matcher, openreferral};

/// Longest free-text query accepted.
const MAX_QUERY: usize = 200;

/// Serves `ProvidersService`.
pub struct ProvidersApi {
    db: Database,
}

impl ProvidersApi {
    pub fn new(db: Database) -> Self {
        Self { db }
    }

    /// A provider as `standing` may see it: with members and evidence, personal details only
    /// for those who may see them.
    async fn view<C: ConnectionTrait>(&self, db: &C, id: &str, standing: Standing) -> Result<Provider, Error> {
        let mut provider = profiles::find(db, id)
            .await?
            .ok_or_else(|| Error::NotFound { kind: "provider", id: id.to_owned() })?
            .provider;
        provider.evidence = evidence::summaries(db, id, platform::time::london_today()).await?;
        if standing.sees_personal_details() {
            provider.members = members::list(db, id).await?;
        } else {
            without_personal_details(&mut provider);
        }
        Ok(provider)
    }
}

/// Holds `provider_id` for the rest of the transaction and returns it with the caller's standing,
/// so a permission checked here still holds when the change commits.
async fn locked_with_standing(
    txn: &DatabaseTransaction,
    caller: &Caller,
    provider_id: &str,
) -> Result<(profiles::StoredProvider, Standing), Error> {
    let stored = profiles::lock(txn, provider_id).await?;
    let standing = Standing::of(caller, members::role_of(txn, provider_id, &caller.user_id).await?);
    Ok((stored, standing))
}

/// A service the caller may edit, read again once its provider is held, so a concurrent removal
/// is NOT_FOUND rather than a second removal or a failed update.
async fn locked_service(
    txn: &DatabaseTransaction,
    caller: &Caller,
    service_id: &str,
) -> Result<(Service, chrono::DateTime<Utc>), Error> {
    let not_found = || Error::NotFound { kind: "service", id: service_id.to_owned() };
    let (service, _) = services::find(txn, service_id).await?.ok_or_else(not_found)?;
    locked_with_standing(txn, caller, &service.provider_id).await?.1.may_edit()?;
    services::find(txn, service_id).await?.ok_or_else(not_found)
}

/// Public fields only: no members, no safeguarding lead's contact details.
fn without_personal_details(provider: &mut Provider) {
    provider.members.clear();
    if let Some(lead) = &mut provider.safeguarding_lead {
        lead.email.clear();
        lead.phone.clear();
    }
}

fn caller<T>(request: &Request<T>) -> Result<Caller, Status> {
    Ok(Caller::of(request)?.clone())
}

fn required_id(field: &str, value: &str) -> Result<String, Error> {
    let value = value.trim();
    if value.is_empty() {
        return Err(Error::invalid(field, "required"));
    }
    Ok(value.to_owned())
}

/// Records a change in the audit log.
async fn audited(
    txn: &DatabaseTransaction,
    caller: &Caller,
    action: &str,
    kind: &str,
    id: &str,
    details: serde_json::Value,
) -> Result<(), Error> {
    let entry = AuditEntry {
        actor: &caller.user_id,
        organisation: &caller.organisation_id,
        action,
        entity_kind: kind,
        entity_id: id,
        details,
    };
    audit::record(txn, entry).await.map(|_| ())
}

#[tonic::async_trait]
impl ProvidersService for ProvidersApi {
    async fn create_provider(
        &self,
        request: Request<CreateProviderRequest>,
    ) -> Result<Response<CreateProviderResponse>, Status> {
        let caller = caller(&request)?;
        let request = request.into_inner();
        idempotency::check_request_id("request_id", &request.request_id)?;
        let profile = ProviderProfile::parse(&request.provider.unwrap_or_default(), "provider")
            .map_err(Error::InvalidArgument)?;
        let creator = Standing::of(&caller, Some(MemberRole::Admin));
        let provider_id = self
            .db
            .unit_of_work(|txn| {
                Box::pin(async move {
                    let id = uuid::Uuid::new_v4().to_string();
                    let earlier =
                        idempotency::claim(txn, &caller.user_id, "CreateProvider", &request.request_id, &id).await?;
                    if let Some(earlier) = earlier {
                        return Ok::<_, Error>(earlier);
                    }
                    let now = Utc::now();
                    let mut provider = profile.to_proto();
                    provider.id = id;
                    profiles::insert(txn, &provider, now).await?;
                    let first_admin = Member {
                        user_id: caller.user_id.clone(),
                        role: MemberRole::Admin as i32,
                        ..Default::default()
                    };
                    members::add(txn, &provider.id, &first_admin, now).await?;
                    let details = serde_json::json!({ "legal_name": provider.legal_name });
                    audited(txn, &caller, "provider.created", "provider", &provider.id, details).await?;
                    events::registered(txn, &provider, &caller.user_id).await?;
                    Ok(provider.id)
                })
            })
            .await?;
        let provider = self.view(self.db.conn(), &provider_id, creator).await?;
        Ok(Response::new(CreateProviderResponse { provider: Some(provider) }))
    }

    async fn get_provider(
        &self,
        request: Request<GetProviderRequest>,
    ) -> Result<Response<GetProviderResponse>, Status> {
        let caller = caller(&request)?;
        let id = required_id("provider_id", &request.get_ref().provider_id)?;
        let member = members::role_of(self.db.conn(), &id, &caller.user_id).await?;
        let provider = self.view(self.db.conn(), &id, Standing::of(&caller, member)).await?;
        Ok(Response::new(GetProviderResponse { provider: Some(provider) }))
    }

    async fn update_provider(
        &self,
        request: Request<UpdateProviderRequest>,
    ) -> Result<Response<UpdateProviderResponse>, Status> {
        let caller = caller(&request)?;
        let request = request.into_inner();
        let changes = request.provider.unwrap_or_default();
        let id = required_id("provider.id", &changes.id)?;
        let mask = request.update_mask.map(|mask| mask.paths).unwrap_or_default();
        let provider_id = id.clone();
        let standing = self
            .db
            .unit_of_work(|txn| {
                Box::pin(async move {
                    let (stored, standing) = locked_with_standing(txn, &caller, &id).await?;
                    standing.may_edit()?;
                    if !changes.etag.is_empty() && changes.etag != stored.provider.etag {
                        return Err(Error::Aborted(format!(
                            "the provider changed since you read it (etag {} is now {}); read it again and retry",
                            changes.etag, stored.provider.etag
                        )));
                    }
                    let mut merged = stored.provider.clone();
                    let changed = masks::apply_provider_mask(&mut merged, &changes, &mask)?;
                    let mut provider =
                        ProviderProfile::parse(&merged, "provider").map_err(Error::InvalidArgument)?.to_proto();
                    provider.id.clone_from(&id);
                    let unchanged =
                        Provider { create_time: None, update_time: None, etag: String::new(), ..stored.provider };
                    if provider == unchanged {
                        return Ok(standing);
                    }
                    profiles::update(txn, &provider, stored.version, stored.created_at, Utc::now()).await?;
                    audited(
                        txn,
                        &caller,
                        "provider.updated",
                        "provider",
                        &id,
                        serde_json::json!({ "fields": changed }),
                    )
                    .await?;
                    events::updated(txn, &provider, changed).await?;
                    Ok(standing)
                })
            })
            .await?;
        let provider = self.view(self.db.conn(), &provider_id, standing).await?;
        Ok(Response::new(UpdateProviderResponse { provider: Some(provider) }))
    }

    async fn add_member(&self, request: Request<AddMemberRequest>) -> Result<Response<AddMemberResponse>, Status> {
        let caller = caller(&request)?;
        let request = request.into_inner();
        let id = required_id("provider_id", &request.provider_id)?;
        let member = self
            .db
            .unit_of_work(|txn| {
                Box::pin(async move {
                    // Who may call before what they sent.
                    locked_with_standing(txn, &caller, &id).await?.1.may_manage_members()?;
                    let new = NewMember::parse(&request.member.unwrap_or_default(), "member")
                        .map_err(Error::InvalidArgument)?;
                    let member = members::add(txn, &id, &new.to_proto(), Utc::now()).await?;
                    profiles::touch(txn, &id, Utc::now()).await?;
                    let details = serde_json::json!({ "user_id": member.user_id, "role": member.role });
                    audited(txn, &caller, "provider.member_added", "provider", &id, details).await?;
                    Ok::<_, Error>(member)
                })
            })
            .await?;
        Ok(Response::new(AddMemberResponse { member: Some(member) }))
    }

    async fn remove_member(
        &self,
        request: Request<RemoveMemberRequest>,
    ) -> Result<Response<RemoveMemberResponse>, Status> {
        let caller = caller(&request)?;
        let request = request.into_inner();
        let id = required_id("provider_id", &request.provider_id)?;
        let user_id = required_id("user_id", &request.user_id)?;
        self.db
            .unit_of_work(|txn| {
                Box::pin(async move {
                    let (_, standing) = locked_with_standing(txn, &caller, &id).await?;
                    // A member may always leave; removing someone else takes an admin.
                    if user_id == caller.user_id {
                        standing.may_edit()?;
                    } else {
                        standing.may_manage_members()?;
                    }
                    members::remove(txn, &id, &user_id).await?;
                    profiles::touch(txn, &id, Utc::now()).await?;
                    let details = serde_json::json!({ "user_id": user_id });
                    audited(txn, &caller, "provider.member_removed", "provider", &id, details).await
                })
            })
            .await?;
        Ok(Response::new(RemoveMemberResponse {}))
    }

    async fn add_service(&self, request: Request<AddServiceRequest>) -> Result<Response<AddServiceResponse>, Status> {
        let caller = caller(&request)?;
        let request = request.into_inner();
        let provider_id = required_id("provider_id", &request.provider_id)?;
        let service_id = self
            .db
            .unit_of_work(|txn| {
                Box::pin(async move {
                    // Who may call before what they sent.
                    locked_with_standing(txn, &caller, &provider_id).await?.1.may_edit()?;
                    idempotency::check_request_id("request_id", &request.request_id)?;
                    let mut offered = OfferedService::parse(&request.service.unwrap_or_default(), "service")
                        .map_err(Error::InvalidArgument)?;
                    let id = uuid::Uuid::new_v4().to_string();
                    let operation = format!("AddService:{provider_id}");
                    if let Some(earlier) =
                        idempotency::claim(txn, &caller.user_id, &operation, &request.request_id, &id).await?
                    {
                        return Ok::<_, Error>(earlier);
                    }
                    // Location ids are the server's to give.
                    offered.reassign_location_ids(&[], || uuid::Uuid::new_v4().to_string());
                    let mut service = offered.to_proto();
                    service.id = id;
                    service.provider_id.clone_from(&provider_id);
                    services::insert(txn, &service, Utc::now()).await?;
                    profiles::touch(txn, &provider_id, Utc::now()).await?;
                    let details = serde_json::json!({ "provider_id": provider_id, "name": service.name });
                    audited(txn, &caller, "service.added", "service", &service.id, details).await?;
                    events::service_changed(txn, ServiceChangeKind::Added, &service, Vec::new()).await?;
                    matcher::match_service(txn, &service).await?;
                    Ok(service.id)
                })
            })
            .await?;
        let (service, _) = services::find(self.db.conn(), &service_id)
            .await?
            .ok_or_else(|| Error::NotFound { kind: "service", id: service_id.clone() })?;
        Ok(Response::new(AddServiceResponse { service: Some(service) }))
    }

    async fn update_service(
        &self,
        request: Request<UpdateServiceRequest>,
    ) -> Result<Response<UpdateServiceResponse>, Status> {
        let caller = caller(&request)?;
        let request = request.into_inner();
        let changes = request.service.unwrap_or_default();
        let id = required_id("service.id", &changes.id)?;
        let mask = request.update_mask.map(|mask| mask.paths).unwrap_or_default();
        let service = self
            .db
            .unit_of_work(|txn| {
                Box::pin(async move {
                    let (stored, created_at) = locked_service(txn, &caller, &id).await?;
                    let mut merged = stored.clone();
                    let changed = masks::apply_service_mask(&mut merged, &changes, &mask)?;
                    let mut offered = OfferedService::parse(&merged, "service").map_err(Error::InvalidArgument)?;
                    let kept: Vec<String> = stored.locations.iter().map(|location| location.id.clone()).collect();
                    offered.reassign_location_ids(&kept, || uuid::Uuid::new_v4().to_string());
                    let mut service = offered.to_proto();
                    service.id.clone_from(&stored.id);
                    service.provider_id.clone_from(&stored.provider_id);
                    services::update(txn, &service, created_at, Utc::now()).await?;
                    profiles::touch(txn, &service.provider_id, Utc::now()).await?;
                    audited(txn, &caller, "service.updated", "service", &id, serde_json::json!({ "fields": changed }))
                        .await?;
                    events::service_changed(txn, ServiceChangeKind::Updated, &service, changed).await?;
                    matcher::match_service(txn, &service).await?;
                    Ok::<_, Error>(service.id)
                })
            })
            .await?;
        let not_found = Error::NotFound { kind: "service", id: service.clone() };
        let (service, _) = services::find(self.db.conn(), &service).await?.ok_or(not_found)?;
        Ok(Response::new(UpdateServiceResponse { service: Some(service) }))
    }

    async fn remove_service(
        &self,
        request: Request<RemoveServiceRequest>,
    ) -> Result<Response<RemoveServiceResponse>, Status> {
        let caller = caller(&request)?;
        let id = required_id("service_id", &request.get_ref().service_id)?;
        self.db
            .unit_of_work(|txn| {
                Box::pin(async move {
                    let (service, _) = locked_service(txn, &caller, &id).await?;
                    services::delete(txn, &id).await?;
                    profiles::touch(txn, &service.provider_id, Utc::now()).await?;
                    let details = serde_json::json!({ "provider_id": service.provider_id });
                    audited(txn, &caller, "service.removed", "service", &id, details).await?;
                    events::service_changed(txn, ServiceChangeKind::Removed, &service, Vec::new()).await
                })
            })
            .await?;
        Ok(Response::new(RemoveServiceResponse {}))
    }

    async fn list_services(
        &self,
        request: Request<ListServicesRequest>,
    ) -> Result<Response<ListServicesResponse>, Status> {
        caller(&request)?;
        let request = request.into_inner();
        let page = Page::of(&request)?;
        let filter = ServiceFilter {
            provider_id: non_empty(&request.provider_id),
            categories: request.categories,
            council_id: non_empty(&request.council_id),
            statuses: request.statuses,
        };
        let found = services::list(self.db.conn(), &filter, page).await?;
        let next_page_token = page.next_token(found.len());
        Ok(Response::new(ListServicesResponse { services: found, next_page_token }))
    }

    async fn search_providers(
        &self,
        request: Request<SearchProvidersRequest>,
    ) -> Result<Response<SearchProvidersResponse>, Status> {
        caller(&request)?;
        let request = request.into_inner();
        let page = Page::of(&request)?;
        let filter = search_filter(&request)?;
        let found = search::search(self.db.conn(), &filter, page).await?;
        let total_size = i32::try_from(search::count(self.db.conn(), &filter).await?).unwrap_or(i32::MAX);
        let next_page_token = page.next_token(found.len());
        let results = found
            .into_iter()
            .map(|found| {
                let mut provider = found.provider;
                without_personal_details(&mut provider);
                ProviderSearchResult {
                    provider: Some(provider),
                    matching_services: found.matching_services,
                    relevance: found.relevance as i32,
                }
            })
            .collect();
        Ok(Response::new(SearchProvidersResponse { results, next_page_token, total_size }))
    }

    async fn export_open_referral(
        &self,
        request: Request<ExportOpenReferralRequest>,
    ) -> Result<Response<ExportOpenReferralResponse>, Status> {
        caller(&request)?;
        let request = request.into_inner();
        let page = Page::of(&request)?;
        let response = openreferral::export(self.db.conn(), non_empty(&request.council_id), page).await?;
        Ok(Response::new(response))
    }

    async fn list_tender_matches(
        &self,
        request: Request<ListTenderMatchesRequest>,
    ) -> Result<Response<ListTenderMatchesResponse>, Status> {
        let caller = caller(&request)?;
        let request = request.into_inner();
        let provider_id = required_id("provider_id", &request.provider_id)?;
        let page = Page::of(&request)?;
        let db = self.db.conn();
        profiles::find(db, &provider_id)
            .await?
            .ok_or_else(|| Error::NotFound { kind: "provider", id: provider_id.clone() })?;
        Standing::of(&caller, members::role_of(db, &provider_id, &caller.user_id).await?).may_see_matches()?;
        let matches = matching::list_for(db, &provider_id, Utc::now(), page).await?;
        let next_page_token = page.next_token(matches.len());
        Ok(Response::new(ListTenderMatchesResponse { matches, next_page_token }))
    }

    async fn list_my_memberships(
        &self,
        request: Request<ListMyMembershipsRequest>,
    ) -> Result<Response<ListMyMembershipsResponse>, Status> {
        let caller = caller(&request)?;
        let db = self.db.conn();
        let mut memberships = Vec::new();
        for (provider_id, role) in members::memberships_of(db, &caller.user_id).await? {
            let Some(stored) = profiles::find(db, &provider_id).await? else { continue };
            memberships.push(Membership { provider_id, provider_name: stored.provider.legal_name, role: role as i32 });
        }
        Ok(Response::new(ListMyMembershipsResponse { memberships }))
    }
}

fn non_empty(value: &str) -> Option<String> {
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

fn search_filter(request: &SearchProvidersRequest) -> Result<SearchFilter, Error> {
    if request.query.chars().count() > MAX_QUERY {
        return Err(Error::invalid("query", "at most 200 characters"));
    }
    let postcode_district = match non_empty(&request.postcode_district) {
        Some(district) => Some(
            PostcodeDistrict::parse(&district)
                .map_err(|invalid| Error::InvalidArgument(vec![invalid.at("postcode_district")]))?
                .as_str()
                .to_owned(),
        ),
        None => None,
    };
    Ok(SearchFilter {
        terms: request.query.split_whitespace().take(10).map(str::to_lowercase).collect(),
        categories: request.categories.clone(),
        council_id: non_empty(&request.council_id),
        postcode_district,
        size_classes: request.size_classes.clone(),
        vcse: request.vcse,
        evidence_kinds: request.verified_evidence_kinds.clone(),
        today: Some(platform::time::london_today()),
    })
}
