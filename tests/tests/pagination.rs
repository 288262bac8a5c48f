//! Following `next_cursor` through every page.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::HashSet;

use futures::{StreamExt, TryStreamExt};
use mistral_workflows::types::{DeploymentOrderBy, SortOrder};
use support::mock_and_client;

#[tokio::test]
async fn streaming_the_fixtures_yields_each_deployment_once_in_order() {
    let (mock, client) = mock_and_client().await;
    let expected = mock.control().deployment_names().len();
    assert!(expected >= 250, "the seeded fixtures hold {expected} deployments");

    let list = || {
        client
            .deployments()
            .list()
            .active_only(false)
            .order_by(DeploymentOrderBy::CreatedAt)
            .order(SortOrder::Asc)
    };
    let small: Vec<_> = list().limit(7).stream().try_collect().await.unwrap();
    let large: Vec<_> = list().limit(100).stream().try_collect().await.unwrap();

    assert_eq!(small.len(), expected);
    let names: HashSet<_> = small.iter().map(|d| d.name.clone()).collect();
    assert_eq!(names.len(), expected, "no deployment is repeated");
    assert!(small.windows(2).all(|w| w[0].created_at <= w[1].created_at), "in order");

    // The page size changes nothing but the number of requests.
    let small_ids: Vec<_> = small.iter().map(|d| d.id).collect();
    let large_ids: Vec<_> = large.iter().map(|d| d.id).collect();
    assert_eq!(small_ids, large_ids);
    let pages = mock.control().request_count("list_deployments");
    assert_eq!(pages, expected.div_ceil(7) + expected.div_ceil(100));
}

#[tokio::test]
async fn the_stream_is_lazy() {
    let (mock, client) = mock_and_client().await;
    let mut stream = client.deployments().list().active_only(false).limit(10).stream();
    assert_eq!(mock.control().request_count("list_deployments"), 0);
    for _ in 0..10 {
        stream.try_next().await.unwrap().unwrap();
    }
    assert_eq!(mock.control().request_count("list_deployments"), 1);
    stream.try_next().await.unwrap().unwrap();
    assert_eq!(mock.control().request_count("list_deployments"), 2);
}

#[tokio::test]
async fn filters_ride_along_with_every_page() {
    let (mock, client) = mock_and_client().await;
    let all: Vec<_> = client
        .deployments()
        .list()
        .active_only(false)
        .is_hardened(true)
        .limit(3)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert!(!all.is_empty());
    assert!(all.iter().all(|d| d.is_hardened));
    for request in mock.control().requests() {
        let query = request.query.unwrap_or_default();
        assert!(query.contains("is_hardened=true"), "{query}");
    }
}

#[tokio::test]
async fn a_server_that_repeats_its_cursor_ends_the_stream_with_an_error() {
    let body = r#"{"deployments": [{"id": "019b2bd7-96e7-7219-8c0b-45a73da50088", "name": "a",
        "is_active": true, "created_at": "2025-12-17T10:25:07.818693Z",
        "updated_at": "2025-12-17T10:25:07.818693Z"}], "next_cursor": "same",
        "workspace_id": "019b2bd7-96e7-7219-8c0b-45a73da50088"}"#;
    let server =
        support::raw_server(support::http_answer("200 OK", "application/json", body)).await;
    let client = support::client_for(&server.base_url);
    let items: Vec<_> = client.deployments().list().stream().take(10).collect().await;
    // The first page; then the second, sent with "same", answers "same" again: an error.
    assert_eq!(items.len(), 2, "{items:?}");
    assert!(items[0].is_ok());
    let err = items[1].as_ref().unwrap_err();
    assert!(err.to_string().contains("cursor it was sent"), "{err}");
    assert_eq!(server.hits.load(std::sync::atomic::Ordering::SeqCst), 2);
}
