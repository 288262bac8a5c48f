//! Following `next_cursor` through every page.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::HashSet;

use futures::TryStreamExt;
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
