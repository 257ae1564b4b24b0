//! Platform tests against the real engines: PostgreSQL and NATS JetStream (which must be
//! running), and SQLite with the embedded event log.

mod platform {
    pub mod acknowledgement;
    pub mod audit;
    pub mod audit_checkpoints;
    pub mod auth;
    pub mod embedded;
    pub mod grpc;
    pub mod inbox;
    pub mod outbox;
    pub mod support;
    pub mod traces;
}
