//! The evaluation service through gRPC beside the tendering and compliance services on one event
//! stream (PostgreSQL and NATS JetStream, which must be running; and SQLite with the embedded log),
//! as a council panel would use it.

mod evaluation {
    pub mod consortium;
    pub mod duplicates;
    pub mod late_events;
    pub mod panel;
    pub mod sealed;
    pub mod support;
}
