//! What the SDK accepts from servers old and new.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use mistral_workflows::types::{
    BackendSpec, DeploymentDetailResponse, DeploymentListResponse, LocationType,
    MistralCloudBackendType, PrincipalType,
};

const SEED_LIST: &str = include_str!("fixtures/seed_list.json");
const SEED_GET: &str = include_str!("fixtures/seed_get.json");

#[test]
fn the_seed_list_body_decodes() {
    let page: DeploymentListResponse = serde_json::from_str(SEED_LIST).unwrap();
    assert_eq!(page.deployments.len(), 1);
    assert_eq!(page.deployments[0].name, "My resource");
    assert!(page.next_cursor.is_none());
    // Fields the older page did not send take their documented defaults.
    assert!(!page.deployments[0].is_hardened);
    assert_eq!(page.deployments[0].worker_count, 0);
    assert!(page.deployments[0].last_heartbeat.is_none());
    insta::assert_debug_snapshot!("seed_list", page);
}

#[test]
fn the_seed_get_body_decodes() {
    let detail: DeploymentDetailResponse = serde_json::from_str(SEED_GET).unwrap();
    assert_eq!(detail.workers.len(), 1);
    assert!(detail.managed.is_none());
    insta::assert_debug_snapshot!("seed_get", detail);
}

#[test]
fn seed_bodies_round_trip_without_inventing_fields() {
    // Decoding and encoding again keeps every field the server sent, with the same value.
    let page: DeploymentListResponse = serde_json::from_str(SEED_LIST).unwrap();
    let again = serde_json::to_value(&page).unwrap();
    let original: serde_json::Value = serde_json::from_str(SEED_LIST).unwrap();
    for (key, value) in original["deployments"][0].as_object().unwrap() {
        assert_eq!(&again["deployments"][0][key], value, "{key}");
    }
}

/// A body from a newer server: fields this version does not know, and enum values it does not
/// know, everywhere they can appear.
const NEWER: &str = r#"{
  "id": "019b2bd7-96e7-7219-8c0b-45a73da50088",
  "name": "billing",
  "is_active": true,
  "created_at": "2025-12-17T10:25:07.818693Z",
  "updated_at": "2025-12-17T10:41:03.469341Z",
  "last_heartbeat": "2025-12-17T10:41:03.469341Z",
  "region": "eu-west-9",
  "locations": ["local", "edge"],
  "location": {"location_type": "edge", "rack": "r1"},
  "workers": [
    {"name": "w1", "created_at": "2025-12-17T10:25:07.818693Z",
     "updated_at": "2025-12-17T10:41:03.469341Z", "is_active": true, "gpu": "h100"}
  ],
  "managed": {
    "service_id": "svc-1", "name": "billing",
    "spec": {"github_url": "", "archive_id": "arch-1",
             "backend_spec": {"type": "fargate", "cpu": 4}, "type": "workflows_worker_v2"},
    "resources": {"replicas": 2, "memory": "1Gi"},
    "status": {"phase": "hibernating", "new_field": {"a": 1}},
    "created_at": "2025-12-17T10:25:07.818693Z",
    "updated_at": "2025-12-17T10:41:03.469341Z",
    "runtime_principal_type": "robot"
  }
}"#;

#[test]
fn unknown_fields_and_enum_values_decode() {
    let detail: DeploymentDetailResponse = serde_json::from_str(NEWER).unwrap();
    assert_eq!(detail.locations, vec![LocationType::Local, LocationType::Unknown("edge".into())]);
    let location = detail.location.as_ref().unwrap();
    assert_eq!(location.location_type, LocationType::Unknown("edge".into()));
    let managed = detail.managed.as_ref().unwrap();
    assert_eq!(managed.runtime_principal_type, Some(PrincipalType::Unknown("robot".into())));
    match &managed.spec.backend_spec {
        BackendSpec::MistralCloud(spec) => {
            assert_eq!(spec.type_, Some(MistralCloudBackendType::Unknown("fargate".into())));
        }
        other => panic!("unexpected backend {other:?}"),
    }

    // Unknown enum values go back out as they came in.
    let again = serde_json::to_value(&detail).unwrap();
    assert_eq!(again["locations"], serde_json::json!(["local", "edge"]));
    assert_eq!(again["managed"]["runtime_principal_type"], "robot");
}

#[test]
fn kubernetes_backends_decode_as_such() {
    let body = r#"{"github_url": "https://github.com/acme/app",
                   "backend_spec": {"type": "kubernetes", "entrypoint": "python -m app"}}"#;
    let spec: mistral_workflows::types::DeploymentWorkerSpecResponse =
        serde_json::from_str(body).unwrap();
    match spec.backend_spec {
        BackendSpec::Kubernetes(k8s) => {
            assert_eq!(k8s.entrypoint.as_deref(), Some("python -m app"))
        }
        other => panic!("unexpected backend {other:?}"),
    }
}

#[test]
fn null_and_missing_optional_fields_decode() {
    let body = r#"{"deployments": [{"id": "019b2bd7-96e7-7219-8c0b-45a73da50088", "name": "a",
        "is_active": false, "created_at": "2025-12-17T10:25:07.818693Z",
        "updated_at": "2025-12-17T10:25:07.818693Z", "owner": null, "location": null,
        "managed": null}], "next_cursor": null,
        "workspace_id": "019b2bd7-96e7-7219-8c0b-45a73da50088"}"#;
    let page: DeploymentListResponse = serde_json::from_str(body).unwrap();
    assert!(page.deployments[0].owner.is_none());
    assert!(page.deployments[0].managed.is_none());
}
