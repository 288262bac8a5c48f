//! The server: [`MockServer`], its builder, the accept loop and the per-request pipeline
//! (record, inject a fault, authenticate, route).

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderValue, Method, Request, Response, StatusCode, header};
use bytes::Bytes;
use futures::StreamExt as _;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};
use tower::ServiceExt as _;

use crate::clock::Clock;
use crate::control::{MockControl, RecordedRequest};
use crate::fault::{Fault, FaultQueue, html_response, status_response};
use crate::fixtures::Fixtures;
use crate::routes::{self, PREFIX, detail};
use crate::state::{Shared, lock};
use crate::store::StoreConfig;
use crate::stream::{StreamControl, StreamPlan};

/// The largest request body read; larger ones answer 413.
const MAX_BODY: usize = 16 * 1024 * 1024;

/// How long an answer cut mid-body waits after its partial body, so that hyper writes it to
/// the socket before the connection is dropped.
const FLUSH_PAUSE: Duration = Duration::from_millis(30);

/// An embedded mock of the Mistral Workflows Deployments API, serving on a local port.
///
/// It stops serving when dropped: the accept loop, every open connection and the background
/// clock task are aborted.
#[derive(Debug)]
pub struct MockServer {
    addr: SocketAddr,
    base_url: String,
    control: MockControl,
    task: JoinHandle<()>,
    ticker: Option<JoinHandle<()>>,
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.task.abort();
        if let Some(ticker) = &self.ticker {
            ticker.abort();
        }
    }
}

impl MockServer {
    /// Starts a server with the default settings: [`MockServer::builder`]`().start()`.
    ///
    /// # Errors
    ///
    /// When the port cannot be bound.
    pub async fn start() -> std::io::Result<MockServer> {
        MockServer::builder().start().await
    }

    /// A builder to choose the address, fixtures, key and clock.
    pub fn builder() -> MockServerBuilder {
        MockServerBuilder::default()
    }

    /// The base URL to give a client: `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The handle to the server's state: clock, deployments and recorded requests.
    pub fn control(&self) -> &MockControl {
        &self.control
    }
}

/// Settings of a [`MockServer`].
#[derive(Debug)]
pub struct MockServerBuilder {
    addr: SocketAddr,
    fixtures: Fixtures,
    api_key: Option<String>,
    manual_clock: bool,
    phase_duration: Duration,
    live_logs: Option<Duration>,
    keep_alive: Duration,
    stream_retry: Option<Duration>,
}

impl Default for MockServerBuilder {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            fixtures: Fixtures::seeded(),
            api_key: None,
            manual_clock: false,
            phase_duration: Duration::from_secs(1),
            live_logs: None,
            keep_alive: Duration::from_secs(15),
            stream_retry: None,
        }
    }
}

impl MockServerBuilder {
    /// The address to listen on. Default is `127.0.0.1:0`, a free port chosen by the system.
    pub fn addr(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// The deployments to start with. Default is [`Fixtures::seeded`].
    pub fn fixtures(mut self, fixtures: Fixtures) -> Self {
        self.fixtures = fixtures;
        self
    }

    /// The only API key accepted; any other answers 401. Default is to accept any non-empty
    /// bearer key.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// Uses a manual clock: time stands still at a fixed instant (2026-01-15T12:00:00Z) and
    /// moves only with [`MockControl::advance`]. Default is the real-time clock.
    pub fn manual_clock(mut self) -> Self {
        self.manual_clock = true;
        self
    }

    /// How long each phase of a managed rollout (`queued`, then `building`) lasts on the
    /// mock clock. Default is 1 s.
    pub fn phase_duration(mut self, d: Duration) -> Self {
        self.phase_duration = d;
        self
    }

    /// Makes every active deployment append a runtime log record at each `interval` of the
    /// mock clock (`None`: never). Default is `None`. Intervals below 1 ms count as 1 ms.
    ///
    /// With the manual clock the records are written by [`MockControl::advance`]; with the
    /// real clock a background task writes them as time passes, so open log streams receive
    /// them live.
    pub fn live_logs(mut self, interval: Option<Duration>) -> Self {
        self.live_logs = interval;
        self
    }

    /// The interval of the keep-alive comments (`: keep-alive`) of an idle log stream, in
    /// real time whatever the clock. Default is 15 s. Intervals below 10 ms count as 10 ms.
    pub fn keep_alive(mut self, interval: Duration) -> Self {
        self.keep_alive = interval;
        self
    }

    /// Sends `retry: <milliseconds>` in the first frame of every log stream, the reconnect
    /// delay a client should use. Default is no `retry:` field.
    pub fn stream_retry(mut self, delay: Duration) -> Self {
        self.stream_retry = Some(delay);
        self
    }

    /// Binds the address and starts serving on the current Tokio runtime.
    ///
    /// # Errors
    ///
    /// When the address cannot be bound.
    pub async fn start(self) -> std::io::Result<MockServer> {
        let listener = TcpListener::bind(self.addr).await?;
        let addr = listener.local_addr()?;
        let clock = Clock::new(self.manual_clock);
        let config = StoreConfig { phase_duration: self.phase_duration, live_logs: self.live_logs };
        let store = self.fixtures.into_store(config, clock.now());
        let shared = Arc::new(Shared {
            clock,
            store: std::sync::Mutex::new(store),
            requests: std::sync::Mutex::new(Vec::new()),
            api_key: self.api_key,
            keep_alive: self.keep_alive,
            stream_retry: self.stream_retry,
            request_sequence: AtomicU64::new(0),
            faults: std::sync::Mutex::new(FaultQueue::default()),
            streams: std::sync::Mutex::new(StreamControl::default()),
        });
        let app = App { router: routes::router(shared.clone()), shared: shared.clone() };
        let task = tokio::spawn(accept_loop(listener, app));
        // The manual clock moves only in `advance`, which settles the store itself. The real
        // one moves on its own: this task settles the store as it does, so that live logs
        // and rollout steps happen (and wake open log streams) without waiting for a request.
        let ticker = (!self.manual_clock).then(|| {
            let period = self
                .live_logs
                .unwrap_or(Duration::from_millis(250))
                .clamp(Duration::from_millis(10), Duration::from_secs(1));
            tokio::spawn(settle_periodically(shared.clone(), period))
        });
        Ok(MockServer {
            addr,
            base_url: format!("http://{addr}"),
            control: MockControl { shared },
            task,
            ticker,
        })
    }
}

async fn settle_periodically(shared: Arc<Shared>, period: Duration) {
    let mut interval = tokio::time::interval(period);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        shared.with_store(|_, _| ());
    }
}

/// What every connection serves.
#[derive(Clone, Debug)]
pub(crate) struct App {
    pub(crate) router: Router,
    pub(crate) shared: Arc<Shared>,
}

/// Accepts connections until aborted. The connections are tasks of a `JoinSet` owned by
/// this loop, so aborting the loop also aborts them: dropping the server closes everything.
///
/// The loop is ours rather than `axum::serve` so that each connection can be reset on
/// request (see [`Connection`]).
async fn accept_loop(listener: TcpListener, app: App) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    connections.spawn(serve_connection(stream, app.clone()));
                }
                // Out of file descriptors and the like: wait a little rather than spin.
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

/// A TCP connection that can be reset: once `reset` is set, reads and writes fail (so hyper
/// gives up on it without a graceful shutdown) and dropping it sets `SO_LINGER` to zero,
/// which makes the system send a TCP reset instead of a FIN.
#[derive(Debug)]
struct Connection {
    stream: TcpStream,
    reset: Arc<AtomicBool>,
}

impl Connection {
    fn check(&self) -> io::Result<()> {
        if self.reset.load(Ordering::Relaxed) {
            Err(io::Error::new(io::ErrorKind::ConnectionReset, "reset by an injected fault"))
        } else {
            Ok(())
        }
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        if self.reset.load(Ordering::Relaxed) {
            let _ = self.stream.set_zero_linger();
        }
    }
}

impl AsyncRead for Connection {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        this.check()?;
        Pin::new(&mut this.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Connection {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        this.check()?;
        Pin::new(&mut this.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        this.check()?;
        Pin::new(&mut this.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        this.check()?;
        Pin::new(&mut this.stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        this.check()?;
        Pin::new(&mut this.stream).poll_shutdown(cx)
    }
}

/// The error a service returns to make hyper drop the connection without answering.
#[derive(Debug)]
struct ResetConnection;

impl std::fmt::Display for ResetConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection reset by an injected fault")
    }
}

impl std::error::Error for ResetConnection {}

async fn serve_connection(stream: TcpStream, app: App) {
    let _ = stream.set_nodelay(true);
    let reset = Arc::new(AtomicBool::new(false));
    let io = hyper_util::rt::TokioIo::new(Connection { stream, reset: reset.clone() });
    let service = hyper::service::service_fn(move |request| {
        let app = app.clone();
        let reset = reset.clone();
        async move {
            match app.handle(request).await {
                Outcome::Respond(response) => Ok(response),
                Outcome::Reset => {
                    reset.store(true, Ordering::Relaxed);
                    Err(ResetConnection)
                }
            }
        }
    });
    // A client that goes away mid-request is not an error of the mock.
    let _ = hyper::server::conn::http1::Builder::new().serve_connection(io, service).await;
}

/// What to do with a request.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// Send this answer.
    Respond(Response<Body>),
    /// Reset the connection without answering.
    Reset,
}

impl App {
    /// One request: read the body, record, inject a fault, authenticate, route.
    pub(crate) async fn handle<B>(&self, request: Request<B>) -> Outcome
    where
        B: axum::body::HttpBody<Data = bytes::Bytes> + Send + 'static,
        B::Error: Into<axum::BoxError>,
    {
        let (parts, body) = request.into_parts();
        let sequence = self.shared.request_sequence.fetch_add(1, Ordering::Relaxed) + 1;
        let bytes = axum::body::to_bytes(Body::new(body), MAX_BODY).await;

        let path = parts.uri.path().to_owned();
        let operation = operation_id(parts.method.as_str(), &path);
        let headers = parts
            .headers
            .iter()
            .map(|(name, value)| {
                (name.as_str().to_owned(), String::from_utf8_lossy(value.as_bytes()).into_owned())
            })
            .collect();
        self.shared.record(RecordedRequest {
            operation_id: operation.map(str::to_owned),
            method: parts.method.as_str().to_owned(),
            path,
            query: parts.uri.query().map(str::to_owned),
            headers,
            body: bytes.as_ref().ok().filter(|b| !b.is_empty()).cloned(),
        });

        // Faults come before authentication, as they would from a proxy in front of the API.
        let fault = lock(&self.shared.faults).take(operation);
        let streaming = operation == Some(mistral_workflows_gen::STREAM_OPERATION_ID);
        let mut response = match fault {
            None => self.respond(&self.router, parts, bytes, None).await,
            Some(Fault::Latency(delay)) => {
                tokio::time::sleep(delay).await;
                self.respond(&self.router, parts, bytes, None).await
            }
            Some(Fault::Status { status, retry_after, body }) => {
                status_response(status, retry_after.as_deref(), body.as_deref())
            }
            Some(Fault::HtmlErrorPage { status }) => html_response(status),
            Some(Fault::ResetBeforeResponse) => return Outcome::Reset,
            Some(Fault::TruncatedJson) if streaming => {
                let plan = Some(StreamPlan::TruncateFirstData);
                self.respond(&self.router, parts, bytes, plan).await
            }
            Some(Fault::ResetMidBody) if streaming => {
                let plan = Some(StreamPlan::CutMidFrame(0));
                self.respond(&self.router, parts, bytes, plan).await
            }
            Some(Fault::CutStreamMidFrame { frames }) if streaming => {
                let plan = Some(StreamPlan::CutMidFrame(frames));
                self.respond(&self.router, parts, bytes, plan).await
            }
            Some(Fault::TruncatedJson) => truncated(self.dry_run(parts, bytes).await).await,
            Some(Fault::ResetMidBody | Fault::CutStreamMidFrame { .. }) => {
                cut_mid_body(self.dry_run(parts, bytes).await).await
            }
        };
        if let Ok(value) = HeaderValue::from_str(&format!("mock-{sequence:08}")) {
            response.headers_mut().insert("x-request-id", value);
        }
        Outcome::Respond(response)
    }

    /// The normal answer: authenticate, then route. `plan` cuts a log stream short.
    async fn respond(
        &self,
        router: &Router,
        parts: axum::http::request::Parts,
        bytes: Result<Bytes, axum::Error>,
        plan: Option<StreamPlan>,
    ) -> Response<Body> {
        let Ok(bytes) = bytes else {
            return detail(StatusCode::PAYLOAD_TOO_LARGE, "Request body too large");
        };
        if let Err(response) = self.authenticate(&parts.headers) {
            return *response;
        }
        let mut request = Request::from_parts(parts, Body::from(bytes));
        if let Some(plan) = plan {
            request.extensions_mut().insert(plan);
        }
        match router.clone().oneshot(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        }
    }

    /// The answer the request would get, made on a copy of the state when the request could
    /// change it, so that a faulted request changes nothing.
    async fn dry_run(
        &self,
        parts: axum::http::request::Parts,
        bytes: Result<Bytes, axum::Error>,
    ) -> Response<Body> {
        if parts.method == Method::GET || parts.method == Method::HEAD {
            return self.respond(&self.router, parts, bytes, None).await;
        }
        let router = routes::router(Arc::new(self.shared.scratch()));
        self.respond(&router, parts, bytes, None).await
    }

    /// `Ok` for an accepted key, or the 401 to answer.
    fn authenticate(&self, headers: &axum::http::HeaderMap) -> Result<(), Box<Response<Body>>> {
        let token = headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| {
                let (scheme, token) = value.split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
            })
            .filter(|token| !token.is_empty());
        let accepted = match (token, &self.shared.api_key) {
            (None, _) => Err("Not authenticated"),
            (Some(token), Some(key)) if token != key => Err("Invalid API key"),
            _ => Ok(()),
        };
        accepted.map_err(|message| {
            let mut response = detail(StatusCode::UNAUTHORIZED, message);
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            Box::new(response)
        })
    }
}

/// `response` with its body cut in half and a `Content-Length` to match.
async fn truncated(response: Response<Body>) -> Response<Body> {
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_BODY).await.unwrap_or_default();
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(bytes.slice(..bytes.len() / 2)))
}

/// `response` with its full `Content-Length`, but only the first half of its body before the
/// connection is dropped.
async fn cut_mid_body(response: Response<Body>) -> Response<Body> {
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_BODY).await.unwrap_or_default();
    if let Ok(length) = HeaderValue::from_str(&bytes.len().to_string()) {
        parts.headers.insert(header::CONTENT_LENGTH, length);
    }
    let half = bytes.slice(..bytes.len() / 2);
    let first = futures::stream::iter((!half.is_empty()).then_some(Ok::<_, io::Error>(half)));
    // Erroring the body makes hyper drop the connection; the pause lets it write the half
    // that went before.
    let cut = futures::stream::once(async {
        tokio::time::sleep(FLUSH_PAUSE).await;
        Err(io::Error::other("the answer was cut by an injected fault"))
    });
    Response::from_parts(parts, Body::from_stream(first.chain(cut)))
}

/// The `operationId` of `openapi.yaml` that `method` and the raw `path` belong to.
pub(crate) fn operation_id(method: &str, path: &str) -> Option<&'static str> {
    let rest = path.strip_prefix(PREFIX)?;
    if rest.is_empty() {
        return match method {
            "GET" => Some("list_deployments"),
            "POST" => Some("create_deployment"),
            _ => None,
        };
    }
    let segments: Vec<&str> = rest.strip_prefix('/')?.split('/').collect();
    if segments.iter().any(|s| s.is_empty()) {
        return None;
    }
    match (method, segments.as_slice()) {
        ("GET", [_]) => Some("get_deployment"),
        ("PATCH", [_]) => Some("update_deployment"),
        ("DELETE", [_]) => Some("delete_deployment"),
        ("POST", [_, "stop"]) => Some("stop_deployment"),
        ("POST", [_, "start"]) => Some("start_deployment"),
        ("POST", [_, "restart"]) => Some("restart_deployment"),
        ("GET", [_, "workers"]) => Some("list_deployment_workers"),
        ("GET", [_, "logs"]) => Some("search_deployment_logs"),
        ("GET", [_, "logs", "stream"]) => Some("stream_deployment_logs"),
        ("GET", [_, "archive"]) => Some("get_deployment_archive"),
        ("POST", [_, "unharden"]) => Some("unharden_deployment"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_ids() {
        let cases = [
            ("GET", "/v1/workflows/deployments", Some("list_deployments")),
            ("POST", "/v1/workflows/deployments", Some("create_deployment")),
            ("GET", "/v1/workflows/deployments/a%2Fb", Some("get_deployment")),
            ("PATCH", "/v1/workflows/deployments/a", Some("update_deployment")),
            ("DELETE", "/v1/workflows/deployments/a", Some("delete_deployment")),
            ("POST", "/v1/workflows/deployments/a/stop", Some("stop_deployment")),
            ("POST", "/v1/workflows/deployments/a/start", Some("start_deployment")),
            ("POST", "/v1/workflows/deployments/a/restart", Some("restart_deployment")),
            ("GET", "/v1/workflows/deployments/a/workers", Some("list_deployment_workers")),
            ("GET", "/v1/workflows/deployments/a/logs", Some("search_deployment_logs")),
            ("GET", "/v1/workflows/deployments/a/logs/stream", Some("stream_deployment_logs")),
            ("GET", "/v1/workflows/deployments/a/archive", Some("get_deployment_archive")),
            ("POST", "/v1/workflows/deployments/a/unharden", Some("unharden_deployment")),
            ("PUT", "/v1/workflows/deployments/a", None),
            ("GET", "/v1/workflows/deployments/", None),
            ("GET", "/v1/workflows/deploymentsX", None),
            ("GET", "/elsewhere", None),
        ];
        for (method, path, want) in cases {
            assert_eq!(operation_id(method, path), want, "{method} {path}");
        }
    }
}
