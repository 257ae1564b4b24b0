//! Who may make each of the service's calls, checked before a handler reads the request.

use platform::auth::Role::*;
use platform::auth::Who::*;
use platform::auth::WhoMayCall;

/// Who may make each call: a locker is its provider's own; officers read and decide on documents
/// of providers that bid to their council (the calls check which); a provider checks its own
/// locker against a tender's requirements before it bids.
pub const WHO_MAY_CALL: WhoMayCall = &[
    ("UploadDocument", Roles(&[Provider])),
    ("DownloadDocument", Roles(&[Provider, Officer])),
    ("GetDocument", Roles(&[Provider, Officer])),
    ("ListDocuments", Roles(&[Provider])),
    ("RenewDocument", Roles(&[Provider])),
    ("VerifyDocument", Roles(&[Officer])),
    ("RejectDocument", Roles(&[Officer])),
    ("CheckCompliance", Roles(&[Officer, Evaluator, Service, Provider])),
];
