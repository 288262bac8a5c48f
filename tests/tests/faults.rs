//! Each fault the mock can inject ends in the right outcome: success after retrying, or the
//! right kind of error with a message a person can act on.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use futures::StreamExt;
use mistral_workflows::{Client, ErrorKind, RetryPolicy, Source};
use mistral_workflows_mock::{Fault, MockServer};

async fn setup(policy: RetryPolicy) -> (MockServer, Client) {
    let mock = MockServer::builder().manual_clock().start().await.unwrap();
    let client = Client::builder()
        .api_key(support::KEY)
        .base_url(mock.base_url())
        .timeout(Duration::from_secs(5))
        .retry_policy(policy)
        .build()
        .unwrap();
    (mock, client)
}

fn fast() -> RetryPolicy {
    RetryPolicy::default().initial_backoff(Duration::from_millis(10))
}

fn first_name(mock: &MockServer) -> String {
    mock.control().deployment_names().remove(0)
}

#[tokio::test]
async fn a_status_with_retry_after_is_ridden_out() {
    let (mock, client) = setup(fast()).await;
    mock.control().inject(Some("list_deployments"), Fault::status(503).with_retry_after("0"), 2);
    client.deployments().list().send().await.unwrap();
    assert_eq!(mock.control().request_count("list_deployments"), 3);
}

#[tokio::test]
async fn latency_is_only_slower() {
    let (mock, client) = setup(RetryPolicy::disabled()).await;
    mock.control().inject(None, Fault::Latency(Duration::from_millis(300)), 1);
    let name = first_name(&mock);
    let detail = client.deployments().get(&name).send().await.unwrap();
    assert_eq!(detail.name, name);
}

#[tokio::test]
async fn a_reset_before_the_answer() {
    // A read is retried and succeeds.
    let (mock, client) = setup(fast()).await;
    mock.control().inject(Some("list_deployments"), Fault::ResetBeforeResponse, 1);
    client.deployments().list().send().await.unwrap();
    assert_eq!(mock.control().request_count("list_deployments"), 2);

    // Without retries it is a transport error that says the request failed.
    let (mock, client) = setup(RetryPolicy::disabled()).await;
    mock.control().inject(None, Fault::ResetBeforeResponse, 1);
    let err = client.deployments().list().send().await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Transport, "{err}");
    assert!(err.is_retryable());
    assert!(!err.is_connect(), "the request reached the server");
    assert!(err.to_string().starts_with("list_deployments: "), "{err}");

    // A create is not sent again: the server may have carried it out.
    let (mock, client) = setup(fast()).await;
    mock.control().inject(Some("create_deployment"), Fault::ResetBeforeResponse, 1);
    let err = client.deployments().create("reset", Source::archive("a")).send().await;
    assert_eq!(err.unwrap_err().kind(), &ErrorKind::Transport);
    assert_eq!(mock.control().request_count("create_deployment"), 1);
}

#[tokio::test]
async fn a_reset_in_the_middle_of_the_body() {
    let (mock, client) = setup(fast()).await;
    mock.control().inject(Some("list_deployments"), Fault::ResetMidBody, 1);
    client.deployments().list().active_only(false).limit(100).send().await.unwrap();
    assert_eq!(mock.control().request_count("list_deployments"), 2);

    let (mock, client) = setup(RetryPolicy::disabled()).await;
    mock.control().inject(None, Fault::ResetMidBody, 1);
    let err = client.deployments().list().active_only(false).limit(100).send().await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Transport, "{err}");
    assert!(err.to_string().contains("connection broke while reading"), "{err}");
}

#[tokio::test]
async fn truncated_json_is_a_decode_error() {
    let (mock, client) = setup(fast()).await;
    mock.control().inject(Some("list_deployments"), Fault::TruncatedJson, 1);
    let err = client.deployments().list().send().await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Decode, "{err}");
    assert!(!err.is_retryable());
    assert!(err.to_string().contains("could not decode a deployment list"), "{err}");
    assert!(err.to_string().contains("the body starts with"), "{err}");
    assert_eq!(mock.control().request_count("list_deployments"), 1);
}

#[tokio::test]
async fn an_html_error_page() {
    // Retried like any 502, and successful once the proxy recovers.
    let (mock, client) = setup(fast()).await;
    mock.control().inject(None, Fault::HtmlErrorPage { status: 502 }, 1);
    client.deployments().list().send().await.unwrap();

    // When it persists: an API error with the status and the start of the page.
    let (mock, client) = setup(fast().max_attempts(2)).await;
    mock.control().inject(None, Fault::HtmlErrorPage { status: 502 }, 5);
    let err = client.deployments().list().send().await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Api);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(502));
    assert!(err.body().unwrap_or_default().contains("<html"), "{err}");
    assert!(err.to_string().contains("502 Bad Gateway"), "{err}");
    assert_eq!(mock.control().request_count("list_deployments"), 2);
}

#[tokio::test]
async fn a_log_stream_cut_in_the_middle_of_a_frame_resumes() {
    let (mock, client) = setup(fast()).await;
    let name = first_name(&mock);
    let stored = mock.control().log_event_ids(&name);
    assert!(stored.len() >= 6, "{} records", stored.len());
    mock.control().inject(
        Some("stream_deployment_logs"),
        Fault::CutStreamMidFrame { frames: 3 },
        1,
    );
    let stream =
        client.deployments().log_stream(&name).reconnect_delay(Duration::from_millis(10)).stream();
    let ids: Vec<String> =
        stream.take(stored.len()).map(|item| item.unwrap().id.unwrap()).collect().await;
    assert_eq!(ids, stored);
    assert_eq!(mock.control().request_count("stream_deployment_logs"), 2);
}
