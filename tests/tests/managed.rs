//! The managed lifecycle end to end: create, update, stop, start, restart, delete, archive and
//! unharden, each observed through get and list, with the requests they send as snapshots.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use futures::TryStreamExt;
use mistral_workflows::types::{DeploymentDetailResponse, MistralCloudBackendType, WorkerStatus};
use mistral_workflows::{Client, ErrorKind, Source};
use mistral_workflows_mock::MockServer;
use support::{describe, last_request, mock_and_client};

const PHASE: Duration = Duration::from_secs(1);

fn phase(d: &DeploymentDetailResponse) -> String {
    let managed = d.managed.as_ref().expect("a managed deployment");
    managed.status.phase.clone().unwrap_or_default()
}

async fn get(client: &Client, name: &str) -> DeploymentDetailResponse {
    client.deployments().get(name).send().await.unwrap()
}

/// Snapshots the last request with the deployment name and ids made stable.
fn snapshot_last(mock: &MockServer, name: &str) {
    let mut request = describe(&last_request(mock));
    if let Some(path) = request["path"].as_str() {
        request["path"] = path.replace(name, "[name]").into();
    }
    insta::assert_json_snapshot!(name, request);
}

#[tokio::test]
async fn create_update_and_lifecycle_requests() {
    let (mock, client) = mock_and_client().await;
    let d = client.deployments();

    d.create("wire-create", Source::github("https://github.com/acme/app").revision("main"))
        .replicas(2)
        .hardened(true)
        .backend_type(MistralCloudBackendType::MistralCloud)
        .build_directory("services/worker")
        .dockerfile_path("Dockerfile.prod")
        .secret("DATABASE_URL", "secret:workspace:DB_URL")
        .secret("API_TOKEN", "secret:workspace:TOKEN")
        .requested_roles(["workflows.reader"])
        .send()
        .await
        .unwrap();
    snapshot_last(&mock, "wire-create");

    d.create("wire-archive", Source::archive("arch-0001")).send().await.unwrap();
    snapshot_last(&mock, "wire-archive");

    d.update("wire-create").replicas(3).send().await.unwrap();
    snapshot_last(&mock, "wire-update-replicas");

    d.update("wire-create").revision("v2").secret("A", "secret:workspace:A").send().await.unwrap();
    snapshot_last(&mock, "wire-update-revision-secrets");

    d.update("wire-create").clear_requested_roles().clear_secrets().send().await.unwrap();
    snapshot_last(&mock, "wire-update-clear");

    d.update("wire-create").archive_id("arch-0002").send().await.unwrap();
    snapshot_last(&mock, "wire-update-archive");

    d.restart("wire-create").send().await.unwrap();
    snapshot_last(&mock, "wire-restart");
    d.stop("wire-create").send().await.unwrap();
    snapshot_last(&mock, "wire-stop");
    d.start("wire-create").send().await.unwrap();
    snapshot_last(&mock, "wire-start");
    d.archive("wire-archive").send().await.unwrap();
    snapshot_last(&mock, "wire-archive-get");
    d.workers("wire-create").worker_status(WorkerStatus::Active).limit(10).send().await.unwrap();
    snapshot_last(&mock, "wire-workers");
    d.delete("wire-create").send().await.unwrap();
    snapshot_last(&mock, "wire-delete");

    let id = get(&client, "wire-archive").await.id;
    let _ = d.unharden(id).workspace_id("019b2bd7-96e7-7219-8c0b-45a73da50088").send().await;
    let mut request = describe(&last_request(&mock));
    request["path"] = request["path"].as_str().unwrap().replace(&id.to_string(), "[id]").into();
    insta::assert_json_snapshot!("wire-unharden", request);
}

#[tokio::test]
async fn update_sends_only_what_was_set() {
    let (mock, client) = mock_and_client().await;
    let d = client.deployments();
    d.create("partial", Source::github("https://github.com/acme/app"))
        .requested_roles(["a", "b"])
        .secret("K", "secret:workspace:K")
        .send()
        .await
        .unwrap();

    // Leaving the roles and secrets out keeps them.
    d.update("partial").replicas(4).send().await.unwrap();
    assert_eq!(
        last_request(&mock).json().unwrap(),
        serde_json::json!({"resources": {"replicas": 4}})
    );
    let managed = get(&client, "partial").await.managed.unwrap();
    assert_eq!(managed.spec.requested_roles, Some(vec!["a".to_owned(), "b".to_owned()]));

    // Clearing sends `[]` and removes them all.
    d.update("partial").clear_requested_roles().clear_secrets().send().await.unwrap();
    let body = last_request(&mock).json().unwrap();
    assert_eq!(body["spec"]["requested_roles"], serde_json::json!([]));
    assert_eq!(body["spec"]["backend_spec"]["secrets"], serde_json::json!([]));
    let managed = get(&client, "partial").await.managed.unwrap();
    assert_eq!(managed.spec.requested_roles.unwrap_or_default(), Vec::<String>::new());
    match managed.spec.backend_spec {
        mistral_workflows::types::BackendSpec::MistralCloud(spec) => {
            assert!(spec.secrets.unwrap_or_default().is_empty());
        }
        other => panic!("unexpected backend {other:?}"),
    }
}

#[tokio::test]
async fn a_deployment_goes_through_its_phases() {
    let (mock, client) = mock_and_client().await;
    let d = client.deployments();

    let created = d
        .create("phases", Source::github("https://github.com/acme/app").revision("main"))
        .replicas(2)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status.phase.as_deref(), Some("queued"));
    assert_eq!(phase(&get(&client, "phases").await), "queued");

    mock.control().advance(PHASE);
    assert_eq!(phase(&get(&client, "phases").await), "building");

    mock.control().advance(PHASE);
    let running = get(&client, "phases").await;
    assert_eq!(phase(&running), "running");
    assert!(running.is_active);
    assert_eq!(running.workers.len(), 2);
    assert_eq!(running.managed.as_ref().unwrap().status.ready_replicas, 2);

    // The list shows it too, with its managed state.
    let listed: Vec<_> = d.list().search("phases").stream().try_collect().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].managed.is_some());
    assert_eq!(listed[0].active_worker_count, 2);

    // An update bumps the generation and rolls out again.
    let generation = running.managed.as_ref().unwrap().status.generation;
    let updated = d.update("phases").replicas(3).send().await.unwrap();
    assert!(updated.status.generation > generation, "{:?}", updated.status.generation);
    mock.control().advance(PHASE * 2);
    let scaled = get(&client, "phases").await;
    assert_eq!(phase(&scaled), "running");
    assert_eq!(scaled.workers.iter().filter(|w| w.is_active).count(), 3);
    let workers: Vec<_> = d.workers("phases").limit(2).stream().try_collect().await.unwrap();
    assert_eq!(workers.iter().filter(|w| w.is_active).count(), 3);
}

#[tokio::test]
async fn stop_start_and_restart() {
    let (mock, client) = mock_and_client().await;
    let d = client.deployments();
    d.create("cycle", Source::github("https://github.com/acme/app"))
        .replicas(1)
        .send()
        .await
        .unwrap();
    mock.control().advance(PHASE * 2);

    let stopped = d.stop("cycle").send().await.unwrap();
    assert!(stopped.stopped);
    let seen = get(&client, "cycle").await;
    assert_eq!(phase(&seen), "stopped");
    assert!(!seen.is_active);
    let active = d.list().search("cycle").send().await.unwrap();
    assert!(active.deployments.is_empty(), "a stopped deployment is not active");

    // Stopping again is harmless.
    assert!(d.stop("cycle").send().await.unwrap().stopped);

    let started = d.start("cycle").send().await.unwrap();
    assert!(!started.stopped);
    mock.control().advance(PHASE * 2);
    assert_eq!(phase(&get(&client, "cycle").await), "running");
    // Starting a started deployment is harmless.
    assert!(!d.start("cycle").send().await.unwrap().stopped);
    mock.control().advance(PHASE * 2);

    let before = get(&client, "cycle").await.managed.unwrap().spec.restarted_at;
    let restarted = d.restart("cycle").send().await.unwrap();
    assert!(restarted.spec.restarted_at.is_some());
    assert_ne!(restarted.spec.restarted_at, before);
    mock.control().advance(PHASE * 2);
    assert_eq!(phase(&get(&client, "cycle").await), "running");
}

#[tokio::test]
async fn delete_removes_it_everywhere() {
    let (mock, client) = mock_and_client().await;
    let d = client.deployments();
    d.create("doomed", Source::archive("arch-9")).send().await.unwrap();
    mock.control().advance(PHASE * 2);

    d.delete("doomed").send().await.unwrap();
    let err = d.get("doomed").send().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
    let listed = d.list().active_only(false).search("doomed").send().await.unwrap();
    assert!(listed.deployments.is_empty());
    let err = d.workers("doomed").send().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
}

#[tokio::test]
async fn an_archive_update_drops_the_github_source() {
    let (mock, client) = mock_and_client().await;
    let d = client.deployments();
    d.create("moving", Source::github("https://github.com/acme/app").revision("main"))
        .send()
        .await
        .unwrap();
    let err = d.archive("moving").send().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
    assert!(err.to_string().contains("built from a repository"), "{err}");

    let updated = d.update("moving").archive_id("arch-77").send().await.unwrap();
    assert_eq!(updated.spec.archive_id.as_deref(), Some("arch-77"));
    assert_eq!(updated.spec.github_url, "");
    assert_eq!(updated.spec.revision, None);
    mock.control().advance(PHASE * 2);
    let archive = d.archive("moving").send().await.unwrap();
    assert_eq!(archive.archive_id, "arch-77");
    assert!(archive.download_url.is_some());
}

#[tokio::test]
async fn conflicts_and_unknown_names() {
    let (_mock, client) = mock_and_client().await;
    let d = client.deployments();
    d.create("twice", Source::github("https://github.com/acme/app")).send().await.unwrap();
    let err = d.create("twice", Source::github("https://github.com/acme/app")).send().await;
    let err = err.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Api);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(409));
    assert!(err.body().is_some());

    for result in [
        d.update("ghost").replicas(1).send().await.map(|_| ()),
        d.delete("ghost").send().await.map(|_| ()),
        d.stop("ghost").send().await.map(|_| ()),
        d.start("ghost").send().await.map(|_| ()),
        d.restart("ghost").send().await.map(|_| ()),
        d.archive("ghost").send().await.map(|_| ()),
    ] {
        let err = result.unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(404), "{err}");
    }

    // Managed operations on a self-hosted deployment are refused.
    let listed = d.list().active_only(false).limit(100).send().await.unwrap();
    let self_hosted = listed.deployments.iter().find(|d| d.managed.is_none()).unwrap();
    let err = d.restart(&self_hosted.name).send().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(409), "{err}");
}

#[tokio::test]
async fn the_server_validates_what_the_sdk_cannot() {
    // Bodies the facade would refuse to build, sent raw, get FastAPI-shaped answers.
    let (mock, _client) = mock_and_client().await;
    let http = reqwest::Client::new();
    let url = format!("{}/v1/workflows/deployments", mock.base_url());
    let cases = [
        serde_json::json!({"name": "a", "spec": {}}),
        serde_json::json!({"name": "a", "spec": {"github_url": "x", "archive_id": "y"}}),
        serde_json::json!({"name": "a", "spec": {"archive_id": "y",
            "backend_spec": {"secrets": [{"env_var_name": "K", "reference": "K"}]}}}),
    ];
    for body in cases {
        let response = http.post(&url).bearer_auth(support::KEY).json(&body).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 422, "{body}");
        let detail: mistral_workflows::types::HttpValidationError = response.json().await.unwrap();
        assert!(!detail.detail.is_empty());
        assert_eq!(detail.detail[0].loc[0].to_string(), "body");
    }
}

#[tokio::test]
async fn unharden_by_id() {
    let (_mock, client) = mock_and_client().await;
    let d = client.deployments();
    let hardened = d.list().active_only(false).is_hardened(true).limit(1).send().await.unwrap();
    let target = hardened.deployments.first().expect("a hardened fixture").clone();

    d.unharden(target.id).send().await.unwrap();
    assert!(!get(&client, &target.name).await.is_hardened);

    // Again: it is no longer hardened.
    let err = d.unharden(target.id).send().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(409));
    assert!(err.body().is_some_and(|b| !b.is_empty()));

    let err = d.unharden(uuid::Uuid::from_u128(1)).send().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));

    let other = d.list().active_only(false).is_hardened(true).limit(1).send().await.unwrap();
    let other = other.deployments.first().expect("another hardened fixture");
    let err = d.unharden(other.id).workspace_id("another-workspace").send().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(403));
}
