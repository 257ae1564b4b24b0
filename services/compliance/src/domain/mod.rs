//! Compliance domain: the rules of the tell-us-once evidence locker with no I/O. What a provider's
//! documents are and where each is in its life; the evidence a tender asks for, parsed once at the
//! edge; the facts each kind of document must carry; the CheckCompliance rules that say in plain
//! English whether each requirement is met; and what an uploaded file may be (type from its bytes,
//! size under the cap).

pub mod document;
pub mod facts;
pub mod file_policy;
pub mod requirement_check;
pub mod upload;

pub use document::{Cover, LockerDocument, Rejection, Status, Verification};
pub use file_policy::{FileType, HEAD_LEN, RefusedFile, SizeLimit, TooLarge, file_type};
pub use platform::dates::{date_to_proto, long_date, parse_date, parse_optional_date};
pub use platform::evidence::{
    MAX_REQUIREMENTS, Requirement, is_insurance, is_policy, kind_name, parse_requirements, short_name,
};
pub use platform::money::Pence;
pub use platform::validation::Invalid;
pub use requirement_check::{CheckResult, ReliedOn, all_met, check_requirement, check_requirements, summary};
pub use upload::NewDocument;
