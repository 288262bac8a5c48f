//! End-to-end tests of the operations, over real TCP connections to a running server.

use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use crate::{DeploymentDetailResponse, Fixtures, MockServer};

#[derive(Debug)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Value,
    text: String,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// A minimal HTTP/1.1 client: one request per connection.
async fn send_raw(
    server: &MockServer,
    method: &str,
    target: &str,
    key: Option<&str>,
    body: Option<&[u8]>,
) -> Reply {
    let mut stream = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
    let mut request =
        format!("{method} {target} HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n");
    if let Some(key) = key {
        request.push_str(&format!("authorization: Bearer {key}\r\n"));
    }
    if let Some(body) = body {
        request.push_str(&format!(
            "content-type: application/json\r\ncontent-length: {}\r\n",
            body.len()
        ));
    }
    request.push_str("\r\n");
    let mut bytes = request.into_bytes();
    bytes.extend_from_slice(body.unwrap_or_default());
    stream.write_all(&bytes).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let answer = String::from_utf8(answer).unwrap();
    let (head, text) = answer.split_once("\r\n\r\n").unwrap();
    let mut lines = head.lines();
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(": "))
        .map(|(k, v)| (k.to_ascii_lowercase(), v.to_owned()))
        .collect();
    let body = serde_json::from_str(text).unwrap_or(Value::Null);
    Reply { status, headers, body, text: text.to_owned() }
}

async fn send(server: &MockServer, method: &str, target: &str, body: Option<Value>) -> Reply {
    let body = body.map(|b| b.to_string());
    send_raw(server, method, target, Some("test-key"), body.as_deref().map(str::as_bytes)).await
}

async fn get(server: &MockServer, target: &str) -> Reply {
    send(server, "GET", target, None).await
}

const BASE: &str = "/v1/workflows/deployments";

async fn seeded() -> MockServer {
    MockServer::builder().manual_clock().start().await.unwrap()
}

fn find(
    server: &MockServer,
    test: impl Fn(&DeploymentDetailResponse) -> bool,
) -> DeploymentDetailResponse {
    let control = server.control();
    control
        .deployment_names()
        .iter()
        .filter_map(|n| control.deployment(n))
        .find(|d| test(d))
        .unwrap()
}

/// Every date-time in the answer has six fraction digits and `Z`.
fn assert_times(value: &Value) {
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                if ["created_at", "updated_at", "last_heartbeat", "deployed_at", "started_at"]
                    .contains(&key.as_str())
                    && let Value::String(text) = item
                {
                    let (_, fraction) = text.rsplit_once('.').unwrap();
                    assert_eq!(fraction.len(), 7, "{key}: {text}");
                    assert!(fraction.ends_with('Z'), "{key}: {text}");
                }
                assert_times(item);
            }
        }
        Value::Array(items) => items.iter().for_each(assert_times),
        _ => {}
    }
}

#[tokio::test]
async fn authentication() {
    let server = seeded().await;
    let none = send_raw(&server, "GET", BASE, None, None).await;
    assert_eq!(none.status, 401);
    assert_eq!(none.body, json!({ "detail": "Not authenticated" }));
    assert_eq!(send_raw(&server, "GET", BASE, Some(""), None).await.status, 401);
    assert_eq!(send_raw(&server, "GET", BASE, Some("anything"), None).await.status, 200);
    assert_eq!(none.header("www-authenticate"), Some("Bearer"));

    let keyed = MockServer::builder().api_key("right").start().await.unwrap();
    assert_eq!(send_raw(&keyed, "GET", BASE, Some("wrong"), None).await.status, 401);
    assert_eq!(send_raw(&keyed, "GET", BASE, Some("right"), None).await.status, 200);
    let requests = keyed.control().requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(keyed.control().request_count("list_deployments"), 2);
    assert_eq!(requests[0].header("authorization"), Some("Bearer wrong"));
}

#[tokio::test]
async fn requests_are_recorded_raw() {
    let server = seeded().await;
    let body = br#"{"name": "x y"}"#;
    let target = format!("{BASE}?search=a%20b&location_types=local&location_types=k8s");
    send_raw(&server, "GET", &target, Some("k"), None).await;
    send_raw(&server, "POST", BASE, Some("k"), Some(body)).await;
    send_raw(&server, "GET", &format!("{BASE}/my%2Eapp/workers"), None, None).await;
    send_raw(&server, "GET", "/nowhere", Some("k"), None).await;
    let requests = server.control().requests();
    assert_eq!(requests.len(), 4);
    assert_eq!(
        requests[0].query.as_deref(),
        Some("search=a%20b&location_types=local&location_types=k8s")
    );
    assert_eq!(requests[0].body, None);
    assert_eq!(requests[1].operation_id.as_deref(), Some("create_deployment"));
    assert_eq!(requests[1].body.as_deref(), Some(&body[..]));
    assert_eq!(requests[1].header("content-type"), Some("application/json"));
    assert!(requests[1].headers.iter().all(|(k, _)| *k == k.to_ascii_lowercase()));
    assert_eq!(requests[2].path, format!("{BASE}/my%2Eapp/workers"));
    assert_eq!(requests[2].operation_id.as_deref(), Some("list_deployment_workers"));
    assert_eq!(requests[3].operation_id, None);
    server.control().clear_requests();
    assert!(server.control().requests().is_empty());
}

#[tokio::test]
async fn list_pages_through_every_active_deployment_once() {
    let server = seeded().await;
    let control = server.control();
    let active: Vec<String> = control
        .deployment_names()
        .into_iter()
        .filter(|n| control.deployment(n).unwrap().is_active)
        .collect();

    let first = get(&server, BASE).await;
    assert_eq!(first.status, 200);
    assert_eq!(first.body["deployments"].as_array().unwrap().len(), 50);
    assert_eq!(first.body["workspace_id"], "019b2bd7-96e7-7219-8c0b-45a73da50088");
    assert_times(&first.body);

    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let target = match &cursor {
            None => format!("{BASE}?limit=17"),
            Some(c) => format!("{BASE}?limit=17&cursor={c}"),
        };
        let page = get(&server, &target).await;
        assert_eq!(page.status, 200, "{}", page.text);
        for d in page.body["deployments"].as_array().unwrap() {
            assert_eq!(d["is_active"], true);
            seen.push(d["name"].as_str().unwrap().to_owned());
        }
        match page.body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => {
                assert!(page.body.as_object().unwrap().contains_key("next_cursor"));
                break;
            }
        }
    }
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), seen.len(), "a deployment came twice");
    let mut want = active;
    want.sort();
    assert_eq!(sorted, want);
}

#[tokio::test]
async fn list_filters_over_http() {
    let server = seeded().await;
    let managed =
        get(&server, &format!("{BASE}?active_only=false&location_types=managed&limit=100")).await;
    for d in managed.body["deployments"].as_array().unwrap() {
        assert!(d["managed"].is_object());
    }
    let hardened = get(&server, &format!("{BASE}?active_only=0&is_hardened=true&limit=100")).await;
    assert!(
        hardened.body["deployments"].as_array().unwrap().iter().all(|d| d["is_hardened"] == true)
    );
    let ordered =
        get(&server, &format!("{BASE}?active_only=false&order_by=created_at&order=asc&limit=100"))
            .await;
    let created: Vec<&str> = ordered.body["deployments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["created_at"].as_str().unwrap())
        .collect();
    assert!(created.windows(2).all(|w| w[0] <= w[1]));
    let unknown = get(&server, &format!("{BASE}?unknown_parameter=1&limit=3")).await;
    assert_eq!(unknown.status, 200);
    let other = "00000000-0000-0000-0000-000000000001";
    let elsewhere = get(&server, &format!("{BASE}?workspace_id={other}")).await;
    assert_eq!(elsewhere.body["deployments"], json!([]));
    assert_eq!(elsewhere.body["workspace_id"], other);
    assert_eq!(elsewhere.body["next_cursor"], Value::Null);
}

#[tokio::test]
async fn validation_errors_have_fastapi_shape() {
    let server = seeded().await;
    let reply = get(&server, &format!("{BASE}?limit=101")).await;
    assert_eq!(reply.status, 422);
    assert_eq!(
        reply.body,
        json!({ "detail": [{
            "type": "less_than_equal",
            "loc": ["query", "limit"],
            "msg": "Input should be less than or equal to 100",
            "input": "101",
            "ctx": { "le": 100 }
        }]})
    );
    let reply = get(
        &server,
        &format!("{BASE}?limit=0&workspace_id=nope&order_by=name&active_only=perhaps"),
    )
    .await;
    let kinds: Vec<&str> = reply.body["detail"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["bool_parsing", "enum", "greater_than_equal", "uuid_parsing"]);
    assert_eq!(
        reply.body["detail"][1]["ctx"],
        json!({ "expected": "'updated_at' or 'created_at'" })
    );

    let garbage = get(&server, &format!("{BASE}?cursor=garbage")).await;
    assert_eq!(garbage.status, 422);
    assert_eq!(garbage.body["detail"][0]["loc"], json!(["query", "cursor"]));

    let page = get(&server, &format!("{BASE}?limit=2")).await;
    let cursor = page.body["next_cursor"].as_str().unwrap().to_owned();
    let moved = get(&server, &format!("{BASE}?limit=2&order=asc&cursor={cursor}")).await;
    assert_eq!(moved.status, 422);
    let same = get(&server, &format!("{BASE}?limit=5&cursor={cursor}")).await;
    assert_eq!(same.status, 200);

    let workers = get(&server, &format!("{BASE}/x/workers?worker_status=sleeping&limit=abc")).await;
    let kinds: Vec<&str> = workers.body["detail"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["enum", "int_parsing"]);
}

#[tokio::test]
async fn get_a_deployment() {
    let server = seeded().await;
    let d = find(&server, |d| d.workers.len() >= 2 && d.managed.is_none());
    let reply = get(&server, &format!("{BASE}/{}?workflow_name=whatever", d.name)).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body["id"], d.id.to_string());
    assert_eq!(reply.body["workers"].as_array().unwrap().len(), d.workers.len());
    assert_times(&reply.body);
    let decoded: DeploymentDetailResponse = serde_json::from_value(reply.body).unwrap();
    assert_eq!(decoded, d);

    // Percent-encoded segments are decoded before the lookup.
    let encoded = d.name.replace('-', "%2D");
    assert_eq!(get(&server, &format!("{BASE}/{encoded}")).await.status, 200);

    let missing = get(&server, &format!("{BASE}/no-such-deployment")).await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.body, json!({ "detail": "Deployment not found" }));
    let slash = get(&server, &format!("{BASE}/a%2Fb")).await;
    assert_eq!(slash.status, 422);
    assert_eq!(slash.body["detail"][0]["loc"], json!(["path", "name"]));
    let long = get(&server, &format!("{BASE}/{}", "a".repeat(129))).await;
    assert_eq!(long.body["detail"][0]["type"], "string_too_long");
    let bad_utf8 = get(&server, &format!("{BASE}/%FF")).await;
    assert_eq!(bad_utf8.status, 422);
}

#[tokio::test]
async fn managed_lifecycle_on_the_manual_clock() {
    let server =
        MockServer::builder().fixtures(Fixtures::empty()).manual_clock().start().await.unwrap();
    let control = server.control();
    let create = json!({
        "name": "my-app",
        "spec": {
            "github_url": "https://github.com/acme/app",
            "revision": "main",
            "backend_spec": {
                "secrets": [{ "env_var_name": "K", "reference": "secret:workspace:k" }]
            },
            "requested_roles": ["a", "b"]
        },
        "resources": { "replicas": 2 },
        "hardened": true
    });
    let reply = send(&server, "POST", BASE, Some(create.clone())).await;
    assert_eq!(reply.status, 202, "{}", reply.text);
    assert_eq!(reply.body["status"]["phase"], "queued");
    assert_eq!(reply.body["status"]["generation"], 1);
    assert_eq!(reply.body["is_hardened"], true);
    assert_eq!(reply.body["spec"]["backend_spec"]["type"], "mistral_cloud");
    assert_times(&reply.body);
    assert_eq!(send(&server, "POST", BASE, Some(create)).await.status, 409);

    let d = control.deployment("my-app").unwrap();
    assert!(!d.is_active);
    assert_eq!(d.locations, [crate::LocationType::Managed]);
    let listed = get(&server, &format!("{BASE}?active_only=false&search=my-")).await;
    assert_eq!(listed.body["deployments"][0]["name"], "my-app");
    assert_eq!(get(&server, &format!("{BASE}?search=my-")).await.body["deployments"], json!([]));

    control.advance(Duration::from_secs(1));
    let building = get(&server, &format!("{BASE}/my-app")).await.body;
    assert_eq!(building["managed"]["status"]["phase"], "building");
    assert_eq!(building["managed"]["status"]["build_state"]["phase"], "building");
    assert!(building["managed"]["status"]["build_state"]["started_at"].is_string());
    assert!(building["managed"]["spec"]["commit"]["sha"].is_string());

    control.advance(Duration::from_secs(1));
    let running = get(&server, &format!("{BASE}/my-app")).await.body;
    let managed = &running["managed"];
    assert_eq!(managed["status"]["phase"], "running");
    assert_eq!(managed["status"]["available_replicas"], 2);
    assert_eq!(managed["status"]["ready_replicas"], 2);
    assert_eq!(managed["status"]["deployed_revision"], "main");
    assert!(managed["deployed_at"].is_string());
    assert!(managed["status"]["build_state"]["finished_at"].is_string());
    assert_eq!(running["is_active"], true);
    assert_eq!(running["active_worker_count"], 2);
    assert_eq!(running["workers"].as_array().unwrap().len(), 2);
    let workers = get(&server, &format!("{BASE}/my-app/workers")).await.body;
    assert_eq!(workers["workers"].as_array().unwrap().len(), 2);
    assert_eq!(
        get(&server, &format!("{BASE}?search=my-")).await.body["deployments"][0]["name"],
        "my-app"
    );

    // Update: archive drops the repository, lists are replaced, the rest is kept.
    let update = json!({
        "spec": {
            "archive_id": "arch-1",
            "requested_roles": [],
            "backend_spec": { "secrets": [] }
        },
        "resources": { "replicas": 3 }
    });
    let reply = send(&server, "PATCH", &format!("{BASE}/my-app"), Some(update)).await;
    assert_eq!(reply.status, 202, "{}", reply.text);
    let spec = &reply.body["spec"];
    assert_eq!(spec["github_url"], "");
    assert_eq!(spec["archive_id"], "arch-1");
    assert!(spec.get("revision").is_none());
    assert_eq!(spec["requested_roles"], json!([]));
    assert_eq!(spec["backend_spec"]["secrets"], json!([]));
    assert_eq!(reply.body["status"]["generation"], 2);
    assert_eq!(reply.body["status"]["phase"], "queued");
    assert_eq!(reply.body["resources"]["replicas"], 3);
    assert_ne!(reply.body["updated_at"], reply.body["created_at"]);
    // The old revision serves until the new one is up.
    assert!(control.deployment("my-app").unwrap().is_active);
    control.advance(Duration::from_secs(2));
    let d = control.deployment("my-app").unwrap();
    assert_eq!(d.active_worker_count, 3);
    let m = d.managed.unwrap();
    assert_eq!(m.status.phase.as_deref(), Some("running"));
    assert_eq!(m.status.deployed_revision.as_deref(), Some("arch-1"));
    let archive = get(&server, &format!("{BASE}/my-app/archive")).await;
    assert_eq!(archive.status, 200);
    assert_eq!(archive.body["archive_id"], "arch-1");
    assert!(archive.body["download_url"].as_str().unwrap().starts_with("https://"));

    // Stop, twice.
    for _ in 0..2 {
        let reply = send(&server, "POST", &format!("{BASE}/my-app/stop"), None).await;
        assert_eq!(reply.status, 202);
        assert_eq!(reply.body["stopped"], true);
        assert_eq!(reply.body["status"]["phase"], "stopped");
        assert_eq!(reply.body["status"]["available_replicas"], 0);
    }
    let d = control.deployment("my-app").unwrap();
    assert!(!d.is_active && d.workers.iter().all(|w| !w.is_active));
    let inactive = get(&server, &format!("{BASE}/my-app/workers?worker_status=inactive")).await;
    assert_eq!(inactive.body["workers"].as_array().unwrap().len(), 3);
    control.advance(Duration::from_secs(10));
    assert_eq!(
        control.deployment("my-app").unwrap().managed.unwrap().status.phase.as_deref(),
        Some("stopped")
    );

    // Start, twice: the second changes nothing.
    let started = send(&server, "POST", &format!("{BASE}/my-app/start"), None).await;
    assert_eq!(started.body["status"]["phase"], "queued");
    assert_eq!(started.body["stopped"], false);
    let again = send(&server, "POST", &format!("{BASE}/my-app/start"), None).await;
    assert_eq!(again.status, 202);
    assert_eq!(again.body, started.body);
    control.advance(Duration::from_secs(2));
    assert!(control.deployment("my-app").unwrap().is_active);

    // Restart records the time and rolls out again.
    let restarted = send(&server, "POST", &format!("{BASE}/my-app/restart"), None).await;
    assert_eq!(restarted.status, 202);
    let at = restarted.body["spec"]["restarted_at"].as_str().unwrap();
    assert_eq!(at, crate::clock::format_rfc3339(control.now()));
    assert_eq!(restarted.body["status"]["phase"], "queued");

    // Delete.
    let deleted = send(&server, "DELETE", &format!("{BASE}/my-app"), None).await;
    assert_eq!(deleted.status, 202);
    assert_eq!(deleted.body["name"], "my-app");
    assert_eq!(get(&server, &format!("{BASE}/my-app")).await.status, 404);
    assert_eq!(send(&server, "DELETE", &format!("{BASE}/my-app"), None).await.status, 404);
    let listed = get(&server, &format!("{BASE}?active_only=false")).await;
    assert_eq!(listed.body["deployments"], json!([]));
    control.advance(Duration::from_secs(5));
    assert!(control.deployment("my-app").is_none());
}

#[tokio::test]
async fn create_and_update_refuse_bad_bodies() {
    let server = seeded().await;
    let cases = [
        json!({ "name": "n1", "spec": {} }),
        json!({ "name": "n2", "spec": { "github_url": "g", "archive_id": "a" } }),
        json!({ "name": "n3", "spec": { "archive_id": "a", "backend_spec": { "secrets": [
            { "env_var_name": "K", "reference": "secret:other:k" }
        ] } } }),
        json!({ "name": "bad/name", "spec": { "archive_id": "a" } }),
        json!({ "spec": { "archive_id": "a" } }),
        json!([]),
    ];
    for body in cases {
        let reply = send(&server, "POST", BASE, Some(body.clone())).await;
        assert_eq!(reply.status, 422, "{body}");
        assert!(reply.body["detail"].is_array());
    }
    let reply = send_raw(&server, "POST", BASE, Some("k"), Some(b"{\"name\": ")).await;
    assert_eq!(reply.status, 422);
    assert_eq!(reply.body["detail"][0]["type"], "json_invalid");
    let reply = send_raw(&server, "POST", BASE, Some("k"), None).await;
    assert_eq!(reply.status, 422);

    let self_hosted = find(&server, |d| d.managed.is_none());
    let path = format!("{BASE}/{}", self_hosted.name);
    let reply =
        send(&server, "PATCH", &path, Some(json!({ "resources": { "replicas": 1 } }))).await;
    assert_eq!(reply.status, 409);
    for action in ["stop", "start", "restart"] {
        assert_eq!(send(&server, "POST", &format!("{path}/{action}"), None).await.status, 409);
    }
    assert_eq!(send(&server, "DELETE", &path, None).await.status, 409);
    let reply = send(&server, "PATCH", &format!("{BASE}/nope"), Some(json!({}))).await;
    assert_eq!(reply.status, 404);
    let reply = send(&server, "POST", &format!("{BASE}/nope/stop"), None).await;
    assert_eq!(reply.status, 404);
    let reply = send(&server, "PUT", &format!("{BASE}/nope"), None).await;
    assert_eq!(reply.status, 405);
}

#[tokio::test]
async fn workers_are_paginated() {
    let server = seeded().await;
    let d = find(&server, |d| d.workers.len() >= 4);
    let mut names = Vec::new();
    let mut target = format!("{BASE}/{}/workers?limit=1", d.name);
    loop {
        let page = get(&server, &target).await;
        assert_eq!(page.status, 200, "{}", page.text);
        names.extend(page.body["workers"].as_array().unwrap().iter().map(|w| w["name"].clone()));
        match page.body["next_cursor"].as_str() {
            Some(c) => target = format!("{BASE}/{}/workers?limit=1&cursor={c}", d.name),
            None => break,
        }
    }
    assert_eq!(names.len(), d.workers.len());
    let active = get(&server, &format!("{BASE}/{}/workers?worker_status=active", d.name)).await;
    let count = active.body["workers"].as_array().unwrap().len();
    assert_eq!(count as u64, d.active_worker_count);

    let page = get(&server, &format!("{BASE}/{}/workers?limit=1", d.name)).await;
    let cursor = page.body["next_cursor"].as_str().unwrap();
    let changed =
        get(&server, &format!("{BASE}/{}/workers?worker_status=active&cursor={cursor}", d.name))
            .await;
    assert_eq!(changed.status, 422);
    assert_eq!(get(&server, &format!("{BASE}/nope/workers")).await.status, 404);
}

#[tokio::test]
async fn archives() {
    let server = seeded().await;
    let from_repo =
        find(&server, |d| d.managed.as_ref().is_some_and(|m| m.spec.archive_id.is_none()));
    let reply = get(&server, &format!("{BASE}/{}/archive", from_repo.name)).await;
    assert_eq!(reply.status, 404);
    assert!(reply.body["detail"].as_str().unwrap().contains("repository"));
    let self_hosted = find(&server, |d| d.managed.is_none());
    assert_eq!(get(&server, &format!("{BASE}/{}/archive", self_hosted.name)).await.status, 404);
    assert_eq!(get(&server, &format!("{BASE}/nope/archive")).await.status, 404);
    let archived =
        find(&server, |d| d.managed.as_ref().is_some_and(|m| m.spec.archive_id.is_some()));
    let reply = get(&server, &format!("{BASE}/{}/archive", archived.name)).await;
    assert_eq!(reply.status, 200);
}

#[tokio::test]
async fn unharden() {
    let server = seeded().await;
    let hardened = find(&server, |d| d.is_hardened && d.managed.is_some());
    let path = format!("{BASE}/{}/unharden", hardened.id);
    let other = "00000000-0000-0000-0000-000000000001";
    assert_eq!(
        send(&server, "POST", &format!("{path}?workspace_id={other}"), None).await.status,
        403
    );
    let reply = send(&server, "POST", &path, None).await;
    assert_eq!(reply.status, 204);
    assert!(reply.text.is_empty());
    let d = server.control().deployment(&hardened.name).unwrap();
    assert!(!d.is_hardened && !d.managed.unwrap().is_hardened);
    assert_eq!(send(&server, "POST", &path, None).await.status, 409);
    let own = "019b2bd7-96e7-7219-8c0b-45a73da50088";
    let soft = find(&server, |d| d.is_hardened);
    let reply =
        send(&server, "POST", &format!("{BASE}/{}/unharden?workspace_id={own}", soft.id), None)
            .await;
    assert_eq!(reply.status, 204);
    let unknown = format!("{BASE}/{}/unharden", uuid::Uuid::nil());
    assert_eq!(send(&server, "POST", &unknown, None).await.status, 404);
    let reply = send(&server, "POST", &format!("{BASE}/not-a-uuid/unharden"), None).await;
    assert_eq!(reply.status, 422);
    assert_eq!(reply.body["detail"][0]["type"], "uuid_parsing");
    assert_eq!(reply.body["detail"][0]["loc"], json!(["path", "deployment_id"]));
}

#[tokio::test]
async fn seeded_rollouts_carry_on() {
    let server = seeded().await;
    let queued = find(&server, |d| {
        d.managed
            .as_ref()
            .is_some_and(|m| m.status.phase.as_deref() == Some("queued") && !m.stopped)
    });
    server.control().advance(Duration::from_secs(2));
    let d = server.control().deployment(&queued.name).unwrap();
    assert_eq!(d.managed.unwrap().status.phase.as_deref(), Some("running"));
    assert!(d.is_active);
}

#[tokio::test]
async fn control_inserts_deployments() {
    let server =
        MockServer::builder().fixtures(Fixtures::empty()).manual_clock().start().await.unwrap();
    let mut d = Fixtures::generated(1).deployments().next().unwrap().clone();
    d.name = "inserted".to_owned();
    server.control().insert_deployment(d.clone());
    assert_eq!(server.control().deployment_names(), ["inserted"]);
    let reply = get(&server, &format!("{BASE}/inserted")).await;
    assert_eq!(reply.status, 200);
    assert!(server.control().remove_deployment("inserted"));
    assert_eq!(get(&server, &format!("{BASE}/inserted")).await.status, 404);
}

#[tokio::test]
async fn dropping_the_server_stops_it() {
    let server = seeded().await;
    let addr = server.addr();
    assert!(server.base_url().starts_with("http://127.0.0.1:"));
    assert!(!server.base_url().ends_with('/'));
    drop(server);
    let mut refused = false;
    for _ in 0..50 {
        if tokio::net::TcpStream::connect(addr).await.is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(refused);
}

#[tokio::test]
async fn live_logs_follow_the_clock() {
    let server = MockServer::builder()
        .manual_clock()
        .live_logs(Some(Duration::from_millis(250)))
        .start()
        .await
        .unwrap();
    let active = find(&server, |d| d.is_active);
    server.control().advance(Duration::from_secs(1));
    let store = crate::state::lock(&server.control().shared.store);
    let records = store.logs.records(&active.name, &crate::DeploymentLogType::Runtime);
    let live = records.iter().filter(|r| r.timestamp > crate::clock::manual_epoch()).count();
    assert_eq!(live, 4);
}

#[tokio::test]
async fn extreme_settings_do_not_panic() {
    let server = MockServer::builder()
        .fixtures(Fixtures::empty())
        .manual_clock()
        .phase_duration(Duration::MAX)
        .live_logs(Some(Duration::MAX))
        .start()
        .await
        .unwrap();
    let body = json!({
        "name": "big",
        "spec": { "archive_id": "a" },
        "resources": { "replicas": 10_000_000_000_000_000_000u64 }
    });
    let reply = send(&server, "POST", BASE, Some(body)).await;
    assert_eq!(reply.status, 422, "{}", reply.text);
    let body =
        json!({ "name": "big", "spec": { "archive_id": "a" }, "resources": { "replicas": 1e12 } });
    assert_eq!(send(&server, "POST", BASE, Some(body)).await.status, 202);
    server.control().advance(Duration::MAX);
    server.control().advance(Duration::MAX);
    let d = server.control().deployment("big").unwrap();
    assert_eq!(d.managed.unwrap().status.phase.as_deref(), Some("running"));
    assert_eq!(d.workers.len() as u64, crate::lifecycle::MAX_WORKERS);
    assert_eq!(get(&server, &format!("{BASE}/big/workers?limit=100")).await.status, 200);
}

#[tokio::test]
async fn arbitrary_input_never_crashes_the_server() {
    let server = seeded().await;
    let mut rng = crate::rng::Rng::new(99);
    let fragments: &[&[u8]] = &[
        b"{",
        b"}",
        b"[",
        b"]",
        b"\"name\"",
        b":",
        b",",
        b"\"spec\"",
        b"null",
        b"1e999",
        b"-1",
        b"\"github_url\"",
        b"\"archive_id\"",
        b"\"resources\"",
        b"{\"replicas\":",
        b"\xff",
        b"true",
        b"\"secrets\"",
        b"\"backend_spec\"",
        b"\"\\ud800\"",
        b"0.5",
    ];
    let queries =
        ["limit=", "limit=-99999999999999999999", "cursor=%00", "order_by=", "search=%FF"];
    for i in 0..150 {
        let mut body = Vec::new();
        for _ in 0..rng.between(0, 12) {
            body.extend_from_slice(rng.pick::<&[u8]>(fragments));
        }
        let method = if i % 2 == 0 { "POST" } else { "PATCH" };
        let target = if i % 2 == 0 { BASE.to_owned() } else { format!("{BASE}/brisk-river-001") };
        let reply = send_raw(&server, method, &target, Some("k"), Some(&body)).await;
        assert!(matches!(reply.status, 202 | 404 | 409 | 422), "{} {}", reply.status, reply.text);
        let query = rng.pick(&queries);
        let reply = get(&server, &format!("{BASE}?{query}")).await;
        assert!(matches!(reply.status, 200 | 422), "{query}: {}", reply.status);
    }
    assert_eq!(get(&server, BASE).await.status, 200);
}
