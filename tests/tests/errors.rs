//! What each kind of error says, as snapshots, and what it answers when asked.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use futures::StreamExt;
use mistral_workflows::types::SortOrder;
use mistral_workflows::{Client, ErrorKind, StreamErrorReason};
use support::{Answer, client_for, http_answer, mock_and_client, raw_server};

#[test]
fn config_error() {
    let err = Client::builder().build().unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Config);
    insta::assert_snapshot!("config", err.to_string());

    let err = Client::builder().api_key("k").base_url("http://10.1.2.3").build().unwrap_err();
    insta::assert_snapshot!("config_insecure", err.to_string());
}

#[tokio::test]
async fn invalid_input_error() {
    let (_mock, client) = mock_and_client().await;
    let err = client.deployments().get("..").send().await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::InvalidInput);
    assert!(!err.is_retryable());
    insta::assert_snapshot!("invalid_name", err.to_string());

    let err = client.deployments().list().limit(101).send().await.unwrap_err();
    insta::assert_snapshot!("invalid_limit", err.to_string());
}

#[tokio::test]
async fn validation_error_keeps_the_typed_detail() {
    let (_mock, client) = mock_and_client().await;
    let order = SortOrder::Unknown("sideways".into());
    let err = client.deployments().list().order(order).send().await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Validation);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(422));
    let detail = err.validation().expect("typed detail");
    assert_eq!(detail.detail.len(), 1);
    assert_eq!(detail.detail[0].loc.len(), 2);
    insta::assert_snapshot!("validation", err.to_string());
}

#[tokio::test]
async fn validation_error_lists_every_problem() {
    let body = r#"{"detail":[{"loc":["query","limit"],"msg":"Input should be less than or equal to 100","type":"less_than_equal"},{"loc":["body","spec",0,"github_url"],"msg":"Field required","type":"missing"}]}"#;
    let server =
        raw_server(http_answer("422 Unprocessable Entity", "application/json", body)).await;
    let err = client_for(&server.base_url).deployments().list().send().await.unwrap_err();
    assert_eq!(err.request_id(), Some("req-123"));
    insta::assert_snapshot!("validation_many", err.to_string());
}

#[tokio::test]
async fn api_error_keeps_status_body_and_request_id() {
    let server =
        raw_server(http_answer("404 Not Found", "application/json", r#"{"detail":"Not found"}"#))
            .await;
    let err = client_for(&server.base_url).deployments().get("ghost").send().await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Api);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
    assert_eq!(err.request_id(), Some("req-123"));
    assert_eq!(err.body(), Some(r#"{"detail":"Not found"}"#));
    assert!(!err.is_retryable());
    insta::assert_snapshot!("api", err.to_string());
}

#[tokio::test]
async fn api_error_with_a_plain_text_body() {
    let server = raw_server(http_answer("503 Service Unavailable", "text/plain", "down")).await;
    let err = client_for(&server.base_url).deployments().list().send().await.unwrap_err();
    assert!(err.is_retryable());
    insta::assert_snapshot!("api_text", err.to_string());
}

#[tokio::test]
async fn transport_error() {
    // Nothing listens on a port just released.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let client = client_for(&format!("http://127.0.0.1:{port}"));
    let err = client.deployments().list().send().await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Transport);
    assert!(err.is_connect());
    assert!(err.is_retryable());
    let text = err.to_string().replace(&port.to_string(), "[port]");
    insta::assert_snapshot!("transport", text);
}

#[tokio::test]
async fn timeout_error() {
    let server = raw_server(Answer::Silence).await;
    let client = Client::builder()
        .api_key(support::KEY)
        .base_url(&server.base_url)
        .timeout(Duration::from_millis(200))
        .retry_policy(mistral_workflows::RetryPolicy::disabled())
        .build()
        .unwrap();
    let err = client.deployments().list().send().await.unwrap_err();
    assert!(err.is_timeout());
    insta::assert_snapshot!("timeout", err.to_string());
}

#[tokio::test]
async fn decode_error_shows_the_start_of_the_body() {
    let server =
        raw_server(http_answer("200 OK", "application/json", r#"{"deployments": "nope"}"#)).await;
    let err = client_for(&server.base_url).deployments().list().send().await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Decode);
    insta::assert_snapshot!("decode", err.to_string());
}

#[tokio::test]
async fn stream_error_frame() {
    let frame = "event: error\nid: 7\ndata: {\"error\": \"logs backend lost\", \"reason\": \"read_error\"}\n\n";
    let server = raw_server(http_answer("200 OK", "text/event-stream", frame)).await;
    let client = client_for(&server.base_url);
    let mut stream = client.deployments().log_stream("billing").stream();
    let err = stream.next().await.expect("an item").unwrap_err();
    assert_eq!(err.stream_reason(), Some(&StreamErrorReason::ReadError));
    assert!(stream.next().await.is_none(), "the stream ends after an error frame");
    insta::assert_snapshot!("stream", err.to_string());
}
