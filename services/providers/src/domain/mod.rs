//! Provider domain: the validated types and rules of provider profiles, their services and members,
//! with no I/O. Requests are parsed here once, at the edge, into types that cannot hold bad values
//! (a [`Postcode`] is always a well-formed UK postcode); every parser of a message reports all of its
//! bad fields at once, each by its full path, ready for an INVALID_ARGUMENT with field violations.

pub mod address;
pub mod contact;
pub mod member;
pub mod provider;
pub mod schedule;
pub mod service;
pub mod size;

pub use platform::{area, postcode};

pub use address::Address;
pub use area::{AreaPart, CouncilId, ServiceArea, WardCode};
pub use contact::{Email, UkPhone, Website};
pub use member::NewMember;
pub use platform::categories::{CATEGORIES, category_name, cpv_codes};
pub use platform::org_id::{OrgId, scheme_prefix};
pub use platform::validation::Invalid;
pub use postcode::{Postcode, PostcodeDistrict};
pub use provider::{ProviderProfile, SafeguardingLead};
pub use schedule::{LocalTime, Repeat, Schedule, WeekOfMonth};
pub use service::{Cost, Eligibility, Location, OfferedService};
pub use size::{is_vcse, size_class};
