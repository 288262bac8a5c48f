//! Log search (`GET /{name}/logs`): pagination, windows, filters, cursors and validation.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use mistral_workflows_mock::{DeploymentLogRecord, MockServer};
use serde_json::{Value, json};
use support::*;

/// The records a search should find, by brute force: the fixture in the order it was
/// written, sorted by timestamp (a stable sort: ties keep that order), then filtered.
fn expected(
    log_type: Option<&str>,
    keep: impl Fn(&DeploymentLogRecord) -> bool,
    descending: bool,
) -> Vec<String> {
    let mut all = Vec::new();
    if log_type != Some("runtime") {
        all.extend(build_records());
    }
    if log_type != Some("build") {
        all.extend(runtime_records());
    }
    all.sort_by_key(|r| r.timestamp);
    let mut bodies: Vec<String> = all.into_iter().filter(|r| keep(r)).map(|r| r.body).collect();
    if descending {
        bodies.reverse();
    }
    bodies
}

/// Every page of a search, as the SDK asks for them: the first request with the query, the
/// later ones with only the cursor and the limit.
async fn all_pages(server: &MockServer, query: &str, limit: usize) -> Vec<String> {
    let path = format!("{BASE}/{APP}/logs");
    let mut target = format!("{path}?{query}&limit={limit}");
    let mut bodies = Vec::new();
    let client = client();
    for _ in 0..1000 {
        let (status, page) = get_json_with(&client, server, &target).await;
        assert_eq!(status, 200, "{target}: {page}");
        let results = page["results"].as_array().unwrap();
        assert!(results.len() <= limit);
        bodies.extend(results.iter().map(|r| r["body"].as_str().unwrap().to_owned()));
        match &page["next_cursor"] {
            Value::String(cursor) => {
                assert!(!results.is_empty());
                target = format!("{path}?cursor={cursor}&limit={limit}");
            }
            Value::Null => return bodies,
            other => panic!("next_cursor: {other}"),
        }
    }
    panic!("no end to the pages")
}

#[tokio::test]
async fn pagination_yields_each_record_once_in_order() {
    let server = log_server().await;
    for (log_type, type_query) in
        [(None, ""), (Some("build"), "log_type=build"), (Some("runtime"), "log_type=runtime")]
    {
        for (descending, order) in [(false, "order=asc"), (true, "order=desc"), (false, "")] {
            let want = expected(log_type, |_| true, descending);
            assert!(!want.is_empty());
            for limit in [1, 3, 7, 50, 100] {
                let query = format!("{type_query}&{order}");
                let got = all_pages(&server, &query, limit).await;
                assert_eq!(got, want, "{query} limit={limit}");
            }
        }
    }
}

#[tokio::test]
async fn windows_and_filters_are_kept_by_the_cursor() {
    let server = log_server().await;
    let (after, before) = (at(2), at(11));
    let window = format!(
        "after={}&before={}",
        after.to_rfc3339().replace('+', "%2B"),
        before.to_rfc3339().replace('+', "%2B")
    );
    let in_window = |r: &DeploymentLogRecord| r.timestamp > after && r.timestamp < before;
    for (descending, order) in [(false, "asc"), (true, "desc")] {
        let want = expected(None, in_window, descending);
        assert!(want.len() > 10);
        assert_eq!(all_pages(&server, &format!("{window}&order={order}"), 4).await, want);

        let worker = |r: &DeploymentLogRecord| {
            in_window(r) && r.log_attributes.get("worker_name").map(String::as_str) == Some("w2")
        };
        let query = format!("{window}&order={order}&log_type=runtime&worker_name=w2");
        let want = expected(Some("runtime"), worker, descending);
        assert!(!want.is_empty());
        assert_eq!(all_pages(&server, &query, 3).await, want);

        let workflow = |r: &DeploymentLogRecord| {
            r.log_attributes.get("workflow_name").map(String::as_str) == Some("billing")
        };
        let query = format!("order={order}&workflow_name=billing");
        assert_eq!(all_pages(&server, &query, 5).await, expected(None, workflow, descending));
    }

    // An empty window, or a crossed one, is an empty page, not an error.
    let crossed =
        format!("{BASE}/{APP}/logs?after=2026-01-10T09:00:00Z&before=2026-01-10T07:00:00Z");
    let (status, page) = get_json(&server, &crossed).await;
    assert_eq!(status, 200);
    assert_eq!(page, json!({ "results": [], "next_cursor": null }));
}

#[tokio::test]
async fn a_cursor_overrides_the_order_and_filters_of_the_query() {
    let server = log_server().await;
    let path = format!("{BASE}/{APP}/logs");
    let (_, first) = get_json(&server, &format!("{path}?order=desc&log_type=build&limit=2")).await;
    let cursor = first["next_cursor"].as_str().unwrap();
    let (status, second) = get_json(
        &server,
        &format!("{path}?order=asc&log_type=runtime&worker_name=w1&cursor={cursor}&limit=2"),
    )
    .await;
    assert_eq!(status, 200);
    let bodies: Vec<&str> =
        second["results"].as_array().unwrap().iter().map(|r| r["body"].as_str().unwrap()).collect();
    assert_eq!(bodies, ["b17", "b16"]);
}

#[tokio::test]
async fn records_are_answered_as_the_api_writes_them() {
    let server = log_server().await;
    let (status, page) = get_json(&server, &format!("{BASE}/{APP}/logs?limit=1")).await;
    assert_eq!(status, 200);
    let record = &page["results"][0];
    assert_eq!(record["timestamp"], "2026-01-10T08:00:00.000000Z");
    for key in ["trace_id", "span_id", "severity_text", "body", "log_attributes"] {
        assert!(record.get(key).is_some(), "{key}");
    }
    let default = get_json(&server, &format!("{BASE}/{APP}/logs")).await.1;
    assert_eq!(default["results"].as_array().unwrap().len(), 50);
    assert!(default["next_cursor"].is_string());
}

#[tokio::test]
async fn bad_queries_are_refused() {
    let server = log_server().await;
    let path = format!("{BASE}/{APP}/logs");
    let cases = [
        ("log_type=audit", "enum", json!(["query", "log_type"])),
        ("after=yesterday", "datetime_parsing", json!(["query", "after"])),
        ("before=2026-02-30T00:00:00Z", "datetime_parsing", json!(["query", "before"])),
        ("order=sideways", "enum", json!(["query", "order"])),
        ("limit=0", "greater_than_equal", json!(["query", "limit"])),
        ("limit=101", "less_than_equal", json!(["query", "limit"])),
        ("cursor=garbage", "value_error", json!(["query", "cursor"])),
        ("cursor=%00%FF", "value_error", json!(["query", "cursor"])),
    ];
    for (query, kind, loc) in cases {
        let (status, body) = get_json(&server, &format!("{path}?{query}")).await;
        assert_eq!(status, 422, "{query}: {body}");
        assert_eq!(body["detail"][0]["type"], kind, "{query}");
        assert_eq!(body["detail"][0]["loc"], loc, "{query}");
    }

    // A cursor of another list, or of another deployment, is refused too.
    let (_, workers) = get_json(&server, &format!("{BASE}/{APP}/workers?limit=1")).await;
    let (_, page) = get_json(&server, &format!("{path}?limit=1")).await;
    let logs_cursor = page["next_cursor"].as_str().unwrap().to_owned();
    if let Some(cursor) = workers["next_cursor"].as_str() {
        let (status, _) = get_json(&server, &format!("{path}?cursor={cursor}")).await;
        assert_eq!(status, 422);
    }
    let mut other = log_fixtures().deployments().next().unwrap().clone();
    other.name = "other".to_owned();
    other.id = uuid::Uuid::from_u128(7);
    server.control().insert_deployment(other);
    let (status, body) =
        get_json(&server, &format!("{BASE}/other/logs?cursor={logs_cursor}")).await;
    assert_eq!(status, 422);
    assert_eq!(body["detail"][0]["loc"], json!(["query", "cursor"]));
    let (status, body) = get_json(&server, &format!("{BASE}/other/logs")).await;
    assert_eq!((status, body), (200, json!({ "results": [], "next_cursor": null })));

    assert_eq!(get_json(&server, &format!("{BASE}/nope/logs")).await.0, 404);
    assert_eq!(get_json(&server, &format!("{BASE}/bad%20name/logs")).await.0, 422);
}

#[tokio::test]
async fn odd_queries_never_crash_the_server() {
    let server = log_server().await;
    let client = client();
    let path = format!("{BASE}/{APP}/logs");
    let (_, page) = get_json_with(&client, &server, &format!("{path}?limit=3")).await;
    let cursor = page["next_cursor"].as_str().unwrap().to_owned();
    let mut queries: Vec<String> = [
        "after=",
        "before=%FF",
        "after=9999-12-31T23:59:59Z",
        "before=0000-01-01T00:00:00Z",
        "after=2026-01-10T08:00:00%2B14:00",
        "limit=-1",
        "limit=1e3",
        "cursor=",
        "order=",
        "log_type=",
        "worker_name=%00",
        "after=2026-01-10T08:00:00&after=junk",
    ]
    .iter()
    .map(|q| (*q).to_owned())
    .collect();
    // Every single-character change of a good cursor.
    for i in 0..cursor.len() {
        for c in ['A', '_', '-', 'z'] {
            let mut bad = cursor.clone();
            bad.replace_range(i..=i, &c.to_string());
            queries.push(format!("cursor={bad}"));
        }
    }
    queries.push(format!("cursor={cursor}{cursor}"));
    for query in queries {
        let (status, body) = get_json_with(&client, &server, &format!("{path}?{query}")).await;
        assert!(matches!(status, 200 | 422), "{query}: {status} {body}");
    }
}
