//! Who may make each of the service's calls, checked before a handler reads the request.

use platform::auth::Role::*;
use platform::auth::Who::*;
use platform::auth::WhoMayCall;

/// Who may make each call: changes to a profile are for its own members (the calls check
/// which provider), reading profiles and searching for any signed-in caller.
pub const WHO_MAY_CALL: WhoMayCall = &[
    ("CreateProvider", Roles(&[Provider])),
    ("GetProvider", AnyCaller),
    ("UpdateProvider", Roles(&[Provider])),
    ("AddMember", Roles(&[Provider])),
    ("RemoveMember", Roles(&[Provider])),
    ("AddService", Roles(&[Provider])),
    ("UpdateService", Roles(&[Provider])),
    ("RemoveService", Roles(&[Provider])),
    ("ListServices", AnyCaller),
    ("SearchProviders", AnyCaller),
    ("ExportOpenReferral", AnyCaller),
    ("ListTenderMatches", Roles(&[Provider])),
    ("ListMyMemberships", AnyCaller),
];
