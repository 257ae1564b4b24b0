//! Who may see and change a tender: drafts are the buying council's alone (others get NOT_FOUND,
//! so a draft's existence is not revealed); changes are for that council's officers.

use platform::Error;
use platform::auth::{Caller, Role};
use proto::commissioning::tendering::v1::{Tender, TenderStatus};

/// The identity of the evaluation service, the only caller that may fetch opened bids.
pub const EVALUATION_SERVICE: &str = "service:evaluation";

/// Who is reading an open call: the verified caller, or, without a token, the public: no role
/// and no organisation, so it sees what everyone may (published tenders, answered questions).
pub fn reader_of<T>(request: &tonic::Request<T>) -> Caller {
    Caller::of(request).cloned().unwrap_or_else(|_| Caller {
        user_id: String::new(),
        organisation_id: String::new(),
        organisation_name: String::new(),
        roles: Default::default(),
    })
}

/// Whether the caller is an officer of the tender's buying council (or an admin).
pub fn is_buying_officer(caller: &Caller, tender: &Tender) -> bool {
    caller.has_role(Role::Admin) || (caller.has_role(Role::Officer) && caller.organisation_id == tender.council_id)
}

/// Whether the caller may see how many bids the tender holds: officers of the buying council only.
/// An admin may act for any council but is not one of its officers, so gets 0 like everyone else.
pub fn sees_bid_count(caller: &Caller, tender: &Tender) -> bool {
    caller.has_role(Role::Officer) && caller.organisation_id == tender.council_id
}

/// The tender as `caller` may see it: the bid count is hidden (0) from all but the buying
/// council's officers.
pub fn shown_to(caller: &Caller, mut tender: Tender) -> Tender {
    if !sees_bid_count(caller, &tender) {
        tender.bid_count = 0;
    }
    tender
}

/// NOT_FOUND for a draft the caller may not see.
pub fn ensure_visible(caller: &Caller, tender: &Tender) -> Result<(), Error> {
    if tender.status == TenderStatus::Draft as i32 && !is_buying_officer(caller, tender) {
        return Err(Error::NotFound { kind: "tender", id: tender.id.clone() });
    }
    Ok(())
}

/// Visible, and changeable by this caller.
pub fn ensure_buying_officer(caller: &Caller, tender: &Tender) -> Result<(), Error> {
    ensure_visible(caller, tender)?;
    if !is_buying_officer(caller, tender) {
        return Err(Error::PermissionDenied(format!(
            "only officers of the buying council ({}) may do this",
            tender.council_name
        )));
    }
    Ok(())
}

/// Whether the caller acts for provider `provider_id`.
pub fn acts_for_provider(caller: &Caller, provider_id: &str) -> bool {
    caller.has_role(Role::Provider) && caller.organisation_id == provider_id
}

/// A tender's status for messages, as people say it: "ACTIVE_TENDERING".
pub fn status_name(tender: &Tender) -> &'static str {
    TenderStatus::try_from(tender.status).unwrap_or(TenderStatus::Unspecified).as_str_name()
}
