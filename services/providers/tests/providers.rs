//! The providers service through gRPC, on PostgreSQL with NATS JetStream (which must be running)
//! and on SQLite with the embedded event log.

mod providers {
    pub mod areas;
    pub mod evidence;
    pub mod export;
    pub mod matching;
    pub mod membership;
    pub mod outage;
    pub mod search;
    pub mod services;
    pub mod support;
    pub mod validation;
}
