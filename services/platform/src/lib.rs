//! What every marketplace service shares: configuration, telemetry, the database and its unit of
//! work, events (NATS JetStream or the embedded log) with a transactional outbox and an inbox,
//! bearer-token authentication, the hash-chained audit log, gRPC server start-up and the one
//! mapping from errors to `tonic::Status`.

pub mod ages;
pub mod allocator;
pub mod area;
pub mod audit;
pub mod auth;
pub mod calls;
pub mod categories;
pub mod config;
pub mod dates;
pub mod db;
pub mod error;
pub mod events;
pub mod evidence;
pub mod grpc;
pub mod idempotency;
pub mod keys;
pub mod migrations;
pub mod money;
pub mod org_id;
pub mod paging;
pub mod postcode;
pub mod rankings;
pub mod runtime;
pub mod sealing;
pub mod telemetry;
#[cfg(feature = "testing")]
pub mod testing;
pub mod time;
pub mod validation;

pub use error::{Error, FieldViolation, PreconditionViolation};
