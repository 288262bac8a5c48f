//! The live log stream: server-sent events that resume on their own across dropped
//! connections.

use std::fmt;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use eventsource_stream::{EventStream, Eventsource};
use futures::stream::{BoxStream, Stream, StreamExt};

use crate::client::{CallOptions, Client, Operation};
use crate::error::{Error, Result, StreamErrorReason};
use crate::retry::RetryPolicy;
use crate::types::{DeploymentLogRecord, StreamError};
use crate::validate;

/// The default idle timeout of the log stream.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(90);

/// One record of the log stream, with its event id.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct LogEvent {
    /// The event id: the resume cursor as of this record. `None` when the server has sent no
    /// id yet.
    pub id: Option<String>,
    /// The record.
    pub record: DeploymentLogRecord,
}

/// Follows the logs of a deployment. Made by [`Deployments::log_stream`].
///
/// [`Deployments::log_stream`]: crate::Deployments::log_stream
#[derive(Clone, Debug)]
#[must_use = "a log stream does nothing until it is started"]
pub struct LogStreamBuilder {
    client: Client,
    name: String,
    worker_name: Option<String>,
    workflow_name: Option<String>,
    after: Option<DateTime<Utc>>,
    last_event_id: Option<String>,
    settings: Settings,
}

#[derive(Clone, Debug)]
struct Settings {
    idle_timeout: Duration,
    open_timeout: Option<Option<Duration>>,
    max_failures: u32,
    reconnect_delay: Duration,
    max_reconnect_delay: Duration,
}

impl LogStreamBuilder {
    pub(crate) fn new(client: Client, name: String) -> Self {
        Self {
            client,
            name,
            worker_name: None,
            workflow_name: None,
            after: None,
            last_event_id: None,
            settings: Settings {
                idle_timeout: DEFAULT_IDLE_TIMEOUT,
                open_timeout: None,
                max_failures: 10,
                reconnect_delay: Duration::from_secs(1),
                max_reconnect_delay: Duration::from_secs(30),
            },
        }
    }

    /// Keep only records of this worker.
    pub fn worker_name(mut self, name: impl Into<String>) -> Self {
        self.worker_name = Some(name.into());
        self
    }

    /// Keep only records of this workflow.
    pub fn workflow_name(mut self, name: impl Into<String>) -> Self {
        self.workflow_name = Some(name.into());
        self
    }

    /// Start after this instant. An event id ([`last_event_id`](Self::last_event_id)) wins
    /// over it. With neither, the stream starts from the deployment's start.
    pub fn after(mut self, instant: DateTime<Utc>) -> Self {
        self.after = Some(instant);
        self
    }

    /// Resume after this event id, as saved from [`LogStream::last_event_id`] by an earlier
    /// process. Sent as the `Last-Event-ID` header.
    pub fn last_event_id(mut self, id: impl Into<String>) -> Self {
        self.last_event_id = Some(id.into());
        self
    }

    /// How long the connection may stay silent, keep-alive comments included, before it is
    /// taken for dead and replaced. There is no total deadline.
    ///
    /// Default is 90 s.
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.settings.idle_timeout = timeout;
        self
    }

    /// How long each attempt to open the stream may take, from sending the request until the
    /// answer's headers arrive (the TCP and TLS handshakes are bounded by the client's
    /// `connect_timeout` too). `None` means no limit.
    ///
    /// Default is the client's per-call timeout.
    pub fn open_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.settings.open_timeout = Some(timeout.into());
        self
    }

    /// How many failures in a row (failed connects, dropped or silent connections, with no
    /// record in between) end the stream with the last error.
    ///
    /// Default is 10.
    pub fn max_failures(mut self, failures: u32) -> Self {
        self.settings.max_failures = failures;
        self
    }

    /// The wait before the first reconnect; it doubles with each further failure in a row, up
    /// to [`max_reconnect_delay`](Self::max_reconnect_delay). A `retry:` field from the server
    /// replaces it.
    ///
    /// Default is 1 s.
    pub fn reconnect_delay(mut self, delay: Duration) -> Self {
        self.settings.reconnect_delay = delay;
        self
    }

    /// The longest wait between two connection attempts.
    ///
    /// Default is 30 s.
    pub fn max_reconnect_delay(mut self, delay: Duration) -> Self {
        self.settings.max_reconnect_delay = delay;
        self
    }

    /// The stream, connecting when it is first polled.
    pub fn stream(self) -> LogStream {
        LogStream::from_state(State::new(self))
    }

    /// Connects, then returns the stream, so that an unknown deployment or a bad argument
    /// fails here rather than on the first poll.
    ///
    /// # Errors
    ///
    /// [`InvalidInput`](crate::ErrorKind::InvalidInput) for a bad name; an
    /// [`Api`](crate::ErrorKind::Api) error with status 404 for an unknown deployment; the
    /// last error once [`max_failures`](Self::max_failures) attempts failed.
    pub async fn connect(self) -> Result<LogStream> {
        let mut state = State::new(self);
        state.ensure_open().await?;
        Ok(LogStream::from_state(state))
    }
}

/// The records of a deployment's logs as they are written, for as long as it is polled.
///
/// On a dropped connection or an idle timeout it reconnects with backoff, sending the id of
/// the last event received as `Last-Event-ID`, so that no record is lost and none is delivered
/// twice. It yields `Err` and ends when the server sends an `error` frame
/// ([`ErrorKind::Stream`](crate::ErrorKind::Stream)), when the deployment does not exist,
/// or after too many failures in a row. A record that does not decode is yielded as a
/// [`Decode`](crate::ErrorKind::Decode) error and the stream goes on.
///
/// Nothing is read ahead of the consumer: a slow consumer slows the connection down rather
/// than filling memory.
#[must_use = "streams do nothing unless polled"]
pub struct LogStream {
    inner: BoxStream<'static, Result<LogEvent>>,
    last_event_id: Arc<Mutex<Option<String>>>,
}

impl LogStream {
    fn from_state(state: State) -> Self {
        let last_event_id = Arc::clone(&state.last_event_id);
        let inner = futures::stream::unfold(state, |mut state| async move {
            let item = state.next_item().await?;
            Some((item, state))
        })
        .boxed();
        Self { inner, last_event_id }
    }

    /// The id of the last event received: save it to resume in a later process with
    /// [`LogStreamBuilder::last_event_id`].
    pub fn last_event_id(&self) -> Option<String> {
        self.last_event_id.lock().ok().and_then(|id| id.clone())
    }
}

impl Stream for LogStream {
    type Item = Result<LogEvent>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

impl fmt::Debug for LogStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LogStream").field("last_event_id", &self.last_event_id()).finish()
    }
}

/// What can end one connection.
#[derive(Debug)]
enum ConnectionError {
    Transport(reqwest::Error),
    Idle,
}

impl fmt::Display for ConnectionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConnectionError::Transport(e) => write!(f, "{e}"),
            ConnectionError::Idle => f.write_str("idle"),
        }
    }
}

type Bytestream = BoxStream<'static, std::result::Result<Bytes, ConnectionError>>;

/// Ends a byte stream with [`ConnectionError::Idle`] when no chunk arrives in time. It works on
/// bytes rather than events so that keep-alive comments count as life.
struct IdleTimeout {
    inner: BoxStream<'static, reqwest::Result<Bytes>>,
    idle: Duration,
    timer: Pin<Box<tokio::time::Sleep>>,
}

impl Stream for IdleTimeout {
    type Item = std::result::Result<Bytes, ConnectionError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        match self.inner.as_mut().poll_next(cx) {
            Poll::Ready(Some(chunk)) => {
                let now = tokio::time::Instant::now();
                // `Duration::MAX` means "never"; a deadline decades away says the same.
                let deadline = now.checked_add(self.idle).unwrap_or(now + FAR_FUTURE);
                self.timer.as_mut().reset(deadline);
                Poll::Ready(Some(chunk.map_err(ConnectionError::Transport)))
            }
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => match self.timer.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Some(Err(ConnectionError::Idle))),
                Poll::Pending => Poll::Pending,
            },
        }
    }
}

/// A deadline that never comes, for an idle timeout of `Duration::MAX`.
const FAR_FUTURE: Duration = Duration::from_secs(30 * 365 * 86_400);

/// The longest `retry:` line the scanner keeps across chunks.
const MAX_RETRY_LINE: usize = 32;

/// Watches the bytes of a connection for `retry:` lines.
///
/// eventsource-stream reports a `retry:` only inside a frame that also has data; a frame with a
/// `retry:` field alone, the usual way servers send it, is dropped whole. So the reconnect delay
/// is read from the bytes before they reach the parser.
struct RetryScanner {
    /// The start of a line that began with `r` and has not ended yet.
    pending: Option<Vec<u8>>,
    at_line_start: bool,
    /// Milliseconds plus one; 0 while the server has sent none.
    found: Arc<AtomicU64>,
}

impl RetryScanner {
    fn new(found: Arc<AtomicU64>) -> Self {
        Self { pending: None, at_line_start: true, found }
    }

    fn scan(&mut self, mut chunk: &[u8]) {
        if let Some(mut pending) = self.pending.take() {
            match memchr::memchr(b'\n', chunk) {
                Some(end) => {
                    pending.extend_from_slice(&chunk[..end]);
                    self.line(&pending);
                    chunk = &chunk[end + 1..];
                    self.at_line_start = true;
                }
                None => {
                    if pending.len() + chunk.len() <= MAX_RETRY_LINE {
                        pending.extend_from_slice(chunk);
                        self.pending = Some(pending);
                    }
                    return;
                }
            }
        }
        loop {
            if !self.at_line_start {
                match memchr::memchr(b'\n', chunk) {
                    Some(end) => {
                        chunk = &chunk[end + 1..];
                        self.at_line_start = true;
                    }
                    None => return,
                }
            }
            let Some(&first) = chunk.first() else { return };
            self.at_line_start = false;
            if first != b'r' {
                continue;
            }
            match memchr::memchr(b'\n', chunk) {
                Some(end) => {
                    self.line(&chunk[..end]);
                    chunk = &chunk[end + 1..];
                    self.at_line_start = true;
                }
                None => {
                    if chunk.len() <= MAX_RETRY_LINE {
                        self.pending = Some(chunk.to_vec());
                    }
                    return;
                }
            }
        }
    }

    fn line(&self, line: &[u8]) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let Some(value) = line.strip_prefix(b"retry:") else { return };
        let value = value.strip_prefix(b" ").unwrap_or(value);
        // The SSE rules: only ASCII digits make a reconnection time.
        if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
            return;
        }
        let millis = std::str::from_utf8(value).ok().and_then(|v| v.parse::<u64>().ok());
        self.found.store(millis.unwrap_or(u64::MAX).saturating_add(1), Ordering::Relaxed);
    }
}

/// The largest piece of bytes handed to the SSE parser at once.
///
/// eventsource-stream moves the rest of its buffer down after each line it parses, so a line
/// costs as much as the chunk it arrived in. A fast connection catching up on a backlog hands
/// over reads of hundreds of KiB, which makes parsing quadratic; pieces of this size keep each
/// line's cost small. Slicing `Bytes` copies nothing.
const PARSE_PIECE: usize = 4096;

/// Cuts every chunk of a byte stream into pieces of at most [`PARSE_PIECE`] bytes.
fn in_pieces<S, E>(bytes: S) -> impl Stream<Item = std::result::Result<Bytes, E>>
where
    S: Stream<Item = std::result::Result<Bytes, E>>,
{
    bytes.flat_map(|chunk| {
        let pieces: Vec<std::result::Result<Bytes, E>> = match chunk {
            Ok(mut chunk) => {
                let mut pieces = Vec::with_capacity(chunk.len() / PARSE_PIECE + 1);
                while chunk.len() > PARSE_PIECE {
                    pieces.push(Ok(chunk.split_to(PARSE_PIECE)));
                }
                pieces.push(Ok(chunk));
                pieces
            }
            Err(e) => vec![Err(e)],
        };
        futures::stream::iter(pieces)
    })
}

struct State {
    request: LogStreamBuilder,
    last_event_id: Arc<Mutex<Option<String>>>,
    /// The server's `retry:`, in milliseconds plus one (0 for none), as the scanner saw it.
    server_retry: Arc<AtomicU64>,
    /// The `Retry-After` of the last failed attempt to open the stream, if any.
    retry_after: Option<Duration>,
    failures: u32,
    events: Option<EventStream<Bytestream>>,
    done: bool,
}

impl State {
    fn new(request: LogStreamBuilder) -> Self {
        let last = Arc::new(Mutex::new(request.last_event_id.clone()));
        Self {
            request,
            last_event_id: last,
            server_retry: Arc::new(AtomicU64::new(0)),
            retry_after: None,
            failures: 0,
            events: None,
            done: false,
        }
    }

    fn last_id(&self) -> Option<String> {
        self.last_event_id.lock().ok().and_then(|id| id.clone())
    }

    fn set_last_id(&self, id: &str) {
        if let Ok(mut last) = self.last_event_id.lock() {
            *last = Some(id.to_owned());
        }
    }

    /// The wait before connection attempt after `failures` failures in a row.
    fn reconnect_wait(&self) -> Duration {
        let s = &self.request.settings;
        let cap = s.max_reconnect_delay;
        let server = match self.server_retry.load(Ordering::Relaxed) {
            0 => None,
            millis => Some(Duration::from_millis(millis - 1)),
        };
        // The server's `retry:` replaces the configured delay, within the same cap.
        let base = server.unwrap_or(s.reconnect_delay).min(cap);
        let factor = 2u32.saturating_pow(self.failures.saturating_sub(1));
        let wait = base.saturating_mul(factor).min(cap);
        // A 429 or 503 that asked for a pause gets it, within the same cap.
        let wait = wait.max(self.retry_after.unwrap_or_default().min(cap));
        if self.failures > 1 {
            // Spread the reconnects of many clients after an outage.
            let spread = wait.as_secs_f64() * (1.0 + fastrand::f64() * 0.25);
            Duration::try_from_secs_f64(spread).unwrap_or(cap).min(cap)
        } else {
            wait
        }
    }

    /// Counts a failure; `Some(error)` when it was one too many and the stream ends.
    fn fail(&mut self, error: Error) -> Option<Error> {
        self.events = None;
        self.failures += 1;
        if self.failures > self.request.settings.max_failures {
            self.done = true;
            Some(error)
        } else {
            tracing::debug!(
                target: "mistral_workflows",
                operation = "stream_deployment_logs",
                failures = self.failures,
                error = %error,
                "log stream interrupted; reconnecting"
            );
            None
        }
    }

    /// Opens a connection unless one is open, retrying by the stream's own rules.
    async fn ensure_open(&mut self) -> Result<()> {
        while self.events.is_none() {
            if self.failures > 0 {
                tokio::time::sleep(self.reconnect_wait()).await;
            }
            match open(&self.request, self.last_id(), &self.server_retry).await {
                Ok(events) => {
                    self.retry_after = None;
                    self.events = Some(events);
                }
                Err(error) if error.is_retryable() => {
                    self.retry_after = error.retry_after();
                    if let Some(error) = self.fail(error) {
                        return Err(error);
                    }
                }
                Err(error) => {
                    self.done = true;
                    return Err(error);
                }
            }
        }
        Ok(())
    }

    async fn next_item(&mut self) -> Option<Result<LogEvent>> {
        loop {
            if self.done {
                return None;
            }
            if let Err(error) = self.ensure_open().await {
                return Some(Err(error));
            }
            let events = self.events.as_mut()?;
            let event = match events.next().await {
                Some(Ok(event)) => event,
                Some(Err(error)) => {
                    let error = connection_error(error, self.request.settings.idle_timeout);
                    match self.fail(error) {
                        Some(error) => return Some(Err(error)),
                        None => continue,
                    }
                }
                None => {
                    let error = Error::closed();
                    match self.fail(error) {
                        Some(error) => return Some(Err(error)),
                        None => continue,
                    }
                }
            };

            if !event.id.is_empty() {
                self.set_last_id(&event.id);
            }
            match interpret(&event, self.last_id()) {
                Frame::Record(item) => {
                    self.failures = 0;
                    return Some(item);
                }
                Frame::End(error) => {
                    self.done = true;
                    self.events = None;
                    return Some(Err(error));
                }
                Frame::Skip => {}
            }
        }
    }
}

/// What one event of the stream means.
enum Frame {
    /// A `log` frame: its record, or why it did not decode.
    Record(Result<LogEvent>),
    /// An `error` frame: the stream ends with this.
    End(Error),
    /// A frame of a kind this version does not know: skipped, as the API asks.
    Skip,
}

fn interpret(event: &eventsource_stream::Event, id: Option<String>) -> Frame {
    match event.event.as_str() {
        "log" => Frame::Record(match serde_json::from_str::<DeploymentLogRecord>(&event.data) {
            Ok(record) => Ok(LogEvent { id, record }),
            Err(e) => Err(Error::decode("a log record", &e, event.data.as_bytes())),
        }),
        "error" => {
            let error = match serde_json::from_str::<StreamError>(&event.data) {
                Ok(frame) => {
                    Error::stream(StreamErrorReason::from_wire(&frame.reason), &frame.error)
                }
                Err(_) => Error::stream(StreamErrorReason::StreamError, &event.data),
            };
            Frame::End(error.with_operation("stream_deployment_logs"))
        }
        _ => Frame::Skip,
    }
}

/// Decodes server-sent events of the log stream from bytes you already have: a capture, a
/// file, a transport of your own. It does not reconnect: it ends with the bytes, or after an
/// `error` frame. Ids are kept as the SSE rules say: a frame without `id:` keeps the last one.
///
/// ```
/// use futures::{StreamExt, stream};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let bytes = "event: log\nid: 1\ndata: {\"timestamp\": \"2025-12-17T10:25:07.818693Z\", \
///     \"trace_id\": \"t\", \"span_id\": \"s\", \"severity_text\": \"INFO\", \
///     \"body\": \"hello\", \"log_attributes\": {}}\n\n";
/// let chunks = stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from(bytes))]);
/// let events: Vec<_> = mistral_workflows::decode_log_events(chunks).collect().await;
/// assert_eq!(events[0].as_ref().unwrap().record.body, "hello");
/// # });
/// ```
pub fn decode_log_events<S, B, E>(bytes: S) -> impl Stream<Item = Result<LogEvent>> + Send
where
    S: Stream<Item = std::result::Result<B, E>> + Send + 'static,
    B: Into<Bytes> + Send + 'static,
    E: fmt::Display + Send + 'static,
{
    let bytes = in_pieces(bytes.map(|chunk| chunk.map(Into::into)));
    let events = Box::pin(bytes.eventsource());
    futures::stream::unfold(Some(events), |state| async move {
        let mut events = state?;
        loop {
            let event = match events.next().await? {
                Ok(event) => event,
                Err(e) => {
                    let error = Error::malformed_answer(format!("the log stream broke: {e}"));
                    return Some((Err(error), None));
                }
            };
            // The parser carries the last id forward into frames that have none.
            let id = Some(event.id.clone()).filter(|id| !id.is_empty());
            match interpret(&event, id) {
                Frame::Record(item) => return Some((item, Some(events))),
                Frame::End(error) => return Some((Err(error), None)),
                Frame::Skip => {}
            }
        }
    })
}

async fn open(
    r: &LogStreamBuilder,
    last_id: Option<String>,
    server_retry: &Arc<AtomicU64>,
) -> Result<EventStream<Bytestream>> {
    validate::deployment_name(&r.name)?;
    let op = Operation {
        id: "stream_deployment_logs",
        method: "GET",
        idempotent: true,
        answer: "the log stream",
    };
    // The stream does its own reconnecting, with its own backoff and failure count.
    let options =
        CallOptions { retry: Some(RetryPolicy::disabled()), timeout: r.settings.open_timeout };
    let path = format!("/v1/workflows/deployments/{}/logs/stream", r.name);
    let client = &r.client;
    let body = client
        .execute(op, &path, &options, || {
            let mut q = client.api().stream_deployment_logs().name(r.name.as_str());
            if let Some(v) = &r.worker_name {
                q = q.worker_name(v.clone());
            }
            if let Some(v) = &r.workflow_name {
                q = q.workflow_name(v.clone());
            }
            match (&last_id, r.after) {
                // The id wins over `after` on the server; sending both would be noise.
                (Some(id), _) => q = q.last_event_id(id.clone()),
                (None, Some(after)) => q = q.after(after),
                (None, None) => {}
            }
            q.send()
        })
        .await?;
    let bytes = IdleTimeout {
        inner: body.into_inner(),
        idle: r.settings.idle_timeout,
        timer: Box::pin(tokio::time::sleep(r.settings.idle_timeout)),
    };
    let mut scanner = RetryScanner::new(Arc::clone(server_retry));
    let bytes = bytes.inspect(move |chunk| {
        if let Ok(chunk) = chunk {
            scanner.scan(chunk);
        }
    });
    let bytes: Bytestream = in_pieces(bytes).boxed();
    Ok(bytes.eventsource())
}

fn connection_error(
    error: eventsource_stream::EventStreamError<ConnectionError>,
    idle: Duration,
) -> Error {
    use eventsource_stream::EventStreamError as E;
    match error {
        E::Transport(ConnectionError::Idle) => Error::idle_timeout(idle),
        E::Transport(ConnectionError::Transport(e)) => Error::transport(e),
        E::Utf8(e) => Error::malformed_answer(format!("the log stream is not UTF-8: {e}")),
        E::Parser(e) => Error::malformed_answer(format!("the log stream is not valid SSE: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(chunks: &[&str]) -> Option<u64> {
        let found = Arc::new(AtomicU64::new(0));
        let mut scanner = RetryScanner::new(Arc::clone(&found));
        for chunk in chunks {
            scanner.scan(chunk.as_bytes());
        }
        match found.load(Ordering::Relaxed) {
            0 => None,
            n => Some(n - 1),
        }
    }

    #[test]
    fn a_retry_line_alone_is_seen() {
        assert_eq!(scan(&["retry: 5000\n\n"]), Some(5000));
        assert_eq!(scan(&["retry:250\r\n\r\n"]), Some(250));
        assert_eq!(scan(&["event: log\nretry: 7\ndata: {}\n\n"]), Some(7));
    }

    #[test]
    fn a_retry_line_split_across_chunks_is_seen() {
        assert_eq!(scan(&["id: 1\nre", "try: 1", "23\n\n"]), Some(123));
        assert_eq!(scan(&["data: x\n", "r", "etry: 9\n"]), Some(9));
    }

    #[test]
    fn other_lines_are_not_retry_lines() {
        assert_eq!(scan(&["data: retry: 5\n\n"]), None);
        assert_eq!(scan(&[": retry: 5\n"]), None);
        assert_eq!(scan(&["retry: 5s\n", "retry: -1\n", "retry:\n"]), None);
        assert_eq!(scan(&["retryx: 5\n"]), None);
    }

    #[test]
    fn the_last_retry_wins_and_huge_values_saturate() {
        assert_eq!(scan(&["retry: 1\n\nretry: 2\n\n"]), Some(2));
        // Past u64 milliseconds: kept as "very long", which the reconnect cap then bounds.
        assert!(scan(&["retry: 99999999999999999999999\n"]).is_some_and(|ms| ms > 1 << 60));
    }
}
