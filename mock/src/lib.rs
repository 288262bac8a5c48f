#![doc = include_str!("../README.md")]
#![deny(missing_docs)]
#![deny(missing_debug_implementations)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod clock;
mod control;
mod cursor;
mod fault;
mod fixtures;
mod lifecycle;
mod logs;
mod rng;
mod routes;
mod server;
mod state;
mod store;
mod stream;
mod validation;

pub use control::{MockControl, RecordedRequest};
pub use fault::Fault;
pub use fixtures::Fixtures;
pub use server::{MockServer, MockServerBuilder};

/// The generated types the mock speaks, re-exported so that tests need no other import to
/// build fixtures.
pub use mistral_workflows_gen::enums::{DeploymentLogType, LocationType};
pub use mistral_workflows_gen::types::{DeploymentDetailResponse, DeploymentLogRecord};
