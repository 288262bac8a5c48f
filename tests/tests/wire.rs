//! The exact requests the SDK sends, as snapshots: method, path, query and headers.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use mistral_workflows::types::{DeploymentOrderBy, LocationType, SortOrder};
use support::{describe, last_request, mock_and_client};

/// Sends a list request built by `build` and snapshots what reached the server.
macro_rules! list_snapshot {
    ($name:literal, |$list:ident| $build:expr) => {{
        let (mock, client) = mock_and_client().await;
        let $list = client.deployments().list();
        $build.send().await.expect("the list call succeeds");
        insta::assert_json_snapshot!($name, describe(&last_request(&mock)));
    }};
}

#[tokio::test]
async fn list_without_filters() {
    list_snapshot!("list_plain", |l| l);
}

#[tokio::test]
async fn list_with_each_filter() {
    list_snapshot!("list_active_only", |l| l.active_only(false));
    list_snapshot!("list_is_hardened", |l| l.is_hardened(true));
    list_snapshot!("list_workflow_name", |l| l.workflow_name("invoice-approval"));
    list_snapshot!("list_created_by", |l| l.created_by("user-42"));
    list_snapshot!("list_owner", |l| l.owner("team-billing"));
    list_snapshot!("list_location_types", |l| l
        .location_types([LocationType::Local, LocationType::K8s]));
    list_snapshot!("list_search", |l| l.search("bill"));
    list_snapshot!("list_order_by", |l| l.order_by(DeploymentOrderBy::UpdatedAt));
    list_snapshot!("list_order", |l| l.order(SortOrder::Asc));
    list_snapshot!("list_limit", |l| l.limit(25));
    list_snapshot!("list_workspace_id", |l| l
        .workspace_id(uuid::Uuid::from_u128(0x019b2bd7_96e7_7219_8c0b_45a73da50088)));
    list_snapshot!("list_repository_url", |l| l.repository_url("https://github.com/acme/app"));
    list_snapshot!("list_dockerfile_path", |l| l.dockerfile_path("docker/Dockerfile"));
}

#[tokio::test]
async fn list_with_a_cursor() {
    let (mock, client) = mock_and_client().await;
    let first = client.deployments().list().active_only(false).limit(5).send().await.unwrap();
    let cursor = first.next_cursor.expect("more than one page");
    client.deployments().list().active_only(false).limit(5).cursor(&cursor).send().await.unwrap();
    let request = last_request(&mock);
    let query = request.query.unwrap_or_default();
    assert!(query.contains("cursor="), "{query}");
    assert!(query.contains("limit=5"), "{query}");
}

#[tokio::test]
async fn get_and_get_with_workflow_name() {
    let (mock, client) = mock_and_client().await;
    let name = mock.control().deployment_names().into_iter().next().expect("fixtures");
    client.deployments().get(&name).send().await.unwrap();
    let mut request = describe(&last_request(&mock));
    request["path"] = "/v1/workflows/deployments/[name]".into();
    insta::assert_json_snapshot!("get_plain", request);

    client.deployments().get(&name).workflow_name("invoice-approval").send().await.unwrap();
    let mut request = describe(&last_request(&mock));
    request["path"] = "/v1/workflows/deployments/[name]".into();
    insta::assert_json_snapshot!("get_workflow_name", request);
}

#[tokio::test]
async fn the_key_goes_out_as_a_bearer_token() {
    let (mock, client) = mock_and_client().await;
    client.deployments().list().send().await.unwrap();
    let request = last_request(&mock);
    let auth: Vec<_> = request.headers.iter().filter(|(name, _)| name == "authorization").collect();
    assert_eq!(auth.len(), 1);
    assert_eq!(auth[0].1, format!("Bearer {}", support::KEY));
    assert!(request.headers.iter().all(|(name, _)| name != "api-version"));
    let agent = request.headers.iter().find(|(name, _)| name == "user-agent").unwrap();
    assert_eq!(agent.1, format!("mistral-workflows/{}", env!("CARGO_PKG_VERSION")));
}
