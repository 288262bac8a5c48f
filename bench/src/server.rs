//! A small, fast in-process server that answers with canned bodies.
//!
//! Every body is built before the server starts, so that a request costs the server only the
//! routing and a clone of reference-counted bytes: the same small amount for the facade and
//! the baseline. It runs on its own thread with its own single-threaded runtime, so that the
//! client under test has the other core to itself.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use bytes::Bytes;
use serde::Deserialize;

use crate::fixture;

/// What the server holds.
#[derive(Clone, Debug, Default)]
pub struct Config {
    listings: HashMap<u32, Vec<Bytes>>,
    log_stream: Bytes,
}

impl Config {
    /// A server with nothing to serve yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Serve `pages` pages of `per_page` deployments to requests with `limit=per_page`.
    pub fn listing(mut self, per_page: u32, pages: usize) -> Self {
        let bodies = fixture::list_pages(pages, per_page as usize);
        self.listings.insert(per_page, bodies);
        self
    }

    /// Serve a log stream of `records` records for [`fixture::LOG_DEPLOYMENT`].
    pub fn log_stream(mut self, records: u64) -> Self {
        self.log_stream = fixture::log_stream(records);
        self
    }

    /// The log stream's body.
    pub fn log_stream_body(&self) -> &Bytes {
        &self.log_stream
    }

    /// Starts the server on a free loopback port.
    ///
    /// # Errors
    ///
    /// When no port can be bound or no runtime can be built.
    pub fn start(self) -> std::io::Result<Server> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let app = Router::new()
            .route("/v1/workflows/deployments", get(list))
            .route("/v1/workflows/deployments/{name}/logs/stream", get(logs))
            .with_state(Arc::new(self));

        std::thread::Builder::new().name("bench-server".into()).spawn(move || {
            runtime.block_on(async move {
                let Ok(listener) = tokio::net::TcpListener::from_std(listener) else { return };
                let shutdown = async move {
                    let _ = stopped.await;
                };
                let _ = axum::serve(listener, app).with_graceful_shutdown(shutdown).await;
            });
        })?;
        Ok(Server { addr, _stop: stop })
    }
}

/// A running server; it stops when dropped.
#[derive(Debug)]
pub struct Server {
    addr: SocketAddr,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl Server {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://<addr>`, the base URL for both clients.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

#[derive(Deserialize)]
struct ListQuery {
    limit: Option<u32>,
    cursor: Option<String>,
}

async fn list(
    State(config): State<Arc<Config>>,
    headers: HeaderMap,
    Query(query): Query<ListQuery>,
) -> Response {
    if !headers.contains_key(AUTHORIZATION) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let Some(pages) = query.limit.and_then(|limit| config.listings.get(&limit)) else {
        return (StatusCode::UNPROCESSABLE_ENTITY, "no listing for this limit").into_response();
    };
    let index = match query.cursor.as_deref() {
        None => Some(0),
        Some(cursor) => cursor.strip_prefix('p').and_then(|n| n.parse::<usize>().ok()),
    };
    match index.and_then(|i| pages.get(i)) {
        Some(body) => ([(CONTENT_TYPE, "application/json")], body.clone()).into_response(),
        None => (StatusCode::UNPROCESSABLE_ENTITY, "unknown cursor").into_response(),
    }
}

async fn logs(
    State(config): State<Arc<Config>>,
    headers: HeaderMap,
    Path(name): Path<String>,
) -> Response {
    if !headers.contains_key(AUTHORIZATION) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    if name != fixture::LOG_DEPLOYMENT {
        return StatusCode::NOT_FOUND.into_response();
    }
    ([(CONTENT_TYPE, "text/event-stream")], config.log_stream.clone()).into_response()
}
