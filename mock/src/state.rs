//! What the server, the handlers and [`MockControl`](crate::MockControl) share.

use std::sync::atomic::AtomicU64;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::RecordedRequest;
use crate::clock::Clock;
use crate::store::Store;

#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) clock: Clock,
    pub(crate) store: Mutex<Store>,
    pub(crate) requests: Mutex<Vec<RecordedRequest>>,
    /// The only key accepted, when set; otherwise any non-empty bearer key is.
    pub(crate) api_key: Option<String>,
    /// The interval of keep-alive comments on the log stream.
    #[allow(dead_code)] // TODO(logs round): read by the log stream.
    pub(crate) keep_alive: Duration,
    /// Numbers the requests, for the `x-request-id` header of the answers.
    pub(crate) request_sequence: AtomicU64,
}

/// Locks a mutex, going on with the data of a holder that panicked: the state of the mock is
/// never left half-changed by a panic (there are none on request data), so it stays usable.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    /// Runs `f` on the store brought up to the current time.
    pub(crate) fn with_store<R>(&self, f: impl FnOnce(&mut Store, DateTime<Utc>) -> R) -> R {
        let now = self.clock.now();
        let mut store = lock(&self.store);
        store.settle(now);
        f(&mut store, now)
    }

    pub(crate) fn record(&self, request: RecordedRequest) {
        lock(&self.requests).push(request);
    }
}
