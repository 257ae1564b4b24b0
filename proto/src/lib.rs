//! The marketplace's v1 contracts: the gRPC services, their messages and the event payloads,
//! generated from `commissioning/**/*.proto` by `build.rs`.
//!
//! Modules follow the protobuf packages: `commissioning::tendering::v1`,
//! `commissioning::events::v1`, and so on.

#![allow(clippy::all, clippy::pedantic, missing_docs)]

pub mod codec;
pub mod edge;

/// Encoded `FileDescriptorSet` of every contract, for gRPC server reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/commissioning_descriptor.bin"));

include!(concat!(env!("OUT_DIR"), "/commissioning.rs"));
