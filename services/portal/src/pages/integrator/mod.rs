//! A council's finance integrator in the portal: the council's events as its system should have
//! received them, what each subject carries and how to subscribe, and the write-back of finance
//! references on a contract.

pub mod events;
pub mod finance;
pub mod subjects;
