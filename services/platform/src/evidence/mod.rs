//! The evidence a tender asks its winner to hold (commissioning.common.v1.EvidenceRequirement),
//! shared by tendering (which lists it on a tender) and compliance (which checks lockers against
//! it): the document kinds in words, and a requirement parsed once at the edge.

pub mod kind;
pub mod requirement;

pub use kind::{DOCUMENT_KINDS, is_insurance, is_policy, kind_name, only_for_employers, short_name};
pub use requirement::{MAX_REQUIREMENTS, Requirement, parse_requirements};
