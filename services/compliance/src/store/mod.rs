//! The compliance database: documents and their entity.

pub mod documents;
pub mod entity;
