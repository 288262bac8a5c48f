//! [`MockControl`]: inspection and editing of a running mock, and the requests it saw.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use mistral_workflows_gen::enums::DeploymentLogType;
use mistral_workflows_gen::types::{DeploymentDetailResponse, DeploymentLogRecord};

use crate::fault::Fault;
use crate::state::{Shared, lock};
use crate::store::Entry;
use crate::stream::StreamPlan;

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

    /// Appends a runtime log record to the deployment `name` and wakes its open log streams.
    /// Returns the record's event id, or `None` when there is no such deployment.
    ///
    /// The record is taken as it is: its timestamp may be in the past, it still comes last
    /// in the stream (streams follow the order records are written in; search follows
    /// timestamps).
    pub fn append_log(&self, name: &str, record: DeploymentLogRecord) -> Option<String> {
        self.shared.with_store(|store, _| {
            store.get(name)?;
            let sequence = store.logs.push(name, &DeploymentLogType::Runtime, record)?;
            Some(sequence.to_string())
        })
    }

    /// The event ids of the stored runtime records of the deployment `name`, in the order the
    /// log stream sends them. Empty for an unknown deployment.
    pub fn log_event_ids(&self, name: &str) -> Vec<String> {
        self.shared.with_store(|store, _| {
            store.logs.runtime_sequences(name).iter().map(u64::to_string).collect()
        })
    }

    /// Makes every open log stream of the deployment `name`, and the next one to open, send
    /// an `error` frame with the data `{"error": message, "reason": reason}` next, then end.
    /// A later call replaces an order that no stream has opened for yet.
    pub fn stream_error(&self, name: &str, reason: &str, message: &str) {
        lock(&self.shared.streams).order_error(name, reason, message);
        self.shared.with_store(|store, _| store.logs.wake(name));
    }

    /// Makes the next log stream connection end its body cleanly once it has sent `frames` log
    /// frames (keep-alive comments do not count), between two frames.
    ///
    /// Plans queue up: each is taken by one new stream connection, in the order given.
    pub fn cut_stream_after(&self, frames: usize) {
        lock(&self.shared.streams).queue_plan(StreamPlan::CloseAfter(frames));
    }

    /// Makes the next log stream connection send `frames` complete log frames, then the first
    /// half of the bytes of the next one, then drop the connection (no end of the chunked
    /// body: the client sees the connection break).
    ///
    /// Plans queue up with those of [`cut_stream_after`](Self::cut_stream_after).
    pub fn cut_stream_mid_frame(&self, frames: usize) {
        lock(&self.shared.streams).queue_plan(StreamPlan::CutMidFrame(frames));
    }

    /// Injects `fault` into the next `times` requests of the operation `operation_id` (as in
    /// `openapi.yaml`), or of any request when it is `None`.
    ///
    /// A request takes the first queued rule that matches it, so several rules for the same
    /// operation apply one after the other. Faulted requests are recorded like the others,
    /// before the fault applies. `times` of 0 injects nothing.
    pub fn inject(&self, operation_id: Option<&str>, fault: Fault, times: usize) {
        lock(&self.shared.faults).push(operation_id, fault, times);
    }

    /// Forgets every fault still queued.
    pub fn clear_faults(&self) {
        lock(&self.shared.faults).clear();
    }

    /// How many requests are still to be faulted: the sum of the remaining `times` of the
    /// queued rules.
    pub fn pending_faults(&self) -> usize {
        lock(&self.shared.faults).pending()
    }
}
