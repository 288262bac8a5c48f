//! The log stream (`GET /{name}/logs/stream`): where it starts, live records, keep-alive,
//! `retry:`, cut plans and error frames.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use mistral_workflows_mock::MockServer;
use serde_json::json;
use support::*;

fn stream_path() -> String {
    format!("{BASE}/{APP}/logs/stream")
}

fn bodies(frames: &[Block]) -> Vec<String> {
    frames.iter().map(Block::body).collect()
}

/// The bodies of the runtime fixture in stream order (the order written: by timestamp, since
/// the fixture is one batch).
fn runtime_bodies() -> Vec<String> {
    runtime_records().into_iter().map(|r| r.body).collect()
}

#[tokio::test]
async fn from_the_start_every_runtime_record_in_order_with_its_id() {
    let server = log_server().await;
    let ids = server.control().log_event_ids(APP);
    assert_eq!(ids.len(), 60);
    let mut sse = Sse::open(&server, &stream_path(), None).await;
    let frames = sse.frames(60).await;
    assert_eq!(bodies(&frames), runtime_bodies());
    for (frame, id) in frames.iter().zip(&ids) {
        assert_eq!(frame.event.as_deref(), Some("log"));
        assert_eq!(frame.id.as_ref(), Some(id));
        assert_eq!(frame.retry, None);
    }
    let numbers: Vec<u64> = ids.iter().map(|id| id.parse().unwrap()).collect();
    assert!(numbers.windows(2).all(|w| w[0] < w[1]));
    // Every record decodes as the API writes it.
    let first = frames[0].json();
    assert_eq!(first["timestamp"], "2026-01-10T08:00:00.000000Z");
    assert_eq!(first["log_attributes"]["worker_name"], "w1");
    sse.assert_quiet(Duration::from_millis(100)).await;
}

#[tokio::test]
async fn resumes_after_the_last_event_id() {
    let server = log_server().await;
    let ids = server.control().log_event_ids(APP);
    let all = runtime_bodies();

    let mut sse = Sse::open(&server, &stream_path(), Some(&ids[9])).await;
    assert_eq!(bodies(&sse.frames(3).await), all[10..13]);

    let query = format!("{}?last_event_id={}", stream_path(), ids[20]);
    let mut sse = Sse::open(&server, &query, None).await;
    assert_eq!(sse.frame().await.id.as_ref(), Some(&ids[21]));

    // The header wins over the query; both win over `after`.
    let both = format!("{}?last_event_id={}&after=2026-01-10T08:00:12Z", stream_path(), ids[1]);
    let mut sse = Sse::open(&server, &both, Some(&ids[5])).await;
    assert_eq!(sse.frame().await.id.as_ref(), Some(&ids[6]));
    let mut sse = Sse::open(&server, &both, None).await;
    assert_eq!(sse.frame().await.id.as_ref(), Some(&ids[2]));

    // An id past every record waits for new ones; an empty one counts as none.
    let mut sse = Sse::open(&server, &stream_path(), Some("999999")).await;
    sse.assert_quiet(Duration::from_millis(100)).await;
    let mut sse = Sse::open(&server, &stream_path(), Some("")).await;
    assert_eq!(sse.frame().await.id.as_ref(), Some(&ids[0]));

    let recorded = server.control().requests();
    assert_eq!(recorded.last().unwrap().operation_id.as_deref(), Some("stream_deployment_logs"));
}

#[tokio::test]
async fn starts_after_an_instant() {
    let server = log_server().await;
    let query = format!("{}?after=2026-01-10T08:00:10Z", stream_path());
    let mut sse = Sse::open(&server, &query, None).await;
    let want: Vec<String> =
        runtime_records().into_iter().filter(|r| r.timestamp > at(10)).map(|r| r.body).collect();
    assert_eq!(bodies(&sse.frames(want.len()).await), want);
    sse.assert_quiet(Duration::from_millis(100)).await;
}

#[tokio::test]
async fn filters_apply() {
    let server = log_server().await;
    let query = format!("{}?worker_name=w2&workflow_name=billing", stream_path());
    let mut sse = Sse::open(&server, &query, None).await;
    let want: Vec<String> = runtime_records()
        .into_iter()
        .filter(|r| r.log_attributes["worker_name"] == "w2")
        .filter(|r| r.log_attributes["workflow_name"] == "billing")
        .map(|r| r.body)
        .collect();
    assert!(!want.is_empty());
    assert_eq!(bodies(&sse.frames(want.len()).await), want);
    // A record of another worker does not come through; one of this worker does.
    let control = server.control();
    control.append_log(APP, record(100, "other", &[("worker_name", "w1")]));
    let attributes = [("worker_name", "w2"), ("workflow_name", "billing")];
    let id = control.append_log(APP, record(101, "mine", &attributes)).unwrap();
    let frame = sse.frame().await;
    assert_eq!((frame.body(), frame.id), ("mine".to_owned(), Some(id)));
}

#[tokio::test]
async fn refusals() {
    let server = log_server().await;
    let status = |target: String, id: Option<&'static str>| {
        let server = &server;
        async move {
            let mut request = client().get(url(server, &target)).bearer_auth("k");
            if let Some(id) = id {
                request = request.header("last-event-id", id);
            }
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            (status, response.json::<serde_json::Value>().await.unwrap_or_default())
        }
    };
    assert_eq!(status(format!("{BASE}/nope/logs/stream"), None).await.0, 404);
    let (code, body) = status(stream_path(), Some("not-an-id")).await;
    assert_eq!(code, 422);
    assert_eq!(body["detail"][0]["loc"], json!(["header", "last-event-id"]));
    let (code, body) = status(format!("{}?last_event_id=x", stream_path()), None).await;
    assert_eq!(code, 422);
    assert_eq!(body["detail"][0]["loc"], json!(["query", "last_event_id"]));
    let (code, body) = status(format!("{}?after=soon", stream_path()), None).await;
    assert_eq!(code, 422);
    assert_eq!(body["detail"][0]["type"], "datetime_parsing");
    assert!(server.control().append_log("nope", record(1, "x", &[])).is_none());
    assert!(server.control().log_event_ids("nope").is_empty());
}

#[tokio::test]
async fn appended_records_reach_an_open_stream() {
    let server = log_server().await;
    let mut sse = Sse::open(&server, &stream_path(), None).await;
    sse.frames(60).await;
    let control = server.control().clone();
    let writer = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(50)).await;
        // An old timestamp: still new to the stream.
        control.append_log(APP, record(-500, "late news", &[])).unwrap()
    });
    let frame = sse.frame().await;
    let id = writer.await.unwrap();
    assert_eq!(frame.body(), "late news");
    assert_eq!(frame.id, Some(id.clone()));
    assert_eq!(server.control().log_event_ids(APP).last(), Some(&id));
}

#[tokio::test]
async fn live_logs_with_the_manual_clock_arrive_on_advance() {
    let server = MockServer::builder()
        .fixtures(log_fixtures())
        .manual_clock()
        .live_logs(Some(Duration::from_millis(250)))
        .start()
        .await
        .unwrap();
    let mut sse = Sse::open(&server, &stream_path(), None).await;
    sse.frames(60).await;
    sse.assert_quiet(Duration::from_millis(100)).await;
    server.control().advance(Duration::from_secs(1));
    let live = sse.frames(4).await;
    assert!(live.iter().all(|f| f.json()["log_attributes"]["deployment_name"] == APP));
    sse.assert_quiet(Duration::from_millis(100)).await;
}

#[tokio::test]
async fn live_logs_with_the_real_clock_arrive_on_their_own() {
    let server = MockServer::builder()
        .fixtures(log_fixtures())
        .live_logs(Some(Duration::from_millis(20)))
        .start()
        .await
        .unwrap();
    // No request and no `advance`: the background task writes the records and wakes us.
    let last = server.control().log_event_ids(APP).last().cloned().unwrap();
    let mut sse = Sse::open(&server, &stream_path(), Some(&last)).await;
    let frames = sse.frames(3).await;
    let last: u64 = last.parse().unwrap();
    assert!(frames.iter().all(|f| f.id.as_ref().unwrap().parse::<u64>().unwrap() > last));
    assert!(frames.iter().all(|f| f.json()["log_attributes"]["deployment_name"] == APP));
}

#[tokio::test]
async fn keep_alive_comments_while_idle() {
    let server = MockServer::builder()
        .fixtures(log_fixtures())
        .manual_clock()
        .keep_alive(Duration::from_millis(40))
        .start()
        .await
        .unwrap();
    let last = server.control().log_event_ids(APP).last().cloned().unwrap();
    let mut sse = Sse::open(&server, &stream_path(), Some(&last)).await;
    for _ in 0..3 {
        match sse.read().await {
            Read::Block(block) => {
                assert!(block.is_keep_alive(), "{block:?}");
                assert_eq!(block.comments, ["keep-alive"]);
            }
            other => panic!("{other:?}"),
        }
    }
}

#[tokio::test]
async fn retry_goes_in_the_first_frame_only() {
    let server = MockServer::builder()
        .fixtures(log_fixtures())
        .manual_clock()
        .stream_retry(Duration::from_millis(1500))
        .start()
        .await
        .unwrap();
    let mut sse = Sse::open(&server, &stream_path(), None).await;
    let frames = sse.frames(2).await;
    assert_eq!(frames[0].retry.as_deref(), Some("1500"));
    assert_eq!(frames[0].event.as_deref(), Some("log"));
    assert_eq!(frames[1].retry, None);
}

#[tokio::test]
async fn cut_plans_are_taken_by_one_connection_each_in_order() {
    let server = log_server().await;
    let ids = server.control().log_event_ids(APP);
    server.control().cut_stream_after(2);
    server.control().cut_stream_mid_frame(1);

    // A clean end after two frames.
    let mut sse = Sse::open(&server, &stream_path(), None).await;
    assert_eq!(sse.frames(2).await.len(), 2);
    assert_eq!(sse.read().await, Read::End(String::new()));

    // One frame, half of the next, then a broken connection.
    let mut sse = Sse::open(&server, &stream_path(), Some(&ids[1])).await;
    assert_eq!(sse.frame().await.id.as_ref(), Some(&ids[2]));
    let Read::Broken(partial) = sse.read().await else { panic!("not broken") };
    assert!(partial.starts_with("event: log\nid: "), "{partial:?}");
    assert!(!partial.contains("\n\n"));

    // The plans are used up.
    let mut sse = Sse::open(&server, &stream_path(), None).await;
    assert_eq!(sse.frames(60).await.len(), 60);
    sse.assert_quiet(Duration::from_millis(50)).await;

    // A cut after no frame at all is an empty, complete body.
    server.control().cut_stream_after(0);
    let mut sse = Sse::open(&server, &stream_path(), None).await;
    assert_eq!(sse.read().await, Read::End(String::new()));
}

#[tokio::test]
async fn a_mid_frame_cut_waits_for_the_frame_it_cuts() {
    let server = log_server().await;
    let last = server.control().log_event_ids(APP).last().cloned().unwrap();
    server.control().cut_stream_mid_frame(0);
    let mut sse = Sse::open(&server, &stream_path(), Some(&last)).await;
    let control = server.control().clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(50)).await;
        control.append_log(APP, record(200, "cut me", &[]));
    });
    let Read::Broken(partial) = sse.read().await else { panic!("not broken") };
    assert!(partial.starts_with("event: log\n"), "{partial:?}");
}

#[tokio::test]
async fn stream_error_ends_open_streams_and_the_next_one() {
    let server = MockServer::builder()
        .fixtures(log_fixtures())
        .manual_clock()
        .stream_retry(Duration::from_millis(700))
        .start()
        .await
        .unwrap();
    let last = server.control().log_event_ids(APP).last().cloned().unwrap();
    let mut first = Sse::open(&server, &stream_path(), Some(&last)).await;
    let mut second = Sse::open(&server, &stream_path(), Some(&last)).await;
    first.assert_quiet(Duration::from_millis(50)).await;
    server.control().stream_error(APP, "read_error", "the logs backend went away");
    for sse in [&mut first, &mut second] {
        let frame = sse.frame().await;
        assert_eq!(frame.event.as_deref(), Some("error"));
        assert_eq!(frame.retry.as_deref(), Some("700"));
        assert_eq!(
            frame.json(),
            json!({ "error": "the logs backend went away", "reason": "read_error" })
        );
        assert_eq!(sse.read().await, Read::End(String::new()));
    }

    // The next stream to open gets it at once, even with records to send...
    let mut next = Sse::open(&server, &stream_path(), None).await;
    assert_eq!(next.frame().await.event.as_deref(), Some("error"));
    assert_eq!(next.read().await, Read::End(String::new()));
    // ...and the one after that streams normally.
    let mut after = Sse::open(&server, &stream_path(), None).await;
    assert_eq!(after.frame().await.event.as_deref(), Some("log"));
}

#[tokio::test]
async fn removing_the_deployment_ends_its_streams() {
    let server = log_server().await;
    let last = server.control().log_event_ids(APP).last().cloned().unwrap();
    let mut sse = Sse::open(&server, &stream_path(), Some(&last)).await;
    sse.assert_quiet(Duration::from_millis(30)).await;
    assert!(server.control().remove_deployment(APP));
    assert_eq!(sse.read().await, Read::End(String::new()));
}

#[tokio::test]
async fn a_reader_that_pauses_still_gets_everything_in_order() {
    let server = log_server().await;
    let control = server.control();
    for i in 0..5_000 {
        control.append_log(APP, record(1_000 + i, &format!("bulk {i} {}", "x".repeat(200)), &[]));
    }
    let mut sse = Sse::open(&server, &stream_path(), None).await;
    let first = sse.frame().await;
    assert_eq!(first.body(), "r0");
    // The reader pauses; the server only writes what the socket takes, then waits. Reading on
    // afterwards still yields everything in order.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let rest = sse.frames(59 + 5_000).await;
    assert_eq!(rest.last().unwrap().body(), format!("bulk 4999 {}", "x".repeat(200)));
}
