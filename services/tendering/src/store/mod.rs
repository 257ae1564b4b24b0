//! The tendering database: tenders, sealed bids, clarification questions, opening records,
//! contracts, and what it hears of providers and evaluations.

pub mod bids;
pub mod contracts;
pub mod evaluations;
pub mod known_providers;
pub mod openings;
pub mod questions;
pub mod tenders;
