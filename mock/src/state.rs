//! What the server, the handlers and [`MockControl`](crate::MockControl) share.

use std::sync::atomic::AtomicU64;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::RecordedRequest;
use crate::clock::Clock;
use crate::fault::FaultQueue;
use crate::store::Store;
use crate::stream::StreamControl;

#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) clock: Clock,
    pub(crate) store: Mutex<Store>,
    pub(crate) requests: Mutex<Vec<RecordedRequest>>,
    /// The only key accepted, when set; otherwise any non-empty bearer key is.
    pub(crate) api_key: Option<String>,
    /// The interval of keep-alive comments on the log stream.
    pub(crate) keep_alive: Duration,
    /// The `retry:` field of the first frame of each log stream, when set.
    pub(crate) stream_retry: Option<Duration>,
    /// Numbers the requests, for the `x-request-id` header of the answers.
    pub(crate) request_sequence: AtomicU64,
    /// The faults still to inject.
    pub(crate) faults: Mutex<FaultQueue>,
    /// Cut plans and errors waiting for log streams.
    pub(crate) streams: Mutex<StreamControl>,
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

    /// A copy of this state as it is now, for a dry run: a request answered on the copy
    /// changes nothing here. The copy records nothing and has no faults or stream plans.
    pub(crate) fn scratch(&self) -> Shared {
        let store = self.with_store(|store, _| store.clone());
        Shared {
            clock: self.clock.snapshot(),
            store: Mutex::new(store),
            requests: Mutex::new(Vec::new()),
            api_key: self.api_key.clone(),
            keep_alive: self.keep_alive,
            stream_retry: self.stream_retry,
            request_sequence: AtomicU64::new(0),
            faults: Mutex::new(FaultQueue::default()),
            streams: Mutex::new(StreamControl::default()),
        }
    }
}
