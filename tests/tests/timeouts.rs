//! Per-call and connect timeouts, and a log stream that outlives both.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::{Duration, Instant};

use futures::StreamExt;
use mistral_workflows::{Client, ErrorKind, RetryPolicy, Source};
use mistral_workflows_mock::{Fault, MockServer};

async fn setup(timeout: Duration, policy: RetryPolicy) -> (MockServer, Client) {
    let mock = MockServer::builder().manual_clock().start().await.unwrap();
    let client = Client::builder()
        .api_key(support::KEY)
        .base_url(mock.base_url())
        .timeout(timeout)
        .retry_policy(policy)
        .build()
        .unwrap();
    (mock, client)
}

fn fast() -> RetryPolicy {
    RetryPolicy::default().initial_backoff(Duration::from_millis(10))
}

#[tokio::test]
async fn a_slow_answer_times_out() {
    let (mock, client) = setup(Duration::from_millis(200), RetryPolicy::disabled()).await;
    mock.control().inject(None, Fault::Latency(Duration::from_secs(3)), 1);
    let started = Instant::now();
    let err = client.deployments().list().send().await.unwrap_err();
    assert!(err.is_timeout(), "{err}");
    assert!(err.is_retryable());
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(err.to_string().contains("no answer within 200ms"), "{err}");
}

#[tokio::test]
async fn a_read_that_timed_out_is_retried() {
    let (mock, client) = setup(Duration::from_millis(200), fast()).await;
    mock.control().inject(None, Fault::Latency(Duration::from_secs(3)), 1);
    client.deployments().list().send().await.unwrap();
    assert_eq!(mock.control().request_count("list_deployments"), 2);
}

#[tokio::test]
async fn a_create_that_timed_out_is_not_sent_again() {
    let (mock, client) = setup(Duration::from_millis(200), fast()).await;
    mock.control().inject(None, Fault::Latency(Duration::from_millis(600)), 1);
    let d = client.deployments();
    let err = d.create("slow", Source::archive("arch-1")).send().await.unwrap_err();
    assert!(err.is_timeout());
    // Once sent, a create may have been carried out even though no answer came: it is never
    // sent again on its own.
    assert_eq!(mock.control().request_count("create_deployment"), 1);
}

#[tokio::test]
async fn one_call_can_change_its_timeout() {
    let (mock, client) = setup(Duration::from_millis(100), RetryPolicy::disabled()).await;
    mock.control().inject(None, Fault::Latency(Duration::from_millis(400)), 2);
    client.deployments().list().timeout(None).send().await.unwrap();
    client.deployments().list().timeout(Duration::from_secs(5)).send().await.unwrap();
}

#[tokio::test]
async fn connecting_has_its_own_timeout() {
    // A listener that never accepts, with its backlog full: further connects hang.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(1).unwrap();
    let addr = listener.local_addr().unwrap();
    let mut fillers = Vec::new();
    for _ in 0..8 {
        let connect = tokio::net::TcpStream::connect(addr);
        if let Ok(Ok(stream)) = tokio::time::timeout(Duration::from_millis(100), connect).await {
            fillers.push(stream);
        }
    }

    let client = Client::builder()
        .api_key(support::KEY)
        .base_url(format!("http://{addr}"))
        .connect_timeout(Duration::from_millis(200))
        .timeout(Duration::from_secs(30))
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client.deployments().list().send().await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    // The request never left, so even a create could be sent again safely.
    assert!(err.is_connect(), "{err:?}");
    assert!(err.to_string().contains("connecting timed out"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    drop(listener);
}

#[tokio::test]
async fn the_log_stream_outlives_the_request_timeout() {
    let mock = MockServer::builder()
        .manual_clock()
        .keep_alive(Duration::from_millis(100))
        .start()
        .await
        .unwrap();
    let client = Client::builder()
        .api_key(support::KEY)
        .base_url(mock.base_url())
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let name = mock.control().deployment_names().remove(0);
    let stored = mock.control().log_event_ids(&name).len();
    let mut stream = client.deployments().log_stream(&name).connect().await.unwrap();
    for _ in 0..stored {
        stream.next().await.unwrap().unwrap();
    }

    // Nothing but keep-alives for well past the 300 ms timeout, then a new record arrives.
    let control = mock.control().clone();
    let writer_name = name.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(1200)).await;
        control.append_log(&writer_name, support::record("late record"));
    });
    let started = Instant::now();
    let event = stream.next().await.unwrap().unwrap();
    assert_eq!(event.record.body, "late record");
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert_eq!(mock.control().request_count("stream_deployment_logs"), 1, "one connection");
}

#[tokio::test]
async fn a_silent_log_stream_is_replaced_then_given_up() {
    let mock = MockServer::builder()
        .manual_clock()
        .keep_alive(Duration::from_secs(3600))
        .start()
        .await
        .unwrap();
    let client = support::client_for(mock.base_url());
    let name = mock.control().deployment_names().remove(0);
    let stored = mock.control().log_event_ids(&name).len();
    let mut stream = client
        .deployments()
        .log_stream(&name)
        .idle_timeout(Duration::from_millis(300))
        .reconnect_delay(Duration::from_millis(20))
        .max_failures(2)
        .stream();
    for _ in 0..stored {
        stream.next().await.unwrap().unwrap();
    }
    let err = stream.next().await.unwrap().unwrap_err();
    assert!(err.is_timeout(), "{err}");
    assert!(err.to_string().contains("sent nothing for"), "{err}");
    assert!(stream.next().await.is_none());
    assert_eq!(mock.control().request_count("stream_deployment_logs"), 3);
    assert_eq!(err.kind(), &ErrorKind::Timeout);
}
