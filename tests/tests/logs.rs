//! Workers, log search and the live log stream, end to end against the mock.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::HashSet;
use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use mistral_workflows::types::{
    DeploymentDetailResponse, DeploymentLogType, DeploymentWorkerResponse, LogSortOrder,
    WorkerStatus,
};
use mistral_workflows::{Client, StreamErrorReason};
use mistral_workflows_mock::{Fixtures, MockServer};
use support::{client_for, describe, last_request, record};

/// A mock whose deployment `crowded` has 137 workers, every third one inactive, and 230
/// runtime and 40 build records.
async fn crowded() -> (MockServer, Client) {
    let now = chrono::Utc::now();
    let workers = (0..137)
        .map(|i| DeploymentWorkerResponse {
            name: format!("crowded-worker-{i:03}"),
            created_at: now - chrono::Duration::seconds(1000 - i),
            updated_at: now,
            last_heartbeat: Some(now),
            is_active: i % 3 != 0,
            location: None,
        })
        .collect();
    let deployment = DeploymentDetailResponse {
        id: uuid::Uuid::from_u128(0xc0ffee),
        name: "crowded".to_owned(),
        is_active: true,
        created_at: now - chrono::Duration::days(3),
        updated_at: now,
        last_heartbeat: Some(now),
        is_hardened: false,
        owner: None,
        location: None,
        worker_count: 137,
        active_worker_count: 91,
        locations: vec![],
        managed: None,
        workers,
    };
    let runtime = (0..230)
        .map(|i| {
            let mut r = record(&format!("runtime {i:03}"));
            r.timestamp = now - chrono::Duration::seconds(10_000 - i * 10);
            r.log_attributes.insert("worker_name".into(), format!("crowded-worker-{:03}", i % 4));
            r
        })
        .collect();
    let build = (0..40)
        .map(|i| {
            let mut r = record(&format!("build step {i:02}"));
            r.timestamp = now - chrono::Duration::seconds(20_000 - i);
            r
        })
        .collect();
    let fixtures = Fixtures::empty()
        .with_deployment(deployment)
        .with_logs("crowded", runtime, DeploymentLogType::Runtime)
        .with_logs("crowded", build, DeploymentLogType::Build);
    let mock = MockServer::builder().manual_clock().fixtures(fixtures).start().await.unwrap();
    let client = client_for(mock.base_url());
    (mock, client)
}

#[tokio::test]
async fn workers_across_pages_each_once() {
    let (mock, client) = crowded().await;
    let all: Vec<_> =
        client.deployments().workers("crowded").limit(10).stream().try_collect().await.unwrap();
    assert_eq!(all.len(), 137);
    let names: HashSet<_> = all.iter().map(|w| w.name.clone()).collect();
    assert_eq!(names.len(), 137);
    assert_eq!(mock.control().request_count("list_deployment_workers"), 14);

    let inactive: Vec<_> = client
        .deployments()
        .workers("crowded")
        .worker_status(WorkerStatus::Inactive)
        .limit(7)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(inactive.len(), 46);
    assert!(inactive.iter().all(|w| !w.is_active));
    // The status is sent again with every cursor, as the API asks.
    for r in mock.control().requests().iter().rev().take(7) {
        assert!(r.query.clone().unwrap_or_default().contains("worker_status=inactive"));
    }
}

#[tokio::test]
async fn log_search_across_pages_each_once_in_order() {
    let (mock, client) = crowded().await;
    let asc: Vec<_> = client
        .deployments()
        .logs("crowded")
        .log_type(DeploymentLogType::Runtime)
        .limit(17)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(asc.len(), 230);
    assert!(asc.windows(2).all(|w| w[0].timestamp <= w[1].timestamp));
    let bodies: HashSet<_> = asc.iter().map(|r| r.body.clone()).collect();
    assert_eq!(bodies.len(), 230);

    let desc: Vec<_> = client
        .deployments()
        .logs("crowded")
        .log_type(DeploymentLogType::Runtime)
        .order(LogSortOrder::Desc)
        .limit(50)
        .stream()
        .try_collect()
        .await
        .unwrap();
    let mut reversed = desc.clone();
    reversed.reverse();
    assert_eq!(reversed, asc);

    // Later pages send the cursor with the filters and the limit; the cursor carries the
    // window and the order.
    let requests = mock.control().requests();
    let later: Vec<_> = requests
        .iter()
        .filter(|r| r.query.clone().unwrap_or_default().contains("cursor="))
        .collect();
    assert!(!later.is_empty());
    for r in later {
        let query = r.query.clone().unwrap_or_default();
        let keys: Vec<_> = query.split('&').map(|kv| kv.split('=').next().unwrap()).collect();
        let mut keys = keys;
        keys.sort_unstable();
        assert_eq!(keys, ["cursor", "limit", "log_type"], "{query}");
    }
}

#[tokio::test]
async fn log_search_with_a_window_and_build_logs() {
    let (_mock, client) = crowded().await;
    let all = client.deployments().logs("crowded").log_type(DeploymentLogType::Runtime).stream();
    let all: Vec<_> = all.try_collect().await.unwrap();
    let (after, before) = (all[20].timestamp, all[60].timestamp);
    let window: Vec<_> = client
        .deployments()
        .logs("crowded")
        .log_type(DeploymentLogType::Runtime)
        .after(after)
        .before(before)
        .limit(9)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert!(!window.is_empty());
    assert!(window.iter().all(|r| r.timestamp >= after && r.timestamp <= before));

    let build: Vec<_> = client
        .deployments()
        .logs("crowded")
        .log_type(DeploymentLogType::Build)
        .limit(15)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(build.len(), 40);
    assert!(build.iter().all(|r| r.body.starts_with("build step")));
}

#[tokio::test]
async fn log_requests_as_sent() {
    let (mock, client) = crowded().await;
    let t = chrono::DateTime::parse_from_rfc3339("2025-12-17T10:25:07.818693Z").unwrap();
    client
        .deployments()
        .logs("crowded")
        .log_type(DeploymentLogType::Build)
        .worker_name("w-1")
        .workflow_name("invoice")
        .after(t.into())
        .before((t + chrono::Duration::hours(1)).into())
        .order(LogSortOrder::Desc)
        .limit(20)
        .send()
        .await
        .unwrap();
    insta::assert_json_snapshot!("logs_search", describe(&last_request(&mock)));

    let mut stream = client.deployments().log_stream("crowded").worker_name("w-1").stream();
    let _ = tokio::time::timeout(Duration::from_millis(500), stream.next()).await;
    insta::assert_json_snapshot!("logs_stream", describe(&last_request(&mock)));
}

#[tokio::test]
async fn the_stream_resumes_after_every_kind_of_cut_without_gap_or_repeat() {
    let (mock, client) = crowded().await;
    let stored = mock.control().log_event_ids("crowded");
    assert_eq!(stored.len(), 230);
    let control = mock.control();
    control.cut_stream_after(3);
    control.cut_stream_mid_frame(5);
    control.cut_stream_after(0);
    control.cut_stream_mid_frame(0);
    control.cut_stream_mid_frame(40);
    control.cut_stream_after(100);

    let stream = client
        .deployments()
        .log_stream("crowded")
        .reconnect_delay(Duration::from_millis(5))
        .max_failures(3)
        .stream();
    let ids: Vec<String> =
        stream.take(stored.len()).map(|item| item.unwrap().id.unwrap()).collect().await;
    assert_eq!(ids, stored, "every stored id, once, in order");
    assert_eq!(mock.control().request_count("stream_deployment_logs"), 7);
}

#[tokio::test]
async fn live_records_arrive_and_the_last_id_resumes_a_new_stream() {
    let (mock, client) = crowded().await;
    let stored = mock.control().log_event_ids("crowded");
    let mut stream = client.deployments().log_stream("crowded").connect().await.unwrap();
    for _ in 0..stored.len() {
        stream.next().await.unwrap().unwrap();
    }
    let id = mock.control().append_log("crowded", record("fresh")).unwrap();
    let event = stream.next().await.unwrap().unwrap();
    assert_eq!(event.record.body, "fresh");
    assert_eq!(event.id.as_deref(), Some(id.as_str()));
    assert_eq!(stream.last_event_id().as_deref(), Some(id.as_str()));

    // A later process picks up after the saved id.
    let saved = stream.last_event_id().unwrap();
    drop(stream);
    mock.control().append_log("crowded", record("after restart"));
    let mut resumed =
        client.deployments().log_stream("crowded").last_event_id(saved).connect().await.unwrap();
    let next = resumed.next().await.unwrap().unwrap();
    assert_eq!(next.record.body, "after restart");
    let sent = last_request(&mock);
    assert!(sent.header("last-event-id").is_some());
}

#[tokio::test]
async fn an_error_frame_ends_the_stream_with_its_reason() {
    for (reason, expected) in [
        ("read_error", StreamErrorReason::ReadError),
        ("stream_error", StreamErrorReason::StreamError),
        ("internal_error", StreamErrorReason::InternalError),
        ("quota_exceeded", StreamErrorReason::Other("quota_exceeded".into())),
    ] {
        let (mock, client) = crowded().await;
        let stored = mock.control().log_event_ids("crowded").len();
        let mut stream = client.deployments().log_stream("crowded").stream();
        for _ in 0..stored {
            stream.next().await.unwrap().unwrap();
        }
        mock.control().stream_error("crowded", reason, "the logs backend went away");
        let err = stream.next().await.unwrap().unwrap_err();
        assert_eq!(err.stream_reason(), Some(&expected));
        assert!(err.to_string().contains("the logs backend went away"), "{err}");
        assert!(stream.next().await.is_none(), "{reason}: the stream ends");
        assert_eq!(mock.control().request_count("stream_deployment_logs"), 1);
    }
}

#[tokio::test]
async fn the_header_wins_over_the_query_and_both_over_after() {
    let (mock, _client) = crowded().await;
    let ids = mock.control().log_event_ids("crowded");
    let url = format!("{}/v1/workflows/deployments/crowded/logs/stream", mock.base_url());
    let http = reqwest::Client::new();

    let first_id = |response: reqwest::Response| async move {
        let mut body = response.bytes_stream();
        let mut text = String::new();
        while !text.contains("\n\n") {
            let chunk = body.next().await.unwrap().unwrap();
            text.push_str(&String::from_utf8_lossy(&chunk));
        }
        text.lines().find_map(|l| l.strip_prefix("id:").map(|id| id.trim().to_owned())).unwrap()
    };

    let both = http
        .get(&url)
        .bearer_auth(support::KEY)
        .header("last-event-id", &ids[10])
        .query(&[("last_event_id", ids[3].as_str()), ("after", "2000-01-01T00:00:00Z")])
        .send()
        .await
        .unwrap();
    assert_eq!(first_id(both).await, ids[11]);

    let query = http
        .get(&url)
        .bearer_auth(support::KEY)
        .query(&[("last_event_id", ids[3].as_str()), ("after", "2100-01-01T00:00:00Z")])
        .send()
        .await
        .unwrap();
    assert_eq!(first_id(query).await, ids[4]);
}

#[tokio::test]
async fn a_slow_consumer_does_not_fill_memory() {
    // 20,000 records of 2 KiB: 40 MiB if anything buffered the whole stream.
    let (mock, client) = crowded().await;
    let padding = "x".repeat(2048);
    for i in 0..20_000 {
        mock.control().append_log("crowded", record(&format!("{i} {padding}")));
    }
    let mut stream = client.deployments().log_stream("crowded").connect().await.unwrap();
    stream.next().await.unwrap().unwrap();
    let before = resident_kib();
    // Consume slowly: a record every 20 ms for a second.
    for _ in 0..50 {
        stream.next().await.unwrap().unwrap();
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let grown = resident_kib().saturating_sub(before);
    assert!(grown < 16 * 1024, "resident memory grew by {grown} KiB");
}

fn resident_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

#[tokio::test]
async fn the_servers_retry_field_sets_the_reconnect_wait() {
    let mock = MockServer::builder()
        .manual_clock()
        .stream_retry(Duration::from_millis(700))
        .start()
        .await
        .unwrap();
    let client = client_for(mock.base_url());
    let name = mock.control().deployment_names().remove(0);
    mock.control().cut_stream_after(1);
    let mut stream =
        client.deployments().log_stream(&name).reconnect_delay(Duration::from_millis(1)).stream();
    stream.next().await.unwrap().unwrap();
    let cut = std::time::Instant::now();
    stream.next().await.unwrap().unwrap();
    let waited = cut.elapsed();
    assert!(waited >= Duration::from_millis(650), "reconnected after {waited:?}");
    assert_eq!(mock.control().request_count("stream_deployment_logs"), 2);
}

#[tokio::test]
async fn a_busy_logs_backend_is_waited_for() {
    let (mock, client) = crowded().await;
    mock.control().inject(
        Some("stream_deployment_logs"),
        mistral_workflows_mock::Fault::status(503).with_retry_after("1"),
        1,
    );
    let started = std::time::Instant::now();
    let mut stream = client
        .deployments()
        .log_stream("crowded")
        .reconnect_delay(Duration::from_millis(1))
        .connect()
        .await
        .unwrap();
    assert!(started.elapsed() >= Duration::from_millis(950), "{:?}", started.elapsed());
    stream.next().await.unwrap().unwrap();
    assert_eq!(mock.control().request_count("stream_deployment_logs"), 2);
}

#[tokio::test]
async fn a_retry_frame_on_its_own_sets_the_wait_and_the_cap_bounds_it() {
    // Every connection gets the same bytes: a lone `retry:` frame, one record, then the end.
    let frame = |retry: &str| {
        let record = serde_json::to_string(&record("r")).unwrap();
        format!("retry: {retry}\n\nevent: log\nid: 1\ndata: {record}\n\n")
    };
    for (retry, cap, at_least, below) in [
        ("700", Duration::from_secs(30), Duration::from_millis(650), Duration::from_secs(5)),
        (
            "86400000",
            Duration::from_millis(300),
            Duration::from_millis(250),
            Duration::from_secs(5),
        ),
    ] {
        let server =
            support::raw_server(support::http_answer("200 OK", "text/event-stream", &frame(retry)))
                .await;
        let mut stream = client_for(&server.base_url)
            .deployments()
            .log_stream("raw")
            .reconnect_delay(Duration::from_millis(1))
            .max_reconnect_delay(cap)
            .stream();
        stream.next().await.unwrap().unwrap();
        let cut = std::time::Instant::now();
        stream.next().await.unwrap().unwrap();
        let waited = cut.elapsed();
        assert!(waited >= at_least && waited < below, "retry {retry}: waited {waited:?}");
    }
}

#[tokio::test]
async fn an_endless_idle_timeout_is_allowed() {
    let (mock, client) = crowded().await;
    let stored = mock.control().log_event_ids("crowded").len();
    let stream = client.deployments().log_stream("crowded").idle_timeout(Duration::MAX).stream();
    let got: Vec<_> = stream.take(stored).collect().await;
    assert!(got.iter().all(Result::is_ok));
}
