//! [`MockControl`]: inspection and editing of a running mock, and the requests it saw.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use mistral_workflows_gen::types::DeploymentDetailResponse;

use crate::state::{Shared, lock};
use crate::store::Entry;

/// One request as the mock received it, recorded before authentication and validation, so
/// rejected requests are there too.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedRequest {
    /// The `operationId` of `openapi.yaml` the method and path belong to (`list_deployments`,
    /// `get_deployment`, ...), or `None` when they match no operation.
    pub operation_id: Option<String>,
    /// The method, upper case (`GET`).
    pub method: String,
    /// The path as sent, still percent-encoded.
    pub path: String,
    /// The query string as sent, without the `?`; `None` when there was no `?`.
    pub query: Option<String>,
    /// Every header, names in lower case, in the order hyper reports them (values of a
    /// repeated name together). Values that are not UTF-8 are decoded lossily.
    pub headers: Vec<(String, String)>,
    /// The body; `None` when it was empty.
    pub body: Option<Bytes>,
}

impl RecordedRequest {
    /// The value of the first header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The body parsed as JSON, when it is JSON.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(self.body.as_deref()?).ok()
    }
}

/// A handle to the state of a running [`MockServer`](crate::MockServer): its clock, its
/// deployments and the requests it received. Cheap to clone; every clone sees the same state.
///
/// Reads bring the state up to the current time first, exactly as a request would.
#[derive(Clone)]
pub struct MockControl {
    pub(crate) shared: Arc<Shared>,
}

impl std::fmt::Debug for MockControl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let deployments = lock(&self.shared.store).len();
        let requests = lock(&self.shared.requests).len();
        f.debug_struct("MockControl")
            .field("now", &self.shared.clock.now())
            .field("deployments", &deployments)
            .field("requests", &requests)
            .finish()
    }
}

impl MockControl {
    /// Moves the mock clock forward by `by` and applies every lifecycle step and live log
    /// record that falls due. With the manual clock this is the only way time passes; with
    /// the real clock it jumps ahead of the wall clock.
    pub fn advance(&self, by: Duration) {
        self.shared.clock.advance(by);
        self.shared.with_store(|_, _| ());
    }

    /// The current time of the mock clock.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.shared.clock.now()
    }

    /// The deployment called `name`, with its workers, as `get_deployment` would answer.
    pub fn deployment(&self, name: &str) -> Option<DeploymentDetailResponse> {
        self.shared.with_store(|store, _| store.get(name).map(|e| e.deployment.clone()))
    }

    /// The names of every deployment, sorted.
    pub fn deployment_names(&self) -> Vec<String> {
        self.shared.with_store(|store, _| store.names())
    }

    /// Adds a deployment, or replaces the one with the same name or ID. Its fields are taken
    /// as they are (`is_active`, counts and workers included).
    pub fn insert_deployment(&self, d: DeploymentDetailResponse) {
        self.shared.with_store(|store, now| {
            let id = d.id;
            store.insert(Entry::new(d, Vec::new()));
            store.resume_fixture_rollouts(&[id], now);
        });
    }

    /// Removes the deployment called `name`; whether there was one.
    pub fn remove_deployment(&self, name: &str) -> bool {
        self.shared.with_store(|store, _| {
            let Some(id) = store.id_of(name) else { return false };
            store.logs.remove(name);
            store.remove(id).is_some()
        })
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.requests).clone()
    }

    /// Forgets the requests received so far.
    pub fn clear_requests(&self) {
        lock(&self.shared.requests).clear();
    }

    /// How many requests of the operation `operation_id` (as in `openapi.yaml`) were received.
    pub fn request_count(&self, operation_id: &str) -> usize {
        lock(&self.shared.requests)
            .iter()
            .filter(|r| r.operation_id.as_deref() == Some(operation_id))
            .count()
    }
}
