//! CreateTender, UpdateTender, PublishTender, CancelTender, GetTender, ListTenders, ListTemplates.

use chrono::{DateTime, Utc};
use platform::audit;
use platform::auth::{Caller, Role};
use platform::db::database_now;
use platform::paging::Page;
use platform::time::{from_timestamp, london_date, london_today, to_timestamp};
use platform::{Error, PreconditionViolation, idempotency};
use proto::commissioning::tendering::v1::*;
use sea_orm::DatabaseTransaction;
use tonic::{Request, Response};

use super::access::{ensure_buying_officer, ensure_visible, reader_of, shown_to, status_name};
use super::{Answer, TenderingApi};
use crate::domain::{
    PublishProblem, amendment, check_fields, create_from_template, fill_ids, guardrail_problems, length_problem,
    normalise_areas, publication_duties, publish_problems, rules_in_force, templates,
};
use crate::events;
use crate::store::{bid_drafts, bids, tenders};

/// Longest reason for an amendment or a cancellation.
const REASON_MAX: usize = 1_000;

impl TenderingApi {
    pub(super) async fn create(&self, request: Request<CreateTenderRequest>) -> Answer<CreateTenderResponse> {
        let caller = Caller::of(&request)?.clone();
        let reader = caller.clone();
        let request = request.into_inner();
        let overrides = request.tender.unwrap_or_default();
        caller.require_own_organisation("tender.council_id", &overrides.council_id)?;
        idempotency::check_request_id("request_id", &request.request_id)?;
        let today = london_today();
        let mut tender = create_from_template(&request.template_id, &overrides, &self.rules, today)
            .map_err(Error::InvalidArgument)?;
        let violations = check_fields(&tender, "tender");
        if !violations.is_empty() {
            return Err(Error::InvalidArgument(violations).into());
        }
        normalise_areas(&mut tender);
        tender.id = uuid::Uuid::new_v4().to_string();
        tender.council_id.clone_from(&caller.organisation_id);
        tender.council_name.clone_from(&caller.organisation_name);
        tender.status = TenderStatus::Draft as i32;
        tender.ocid = format!("{}-{}", self.ocid_prefix, tender.id);
        let id = self
            .db
            .unit_of_work(|txn| {
                Box::pin(async move {
                    let claimed =
                        idempotency::claim(txn, &caller.user_id, "CreateTender", &request.request_id, &tender.id);
                    if let Some(earlier) = claimed.await? {
                        return Ok::<_, Error>(earlier);
                    }
                    tenders::insert(txn, &tender, Utc::now()).await?;
                    record(
                        txn,
                        &caller,
                        "tender.created",
                        &tender,
                        serde_json::json!({ "template": tender.template_id }),
                    )
                    .await?;
                    Ok(tender.id)
                })
            })
            .await?;
        Ok(Response::new(CreateTenderResponse { tender: Some(self.reread(&reader, id).await?) }))
    }

    pub(super) async fn update(&self, request: Request<UpdateTenderRequest>) -> Answer<UpdateTenderResponse> {
        let caller = Caller::of(&request)?.clone();
        let reader = caller.clone();
        let request = request.into_inner();
        let changes = request.tender.clone().unwrap_or_default();
        if changes.id.trim().is_empty() {
            return Err(Error::invalid("tender.id", "required: the tender to change").into());
        }
        let paths = match &request.update_mask {
            Some(mask) if !mask.paths.is_empty() => mask.paths.clone(),
            _ => amendment::paths_set_in(&changes),
        };
        if paths.is_empty() {
            return Err(Error::invalid("update_mask", "nothing to change: name the fields in update_mask").into());
        }
        let (rules, minimum_period) = (self.rules.clone(), self.minimum_bid_period);
        let tender = self
            .db
            .unit_of_work(|txn| {
                Box::pin(async move {
                    let mut stored = locked(txn, &changes.id).await?;
                    ensure_buying_officer(&caller, &stored.tender)?;
                    if !changes.etag.is_empty() && changes.etag != stored.tender.etag {
                        return Err(Error::Aborted(
                            "the tender changed since you read it; read it again and reapply your change".into(),
                        ));
                    }
                    let published = stored.tender.status != TenderStatus::Draft as i32;
                    let now = database_now(txn).await?;
                    if published {
                        ensure_open_for_bids(&stored.tender, now, "changed")?;
                    }
                    let violations = amendment::check_mask(&paths, published);
                    if !violations.is_empty() {
                        return Err(Error::InvalidArgument(violations));
                    }
                    let reason = request.amendment_reason.trim();
                    if published && reason.is_empty() {
                        return Err(Error::invalid(
                            "amendment_reason",
                            "required once the tender is published: bidders are told why it changed",
                        ));
                    }
                    if reason.chars().count() > REASON_MAX {
                        return Err(Error::invalid("amendment_reason", format!("at most {REASON_MAX} characters")));
                    }
                    let before = stored.tender.clone();
                    amendment::apply(&mut stored.tender, &changes, &paths);
                    let violations = check_fields(&stored.tender, "tender");
                    if !violations.is_empty() {
                        return Err(Error::InvalidArgument(violations));
                    }
                    normalise_areas(&mut stored.tender);
                    if published {
                        // A published tender keeps the rules it was published under.
                        let published_on = stored.tender.publish_time.as_ref().and_then(from_timestamp).unwrap_or(now);
                        let in_force = rules.in_force_on(london_date(published_on)).map_err(Error::internal)?;
                        if let Some(problem) = length_problem(&stored.tender, in_force.length) {
                            return Err(refusal(
                                "the amendment would make the contract longer than a micro-tender may let",
                                "CONTRACT_TOO_LONG",
                                vec![problem],
                            ));
                        }
                        let problems = guardrail_problems(
                            &stored.tender,
                            in_force.guardrails,
                            in_force.evidence,
                            rules.vat_basis_points,
                        );
                        if !problems.is_empty() {
                            return Err(refusal(
                                "the amendment would break the guardrails for small charities",
                                "TENDER_GUARDRAILS",
                                problems,
                            ));
                        }
                    }
                    let mut details = serde_json::json!({ "fields": paths });
                    let amended = if published {
                        let material = amendment::is_material(&paths, request.material);
                        let previous = before.bid_deadline;
                        if material {
                            let earliest = to_timestamp(now + minimum_period);
                            let current = stored.tender.bid_deadline.and_then(|deadline| from_timestamp(&deadline));
                            if current.is_none_or(|deadline| deadline < now + minimum_period) {
                                stored.tender.bid_deadline = Some(earliest);
                            }
                        }
                        let amendment = Amendment {
                            amend_time: Some(to_timestamp(now)),
                            reason: reason.to_owned(),
                            changed_fields: paths.clone(),
                            material,
                            previous_bid_deadline: previous,
                            new_bid_deadline: stored.tender.bid_deadline,
                            amended_by_user_id: caller.user_id.clone(),
                        };
                        stored.tender.amendments.push(amendment.clone());
                        details = serde_json::json!({ "fields": paths, "material": material, "reason": reason });
                        Some(amendment)
                    } else {
                        None
                    };
                    tenders::save(txn, &stored, Utc::now()).await?;
                    let action = if amended.is_some() { "tender.amended" } else { "tender.updated" };
                    record(txn, &caller, action, &stored.tender, details).await?;
                    if let Some(amendment) = &amended {
                        events::amended(txn, &stored.tender, amendment).await?;
                    }
                    Ok(stored.tender.id)
                })
            })
            .await?;
        Ok(Response::new(UpdateTenderResponse { tender: Some(self.reread(&reader, tender).await?) }))
    }

    pub(super) async fn publish(&self, request: Request<PublishTenderRequest>) -> Answer<PublishTenderResponse> {
        let caller = Caller::of(&request)?.clone();
        let reader = caller.clone();
        let id = required_id(&request.get_ref().tender_id)?;
        let (rules, master_key, minimum_period) =
            (self.rules.clone(), self.master_key.clone(), self.minimum_bid_period);
        let tender = self
            .db
            .unit_of_work(|txn| {
                Box::pin(async move {
                    let mut stored = locked(txn, &id).await?;
                    ensure_buying_officer(&caller, &stored.tender)?;
                    let now = database_now(txn).await?;
                    let in_force = rules.in_force_on(london_date(now)).map_err(Error::internal)?;
                    fill_ids(&mut stored.tender);
                    let problems =
                        publish_problems(&stored.tender, now, minimum_period, &in_force, rules.vat_basis_points);
                    if !problems.is_empty() {
                        return Err(refusal("the tender cannot be published yet", "TENDER_NOT_READY", problems));
                    }
                    stored.tender.publication_duties =
                        Some(publication_duties(&stored.tender, in_force.thresholds, rules.vat_basis_points));
                    stored.tender.status = TenderStatus::ActiveEnquiries as i32;
                    stored.tender.publish_time = Some(to_timestamp(now));
                    let (_, wrapped) = master_key.new_data_key(&stored.tender.id).map_err(Error::internal)?;
                    stored.wrapped_bid_key = Some(wrapped);
                    tenders::save(txn, &stored, Utc::now()).await?;
                    record(txn, &caller, "tender.published", &stored.tender, serde_json::json!({})).await?;
                    events::published(txn, &stored.tender).await?;
                    Ok(stored.tender.id)
                })
            })
            .await?;
        Ok(Response::new(PublishTenderResponse { tender: Some(self.reread(&reader, tender).await?) }))
    }

    pub(super) async fn cancel(&self, request: Request<CancelTenderRequest>) -> Answer<CancelTenderResponse> {
        let caller = Caller::of(&request)?.clone();
        let reader = caller.clone();
        let request = request.into_inner();
        let id = required_id(&request.tender_id)?;
        let reason = platform::validation::required_text(&request.reason, REASON_MAX)
            .map_err(|invalid| Error::InvalidArgument(vec![invalid.at("reason")]))?;
        let tender = self
            .db
            .unit_of_work(|txn| {
                Box::pin(async move {
                    let mut stored = locked(txn, &id).await?;
                    ensure_buying_officer(&caller, &stored.tender)?;
                    let previous = TenderStatus::try_from(stored.tender.status).unwrap_or(TenderStatus::Unspecified);
                    let cancellable = [
                        TenderStatus::Draft,
                        TenderStatus::ActiveEnquiries,
                        TenderStatus::ActiveTendering,
                        TenderStatus::ActiveEvaluation,
                    ];
                    if !cancellable.contains(&previous) {
                        return Err(Error::precondition(
                            "TENDER_FINISHED",
                            format!(
                                "the tender is {}; only a draft or an active tender can be cancelled",
                                previous.as_str_name()
                            ),
                        ));
                    }
                    let now = Utc::now();
                    // Bids are destroyed unread: their contents, their drafts and the tender's key go.
                    bid_drafts::delete_all_of(txn, &stored.tender.id).await?;
                    let destroyed =
                        bids::move_all(txn, &stored.tender.id, BidStatus::Submitted, BidStatus::Destroyed, true, now)
                            .await?
                            + bids::move_all(
                                txn,
                                &stored.tender.id,
                                BidStatus::Opened,
                                BidStatus::Destroyed,
                                true,
                                now,
                            )
                            .await?;
                    stored.wrapped_bid_key = None;
                    stored.tender.status = TenderStatus::Cancelled as i32;
                    stored.tender.status_reason = reason;
                    tenders::save(txn, &stored, now).await?;
                    let details =
                        serde_json::json!({ "reason": stored.tender.status_reason, "destroyed_bids": destroyed });
                    record(txn, &caller, "tender.cancelled", &stored.tender, details).await?;
                    if previous != TenderStatus::Draft {
                        events::cancelled(txn, &stored.tender, previous, destroyed, now).await?;
                    }
                    Ok(stored.tender.id)
                })
            })
            .await?;
        Ok(Response::new(CancelTenderResponse { tender: Some(self.reread(&reader, tender).await?) }))
    }

    pub(super) async fn get(&self, request: Request<GetTenderRequest>) -> Answer<GetTenderResponse> {
        let caller = reader_of(&request);
        let id = required_id(&request.get_ref().tender_id)?;
        let stored = tenders::find(self.db.conn(), &id).await?.ok_or(Error::NotFound { kind: "tender", id })?;
        ensure_visible(&caller, &stored.tender)?;
        Ok(Response::new(GetTenderResponse { tender: Some(shown_to(&caller, stored.tender)) }))
    }

    pub(super) async fn list(&self, request: Request<ListTendersRequest>) -> Answer<ListTendersResponse> {
        let caller = reader_of(&request);
        let page = Page::of(request.get_ref())?;
        let request = request.into_inner();
        let officer = caller.has_role(Role::Officer).then_some(caller.organisation_id.as_str());
        let filter = tenders::Filter {
            council_id: &request.council_id,
            statuses: &request.statuses,
            categories: &request.categories,
            area_council_id: request.area_council_id.trim(),
            drafts_of: officer,
        };
        let found = tenders::list(self.db.conn(), &filter, page).await?;
        let next_page_token = page.next_token(found.len());
        let listed = found.into_iter().map(|tender| shown_to(&caller, tender)).collect();
        Ok(Response::new(ListTendersResponse { tenders: listed, next_page_token }))
    }

    pub(super) async fn templates(&self, request: Request<ListTemplatesRequest>) -> Answer<ListTemplatesResponse> {
        Caller::of(&request)?;
        let page = Page::of(request.get_ref())?;
        let today = london_today();
        let all = templates(&self.rules, today);
        let shown: Vec<_> = all.into_iter().skip(page.offset as usize).take(page.limit as usize).collect();
        let next_page_token = page.next_token(shown.len());
        let rules = rules_in_force(&self.rules, self.minimum_bid_period, today);
        Ok(Response::new(ListTemplatesResponse { templates: shown, next_page_token, rules }))
    }

    /// A tender just changed, as stored, as `caller` may see it.
    pub(super) async fn reread(&self, caller: &Caller, id: String) -> Result<Tender, Error> {
        let stored = tenders::find(self.db.conn(), &id).await?.ok_or(Error::NotFound { kind: "tender", id })?;
        Ok(shown_to(caller, stored.tender))
    }
}

/// The tender `id`, locked for this unit of work.
pub(super) async fn locked(txn: &DatabaseTransaction, id: &str) -> Result<tenders::Stored, Error> {
    tenders::lock(txn, id).await?.ok_or_else(|| Error::NotFound { kind: "tender", id: id.to_owned() })
}

pub(super) fn required_id(id: &str) -> Result<String, Error> {
    if id.trim().is_empty() {
        return Err(Error::invalid("tender_id", "required: the tender's id"));
    }
    Ok(id.trim().to_owned())
}

/// FAILED_PRECONDITION with one violation per problem, each typed by its rule.
fn refusal(message: &str, reason: &'static str, problems: Vec<PublishProblem>) -> Error {
    Error::FailedPreconditions {
        message: message.to_owned(),
        reason,
        violations: problems
            .into_iter()
            .map(|problem| PreconditionViolation {
                kind: problem.kind.into(),
                subject: problem.subject,
                description: problem.description,
            })
            .collect(),
    }
}

/// FAILED_PRECONDITION unless the tender is published and its deadline, by the database clock
/// `now`, has not passed; `what` says what was being done ("changed", "submitted").
pub(super) fn ensure_open_for_bids(tender: &Tender, now: DateTime<Utc>, what: &str) -> Result<(), Error> {
    let deadline = tender.bid_deadline.as_ref().and_then(from_timestamp);
    let cancelled = tender.status == TenderStatus::Cancelled as i32;
    if let Some(deadline) = deadline.filter(|deadline| now >= *deadline && !cancelled) {
        return Err(Error::precondition(
            "TENDER_CLOSED",
            format!("the tender closed at {}; nothing can be {what} after the deadline", deadline.to_rfc3339()),
        ));
    }
    let open = [TenderStatus::ActiveEnquiries as i32, TenderStatus::ActiveTendering as i32];
    if !open.contains(&tender.status) {
        return Err(Error::precondition(
            "TENDER_NOT_OPEN",
            format!("the tender is {}; nothing can be {what} now", status_name(tender)),
        ));
    }
    Ok(())
}

/// The audit row of a change a person made to a tender.
pub(super) async fn record(
    txn: &DatabaseTransaction,
    caller: &Caller,
    action: &str,
    tender: &Tender,
    details: serde_json::Value,
) -> Result<(), Error> {
    audit::record_by(txn, caller, action, ("tender", &tender.id), details).await
}
