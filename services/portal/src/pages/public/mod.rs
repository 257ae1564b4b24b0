//! Pages for anyone, without signing in: the open tenders, and each council's published contracts
//! and open data.

pub mod contracts;
pub mod tenders;
