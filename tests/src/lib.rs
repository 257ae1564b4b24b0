//! What the cross-service tests (in `tests/`) and the load generator (`src/bin/load/`) share:
//! the all-in-one as a child process, requests generated from the contracts' descriptors, and a
//! client that sends any bytes to any call.

pub mod all_in_one;
pub mod generated;
pub mod raw;
