//! The facade against canned answers from `mistral-workflows-httpmock`, used as a crate that
//! depends on both would use it: one typed mock per operation, the facade pointed at the mock
//! server, and a check that each mock was asked exactly once.
//!
//! The typed matchers take the generated types, so each test also pins what the facade puts
//! on the wire: a query parameter it should not send fails to match, and so does a body that
//! differs in any field.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::num::NonZeroU64;

use futures::TryStreamExt as _;
use httpmock::MockServer;
use mistral_workflows::types::{
    CreateDeploymentRequest, DeploymentDetailResponse, DeploymentListResponse, GetDeploymentName,
    HttpValidationError, LocationType, ManagedDeploymentResponse, SortOrder, ValidationError,
    ValidationErrorLocItem,
};
use mistral_workflows::{Client, ErrorKind, RetryPolicy, Source};
use mistral_workflows_httpmock::MockServerExt as _;
use serde_json::json;

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// A client of the mock server that sends each request once, so that every mock is hit
/// exactly once even by an answer that would be retried.
fn client(server: &MockServer) -> Client {
    Client::builder()
        .api_key("k")
        .base_url(server.base_url())
        .retry_policy(RetryPolicy::disabled())
        .build()
        .expect("a loopback base URL and a key are enough")
}

fn deployment(name: &str) -> serde_json::Value {
    json!({
        "id": "019b2bd7-96e7-7219-8c0b-45a73da50088",
        "name": name,
        "is_active": true,
        "created_at": "2025-12-17T10:25:07Z",
        "updated_at": "2025-12-17T10:41:03Z",
        "locations": ["managed"],
    })
}

fn page(names: &[&str], next_cursor: Option<&str>) -> DeploymentListResponse {
    let deployments: Vec<_> = names.iter().map(|name| deployment(name)).collect();
    serde_json::from_value(json!({
        "deployments": deployments,
        "next_cursor": next_cursor,
        "workspace_id": "7f1c1d7e-2a43-4f6b-9c51-0d7a7b0e5a11",
    }))
    .expect("a deployment list")
}

fn managed(name: &str) -> ManagedDeploymentResponse {
    serde_json::from_value(json!({
        "name": name,
        "created_at": "2025-12-17T10:25:07Z",
        "updated_at": "2025-12-17T10:25:07Z",
        "service_id": "svc-1",
        "resources": { "replicas": 2 },
        "spec": {
            "github_url": "https://github.com/acme/billing",
            "revision": "main",
            "backend_spec": { "type": "mistral_cloud" },
        },
        "status": { "phase": "building" },
    }))
    .expect("a managed deployment")
}

#[tokio::test]
async fn list_sends_the_filters_and_the_page_asked_for() -> TestResult {
    let server = MockServer::start_async().await;
    let answer = page(&["billing", "billing-eu"], Some("c2"));
    let mock = server.list_deployments(|when, then| {
        when.active_only(false)
            .workflow_name("invoice")
            .location_types(&vec![LocationType::Managed])
            .order(&SortOrder::Asc)
            .limit(NonZeroU64::new(2))
            .cursor("c1")
            // What the caller did not set is not sent.
            .search(None)
            .owner(None)
            .workspace_id(None);
        then.ok(&answer);
    });

    let got = client(&server)
        .deployments()
        .list()
        .active_only(false)
        .workflow_name("invoice")
        .location_types([LocationType::Managed])
        .order(SortOrder::Asc)
        .limit(2)
        .cursor("c1")
        .send()
        .await?;

    assert_eq!(got, answer);
    assert_eq!(got.next_cursor.as_deref(), Some("c2"));
    mock.assert_async().await;
    Ok(())
}

#[tokio::test]
async fn stream_follows_the_cursor_with_the_same_filters() -> TestResult {
    let server = MockServer::start_async().await;
    let first = server.list_deployments(|when, then| {
        when.limit(NonZeroU64::new(2)).is_hardened(true).cursor(None);
        then.ok(&page(&["a", "b"], Some("c2")));
    });
    let last = server.list_deployments(|when, then| {
        when.limit(NonZeroU64::new(2)).is_hardened(true).cursor("c2");
        then.ok(&page(&["c"], None));
    });

    let all: Vec<_> = client(&server)
        .deployments()
        .list()
        .is_hardened(true)
        .limit(2)
        .stream()
        .try_collect()
        .await?;

    let names: Vec<_> = all.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, ["a", "b", "c"]);
    first.assert_async().await;
    last.assert_async().await;
    Ok(())
}

#[tokio::test]
async fn get_returns_the_deployment() -> TestResult {
    let server = MockServer::start_async().await;
    let name: GetDeploymentName = "billing.v2".parse()?;
    let mut body = deployment("billing.v2");
    body["workers"] = json!([{
        "name": "worker-1",
        "is_active": true,
        "created_at": "2025-12-17T10:25:07Z",
        "updated_at": "2025-12-17T10:41:03Z",
    }]);
    let answer: DeploymentDetailResponse = serde_json::from_value(body)?;
    let mock = server.get_deployment(|when, then| {
        when.name(&name).workflow_name(None);
        then.ok(&answer);
    });

    let got = client(&server).deployments().get("billing.v2").send().await?;

    assert_eq!(got, answer);
    assert_eq!(got.workers[0].name, "worker-1");
    assert_eq!(got.locations, [LocationType::Managed]);
    mock.assert_async().await;
    Ok(())
}

#[tokio::test]
async fn get_of_an_unknown_deployment_is_an_api_error_with_its_status() -> TestResult {
    let server = MockServer::start_async().await;
    let name: GetDeploymentName = "ghost".parse()?;
    // The spec gives `get_deployment` no 404 answer, so the typed `Then` has none: write it.
    let mock = server.get_deployment(|when, then| {
        when.name(&name);
        then.into_inner()
            .status(404)
            .header("content-type", "application/json")
            .header("x-request-id", "req-404")
            .body(r#"{"detail":"Deployment ghost not found"}"#);
    });

    let err = client(&server).deployments().get("ghost").send().await.unwrap_err();

    assert_eq!(err.kind(), &ErrorKind::Api);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
    assert_eq!(err.request_id(), Some("req-404"));
    assert_eq!(err.operation(), Some("get_deployment"));
    assert!(err.body().is_some_and(|b| b.contains("Deployment ghost not found")), "{err}");
    assert!(!err.is_retryable());
    assert!(err.validation().is_none());
    mock.assert_async().await;
    Ok(())
}

#[tokio::test]
async fn create_sends_the_body_and_reads_the_202() -> TestResult {
    let server = MockServer::start_async().await;
    // Written out from the spec rather than taken from the facade, so that a change in what
    // the facade sends fails to match.
    let expected: CreateDeploymentRequest = serde_json::from_value(json!({
        "name": "billing",
        "hardened": true,
        "resources": { "replicas": 2 },
        "spec": {
            "github_url": "https://github.com/acme/billing",
            "revision": "main",
            "backend_spec": {
                "secrets": [
                    { "env_var_name": "DATABASE_URL", "reference": "secret:workspace:BILLING_DB" },
                ],
            },
        },
    }))?;
    let answer = managed("billing");
    let mock = server.create_deployment(|when, then| {
        when.body(&expected).into_inner().header("authorization", "Bearer k");
        then.accepted(&answer);
    });

    let got = client(&server)
        .deployments()
        .create("billing", Source::github("https://github.com/acme/billing").revision("main"))
        .replicas(2)
        .hardened(true)
        .secret("DATABASE_URL", "secret:workspace:BILLING_DB")
        .send()
        .await?;

    assert_eq!(got, answer);
    assert_eq!(got.status.phase.as_deref(), Some("building"));
    mock.assert_async().await;
    Ok(())
}

#[tokio::test]
async fn a_refused_create_keeps_the_typed_validation_detail() -> TestResult {
    let server = MockServer::start_async().await;
    let detail = HttpValidationError {
        detail: vec![ValidationError {
            loc: ["body", "resources", "replicas"]
                .map(|part| ValidationErrorLocItem::String(part.to_owned()))
                .to_vec(),
            msg: "Input should be less than or equal to 10".to_owned(),
            type_: "less_than_equal".to_owned(),
            input: Some(json!(50)),
            ctx: json!({ "le": 10 }).as_object().cloned().unwrap_or_default(),
        }],
    };
    let mock = server.create_deployment(|when, then| {
        when.into_inner().json_body_includes(r#"{"resources": {"replicas": 50}}"#);
        then.unprocessable_entity(&detail);
    });

    let err = client(&server)
        .deployments()
        .create("billing", Source::archive("arch-1"))
        .replicas(50)
        .send()
        .await
        .unwrap_err();

    assert_eq!(err.kind(), &ErrorKind::Validation);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(422));
    assert_eq!(err.validation(), Some(&detail));
    assert!(err.to_string().contains("body.resources.replicas"), "{err}");
    assert!(!err.is_retryable());
    mock.assert_async().await;
    Ok(())
}
