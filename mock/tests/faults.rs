//! Injected faults: each kind with its observable effect, the order rules are used in, and
//! the rule that a faulted request is recorded and changes nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::{Duration, Instant};

use mistral_workflows_mock::{Fault, Fixtures, MockServer};
use serde_json::{Value, json};
use support::*;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

async fn empty_server() -> MockServer {
    MockServer::builder().fixtures(Fixtures::empty()).manual_clock().start().await.unwrap()
}

fn create_body(name: &str) -> Value {
    json!({ "name": name, "spec": { "archive_id": "arch-1" } })
}

async fn create(server: &MockServer, name: &str) -> reqwest::Response {
    client().post(url(server, BASE)).bearer_auth("k").json(&create_body(name)).send().await.unwrap()
}

/// Sends one request over a raw connection and returns every byte received and how the
/// connection ended.
async fn raw_get(server: &MockServer, target: &str) -> (Vec<u8>, std::io::Result<()>) {
    let mut stream = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
    let request = format!(
        "GET {target} HTTP/1.1\r\nhost: localhost\r\nauthorization: Bearer k\r\n\
         connection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        match tokio::time::timeout(PATIENCE, stream.read(&mut buffer)).await.unwrap() {
            Ok(0) => return (received, Ok(())),
            Ok(n) => received.extend_from_slice(&buffer[..n]),
            Err(error) => return (received, Err(error)),
        }
    }
}

#[tokio::test]
async fn a_status_is_answered_recorded_and_changes_nothing() {
    let server = empty_server().await;
    let control = server.control();
    control.inject(Some("create_deployment"), Fault::status(503).with_retry_after("2"), 1);
    assert_eq!(control.pending_faults(), 1);

    let response = create(&server, "app").await;
    assert_eq!(response.status(), 503);
    assert_eq!(response.headers()["retry-after"], "2");
    assert_eq!(response.headers()["content-type"], "application/json");
    assert!(response.headers().contains_key("x-request-id"));
    assert_eq!(response.json::<Value>().await.unwrap(), json!({ "detail": "Service Unavailable" }));
    assert_eq!(control.request_count("create_deployment"), 1);
    assert!(control.deployment("app").is_none());
    assert_eq!(control.pending_faults(), 0);

    // The rule is used up: the retry creates it.
    assert_eq!(create(&server, "app").await.status(), 202);
    assert_eq!(control.request_count("create_deployment"), 2);
    assert!(control.deployment("app").is_some());

    // A body of one's own, JSON or not; no Retry-After unless asked.
    let status = Fault::Status { status: 429, retry_after: None, body: Some("slow down".into()) };
    control.inject(None, status, 1);
    let response = get(&server, BASE).await;
    assert_eq!(response.status(), 429);
    assert!(response.headers().get("retry-after").is_none());
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    assert_eq!(response.text().await.unwrap(), "slow down");
}

#[tokio::test]
async fn faults_come_before_authentication() {
    let server = empty_server().await;
    server.control().inject(None, Fault::status(502), 1);
    let response = client().get(url(&server, BASE)).send().await.unwrap();
    assert_eq!(response.status(), 502);
    let response = client().get(url(&server, BASE)).send().await.unwrap();
    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn latency_delays_then_carries_out_the_request() {
    let server = empty_server().await;
    server.control().inject(
        Some("create_deployment"),
        Fault::Latency(Duration::from_millis(300)),
        1,
    );
    let started = Instant::now();
    let response = create(&server, "slow").await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(response.status(), 202);
    assert!(server.control().deployment("slow").is_some());
    let started = Instant::now();
    assert_eq!(get(&server, BASE).await.status(), 200);
    assert!(started.elapsed() < Duration::from_millis(300));
}

#[tokio::test]
async fn reset_before_response_sends_nothing() {
    let server = empty_server().await;
    server.control().inject(Some("list_deployments"), Fault::ResetBeforeResponse, 2);
    let (received, end) = raw_get(&server, BASE).await;
    assert!(received.is_empty(), "{}", String::from_utf8_lossy(&received));
    // SO_LINGER 0: a reset rather than a clean close.
    assert_eq!(end.unwrap_err().kind(), std::io::ErrorKind::ConnectionReset);

    let error = client().get(url(&server, BASE)).bearer_auth("k").send().await.unwrap_err();
    assert!(!error.is_status() && !error.is_timeout(), "{error:?}");
    assert_eq!(server.control().request_count("list_deployments"), 2);
    assert_eq!(get(&server, BASE).await.status(), 200);
}

#[tokio::test]
async fn reset_mid_body_sends_half_of_the_real_answer() {
    let server = log_server().await;
    let target = format!("{BASE}/{APP}");
    let whole = get(&server, &target).await.bytes().await.unwrap();

    server.control().inject(Some("get_deployment"), Fault::ResetMidBody, 1);
    let response = get(&server, &target).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.content_length(), Some(whole.len() as u64));
    assert!(response.bytes().await.is_err());

    server.control().inject(Some("get_deployment"), Fault::ResetMidBody, 1);
    let (received, _) = raw_get(&server, &target).await;
    let received = String::from_utf8(received).unwrap();
    let (head, body) = received.split_once("\r\n\r\n").unwrap();
    assert!(head.contains(&format!("content-length: {}", whole.len())), "{head}");
    assert_eq!(body.as_bytes(), &whole[..whole.len() / 2]);

    // A create cut mid-body is answered from a copy of the state: nothing is created.
    let server = empty_server().await;
    server.control().inject(Some("create_deployment"), Fault::ResetMidBody, 1);
    let response = create(&server, "app").await;
    assert_eq!(response.status(), 202);
    assert!(response.bytes().await.is_err());
    assert!(server.control().deployment("app").is_none());
    assert_eq!(server.control().request_count("create_deployment"), 1);
}

#[tokio::test]
async fn truncated_json_is_a_complete_answer_cut_in_half() {
    let server = log_server().await;
    let target = format!("{BASE}/{APP}/logs?limit=5");
    let whole = get(&server, &target).await.bytes().await.unwrap();
    server.control().inject(Some("search_deployment_logs"), Fault::TruncatedJson, 1);
    let response = get(&server, &target).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    let half = whole.len() / 2;
    assert_eq!(response.content_length(), Some(half as u64));
    let body = response.bytes().await.unwrap();
    assert_eq!(body, whole[..half]);
    assert!(serde_json::from_slice::<Value>(&body).is_err());

    let server = empty_server().await;
    server.control().inject(Some("create_deployment"), Fault::TruncatedJson, 1);
    let response = create(&server, "app").await;
    assert_eq!(response.status(), 202);
    assert!(serde_json::from_slice::<Value>(&response.bytes().await.unwrap()).is_err());
    assert!(server.control().deployment("app").is_none());
}

#[tokio::test]
async fn html_error_pages() {
    let server = empty_server().await;
    server.control().inject(None, Fault::HtmlErrorPage { status: 502 }, 1);
    let response = get(&server, BASE).await;
    assert_eq!(response.status(), 502);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let page = response.text().await.unwrap();
    assert!(page.contains("<html>") && page.contains("502 Bad Gateway"), "{page}");
}

#[tokio::test]
async fn stream_faults_cut_the_log_stream() {
    let server = log_server().await;
    let path = format!("{BASE}/{APP}/logs/stream");
    let control = server.control();

    control.inject(Some("stream_deployment_logs"), Fault::CutStreamMidFrame { frames: 2 }, 1);
    // A queued plan waits for the next connection: the fault's plan goes first.
    control.cut_stream_after(1);
    let mut sse = Sse::open(&server, &path, None).await;
    assert_eq!(sse.frames(2).await.len(), 2);
    let Read::Broken(partial) = sse.read().await else { panic!("not broken") };
    assert!(partial.starts_with("event: log\n") && !partial.contains("\n\n"), "{partial:?}");
    let mut sse = Sse::open(&server, &path, None).await;
    sse.frame().await;
    assert_eq!(sse.read().await, Read::End(String::new()));

    // ResetMidBody on the stream: headers, then half a frame.
    control.inject(Some("stream_deployment_logs"), Fault::ResetMidBody, 1);
    let mut sse = Sse::open(&server, &path, None).await;
    assert!(matches!(sse.read().await, Read::Broken(p) if p.starts_with("event: log")));

    // TruncatedJson on the stream: the first frame's data does not decode, the rest does.
    control.inject(Some("stream_deployment_logs"), Fault::TruncatedJson, 1);
    let mut sse = Sse::open(&server, &path, None).await;
    let frames = sse.frames(2).await;
    let data = frames[0].data.as_deref().unwrap();
    assert!(serde_json::from_str::<Value>(data).is_err(), "{data}");
    assert_eq!(frames[1].body(), "r1");

    // A status on the stream.
    control.inject(Some("stream_deployment_logs"), Fault::status(503), 1);
    assert_eq!(get(&server, &path).await.status(), 503);
}

#[tokio::test]
async fn rules_are_used_in_order_and_per_operation() {
    let server = log_server().await;
    let control = server.control();
    let target = format!("{BASE}/{APP}");
    control.inject(Some("get_deployment"), Fault::status(500), 1);
    control.inject(Some("get_deployment"), Fault::status(503), 2);
    control.inject(Some("list_deployments"), Fault::status(429), 1);
    assert_eq!(control.pending_faults(), 4);

    assert_eq!(get(&server, BASE).await.status(), 429);
    assert_eq!(get(&server, BASE).await.status(), 200);
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(get(&server, &target).await.status().as_u16());
    }
    assert_eq!(statuses, [500, 503, 503, 200]);
    assert_eq!(control.pending_faults(), 0);
    assert_eq!(control.request_count("get_deployment"), 4);

    // `None` matches any route, unknown ones included; clear_faults forgets everything.
    control.inject(None, Fault::status(418), 2);
    assert_eq!(get(&server, "/elsewhere").await.status(), 418);
    assert_eq!(control.pending_faults(), 1);
    control.clear_faults();
    assert_eq!(control.pending_faults(), 0);
    assert_eq!(get(&server, BASE).await.status(), 200);
}
