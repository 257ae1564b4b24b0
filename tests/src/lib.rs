//! What the cross-service tests (in `tests/`) and the load generator (`src/bin/load/`) share:
//! the all-in-one and the four services as child processes, requests generated from the
//! contracts' descriptors, a client that sends any bytes to any call, and the crash run.

pub mod all_in_one;
pub mod crashes;
pub mod generated;
pub mod processes;
pub mod raw;
