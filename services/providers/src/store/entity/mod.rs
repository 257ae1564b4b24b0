//! The providers database's tables, as sea-orm entities.

pub mod document;
pub mod identifier;
pub mod member;
pub mod offered_service;
pub mod open_tender;
pub mod provider;
pub mod service_area;
pub mod tender_match;
