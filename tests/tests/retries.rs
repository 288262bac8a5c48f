//! What is retried, how often, how long it waits, and what is never sent twice.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::{Duration, Instant};

use futures::TryStreamExt;
use mistral_workflows::{Client, ErrorKind, RetryBudget, RetryPolicy, Source};
use mistral_workflows_mock::{Fault, MockServer};

fn fast() -> RetryPolicy {
    RetryPolicy::default()
        .initial_backoff(Duration::from_millis(10))
        .max_backoff(Duration::from_millis(40))
}

async fn setup(policy: RetryPolicy) -> (MockServer, Client) {
    let mock = MockServer::builder().manual_clock().start().await.unwrap();
    let client = Client::builder()
        .api_key(support::KEY)
        .base_url(mock.base_url())
        .retry_policy(policy)
        .retry_budget(RetryBudget::unlimited())
        .build()
        .unwrap();
    (mock, client)
}

fn count(mock: &MockServer, operation: &str) -> usize {
    mock.control().request_count(operation)
}

#[tokio::test]
async fn reads_ride_out_a_burst_of_503() {
    let (mock, client) = setup(fast()).await;
    mock.control().inject(Some("list_deployments"), Fault::status(503), 3);
    client.deployments().list().send().await.unwrap();
    assert_eq!(count(&mock, "list_deployments"), 4);
}

#[tokio::test]
async fn every_retryable_status_is_retried() {
    for status in [408, 429, 500, 502, 503, 504] {
        let (mock, client) = setup(fast()).await;
        mock.control().inject(Some("get_deployment"), Fault::status(status), 1);
        let name = mock.control().deployment_names().remove(0);
        client.deployments().get(&name).send().await.unwrap();
        assert_eq!(count(&mock, "get_deployment"), 2, "status {status}");
    }
}

#[tokio::test]
async fn other_statuses_are_not_retried() {
    for status in [400, 401, 403, 404, 409, 501] {
        let (mock, client) = setup(fast()).await;
        mock.control().inject(Some("list_deployments"), Fault::status(status), 1);
        let err = client.deployments().list().send().await.unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(count(&mock, "list_deployments"), 1, "status {status}");
    }
}

#[tokio::test]
async fn retry_after_in_seconds_is_honoured() {
    let (mock, client) = setup(fast()).await;
    mock.control().inject(None, Fault::status(429).with_retry_after("1"), 1);
    let started = Instant::now();
    client.deployments().list().send().await.unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1), "{:?}", started.elapsed());
    assert_eq!(count(&mock, "list_deployments"), 2);
}

#[tokio::test]
async fn retry_after_as_a_date_is_honoured() {
    let (mock, client) = setup(fast()).await;
    let when = chrono::Utc::now() + chrono::Duration::seconds(2);
    let date = when.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
    mock.control().inject(None, Fault::status(503).with_retry_after(date), 1);
    let started = Instant::now();
    client.deployments().list().send().await.unwrap();
    // The date has a one-second resolution.
    assert!(started.elapsed() >= Duration::from_millis(900), "{:?}", started.elapsed());
}

#[tokio::test]
async fn a_long_retry_after_is_capped() {
    let (mock, client) = setup(fast().max_retry_after(Duration::from_millis(100))).await;
    mock.control().inject(None, Fault::status(503).with_retry_after("3600"), 1);
    let started = Instant::now();
    client.deployments().list().send().await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
}

#[tokio::test]
async fn no_retry_starts_past_the_time_budget() {
    let (mock, client) = setup(fast().max_elapsed(Duration::from_millis(500))).await;
    mock.control().inject(None, Fault::status(503).with_retry_after("2"), 1);
    let started = Instant::now();
    let err = client.deployments().list().send().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert!(started.elapsed() < Duration::from_secs(1), "gave up at once");
    assert_eq!(count(&mock, "list_deployments"), 1);
}

#[tokio::test]
async fn attempts_are_bounded() {
    let (mock, client) = setup(fast().max_attempts(3)).await;
    mock.control().inject(None, Fault::status(503), 10);
    let err = client.deployments().list().send().await.unwrap_err();
    assert!(err.is_retryable());
    assert_eq!(count(&mock, "list_deployments"), 3);
}

#[tokio::test]
async fn a_create_the_server_saw_is_never_sent_again() {
    let (mock, client) = setup(fast()).await;
    let d = client.deployments();

    mock.control().inject(Some("create_deployment"), Fault::status(503), 1);
    let err = d.create("once", Source::github("https://github.com/acme/a")).send().await;
    assert_eq!(err.unwrap_err().status().map(|s| s.as_u16()), Some(503));
    assert_eq!(count(&mock, "create_deployment"), 1);

    mock.control().inject(Some("create_deployment"), Fault::ResetBeforeResponse, 1);
    let err = d.create("once", Source::github("https://github.com/acme/a")).send().await;
    let err = err.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Transport, "{err}");
    assert_eq!(count(&mock, "create_deployment"), 2);

    mock.control().inject(Some("update_deployment"), Fault::status(502), 1);
    let name = mock.control().deployment_names().remove(0);
    assert!(d.update(&name).replicas(2).send().await.is_err());
    assert_eq!(count(&mock, "update_deployment"), 1);
}

#[tokio::test]
async fn a_create_is_retried_when_the_caller_opts_in() {
    let (mock, client) = setup(fast().retry_non_idempotent(true)).await;
    mock.control().inject(Some("create_deployment"), Fault::status(503), 1);
    let d = client.deployments();
    d.create("opted-in", Source::github("https://github.com/acme/a")).send().await.unwrap();
    assert_eq!(count(&mock, "create_deployment"), 2);
    assert!(mock.control().deployment("opted-in").is_some());
}

#[tokio::test]
async fn a_create_is_retried_after_a_connection_error() {
    // Nothing listens on the port at first; the server comes up while the client backs off.
    let addr = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let client = Client::builder()
        .api_key(support::KEY)
        .base_url(format!("http://{addr}"))
        .retry_policy(
            RetryPolicy::default()
                .initial_backoff(Duration::from_millis(400))
                .max_backoff(Duration::from_millis(400)),
        )
        .build()
        .unwrap();
    let call = tokio::spawn(async move {
        client.deployments().create("late", Source::archive("arch-1")).send().await
    });
    tokio::time::sleep(Duration::from_millis(50)).await;
    let mock = MockServer::builder().addr(addr).manual_clock().start().await.unwrap();
    call.await.unwrap().unwrap();
    assert_eq!(count(&mock, "create_deployment"), 1);
}

#[tokio::test]
async fn idempotent_writes_are_retried() {
    let (mock, client) = setup(fast()).await;
    let d = client.deployments();
    d.create("idem", Source::archive("arch-1")).send().await.unwrap();
    for op in ["stop_deployment", "start_deployment", "restart_deployment", "delete_deployment"] {
        mock.control().inject(Some(op), Fault::status(503), 1);
    }
    d.stop("idem").send().await.unwrap();
    d.start("idem").send().await.unwrap();
    d.restart("idem").send().await.unwrap();
    d.delete("idem").send().await.unwrap();
    for op in ["stop_deployment", "start_deployment", "restart_deployment", "delete_deployment"] {
        assert_eq!(count(&mock, op), 2, "{op}");
    }
}

#[tokio::test]
async fn retries_can_be_turned_off_for_the_client_or_one_call() {
    let (mock, client) = setup(RetryPolicy::disabled()).await;
    mock.control().inject(None, Fault::status(503), 2);
    assert!(client.deployments().list().send().await.is_err());
    assert_eq!(count(&mock, "list_deployments"), 1);

    // One call can bring retries back.
    client.deployments().list().retry_policy(fast()).send().await.unwrap();
    assert_eq!(count(&mock, "list_deployments"), 3);

    let (mock, client) = setup(fast()).await;
    mock.control().inject(None, Fault::status(503), 1);
    let call = client.deployments().list().retry_policy(RetryPolicy::disabled());
    assert!(call.send().await.is_err());
    assert_eq!(count(&mock, "list_deployments"), 1);
}

#[tokio::test]
async fn the_retry_budget_is_shared_and_runs_out() {
    let mock = MockServer::builder().manual_clock().start().await.unwrap();
    let client = Client::builder()
        .api_key(support::KEY)
        .base_url(mock.base_url())
        .retry_policy(fast().max_attempts(5))
        .retry_budget(RetryBudget::new(2, 0.5))
        .build()
        .unwrap();
    mock.control().inject(None, Fault::status(503), 100);

    // The first call spends both tokens: three attempts.
    assert!(client.deployments().list().send().await.is_err());
    assert_eq!(count(&mock, "list_deployments"), 3);
    // A clone shares the empty bucket: one attempt each, failing at once.
    let clone = client.clone();
    assert!(clone.deployments().list().send().await.is_err());
    assert_eq!(count(&mock, "list_deployments"), 4);
    assert!(client.retry_budget().remaining() < 1.0);

    // Successes refill it.
    mock.control().clear_faults();
    client.deployments().list().send().await.unwrap();
    client.deployments().list().send().await.unwrap();
    assert!(client.retry_budget().remaining() >= 1.0);
}

#[tokio::test]
async fn a_stream_retries_the_failed_page_only() {
    let (mock, client) = setup(fast()).await;
    let mut stream = client.deployments().list().active_only(false).limit(50).stream();
    for _ in 0..100 {
        stream.try_next().await.unwrap().unwrap();
    }
    assert_eq!(count(&mock, "list_deployments"), 2);
    mock.control().inject(Some("list_deployments"), Fault::status(503), 2);
    let rest: Vec<_> = stream.try_collect().await.unwrap();
    let total = 100 + rest.len();
    assert_eq!(total, mock.control().deployment_names().len());
    let pages = total.div_ceil(50);
    assert_eq!(count(&mock, "list_deployments"), pages + 2);
    // The first page, the only one without a cursor, was fetched once.
    let first_pages = mock
        .control()
        .requests()
        .iter()
        .filter(|r| !r.query.clone().unwrap_or_default().contains("cursor="))
        .count();
    assert_eq!(first_pages, 1);
}

#[tokio::test]
async fn an_absurd_retry_after_does_not_overflow() {
    let policy = fast().max_retry_after(Duration::MAX).max_elapsed(Duration::from_secs(1));
    let (mock, client) = setup(policy).await;
    mock.control().inject(None, Fault::status(503).with_retry_after("18446744073709551615"), 1);
    let err = client.deployments().list().send().await.unwrap_err();
    // The wait would end past the budget, so the error comes at once.
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(count(&mock, "list_deployments"), 1);
}
