//! The tendering database: tenders and the categories they buy, sealed bids and their consortium
//! partners' answers, clarification questions, opening records, contracts, and what it hears of
//! providers and evaluations.

pub mod bid_drafts;
pub mod bids;
pub mod contracts;
pub mod evaluations;
pub mod known_providers;
pub mod openings;
pub mod partners;
pub mod questions;
pub mod tender_areas;
pub mod tender_categories;
pub mod tenders;
