//! The one mapping from what went wrong to a `tonic::Status`: the right code, a message that says
//! what to do next, and rich details (google.rpc BadRequest, PreconditionFailure, ErrorInfo).
//! Internal failures are logged with a reference and never leak their text to the caller.

use std::collections::HashMap;

use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};

pub use proto::codec::ERROR_DOMAIN;

/// One field a client got wrong, and how to put it right.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldViolation {
    /// Path of the field in the request, such as `tender.bid_deadline`.
    pub field: String,
    /// What is wrong and what is expected.
    pub description: String,
}

impl FieldViolation {
    pub fn new(field: impl Into<String>, description: impl Into<String>) -> Self {
        Self { field: field.into(), description: description.into() }
    }
}

/// One reason a call cannot be made in the current state (google.rpc.PreconditionFailure).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreconditionViolation {
    /// The kind of problem, such as `EVIDENCE` or `PUBLISH`.
    pub kind: String,
    /// What it is about: a field path, or a value such as a document kind.
    pub subject: String,
    /// What is wrong and what to do, for a person.
    pub description: String,
}

/// Everything a call can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The request is malformed; each violation names a field.
    #[error("invalid request: {}", describe(.0))]
    InvalidArgument(Vec<FieldViolation>),
    /// The thing asked for does not exist (or the caller may not know it exists).
    #[error("{kind} {id} not found")]
    NotFound { kind: &'static str, id: String },
    /// The thing to create exists already.
    #[error("{0}")]
    AlreadyExists(String),
    /// The request is valid but the resource is in the wrong state for it.
    #[error("{message}")]
    FailedPrecondition {
        /// What to do next, for a person.
        message: String,
        /// Machine-readable reason, such as `TENDER_CLOSED`.
        reason: &'static str,
    },
    /// The wrong state for several reasons at once (a tender not ready to publish, evidence short
    /// of several requirements): one violation each.
    #[error("{message}")]
    FailedPreconditions { message: String, reason: &'static str, violations: Vec<PreconditionViolation> },
    /// A concurrent change got in first (a stale etag): read again and retry.
    #[error("{0}")]
    Aborted(String),
    /// The caller is known but may not do this.
    #[error("{0}")]
    PermissionDenied(String),
    /// No valid bearer token.
    #[error("{0}")]
    Unauthenticated(String),
    /// A size or rate limit was exceeded.
    #[error("{0}")]
    ResourceExhausted(String),
    /// A dependency is down; retrying later may work.
    #[error("{0}")]
    Unavailable(String),
    /// Another service of the marketplace refused a call made for this caller: passed on as it
    /// came (code, message, details). Made by `calls::peer_error`.
    #[error("{}", .0.message())]
    Refused(Box<Status>),
    /// A bug or an infrastructure failure; details go to the log, not the caller.
    #[error("internal error: {0}")]
    Internal(String),
}

fn describe(violations: &[FieldViolation]) -> String {
    violations
        .iter()
        .map(|violation| format!("{}: {}", violation.field, violation.description))
        .collect::<Vec<_>>()
        .join("; ")
}

impl Error {
    /// One bad field.
    pub fn invalid(field: impl Into<String>, description: impl Into<String>) -> Self {
        Self::InvalidArgument(vec![FieldViolation::new(field, description)])
    }

    /// The wrong state, with a reason code and a message saying what to do.
    pub fn precondition(reason: &'static str, message: impl Into<String>) -> Self {
        Self::FailedPrecondition { message: message.into(), reason }
    }

    /// An infrastructure failure, kept out of the caller's sight.
    pub fn internal(error: impl std::fmt::Display) -> Self {
        Self::Internal(error.to_string())
    }
}

impl From<sea_orm::DbErr> for Error {
    fn from(error: sea_orm::DbErr) -> Self {
        if is_database_unreachable(&error) {
            tracing::warn!(%error, "database unreachable");
            return Self::Unavailable(
                "the database is unreachable; retry later, with the same request_id where the call takes one \
                 (retrying with it is safe: the change is made at most once)"
                    .into(),
            );
        }
        Self::internal(error)
    }
}

/// Whether `error` says the database could not be reached (a pool that timed out, a connection
/// refused, reset or closed, a server shutting down), not that the statement was wrong.
pub fn is_database_unreachable(error: &sea_orm::DbErr) -> bool {
    use sea_orm::sqlx::Error as Sqlx;
    use sea_orm::{DbErr, RuntimeErr};
    match error {
        DbErr::ConnectionAcquire(_) => true,
        DbErr::Conn(RuntimeErr::SqlxError(error))
        | DbErr::Exec(RuntimeErr::SqlxError(error))
        | DbErr::Query(RuntimeErr::SqlxError(error)) => match error.as_ref() {
            Sqlx::Io(_) | Sqlx::PoolTimedOut | Sqlx::PoolClosed | Sqlx::WorkerCrashed | Sqlx::Tls(_) => true,
            // Class 08 is a connection exception; 57P01-57P03 a server shutting down or starting up.
            Sqlx::Database(error) => error
                .code()
                .is_some_and(|code| code.starts_with("08") || matches!(code.as_ref(), "57P01" | "57P02" | "57P03")),
            _ => false,
        },
        DbErr::Conn(_) => true,
        _ => false,
    }
}

/// The most characters of one field's problem sent back, and of a whole status message: both
/// travel in HTTP/2 headers, which clients cap (16 KiB is common), and a problem may quote what the
/// client sent. Past the cap, an ellipsis.
const MAX_DESCRIPTION_CHARS: usize = 300;
const MAX_MESSAGE_CHARS: usize = 1_000;
/// The most characters of field problems a status carries in its details; the rest are counted.
const MAX_VIOLATIONS_CHARS: usize = 4_000;

/// `text`, cut to `max` characters with an ellipsis when longer.
fn bounded(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

impl From<Error> for Status {
    fn from(error: Error) -> Self {
        match error.bounded() {
            Error::InvalidArgument(violations) => {
                let mut details = ErrorDetails::new();
                for violation in &violations {
                    details.add_bad_request_violation(&violation.field, &violation.description);
                }
                details.set_error_info("INVALID_ARGUMENT", ERROR_DOMAIN, HashMap::new());
                let message = format!("invalid request: {}; correct these fields and retry", describe(&violations));
                let message = bounded(&message, MAX_MESSAGE_CHARS);
                Status::with_error_details(Code::InvalidArgument, message, details)
            }
            Error::NotFound { kind, id } => with_reason(Code::NotFound, "NOT_FOUND", format!("{kind} {id} not found")),
            Error::AlreadyExists(message) => with_reason(Code::AlreadyExists, "ALREADY_EXISTS", message),
            Error::FailedPrecondition { message, reason } => {
                let mut details = ErrorDetails::with_precondition_failure_violation(reason, "", &message);
                details.set_error_info(reason, ERROR_DOMAIN, HashMap::new());
                Status::with_error_details(Code::FailedPrecondition, message, details)
            }
            Error::FailedPreconditions { message, reason, violations } => {
                let mut details = ErrorDetails::new();
                for violation in &violations {
                    details.add_precondition_failure_violation(
                        &violation.kind,
                        &violation.subject,
                        &violation.description,
                    );
                }
                details.set_error_info(reason, ERROR_DOMAIN, HashMap::new());
                let listed: Vec<_> = violations.iter().map(|violation| violation.description.as_str()).collect();
                let message = bounded(&format!("{message}: {}", listed.join("; ")), MAX_MESSAGE_CHARS);
                Status::with_error_details(Code::FailedPrecondition, message, details)
            }
            Error::Aborted(message) => with_reason(Code::Aborted, "ABORTED", message),
            Error::PermissionDenied(message) => with_reason(Code::PermissionDenied, "PERMISSION_DENIED", message),
            Error::Unauthenticated(message) => with_reason(Code::Unauthenticated, "UNAUTHENTICATED", message),
            Error::ResourceExhausted(message) => with_reason(Code::ResourceExhausted, "RESOURCE_EXHAUSTED", message),
            Error::Unavailable(message) => with_reason(Code::Unavailable, "UNAVAILABLE", message),
            // Rebuilt from its parts, so the peer's own headers are not passed on.
            Error::Refused(status) => {
                Status::with_details(status.code(), status.message(), status.details().to_vec().into())
            }
            Error::Internal(detail) => {
                let reference = uuid::Uuid::new_v4();
                tracing::error!(%reference, %detail, "internal error");
                Status::internal(format!(
                    "internal error (reference {reference}); please retry later or report the reference"
                ))
            }
        }
    }
}

impl Error {
    /// The error with its texts cut to what a status may carry.
    fn bounded(self) -> Self {
        let message = |message: String| bounded(&message, MAX_MESSAGE_CHARS);
        let violations = |found: Vec<FieldViolation>| -> Vec<FieldViolation> {
            let total = found.len();
            let mut kept = Vec::new();
            let mut used = 0;
            for violation in found {
                let description = bounded(&violation.description, MAX_DESCRIPTION_CHARS);
                used += violation.field.len() + description.len();
                if used > MAX_VIOLATIONS_CHARS {
                    break;
                }
                kept.push(FieldViolation { field: bounded(&violation.field, MAX_DESCRIPTION_CHARS), description });
            }
            if kept.len() < total {
                let more = total - kept.len();
                kept.push(FieldViolation::new("", format!("and {more} more problems: correct these first")));
            }
            kept
        };
        match self {
            Error::InvalidArgument(found) => Error::InvalidArgument(violations(found)),
            Error::NotFound { kind, id } => Error::NotFound { kind, id: bounded(&id, MAX_DESCRIPTION_CHARS) },
            Error::AlreadyExists(text) => Error::AlreadyExists(message(text)),
            Error::FailedPrecondition { message: text, reason } => {
                Error::FailedPrecondition { message: message(text), reason }
            }
            Error::Aborted(text) => Error::Aborted(message(text)),
            Error::PermissionDenied(text) => Error::PermissionDenied(message(text)),
            Error::Unauthenticated(text) => Error::Unauthenticated(message(text)),
            Error::ResourceExhausted(text) => Error::ResourceExhausted(message(text)),
            Error::Unavailable(text) => Error::Unavailable(message(text)),
            other => other,
        }
    }
}

fn with_reason(code: Code, reason: &str, message: String) -> Status {
    Status::with_error_details(code, message, ErrorDetails::with_error_info(reason, ERROR_DOMAIN, HashMap::new()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_quoting_what_was_sent_stays_small_enough_for_headers() {
        let quoted = format!("\"{}\" is not a postcode district", "x".repeat(4_000));
        let many: Vec<_> =
            (0..100).map(|index| FieldViolation::new(format!("areas[{index}]"), quoted.clone())).collect();
        let status: Status = Error::InvalidArgument(many).into();
        assert!(status.message().chars().count() <= MAX_MESSAGE_CHARS + 1, "{}", status.message().len());
        let bad_request = status.get_details_bad_request().expect("BadRequest details");
        let kept = &bad_request.field_violations;
        assert!(kept.len() < 100, "not every one of 100 long problems fits");
        assert!(kept[0].description.starts_with("\"xxx") && kept[0].description.ends_with('…'));
        let last = kept.last().expect("a last one");
        assert_eq!(last.description, format!("and {} more problems: correct these first", 101 - kept.len()));
        assert!(status.details().len() < 6 * 1024, "{} bytes of details", status.details().len());
    }

    #[test]
    fn invalid_argument_carries_each_field_violation() {
        let status: Status = Error::InvalidArgument(vec![
            FieldViolation::new("postcode", "not a UK postcode"),
            FieldViolation::new("email", "missing @"),
        ])
        .into();
        assert_eq!(status.code(), Code::InvalidArgument);
        let bad_request = status.get_details_bad_request().expect("BadRequest details");
        let fields: Vec<_> = bad_request.field_violations.iter().map(|v| v.field.as_str()).collect();
        assert_eq!(fields, ["postcode", "email"]);
        assert!(status.message().contains("postcode: not a UK postcode"));
    }

    #[test]
    fn internal_errors_do_not_leak_their_text() {
        let status: Status = Error::internal("connection to 10.0.0.5 refused: password wrong").into();
        assert_eq!(status.code(), Code::Internal);
        assert!(!status.message().contains("password"));
        assert!(status.message().contains("reference"));
    }

    #[test]
    fn several_preconditions_are_each_named() {
        let violation = |subject: &str, description: &str| PreconditionViolation {
            kind: "EVIDENCE".into(),
            subject: subject.into(),
            description: description.into(),
        };
        let status: Status = Error::FailedPreconditions {
            message: "the winner's evidence falls short".into(),
            reason: "EVIDENCE_SHORT",
            violations: vec![violation("A", "cover too low"), violation("B", "expired")],
        }
        .into();
        assert_eq!(status.code(), Code::FailedPrecondition);
        let failure = status.get_details_precondition_failure().expect("PreconditionFailure");
        let subjects: Vec<_> = failure.violations.iter().map(|v| v.subject.as_str()).collect();
        assert_eq!(subjects, ["A", "B"]);
        assert!(status.message().contains("cover too low; expired"), "{}", status.message());
    }

    #[test]
    fn an_unreachable_database_is_unavailable_and_says_a_retry_is_safe() {
        let timed_out = sea_orm::DbErr::ConnectionAcquire(sea_orm::error::ConnAcquireErr::Timeout);
        let status: Status = Error::from(timed_out).into();
        assert_eq!(status.code(), Code::Unavailable);
        assert!(status.message().contains("same request_id"), "{}", status.message());
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        let refused = sea_orm::DbErr::Conn(sea_orm::RuntimeErr::SqlxError(sea_orm::sqlx::Error::Io(refused).into()));
        assert_eq!(Status::from(Error::from(refused)).code(), Code::Unavailable);
        let wrong = sea_orm::DbErr::Custom("no such column".into());
        assert_eq!(Status::from(Error::from(wrong)).code(), Code::Internal);
    }

    #[test]
    fn precondition_names_its_reason() {
        let status: Status =
            Error::precondition("TENDER_CLOSED", "tender closed at 12:00; bids are no longer accepted").into();
        assert_eq!(status.code(), Code::FailedPrecondition);
        assert_eq!(status.get_details_error_info().expect("ErrorInfo").reason, "TENDER_CLOSED");
    }
}
