//! The compliance service through gRPC, on PostgreSQL with NATS JetStream (which must be running)
//! and on SQLite with the embedded event log, with document files in a local folder or in an
//! S3-compatible server (moto, installed by `scripts/test`).

mod compliance {
    pub mod check;
    pub mod expiry;
    pub mod facts;
    pub mod files;
    pub mod s3;
    pub mod scan;
    pub mod support;
    pub mod verify;
}
