//! The body of the log stream: server-sent events read from the log store by position.
//!
//! A connection holds no queue. It keeps the sequence number of the last record it sent and,
//! each time hyper asks for more bytes, reads the next matching runtime record after it from
//! the store. When there is none it sleeps on the deployment's [`watch`] channel (woken by
//! every record written and by [`MockControl::stream_error`](crate::MockControl::stream_error))
//! or until a keep-alive comment is due. A client that reads slowly therefore only slows its
//! own connection down: hyper stops asking for bytes while the socket is full.
//!
//! Event ids are the sequence numbers in decimal. They grow with every record written, so
//! "after id N" is "sequence numbers above N", whether or not N is still stored.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use mistral_workflows_gen::types::DeploymentLogRecord;
use tokio::sync::watch;
use tokio::time::Instant;

use crate::logs::{Next, StreamFilter};
use crate::routes::api_json;
use crate::state::{Shared, lock};

/// The shortest keep-alive interval: a zero interval would send comments without pause.
const MIN_KEEP_ALIVE: Duration = Duration::from_millis(10);

/// How long a connection that is cut mid-frame waits after the partial frame, so that hyper
/// writes it to the socket before the connection is dropped.
const FLUSH_PAUSE: Duration = Duration::from_millis(30);

/// How one stream connection is cut short.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StreamPlan {
    /// Ends the body cleanly once this many log frames were sent.
    CloseAfter(usize),
    /// Sends this many log frames, then the first half of the next one, then drops the
    /// connection.
    CutMidFrame(usize),
    /// Cuts the JSON of the first log frame's data in half; the stream goes on.
    TruncateFirstData,
}

#[derive(Clone, Debug)]
struct StreamErrorOrder {
    /// Orders the errors: a stream obeys the errors ordered after it opened.
    epoch: u64,
    reason: String,
    message: String,
    /// Whether the next stream to open still has to send it.
    for_next_open: bool,
}

/// What tests asked of the log streams to come and of the open ones.
#[derive(Debug, Default)]
pub(crate) struct StreamControl {
    plans: VecDeque<StreamPlan>,
    errors: HashMap<String, StreamErrorOrder>,
    epoch: u64,
}

impl StreamControl {
    pub(crate) fn queue_plan(&mut self, plan: StreamPlan) {
        self.plans.push_back(plan);
    }

    pub(crate) fn order_error(&mut self, name: &str, reason: &str, message: &str) {
        self.epoch += 1;
        let order = StreamErrorOrder {
            epoch: self.epoch,
            reason: reason.to_owned(),
            message: message.to_owned(),
            for_next_open: true,
        };
        self.errors.insert(name.to_owned(), order);
    }

    /// The error a stream of `name` that has seen the errors up to `seen` must send now.
    fn error_after(&self, name: &str, seen: u64) -> Option<(String, String)> {
        let order = self.errors.get(name).filter(|order| order.epoch > seen)?;
        Some((order.reason.clone(), order.message.clone()))
    }
}

/// One open connection of the log stream.
#[derive(Debug)]
pub(crate) struct LogStreamBody {
    shared: Arc<Shared>,
    name: String,
    filter: StreamFilter,
    /// The sequence number of the last record sent or skipped.
    position: u64,
    changes: watch::Receiver<u64>,
    /// The epoch of the last error order this stream has seen.
    seen_errors: u64,
    /// An error to send right away (the order was waiting for the next stream).
    error_now: Option<(String, String)>,
    plan: Option<StreamPlan>,
    retry: Option<Duration>,
    frames: usize,
    keep_alive: Duration,
    last_write: Instant,
    phase: Phase,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Open,
    /// The partial frame went out: drop the connection.
    Abort,
    Done,
}

/// Where a new stream starts and what it keeps.
#[derive(Debug)]
pub(crate) struct StreamStart {
    pub(crate) name: String,
    pub(crate) filter: StreamFilter,
    /// Start after this sequence number (0: from the first record).
    pub(crate) position: u64,
    pub(crate) changes: watch::Receiver<u64>,
    /// A plan given by an injected fault; otherwise the next queued plan is taken.
    pub(crate) plan: Option<StreamPlan>,
}

impl LogStreamBody {
    /// Opens a stream: takes its plan and any error order waiting for the next stream.
    pub(crate) fn open(shared: Arc<Shared>, start: StreamStart) -> Self {
        let (plan, seen_errors, error_now) = {
            let mut control = lock(&shared.streams);
            let plan = start.plan.or_else(|| control.plans.pop_front());
            let epoch = control.epoch;
            let error_now = control.errors.get_mut(&start.name).and_then(|order| {
                let waiting = order.for_next_open;
                order.for_next_open = false;
                waiting.then(|| (order.reason.clone(), order.message.clone()))
            });
            (plan, epoch, error_now)
        };
        Self {
            retry: shared.stream_retry,
            keep_alive: shared.keep_alive.max(MIN_KEEP_ALIVE),
            shared,
            name: start.name,
            filter: start.filter,
            position: start.position,
            changes: start.changes,
            seen_errors,
            error_now,
            plan,
            frames: 0,
            last_write: Instant::now(),
            phase: Phase::Open,
        }
    }

    /// The body for hyper.
    pub(crate) fn into_body(self) -> axum::body::Body {
        let chunks = futures::stream::unfold(self, |mut body| async move {
            let chunk = body.next_chunk().await?;
            Some((chunk, body))
        });
        axum::body::Body::from_stream(chunks)
    }

    /// The `retry:` line, in the first frame only.
    fn retry_line(&mut self) -> String {
        match self.retry.take() {
            Some(retry) => format!("retry: {}\n", retry.as_millis()),
            None => String::new(),
        }
    }

    fn error_frame(&mut self, reason: &str, message: &str) -> Bytes {
        let data = serde_json::json!({ "error": message, "reason": reason });
        let retry = self.retry_line();
        Bytes::from(format!("event: error\n{retry}data: {data}\n\n"))
    }

    fn log_frame(&mut self, sequence: u64, record: &DeploymentLogRecord) -> Bytes {
        let mut data = match api_json(record) {
            Ok(value) => value.to_string(),
            Err(_) => String::from("{}"),
        };
        if self.plan == Some(StreamPlan::TruncateFirstData) {
            self.plan = None;
            let mut cut = data.len() / 2;
            while !data.is_char_boundary(cut) {
                cut -= 1;
            }
            data.truncate(cut);
        }
        let retry = self.retry_line();
        Bytes::from(format!("event: log\nid: {sequence}\n{retry}data: {data}\n\n"))
    }

    async fn next_chunk(&mut self) -> Option<Result<Bytes, std::io::Error>> {
        loop {
            match self.phase {
                Phase::Done => return None,
                Phase::Abort => {
                    tokio::time::sleep(FLUSH_PAUSE).await;
                    self.phase = Phase::Done;
                    return Some(Err(std::io::Error::other("the log stream was cut mid-frame")));
                }
                Phase::Open => {}
            }
            if let Some(StreamPlan::CloseAfter(frames)) = self.plan
                && self.frames >= frames
            {
                self.phase = Phase::Done;
                return None;
            }

            let error = self.error_now.take().or_else(|| {
                let control = lock(&self.shared.streams);
                control.error_after(&self.name, self.seen_errors)
            });
            if let Some((reason, message)) = error {
                self.phase = Phase::Done;
                return Some(Ok(self.error_frame(&reason, &message)));
            }

            // Seen before reading, so that a record written after the read wakes the wait.
            self.changes.borrow_and_update();
            let next = self.shared.with_store(|store, _| {
                store.logs.next_runtime(&self.name, self.position, &self.filter)
            });
            match next {
                Some(Next::Record(sequence, record)) => {
                    self.position = sequence;
                    let frame = self.log_frame(sequence, &record);
                    self.last_write = Instant::now();
                    if self.plan == Some(StreamPlan::CutMidFrame(self.frames)) {
                        self.phase = Phase::Abort;
                        let half = (frame.len() / 2).max(1);
                        return Some(Ok(frame.slice(..half)));
                    }
                    self.frames += 1;
                    return Some(Ok(frame));
                }
                Some(Next::Idle(position)) => self.position = position,
                None => {}
            }

            let due = self.last_write.checked_add(self.keep_alive);
            let keep_alive = async {
                match due {
                    Some(due) => tokio::time::sleep_until(due).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                changed = self.changes.changed() => {
                    if changed.is_err() {
                        // The deployment was removed: its channel is gone.
                        self.phase = Phase::Done;
                        return None;
                    }
                }
                () = keep_alive => {
                    self.last_write = Instant::now();
                    return Some(Ok(Bytes::from_static(b": keep-alive\n\n")));
                }
            }
        }
    }
}
