//! The API key never leaves the `Authorization` header: not in `Debug`, `Display`, error
//! messages or logs, on success and on every failure path, and not across a redirect.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use futures::StreamExt;
use mistral_workflows::{Client, RetryPolicy, Source};
use support::{Answer, CapturedLogs, KEY, http_answer, mock_and_client, raw_server};

fn assert_clean(what: &str, text: &str) {
    assert!(!text.contains(KEY), "{what} shows the key: {text}");
    // Not even a part of it.
    assert!(!text.contains(&KEY[5..15]), "{what} shows part of the key: {text}");
}

fn client(base_url: &str) -> Client {
    Client::builder()
        .api_key(KEY)
        .base_url(base_url)
        .timeout(Duration::from_millis(300))
        .retry_policy(RetryPolicy::default().initial_backoff(Duration::from_millis(5)))
        .build()
        .unwrap()
}

#[test]
fn debug_of_the_configuration_hides_the_key() {
    let builder = Client::builder().api_key(KEY);
    assert_clean("ClientBuilder Debug", &format!("{builder:?}"));
    let client = builder.build().unwrap();
    assert_clean("Client Debug", &format!("{client:?}"));
    assert_clean("Client Debug alt", &format!("{client:#?}"));
    assert_clean("Deployments Debug", &format!("{:?}", client.deployments()));
    assert_clean("request builder Debug", &format!("{:?}", client.deployments().list()));
    let stream = client.deployments().log_stream("a");
    assert_clean("log stream builder Debug", &format!("{stream:?}"));
}

#[test]
fn a_key_that_cannot_be_a_header_is_refused_without_echoing_it() {
    let bad = format!("{KEY}\n");
    let err = Client::builder().api_key(bad).build().unwrap_err();
    assert_clean("config error", &err.to_string());
    assert_clean("config error Debug", &format!("{err:?}"));
}

#[tokio::test]
async fn success_and_api_failures_log_nothing_secret() {
    let logs = CapturedLogs::global();
    let (_mock, c) = mock_and_client().await;
    let d = c.deployments();

    d.list().send().await.unwrap();
    let errors = [
        d.get("no-such-deployment").send().await.unwrap_err(),
        d.list()
            .order(mistral_workflows::types::SortOrder::Unknown("x".into()))
            .send()
            .await
            .unwrap_err(),
        d.get("..").send().await.unwrap_err(),
        d.create("a", Source::github("https://github.com/acme/a"))
            .secret("E", "bad")
            .send()
            .await
            .unwrap_err(),
    ];
    for err in &errors {
        assert_clean("error Display", &err.to_string());
        assert_clean("error Debug", &format!("{err:?}"));
    }
    let text = logs.text();
    assert!(text.contains("list_deployments"), "the calls were logged: {text}");
    assert_clean("tracing output", &text);
}

#[tokio::test]
async fn transport_timeout_and_decode_failures_log_nothing_secret() {
    let logs = CapturedLogs::global();

    let silent = raw_server(Answer::Silence).await;
    let garbage = raw_server(http_answer("200 OK", "application/json", "{not json")).await;
    let html = raw_server(http_answer("502 Bad Gateway", "text/html", "<html>bad</html>")).await;
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let refused = format!("http://127.0.0.1:{port}");

    for base in [&silent.base_url, &garbage.base_url, &html.base_url, &refused] {
        let err = client(base).deployments().list().send().await.unwrap_err();
        assert_clean("error Display", &err.to_string());
        assert_clean("error Debug", &format!("{err:?}"));
        if let Some(source) = std::error::Error::source(&err) {
            assert_clean("error source", &format!("{source:?}"));
        }
    }
    assert_clean("tracing output", &logs.text());
}

#[tokio::test]
async fn log_stream_failures_log_nothing_secret() {
    let logs = CapturedLogs::global();
    let frame = "event: error\ndata: {\"error\": \"boom\", \"reason\": \"internal_error\"}\n\n";
    let server = raw_server(http_answer("200 OK", "text/event-stream", frame)).await;
    let mut stream = client(&server.base_url).deployments().log_stream("a").stream();
    let err = stream.next().await.unwrap().unwrap_err();
    assert_clean("stream error", &err.to_string());
    assert_clean("stream Debug", &format!("{stream:?}"));
    assert_clean("tracing output", &logs.text());
}

#[tokio::test]
async fn a_redirect_to_another_host_does_not_carry_the_key() {
    // The target answers 200 to anything; it is reached as `localhost`, another host than the
    // `127.0.0.1` the client was given.
    let body = r#"{"deployments": [], "next_cursor": null, "workspace_id": "019b2bd7-96e7-7219-8c0b-45a73da50088"}"#;
    let target = raw_server(http_answer("200 OK", "application/json", body)).await;
    let target_url = target.base_url.replace("127.0.0.1", "localhost");
    let redirect = format!(
        "HTTP/1.1 307 Temporary Redirect\r\nlocation: {target_url}/v1/workflows/deployments\r\n\
         content-length: 0\r\nconnection: close\r\n\r\n"
    );
    let origin = raw_server(Answer::Bytes(redirect.into_bytes())).await;

    let _ = client(&origin.base_url).deployments().list().send().await;
    let origin_heads = origin.heads.lock().unwrap().clone();
    assert!(origin_heads[0].to_ascii_lowercase().contains("authorization: bearer"));
    let target_heads = target.heads.lock().unwrap().clone();
    assert_eq!(target_heads.len(), 1, "the redirect was followed");
    for head in &target_heads {
        assert!(!head.to_ascii_lowercase().contains("authorization"), "{head}");
        assert_clean("redirected request", head);
    }
}
