//! Helpers shared by the end-to-end tests: a reqwest client, the fixture of the log tests and
//! a reader of server-sent events that tells a clean end from a broken connection.

#![allow(dead_code)]

use std::time::Duration;

use chrono::{DateTime, TimeZone as _, Utc};
use mistral_workflows_mock::{
    DeploymentDetailResponse, DeploymentLogRecord, DeploymentLogType, Fixtures, MockServer,
};
use serde_json::Value;

pub const BASE: &str = "/v1/workflows/deployments";

/// The deployment of the log fixture.
pub const APP: &str = "app";

/// How long a test waits for something that should come at once.
pub const PATIENCE: Duration = Duration::from_secs(5);

pub fn client() -> reqwest::Client {
    // reqwest is built with rustls and no crypto provider chosen.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder().build().unwrap()
}

pub fn url(server: &MockServer, target: &str) -> String {
    format!("{}{target}", server.base_url())
}

pub async fn get(server: &MockServer, target: &str) -> reqwest::Response {
    client().get(url(server, target)).bearer_auth("test-key").send().await.unwrap()
}

pub async fn get_json(server: &MockServer, target: &str) -> (u16, Value) {
    get_json_with(&client(), server, target).await
}

pub async fn get_json_with(
    client: &reqwest::Client,
    server: &MockServer,
    target: &str,
) -> (u16, Value) {
    let response = client.get(url(server, target)).bearer_auth("test-key").send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

pub fn at(seconds: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 10, 8, 0, 0).unwrap() + chrono::Duration::seconds(seconds)
}

pub fn record(seconds: i64, body: &str, attributes: &[(&str, &str)]) -> DeploymentLogRecord {
    DeploymentLogRecord {
        timestamp: at(seconds),
        trace_id: format!("trace-{body}"),
        span_id: format!("span-{body}"),
        severity_text: "INFO".to_owned(),
        body: body.to_owned(),
        log_attributes: attributes
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    }
}

/// The build records of the fixture: `b0`.., several to a second.
pub fn build_records() -> Vec<DeploymentLogRecord> {
    (0..20).map(|i| record(i / 3, &format!("b{i}"), &[])).collect()
}

/// The runtime records of the fixture: `r0`.., two workers and two workflows, several to a
/// second, and some at the same second as build records.
pub fn runtime_records() -> Vec<DeploymentLogRecord> {
    (0..60)
        .map(|i| {
            let worker = if i % 2 == 0 { "w1" } else { "w2" };
            let workflow = if i % 3 == 0 { "billing" } else { "search" };
            let attributes = [("worker_name", worker), ("workflow_name", workflow)];
            record(i / 4, &format!("r{i}"), &attributes)
        })
        .collect()
}

fn app() -> DeploymentDetailResponse {
    let mut d = Fixtures::generated(1).deployments().next().unwrap().clone();
    d.name = APP.to_owned();
    d
}

pub fn log_fixtures() -> Fixtures {
    Fixtures::empty()
        .with_deployment(app())
        .with_logs(APP, build_records(), DeploymentLogType::Build)
        .with_logs(APP, runtime_records(), DeploymentLogType::Runtime)
}

/// A server with the log fixture and the manual clock.
pub async fn log_server() -> MockServer {
    MockServer::builder().fixtures(log_fixtures()).manual_clock().start().await.unwrap()
}

/// One block of a server-sent event stream, split into its fields.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Block {
    pub event: Option<String>,
    pub id: Option<String>,
    pub data: Option<String>,
    pub retry: Option<String>,
    pub comments: Vec<String>,
}

impl Block {
    fn parse(text: &str) -> Block {
        let mut block = Block::default();
        for line in text.lines() {
            if let Some(comment) = line.strip_prefix(':') {
                block.comments.push(comment.trim().to_owned());
                continue;
            }
            let (field, value) = line.split_once(':').unwrap_or((line, ""));
            let value = value.strip_prefix(' ').unwrap_or(value).to_owned();
            match field {
                "event" => block.event = Some(value),
                "id" => block.id = Some(value),
                "data" => block.data = Some(value),
                "retry" => block.retry = Some(value),
                other => panic!("unexpected field {other:?} in {text:?}"),
            }
        }
        block
    }

    pub fn is_keep_alive(&self) -> bool {
        self.event.is_none() && self.data.is_none() && !self.comments.is_empty()
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(self.data.as_deref().unwrap()).unwrap()
    }

    pub fn body(&self) -> String {
        self.json()["body"].as_str().unwrap().to_owned()
    }
}

/// What the next read of a stream gave.
#[derive(Debug, PartialEq)]
pub enum Read {
    Block(Block),
    /// The body ended cleanly; what was left unterminated, if anything.
    End(String),
    /// The connection broke; what was left unterminated.
    Broken(String),
}

/// Reads server-sent events from a response, block by block.
pub struct Sse {
    pub response: reqwest::Response,
    buffer: String,
}

impl Sse {
    pub async fn open(server: &MockServer, target: &str, last_event_id: Option<&str>) -> Sse {
        let mut request = client().get(url(server, target)).bearer_auth("test-key");
        if let Some(id) = last_event_id {
            request = request.header("last-event-id", id);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        Sse { response, buffer: String::new() }
    }

    /// The next block, keep-alive comments included.
    pub async fn read(&mut self) -> Read {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block = Block::parse(&self.buffer[..end]);
                self.buffer.drain(..end + 2);
                return Read::Block(block);
            }
            let chunk = tokio::time::timeout(PATIENCE, self.response.chunk())
                .await
                .expect("the stream went silent");
            match chunk {
                Ok(Some(bytes)) => self.buffer.push_str(&String::from_utf8_lossy(&bytes)),
                Ok(None) => return Read::End(std::mem::take(&mut self.buffer)),
                Err(_) => return Read::Broken(std::mem::take(&mut self.buffer)),
            }
        }
    }

    /// The next block that is not a keep-alive comment.
    pub async fn frame(&mut self) -> Block {
        loop {
            match self.read().await {
                Read::Block(block) if block.is_keep_alive() => {}
                Read::Block(block) => return block,
                other => panic!("expected a frame, got {other:?}"),
            }
        }
    }

    /// The next `n` frames.
    pub async fn frames(&mut self, n: usize) -> Vec<Block> {
        let mut frames = Vec::with_capacity(n);
        for _ in 0..n {
            frames.push(self.frame().await);
        }
        frames
    }

    /// Asserts that nothing but keep-alive comments arrives for `wait`.
    pub async fn assert_quiet(&mut self, wait: Duration) {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let block = Block::parse(&self.buffer[..end]);
                assert!(block.is_keep_alive(), "unexpected {block:?}");
                self.buffer.drain(..end + 2);
            }
            match tokio::time::timeout_at(deadline, self.response.chunk()).await {
                Err(_) => return assert!(self.buffer.is_empty(), "{:?}", self.buffer),
                Ok(Ok(Some(bytes))) => self.buffer.push_str(&String::from_utf8_lossy(&bytes)),
                Ok(other) => panic!("the stream ended: {other:?}"),
            }
        }
    }
}
