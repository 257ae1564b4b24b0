//! End-to-end tests: the services started as a user would start them, reached over gRPC.

mod e2e {
    pub mod audit;
    pub mod authorisation;
    pub mod crashes;
    pub mod faults;
    pub mod startup;
    pub mod story;
}
