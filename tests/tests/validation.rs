//! Bad arguments fail before any request leaves the client.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use mistral_workflows::{ErrorKind, Source};
use support::mock_and_client;

const BAD_NAMES: &[&str] =
    &["", ".", "..", "a/b", "../etc", "a b", "a?b", "a#b", "é", "a\\b", "%2e%2e"];

#[tokio::test]
async fn bad_names_never_reach_the_server() {
    let (mock, client) = mock_and_client().await;
    let d = client.deployments();
    let long = "x".repeat(129);
    let names = BAD_NAMES.iter().copied().chain([long.as_str()]);
    for name in names {
        let results = [
            d.get(name).send().await.map(|_| ()),
            d.delete(name).send().await.map(|_| ()),
            d.stop(name).send().await.map(|_| ()),
            d.start(name).send().await.map(|_| ()),
            d.restart(name).send().await.map(|_| ()),
            d.update(name).replicas(1).send().await.map(|_| ()),
            d.create(name, Source::github("https://github.com/acme/app")).send().await.map(|_| ()),
            d.workers(name).send().await.map(|_| ()),
            d.logs(name).send().await.map(|_| ()),
            d.archive(name).send().await.map(|_| ()),
            d.log_stream(name).connect().await.map(|_| ()),
        ];
        for result in results {
            let err = result.expect_err(name);
            assert_eq!(err.kind(), &ErrorKind::InvalidInput, "{name:?}: {err}");
            assert!(err.to_string().contains("invalid deployment name"), "{err}");
        }
    }
    assert!(mock.control().requests().is_empty(), "no request reached the server");
}

#[tokio::test]
async fn out_of_range_limits_never_reach_the_server() {
    let (mock, client) = mock_and_client().await;
    let d = client.deployments();
    for limit in [0, 101, u32::MAX] {
        let err = d.list().limit(limit).send().await.unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::InvalidInput);
        assert!(err.to_string().contains("from 1 to 100"), "{err}");
        assert!(d.workers("app").limit(limit).send().await.is_err());
        assert!(d.logs("app").limit(limit).send().await.is_err());
    }
    assert!(mock.control().requests().is_empty());
}

#[tokio::test]
async fn a_limit_error_surfaces_from_the_stream_too() {
    use futures::StreamExt;
    let (mock, client) = mock_and_client().await;
    let mut stream = client.deployments().list().limit(0).stream();
    let first = stream.next().await.expect("one item");
    assert_eq!(first.unwrap_err().kind(), &ErrorKind::InvalidInput);
    assert!(stream.next().await.is_none());
    assert!(mock.control().requests().is_empty());
}

#[tokio::test]
async fn malformed_secret_references_never_reach_the_server() {
    let (mock, client) = mock_and_client().await;
    let err = client
        .deployments()
        .create("app", Source::github("https://github.com/acme/app"))
        .secret("DB", "workspace:DB")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::InvalidInput);
    assert!(mock.control().requests().is_empty());
}
