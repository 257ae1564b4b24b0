//! The compliance database: documents, which councils may see which lockers, and which providers
//! employ staff.

pub mod access;
pub mod documents;
pub mod entity;
pub mod staff;
