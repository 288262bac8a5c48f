//! Properties over arbitrary input: models round-trip through JSON, the decoders never panic,
//! and a deployment name is either refused or lands in exactly one path segment.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use futures::StreamExt;
use mistral_workflows::types::*;
use proptest::collection::{hash_map, vec};
use proptest::option;
use proptest::prelude::*;

// ---------------------------------------------------------------------------------------------
// Strategies for the models

fn text() -> impl Strategy<Value = String> {
    // Printable text, quotes, backslashes and non-ASCII included.
    "[a-zA-Z0-9 _./:\"\\\\é😀-]{0,24}"
}

fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    // 2000-01-01 to 2100-01-01, to the microsecond, as the API writes them.
    (946_684_800_000_000i64..4_102_444_800_000_000i64)
        .prop_map(|micros| DateTime::from_timestamp_micros(micros).unwrap())
}

fn uuid() -> impl Strategy<Value = uuid::Uuid> {
    any::<u128>().prop_map(uuid::Uuid::from_u128)
}

/// An enum value: a known one, or a string no version knows.
fn open_enum<T: Clone + std::fmt::Debug + From<String> + 'static>(
    known: &'static [T],
) -> impl Strategy<Value = T> {
    prop_oneof![proptest::sample::select(known), "zz_[a-z_]{1,10}".prop_map(T::from),]
}

fn location() -> impl Strategy<Value = DeploymentLocation> {
    (open_enum(LocationType::KNOWN), option::of(text()), option::of(text())).prop_map(
        |(location_type, k8s_cluster, k8s_namespace)| DeploymentLocation {
            location_type,
            k8s_cluster,
            k8s_namespace,
        },
    )
}

fn worker() -> impl Strategy<Value = DeploymentWorkerResponse> {
    (text(), instant(), instant(), option::of(instant()), any::<bool>(), option::of(location()))
        .prop_map(|(name, created_at, updated_at, last_heartbeat, is_active, location)| {
            DeploymentWorkerResponse {
                name,
                created_at,
                updated_at,
                last_heartbeat,
                is_active,
                location,
            }
        })
}

fn secret() -> impl Strategy<Value = DeploymentSecretBinding> {
    ("[A-Z_]{1,12}", "[A-Z_]{1,12}").prop_map(|(env_var_name, name)| DeploymentSecretBinding {
        env_var_name,
        reference: format!("secret:workspace:{name}"),
    })
}

fn cloud_backend() -> impl Strategy<Value = DeploymentMistralCloudBackendSpec> {
    (
        option::of(open_enum(MistralCloudBackendType::KNOWN)),
        option::of(text()),
        option::of(text()),
        option::of(vec(secret(), 0..3)),
    )
        .prop_map(|(type_, build_directory, dockerfile_path, secrets)| {
            DeploymentMistralCloudBackendSpec { type_, build_directory, dockerfile_path, secrets }
        })
}

fn backend() -> impl Strategy<Value = BackendSpec> {
    prop_oneof![
        cloud_backend().prop_map(BackendSpec::MistralCloud),
        (option::of(text()), option::of(text())).prop_map(|(entrypoint, working_dir)| {
            BackendSpec::Kubernetes(DeploymentK8sBackendSpec {
                type_: K8sBackendType::Kubernetes,
                entrypoint,
                working_dir,
            })
        }),
    ]
}

fn commit() -> impl Strategy<Value = GitCommitMetadata> {
    (
        "[0-9a-f]{40}",
        option::of(text()),
        option::of((option::of(text()), option::of(text()), option::of(text()))),
        option::of(text()),
    )
        .prop_map(|(sha, message, author, html_url)| GitCommitMetadata {
            sha,
            message,
            author: author.map(|(name, username, html_url)| GitCommitAuthor {
                name,
                username,
                html_url,
            }),
            html_url,
        })
}

fn worker_spec() -> impl Strategy<Value = DeploymentWorkerSpecResponse> {
    (
        text(),
        backend(),
        text(),
        (option::of(text()), option::of(text()), option::of(text())),
        option::of(commit()),
        option::of(vec(text(), 0..3)),
    )
        .prop_map(
            |(
                github_url,
                backend_spec,
                type_,
                (revision, archive_id, restarted_at),
                commit,
                roles,
            )| {
                DeploymentWorkerSpecResponse {
                    github_url,
                    backend_spec,
                    type_,
                    revision,
                    archive_id,
                    restarted_at,
                    commit,
                    requested_roles: roles,
                }
            },
        )
}

fn build_state() -> impl Strategy<Value = DeploymentBuildState> {
    (
        option::of(text()),
        option::of("[0-9a-f]{40}"),
        option::of(text()),
        option::of(text()),
        option::of(instant()),
        option::of(instant()),
    )
        .prop_map(|(phase, commit_sha, image, message, started_at, finished_at)| {
            DeploymentBuildState { phase, commit_sha, image, message, started_at, finished_at }
        })
}

fn observed() -> impl Strategy<Value = DeploymentObservedState> {
    (
        option::of(text()),
        any::<u32>(),
        any::<u32>(),
        (option::of(text()), option::of(text())),
        option::of(instant()),
        option::of(text()),
        option::of(any::<i64>()),
        option::of(build_state()),
    )
        .prop_map(
            |(phase, available, ready, (endpoint, message), last_seen, rev, generation, build)| {
                DeploymentObservedState {
                    phase,
                    available_replicas: available.into(),
                    ready_replicas: ready.into(),
                    endpoint,
                    message,
                    last_seen,
                    deployed_revision: rev,
                    generation,
                    build_state: build,
                }
            },
        )
}

fn managed() -> impl Strategy<Value = ManagedDeploymentResponse> {
    (
        (text(), text(), worker_spec(), option::of(any::<u32>()), observed()),
        (instant(), instant(), any::<bool>(), any::<bool>()),
        (option::of(text()), option::of(text()), option::of(text()), option::of(text())),
        (option::of(instant()), option::of(text()), option::of(open_enum(PrincipalType::KNOWN))),
    )
        .prop_map(
            |(
                (service_id, name, spec, replicas, status),
                (created_at, updated_at, stopped, is_hardened),
                (rollout_status, created_by, updated_by, deployed_by),
                (deployed_at, runtime_credential_id, runtime_principal_type),
            )| ManagedDeploymentResponse {
                service_id,
                name,
                spec,
                resources: DeploymentResourceConfig { replicas: replicas.map(u64::from) },
                status,
                created_at,
                updated_at,
                stopped,
                rollout_status,
                created_by,
                updated_by,
                deployed_by,
                deployed_at,
                is_hardened,
                runtime_credential_id,
                runtime_principal_type,
            },
        )
}

fn deployment() -> impl Strategy<Value = DeploymentResponse> {
    (
        (uuid(), text(), any::<bool>(), instant(), instant(), option::of(instant())),
        (any::<bool>(), option::of(text()), option::of(location())),
        (any::<u32>(), any::<u32>(), vec(open_enum(LocationType::KNOWN), 0..3)),
        option::of(managed()),
    )
        .prop_map(
            |(
                (id, name, is_active, created_at, updated_at, last_heartbeat),
                (is_hardened, owner, location),
                (worker_count, active_worker_count, locations),
                managed,
            )| DeploymentResponse {
                id,
                name,
                is_active,
                created_at,
                updated_at,
                last_heartbeat,
                is_hardened,
                owner,
                location,
                worker_count: worker_count.into(),
                active_worker_count: active_worker_count.into(),
                locations,
                managed,
            },
        )
}

fn detail() -> impl Strategy<Value = DeploymentDetailResponse> {
    (deployment(), vec(worker(), 0..4)).prop_map(|(d, workers)| DeploymentDetailResponse {
        id: d.id,
        name: d.name,
        is_active: d.is_active,
        created_at: d.created_at,
        updated_at: d.updated_at,
        last_heartbeat: d.last_heartbeat,
        is_hardened: d.is_hardened,
        owner: d.owner,
        location: d.location,
        worker_count: d.worker_count,
        active_worker_count: d.active_worker_count,
        locations: d.locations,
        managed: d.managed,
        workers,
    })
}

fn record() -> impl Strategy<Value = DeploymentLogRecord> {
    (instant(), text(), text(), text(), text(), hash_map(text(), text(), 0..4)).prop_map(
        |(timestamp, trace_id, span_id, severity_text, body, log_attributes)| DeploymentLogRecord {
            timestamp,
            trace_id,
            span_id,
            severity_text,
            body,
            log_attributes: log_attributes.into_iter().collect::<BTreeMap<_, _>>(),
        },
    )
}

fn validation_error() -> impl Strategy<Value = HttpValidationError> {
    let item = (
        vec(
            prop_oneof![
                text().prop_map(ValidationErrorLocItem::String),
                any::<i64>().prop_map(ValidationErrorLocItem::Integer),
            ],
            0..4,
        ),
        text(),
        text(),
        option::of(text().prop_map(serde_json::Value::from)),
    )
        .prop_map(|(loc, msg, type_, input)| ValidationError {
            loc,
            msg,
            type_,
            input,
            ctx: serde_json::Map::new(),
        });
    vec(item, 0..3).prop_map(|detail| HttpValidationError { detail })
}

fn create_request() -> impl Strategy<Value = CreateDeploymentRequest> {
    (
        "[a-zA-Z0-9_-][a-zA-Z0-9._-]{0,20}",
        prop_oneof![
            text().prop_map(|url| (Some(url), None)),
            text().prop_map(|id| (None, Some(id))),
        ],
        option::of(text()),
        option::of(cloud_backend()),
        option::of(vec(text(), 0..3)),
        option::of(any::<u32>()),
        option::of(any::<bool>()),
    )
        .prop_map(
            |(name, (github_url, archive_id), revision, backend, roles, replicas, hardened)| {
                CreateDeploymentRequest {
                    name: name.as_str().try_into().unwrap(),
                    spec: DeploymentWorkerSpecInput {
                        github_url,
                        revision,
                        archive_id,
                        backend_spec: backend,
                        requested_roles: roles,
                    },
                    resources: replicas
                        .map(|r| DeploymentResourceConfig { replicas: Some(r.into()) }),
                    hardened,
                }
            },
        )
}

fn update_request() -> impl Strategy<Value = UpdateDeploymentRequest> {
    let spec = (
        option::of(text()),
        option::of(text()),
        option::of(text()),
        option::of(cloud_backend()),
        option::of(vec(text(), 0..3)),
    )
        .prop_map(|(github_url, revision, archive_id, backend_spec, requested_roles)| {
            WorkflowsWorkerSpecUpdate {
                github_url,
                revision,
                archive_id,
                backend_spec,
                requested_roles,
            }
        });
    (option::of(spec), option::of(option::of(any::<u32>()))).prop_map(|(spec, replicas)| {
        UpdateDeploymentRequest {
            spec,
            resources: replicas
                .map(|r| DeploymentResourceConfigUpdate { replicas: r.map(u64::from) }),
        }
    })
}

fn round_trips<T>(value: &T) -> Result<(), TestCaseError>
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let json = serde_json::to_string(value).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let back: T =
        serde_json::from_str(&json).map_err(|e| TestCaseError::fail(format!("{e}: {json}")))?;
    prop_assert_eq!(&back, value, "through {}", json);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn responses_round_trip(d in detail(), list in vec(deployment(), 0..3), cursor in option::of(text()), ws in uuid()) {
        round_trips(&d)?;
        round_trips(&DeploymentListResponse { deployments: list, next_cursor: cursor, workspace_id: ws })?;
    }

    #[test]
    fn managed_state_round_trips(m in managed()) {
        round_trips(&m)?;
    }

    #[test]
    fn workers_and_logs_round_trip(workers in vec(worker(), 0..4), records in vec(record(), 0..4), cursor in option::of(text())) {
        round_trips(&DeploymentWorkerListResponse { workers, next_cursor: cursor.clone() })?;
        round_trips(&DeploymentLogSearchResponse { results: records, next_cursor: cursor })?;
    }

    #[test]
    fn small_models_round_trip(v in validation_error(), id in text(), url in option::of(text()), error in text(), reason in text()) {
        round_trips(&v)?;
        round_trips(&DeploymentArchiveResponse { archive_id: id, download_url: url })?;
        round_trips(&StreamError { error, reason })?;
    }

    #[test]
    fn requests_round_trip(c in create_request(), u in update_request()) {
        round_trips(&c)?;
        round_trips(&u)?;
    }

    #[test]
    fn the_body_decoders_never_panic(bytes in vec(any::<u8>(), 0..512)) {
        let _ = serde_json::from_slice::<DeploymentListResponse>(&bytes);
        let _ = serde_json::from_slice::<DeploymentDetailResponse>(&bytes);
        let _ = serde_json::from_slice::<ManagedDeploymentResponse>(&bytes);
        let _ = serde_json::from_slice::<DeploymentWorkerListResponse>(&bytes);
        let _ = serde_json::from_slice::<DeploymentLogSearchResponse>(&bytes);
        let _ = serde_json::from_slice::<DeploymentArchiveResponse>(&bytes);
        let _ = serde_json::from_slice::<HttpValidationError>(&bytes);
    }

    #[test]
    fn the_body_decoders_never_panic_on_json_shaped_input(value in json_value()) {
        let bytes = serde_json::to_vec(&value).unwrap();
        let _ = serde_json::from_slice::<DeploymentListResponse>(&bytes);
        let _ = serde_json::from_slice::<DeploymentDetailResponse>(&bytes);
        let _ = serde_json::from_slice::<ManagedDeploymentResponse>(&bytes);
        let _ = serde_json::from_slice::<HttpValidationError>(&bytes);
    }

    #[test]
    fn the_log_stream_decoder_never_panics(chunks in vec(vec(any::<u8>(), 0..64), 0..8)) {
        decode_all(chunks);
    }

    #[test]
    fn the_log_stream_decoder_never_panics_on_sse_shaped_input(lines in vec(sse_line(), 0..24), cuts in vec(0usize..400, 0..6)) {
        let text: String = lines.concat();
        let bytes = text.into_bytes();
        let mut cuts: Vec<usize> = cuts.into_iter().filter(|c| *c <= bytes.len()).collect();
        cuts.sort_unstable();
        let mut chunks = Vec::new();
        let mut start = 0;
        for cut in cuts.into_iter().chain([bytes.len()]) {
            chunks.push(bytes[start..cut].to_vec());
            start = cut;
        }
        decode_all(chunks);
    }

    #[test]
    fn a_name_is_refused_or_lands_in_one_path_segment(name in name_like()) {
        match mistral_workflows::validate::deployment_name(&name) {
            Err(_) => {}
            Ok(()) => {
                let path = requested_path(&name);
                let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
                prop_assert_eq!(segments.len(), 4, "{}", path);
                prop_assert_eq!(&segments[..3], &["v1", "workflows", "deployments"]);
                prop_assert_eq!(segments[3], name.as_str());
            }
        }
    }
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        text().prop_map(serde_json::Value::from),
        Just(serde_json::Value::from("2025-12-17T10:25:07.818693Z")),
        Just(serde_json::Value::from("019b2bd7-96e7-7219-8c0b-45a73da50088")),
    ];
    let keys = proptest::sample::select(vec![
        "deployments",
        "next_cursor",
        "workspace_id",
        "id",
        "name",
        "is_active",
        "created_at",
        "updated_at",
        "workers",
        "managed",
        "spec",
        "status",
        "backend_spec",
        "type",
        "detail",
        "loc",
        "msg",
        "locations",
        "location",
        "location_type",
    ]);
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
            hash_map(keys.clone().prop_map(str::to_owned), inner, 0..6)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

fn sse_line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("event: log\n".to_owned()),
        Just("event: error\n".to_owned()),
        "event: [a-z]{0,5}\n",
        "id: [0-9a-z]{0,6}\n",
        "retry: [0-9x]{0,6}\n",
        Just("data: {\"timestamp\": \"2025-12-17T10:25:07.818693Z\", \"trace_id\": \"t\", \"span_id\": \"s\", \"severity_text\": \"INFO\", \"body\": \"b\", \"log_attributes\": {}}\n".to_owned()),
        Just("data: {\"error\": \"e\", \"reason\": \"read_error\"}\n".to_owned()),
        "data: [ -~]{0,30}\n",
        ": [ -~]{0,10}\n",
        Just("\n".to_owned()),
        Just("\r\n".to_owned()),
        "[ -~é]{0,12}",
    ]
}

fn decode_all(chunks: Vec<Vec<u8>>) {
    let items = chunks.into_iter().map(|c| Ok::<_, std::io::Error>(bytes::Bytes::from(c)));
    let stream = mistral_workflows::decode_log_events(futures::stream::iter(items));
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let _: Vec<_> = runtime.block_on(stream.collect());
}

fn name_like() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9._-]{1,130}",
        "[ -~]{0,20}",
        "\\PC{0,12}",
        Just(".".to_owned()),
        Just("..".to_owned()),
        "[.]{1,4}",
        "[a-z]{0,3}[/\\\\?#%][a-z]{0,3}",
    ]
}

/// The path of the request `get(name)` sends, as the server reads it.
fn requested_path(name: &str) -> String {
    thread_local! {
        static SERVER: (tokio::runtime::Runtime, support::RawServer) = {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            let server = runtime.block_on(support::raw_server(support::http_answer(
                "404 Not Found", "application/json", "{}",
            )));
            (runtime, server)
        };
    }
    SERVER.with(|(runtime, server)| {
        let client = support::client_for(&server.base_url);
        let before = server.heads.lock().unwrap().len();
        let _ = runtime.block_on(client.deployments().get(name).send());
        let heads = server.heads.lock().unwrap();
        assert_eq!(heads.len(), before + 1, "one request for {name:?}");
        let line = heads[before].lines().next().unwrap().to_owned();
        line.split(' ').nth(1).unwrap().to_owned()
    })
}
