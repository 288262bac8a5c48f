//! What the integration tests share.

#![allow(dead_code)]

use mistral_workflows::{Client, RetryPolicy};
use mistral_workflows_mock::{MockServer, RecordedRequest};

/// The key the tests use; snapshots never show it.
pub const KEY: &str = "test-key-0123456789";

/// A mock with the seeded fixtures and a client for it.
pub async fn mock_and_client() -> (MockServer, Client) {
    let mock = MockServer::builder().manual_clock().start().await.expect("mock starts");
    let client = client_for(mock.base_url());
    (mock, client)
}

/// A client for `base_url` that does not retry, so that tests see each request once.
pub fn client_for(base_url: &str) -> Client {
    Client::builder()
        .api_key(KEY)
        .base_url(base_url)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .expect("client builds")
}

/// A request as a snapshot shows it: method, path, query, body, and the headers with the key
/// replaced.
pub fn describe(request: &RecordedRequest) -> serde_json::Value {
    let headers: Vec<String> = request
        .headers
        .iter()
        .filter(|(name, _)| !matches!(name.as_str(), "host" | "content-length"))
        .map(|(name, value)| {
            let value = value.replace(KEY, "[key]");
            format!("{name}: {value}")
        })
        .collect();
    let body = request.body.as_ref().filter(|b| !b.is_empty()).map(|b| {
        serde_json::from_slice::<serde_json::Value>(b)
            .unwrap_or_else(|_| serde_json::Value::String(String::from_utf8_lossy(b).into_owned()))
    });
    serde_json::json!({
        "method": request.method,
        "path": request.path,
        "query": request.query,
        "headers": headers,
        "body": body,
    })
}

/// The last request the mock saw.
pub fn last_request(mock: &MockServer) -> RecordedRequest {
    mock.control().requests().pop().expect("a request reached the mock")
}

/// A tiny HTTP server that answers every request with the same bytes, for answers the mock
/// would never give. It counts the requests it saw.
pub struct RawServer {
    pub base_url: String,
    pub hits: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    /// The head (request line and headers) of every request, as text.
    pub heads: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// What [`RawServer`] does with each connection.
#[derive(Clone)]
pub enum Answer {
    /// Write these bytes, then close.
    Bytes(Vec<u8>),
    /// Read the request, then say nothing, forever.
    Silence,
}

/// An HTTP/1.1 answer with a body, closing the connection.
pub fn http_answer(status: &str, content_type: &str, body: &str) -> Answer {
    Answer::Bytes(
        format!(
            "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\n\
             x-request-id: req-123\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
        .into_bytes(),
    )
}

pub async fn raw_server(answer: Answer) -> RawServer {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let hits = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = hits.clone();
    let heads = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen_heads = heads.clone();
    let task = tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else { return };
            let answer = answer.clone();
            let counter = counter.clone();
            let seen_heads = seen_heads.clone();
            tokio::spawn(async move {
                let mut seen = Vec::new();
                let mut buf = [0u8; 4096];
                while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => seen.extend_from_slice(&buf[..n]),
                    }
                }
                seen_heads.lock().unwrap().push(String::from_utf8_lossy(&seen).into_owned());
                counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                match answer {
                    Answer::Bytes(bytes) => {
                        let _ = socket.write_all(&bytes).await;
                        let _ = socket.shutdown().await;
                    }
                    Answer::Silence => {
                        tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
                    }
                }
            });
        }
    });
    RawServer { base_url: format!("http://{addr}"), hits, heads, task }
}

/// Everything `tracing` writes in this test process, at every level.
///
/// The subscriber is the process-wide default rather than a per-thread one: `tracing` caches
/// per call site whether anyone listens, and with per-thread subscribers that cache races with
/// the other tests of the binary, so events would sometimes go missing.
#[derive(Clone, Default)]
pub struct CapturedLogs(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl CapturedLogs {
    /// The capture of this process, installed on first use.
    pub fn global() -> CapturedLogs {
        static CAPTURE: std::sync::OnceLock<CapturedLogs> = std::sync::OnceLock::new();
        CAPTURE
            .get_or_init(|| {
                let capture = CapturedLogs::default();
                let subscriber = tracing_subscriber::fmt()
                    .with_max_level(tracing::Level::TRACE)
                    .with_writer(capture.clone())
                    .with_ansi(false)
                    .finish();
                tracing::subscriber::set_global_default(subscriber).unwrap();
                capture
            })
            .clone()
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl std::io::Write for CapturedLogs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for CapturedLogs {
    type Writer = CapturedLogs;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// A runtime log record with this body.
pub fn record(body: &str) -> mistral_workflows::types::DeploymentLogRecord {
    mistral_workflows::types::DeploymentLogRecord {
        timestamp: chrono::Utc::now(),
        trace_id: "4bf92f3577b34da6a3ce929d0e0e4736".to_owned(),
        span_id: "00f067aa0ba902b7".to_owned(),
        severity_text: "INFO".to_owned(),
        body: body.to_owned(),
        log_attributes: [("worker_name".to_owned(), "test-worker".to_owned())].into(),
    }
}
