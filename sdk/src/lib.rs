#![doc = include_str!("../README.md")]
#![deny(missing_docs)]
#![deny(missing_debug_implementations)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod client;
mod deployments;
mod error;
mod log_stream;
mod pagination;
mod retry;
pub mod validate;

pub use client::{
    API_KEY_ENV, BASE_URL_ENV, Client, ClientBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT,
    Server,
};
pub use deployments::{
    CreateDeployment, Deployments, GetArchive, GetDeployment, GitHubSource, LifecycleRequest,
    ListDeployments, ListWorkers, SearchLogs, Source, Unharden, UpdateDeployment,
};
pub use error::{Error, ErrorKind, Result, StreamErrorReason};
pub use log_stream::{
    DEFAULT_IDLE_TIMEOUT, LogEvent, LogStream, LogStreamBuilder, decode_log_events,
};
pub use pagination::Paginated;
pub use retry::{RetryBudget, RetryPolicy};

/// The types of the API's requests and answers, generated from its OpenAPI document.
///
/// Enums keep values this version does not know in an `Unknown` variant instead of failing,
/// and unknown fields are ignored, so answers from newer servers decode.
pub mod types {
    pub use mistral_workflows_gen::backend::BackendSpec;
    pub use mistral_workflows_gen::enums::*;
    pub use mistral_workflows_gen::types::*;
}

pub use types::{
    DeploymentArchiveResponse, DeploymentDetailResponse, DeploymentListResponse,
    DeploymentLogRecord, DeploymentLogSearchResponse, DeploymentResponse,
    DeploymentWorkerListResponse, DeploymentWorkerResponse, HttpValidationError,
    ManagedDeploymentResponse,
};
