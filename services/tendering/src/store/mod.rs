//! The tendering database: tenders, sealed bids, clarification questions and opening records.

pub mod bids;
pub mod openings;
pub mod questions;
pub mod tenders;
