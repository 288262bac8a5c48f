//! The server: [`MockServer`], its builder, the accept loop and the per-request pipeline
//! (record, authenticate, route).

use std::convert::Infallible;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderValue, Request, Response, StatusCode, header};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};
use tower::ServiceExt as _;

use crate::clock::Clock;
use crate::control::{MockControl, RecordedRequest};
use crate::fixtures::Fixtures;
use crate::routes::{self, PREFIX, detail};
use crate::state::Shared;
use crate::store::StoreConfig;

/// The largest request body read; larger ones answer 413.
const MAX_BODY: usize = 16 * 1024 * 1024;

/// An embedded mock of the Mistral Workflows Deployments API, serving on a local port.
///
/// It stops serving when dropped: the accept loop and every open connection are aborted.
#[derive(Debug)]
pub struct MockServer {
    addr: SocketAddr,
    base_url: String,
    control: MockControl,
    task: JoinHandle<()>,
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.task.abort();
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
    pub fn live_logs(mut self, interval: Option<Duration>) -> Self {
        self.live_logs = interval;
        self
    }

    /// The interval of the keep-alive comments of the log stream. Default is 15 s.
    pub fn keep_alive(mut self, interval: Duration) -> Self {
        self.keep_alive = interval;
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
            request_sequence: AtomicU64::new(0),
        });
        let app = App { router: routes::router(shared.clone()), shared: shared.clone() };
        let task = tokio::spawn(accept_loop(listener, app));
        Ok(MockServer {
            addr,
            base_url: format!("http://{addr}"),
            control: MockControl { shared },
            task,
        })
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
/// The loop is ours rather than `axum::serve` so that a later round can inject connection
/// faults (resets, stalls) right here, per accepted connection.
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

async fn serve_connection(stream: TcpStream, app: App) {
    let _ = stream.set_nodelay(true);
    let io = hyper_util::rt::TokioIo::new(stream);
    let service = hyper::service::service_fn(move |request| {
        let app = app.clone();
        async move { Ok::<_, Infallible>(app.handle(request).await) }
    });
    // A client that goes away mid-request is not an error of the mock.
    let _ = hyper::server::conn::http1::Builder::new().serve_connection(io, service).await;
}

impl App {
    /// One request: read the body, record, authenticate, route.
    pub(crate) async fn handle<B>(&self, request: Request<B>) -> Response<Body>
    where
        B: axum::body::HttpBody<Data = bytes::Bytes> + Send + 'static,
        B::Error: Into<axum::BoxError>,
    {
        let (parts, body) = request.into_parts();
        let sequence = self.shared.request_sequence.fetch_add(1, Ordering::Relaxed) + 1;
        let bytes = axum::body::to_bytes(Body::new(body), MAX_BODY).await;

        let path = parts.uri.path().to_owned();
        let headers = parts
            .headers
            .iter()
            .map(|(name, value)| {
                (name.as_str().to_owned(), String::from_utf8_lossy(value.as_bytes()).into_owned())
            })
            .collect();
        self.shared.record(RecordedRequest {
            operation_id: operation_id(parts.method.as_str(), &path).map(str::to_owned),
            method: parts.method.as_str().to_owned(),
            path,
            query: parts.uri.query().map(str::to_owned),
            headers,
            body: bytes.as_ref().ok().filter(|b| !b.is_empty()).cloned(),
        });

        let mut response = match bytes {
            Err(_) => detail(StatusCode::PAYLOAD_TOO_LARGE, "Request body too large"),
            Ok(bytes) => match self.authenticate(&parts.headers) {
                Err(response) => *response,
                Ok(()) => {
                    let request = Request::from_parts(parts, Body::from(bytes));
                    match self.router.clone().oneshot(request).await {
                        Ok(response) => response,
                        Err(never) => match never {},
                    }
                }
            },
        };
        if let Ok(value) = HeaderValue::from_str(&format!("mock-{sequence:08}")) {
            response.headers_mut().insert("x-request-id", value);
        }
        response
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
