//! The providers database: entities, and the reads and writes the service makes. Every function
//! takes a connection or a transaction, so the caller decides what is one unit of work.

pub mod entity;
pub mod evidence;
pub mod matching;
pub mod members;
pub mod profiles;
pub mod search;
pub mod services;
mod sql;

/// Lower-cased, for case-insensitive matching with `LIKE` on both engines.
pub(crate) fn folded(parts: &[&str]) -> String {
    parts.iter().filter(|part| !part.is_empty()).map(|part| part.to_lowercase()).collect::<Vec<_>>().join(" ")
}

/// Whether a database error is a broken unique constraint (a duplicate key).
pub(crate) fn is_duplicate(error: &sea_orm::DbErr) -> bool {
    matches!(error.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_)))
}
