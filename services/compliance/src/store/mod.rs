//! The compliance database: documents, and which councils may see which lockers.

pub mod access;
pub mod documents;
pub mod entity;
