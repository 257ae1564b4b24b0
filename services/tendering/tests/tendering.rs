//! The tendering service through gRPC, on PostgreSQL with NATS JetStream (which must be running)
//! and on SQLite with the embedded event log.

mod tendering {
    pub mod areas;
    pub mod audit;
    pub mod awards;
    pub mod bid_count;
    pub mod categories;
    pub mod changes;
    pub mod consortium;
    pub mod consortium_award;
    pub mod deadline;
    pub mod drafts;
    pub mod extensions;
    pub mod guardrails;
    pub mod lifecycle;
    pub mod ocds_schema;
    pub mod open_data;
    pub mod peers;
    pub mod refusals;
    pub mod scheduler;
    pub mod sealed;
    pub mod support;
}
