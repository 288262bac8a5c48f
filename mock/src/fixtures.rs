//! The deployments a mock server starts with.

#[cfg(test)]
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use mistral_workflows_gen::backend::BackendSpec;
use mistral_workflows_gen::enums::{
    DeploymentLogType, LocationType, MistralCloudBackendType, PrincipalType,
};
use mistral_workflows_gen::types::{
    DeploymentBuildState, DeploymentDetailResponse, DeploymentLocation, DeploymentLogRecord,
    DeploymentMistralCloudBackendSpec, DeploymentObservedState, DeploymentResourceConfig,
    DeploymentSecretBinding, DeploymentWorkerResponse, DeploymentWorkerSpecResponse,
    GitCommitAuthor, GitCommitMetadata, ManagedDeploymentResponse,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::lifecycle::{managed_location, refresh_counts};
use crate::logs;
use crate::rng::Rng;
use crate::store::{Entry, Store, StoreConfig};

/// The workspace of the mock unless the fixtures name another.
pub(crate) const DEFAULT_WORKSPACE_ID: Uuid =
    Uuid::from_u128(0x019b_2bd7_96e7_7219_8c0b_45a7_3da5_0088);

fn default_workspace_id() -> Uuid {
    DEFAULT_WORKSPACE_ID
}

/// The deployments, workers and log records a [`MockServer`](crate::MockServer) starts with.
///
/// Serializes to JSON (and back) so that a test or the `mistral-workflows-mock` binary can
/// load fixtures from a file:
///
/// ```json
/// {
///   "workspace_id": "019b2bd7-96e7-7219-8c0b-45a73da50088",
///   "deployments": [
///     { "id": "…", "name": "my-app", "is_active": false, "created_at": "…",
///       "updated_at": "…", "workers": [], "workflows": ["invoice-processing"] }
///   ],
///   "logs": [
///     { "name": "my-app", "log_type": "runtime", "records": [ … ] }
///   ]
/// }
/// ```
///
/// Each deployment is a `DeploymentDetailResponse` as the API sends it, plus the optional
/// `workflows` it registered (for the `workflow_name` filter). Its top-level fields are taken
/// as they are: the mock does not recompute `is_active` or the worker counts of a fixture. A
/// managed fixture in phase `queued` or `building` carries on with its rollout when the
/// server starts.
#[derive(Clone, Serialize, Deserialize)]
pub struct Fixtures {
    #[serde(default = "default_workspace_id")]
    workspace_id: Uuid,
    #[serde(default)]
    deployments: Vec<FixtureDeployment>,
    #[serde(default)]
    logs: Vec<FixtureLogs>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct FixtureDeployment {
    #[serde(flatten)]
    deployment: DeploymentDetailResponse,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    workflows: Vec<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct FixtureLogs {
    name: String,
    log_type: DeploymentLogType,
    records: Vec<DeploymentLogRecord>,
}

impl std::fmt::Debug for Fixtures {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let records: usize = self.logs.iter().map(|l| l.records.len()).sum();
        f.debug_struct("Fixtures")
            .field("workspace_id", &self.workspace_id)
            .field("deployments", &self.deployments.len())
            .field("log_records", &records)
            .finish()
    }
}

impl Default for Fixtures {
    fn default() -> Self {
        Self::empty()
    }
}

impl Fixtures {
    /// No deployments at all.
    pub fn empty() -> Fixtures {
        Fixtures { workspace_id: DEFAULT_WORKSPACE_ID, deployments: Vec::new(), logs: Vec::new() }
    }

    /// A realistic workspace, the same on every run: 260 deployments, active and inactive,
    /// hardened or not, self-hosted (local and Kubernetes, some in both) and managed (from
    /// GitHub and from archives, running, stopped, failed, building and queued), with several
    /// owners and workflow names, 0 to 5 workers each, and build and runtime log records.
    pub fn seeded() -> Fixtures {
        seed::workspace(260)
    }

    /// `count` simple self-hosted deployments, built quickly (for benchmarks): every other
    /// one active with one active worker, the others inactive with one inactive worker,
    /// created a second apart.
    pub fn generated(count: usize) -> Fixtures {
        let mut rng = Rng::new(0x6765_6e65);
        let start = seed::utc(2025, 1, 1);
        let location = DeploymentLocation {
            k8s_cluster: None,
            k8s_namespace: None,
            location_type: LocationType::Local,
        };
        let deployments = (0..count)
            .map(|i| {
                let created = start
                    + chrono::Duration::seconds(i as i64)
                    + chrono::Duration::microseconds(rng.between(1, 999_999) as i64);
                let seen = created + chrono::Duration::minutes(5);
                let active = i % 2 == 0;
                let name = format!("deployment-{i:06}");
                let worker = DeploymentWorkerResponse {
                    created_at: created,
                    is_active: active,
                    last_heartbeat: Some(seen),
                    location: Some(location.clone()),
                    name: format!("{name}-worker-0"),
                    updated_at: seen,
                };
                FixtureDeployment {
                    deployment: DeploymentDetailResponse {
                        active_worker_count: u64::from(active),
                        created_at: created,
                        id: rng.uuid(),
                        is_active: active,
                        is_hardened: false,
                        last_heartbeat: Some(seen),
                        location: Some(location.clone()),
                        locations: vec![LocationType::Local],
                        managed: None,
                        name,
                        owner: None,
                        updated_at: seen,
                        worker_count: 1,
                        workers: vec![worker],
                    },
                    workflows: Vec::new(),
                }
            })
            .collect();
        Fixtures { workspace_id: DEFAULT_WORKSPACE_ID, deployments, logs: Vec::new() }
    }

    /// Adds a deployment (its workers are `d.workers`). A deployment with the same name or
    /// ID replaces the earlier one.
    pub fn with_deployment(mut self, d: DeploymentDetailResponse) -> Fixtures {
        self.deployments.push(FixtureDeployment { deployment: d, workflows: Vec::new() });
        self
    }

    /// Sets the workflows the deployment `name` registered (matched by the `workflow_name`
    /// filter of the list). Does nothing when no such deployment was added.
    pub fn with_workflows(mut self, name: &str, workflows: Vec<String>) -> Fixtures {
        if let Some(entry) = self.deployments.iter_mut().rev().find(|e| e.deployment.name == name) {
            entry.workflows = workflows;
        }
        self
    }

    /// Adds log records of one type to the deployment `name`.
    pub fn with_logs(
        mut self,
        name: &str,
        records: Vec<DeploymentLogRecord>,
        log_type: DeploymentLogType,
    ) -> Fixtures {
        self.logs.push(FixtureLogs { name: name.to_owned(), log_type, records });
        self
    }

    /// Sets the workspace the mock answers for. Default is a fixed UUID,
    /// `019b2bd7-96e7-7219-8c0b-45a73da50088`.
    pub fn with_workspace_id(mut self, workspace_id: Uuid) -> Fixtures {
        self.workspace_id = workspace_id;
        self
    }

    /// The workspace the mock answers for.
    pub fn workspace_id(&self) -> Uuid {
        self.workspace_id
    }

    /// The deployments, in the order they were added.
    pub fn deployments(&self) -> impl Iterator<Item = &DeploymentDetailResponse> {
        self.deployments.iter().map(|e| &e.deployment)
    }

    /// Builds the store of a server starting at `now`.
    pub(crate) fn into_store(self, config: StoreConfig, now: DateTime<Utc>) -> Store {
        let in_progress: Vec<Uuid> = self
            .deployments
            .iter()
            .filter(|e| {
                e.deployment.managed.as_ref().is_some_and(|m| {
                    matches!(m.status.phase.as_deref(), Some("queued" | "building"))
                })
            })
            .map(|e| e.deployment.id)
            .collect();
        let entries =
            self.deployments.into_iter().map(|e| Entry::new(e.deployment, e.workflows)).collect();
        let mut store = Store::new(self.workspace_id, config, entries, now);
        for logs in self.logs {
            store.logs.extend(&logs.name, &logs.log_type, logs.records);
        }
        store.resume_fixture_rollouts(&in_progress, now);
        store
    }
}

/// The seeded workspace.
mod seed {
    use super::*;

    pub(super) fn utc(year: i32, month: u32, day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(year, month, day, 0, 0, 0).single().unwrap_or_default()
    }

    const ADJECTIVES: &[&str] = &[
        "amber", "brisk", "calm", "daring", "eager", "fancy", "gentle", "hidden", "icy", "jolly",
        "keen", "lucky", "mellow", "nimble", "orange", "proud", "quiet", "rapid", "silver", "tidy",
    ];
    const NOUNS: &[&str] = &[
        "falcon", "harbor", "lantern", "meadow", "nebula", "orchard", "pebble", "quartz", "river",
        "summit", "tundra", "willow", "canyon", "glacier", "prairie",
    ];
    const OWNERS: &[Option<&str>] = &[
        Some("alice@example.com"),
        Some("bob@example.com"),
        Some("carol@example.com"),
        Some("ops-team"),
        None,
    ];
    const WORKFLOWS: &[&str] = &[
        "invoice-processing",
        "document-ingest",
        "nightly-report",
        "chat-triage",
        "data-sync",
        "email-digest",
    ];
    const CLUSTERS: &[&str] = &["prod-eu-1", "prod-us-1", "staging-eu-2"];
    const NAMESPACES: &[&str] = &["workflows", "default", "team-a", "team-b"];
    const REPOSITORIES: &[&str] = &[
        "https://github.com/acme/workflows",
        "https://github.com/acme/invoice-bot",
        "https://github.com/example-org/agents",
        "https://github.com/example-org/etl-pipelines",
    ];
    const REVISIONS: &[Option<&str>] =
        &[Some("main"), Some("v1.4.2"), Some("release/2025-12"), None];
    const DOCKERFILES: &[Option<&str>] =
        &[Some("Dockerfile"), Some("docker/worker.Dockerfile"), None];

    /// The time the seeded workspace is set at: every timestamp lies before it.
    fn seen_until() -> DateTime<Utc> {
        utc(2026, 1, 14)
    }

    fn micros(rng: &mut Rng, low: DateTime<Utc>, high: DateTime<Utc>) -> DateTime<Utc> {
        let span = (high - low).num_microseconds().unwrap_or(0).max(1) as u64;
        low + chrono::Duration::microseconds(rng.below(span) as i64)
    }

    /// The kinds of deployment, in the proportions of the seed.
    #[derive(Clone, Copy, PartialEq)]
    enum Kind {
        Local,
        K8s,
        Mixed,
        Managed,
    }

    pub(super) fn workspace(count: usize) -> Fixtures {
        let mut rng = Rng::new(0x5eed_2025);
        let mut fixtures = Fixtures::empty();
        for i in 0..count {
            let kind = match i % 10 {
                0..=2 => Kind::Local,
                3 | 4 => Kind::K8s,
                5 => Kind::Mixed,
                _ => Kind::Managed,
            };
            let (deployment, workflows, logs) = deployment(&mut rng, i, kind);
            let name = deployment.name.clone();
            fixtures.deployments.push(FixtureDeployment { deployment, workflows });
            for (log_type, records) in logs {
                fixtures.logs.push(FixtureLogs { name: name.clone(), log_type, records });
            }
        }
        fixtures
    }

    type Logs = Vec<(DeploymentLogType, Vec<DeploymentLogRecord>)>;

    fn deployment(
        rng: &mut Rng,
        i: usize,
        kind: Kind,
    ) -> (DeploymentDetailResponse, Vec<String>, Logs) {
        let name = format!("{}-{}-{i:03}", rng.pick(ADJECTIVES), rng.pick(NOUNS));
        let id = rng.uuid();
        let created = micros(rng, utc(2025, 6, 1), utc(2025, 12, 20));
        let owner = rng.pick(OWNERS).map(str::to_owned);
        let hardened = rng.chance(20);
        let mut workflows: Vec<String> = Vec::new();
        for _ in 0..rng.between(1, 3) {
            let workflow = (*rng.pick(WORKFLOWS)).to_owned();
            if !workflows.contains(&workflow) {
                workflows.push(workflow);
            }
        }

        let mut logs: Logs = Vec::new();
        let (managed, workers) = if kind == Kind::Managed {
            let (managed, workers, build_logs) =
                managed(rng, &name, created, hardened, owner.as_deref());
            logs.push((DeploymentLogType::Build, build_logs));
            (Some(managed), workers)
        } else {
            (None, self_hosted_workers(rng, &name, created, kind))
        };

        let mut locations: Vec<LocationType> = Vec::new();
        for worker in &workers {
            if let Some(location) = &worker.location
                && !locations.contains(&location.location_type)
            {
                locations.push(location.location_type.clone());
            }
        }
        if locations.is_empty() {
            locations.push(match kind {
                Kind::Managed => LocationType::Managed,
                Kind::K8s => LocationType::K8s,
                _ => LocationType::Local,
            });
        }
        let location = workers.first().and_then(|w| w.location.clone()).or_else(|| {
            Some(DeploymentLocation {
                k8s_cluster: None,
                k8s_namespace: None,
                location_type: locations[0].clone(),
            })
        });
        let last_heartbeat =
            workers.iter().filter_map(|w| w.last_heartbeat).max().unwrap_or(created);

        let runtime: Vec<DeploymentLogRecord> = workers
            .iter()
            .flat_map(|w| {
                let at = w.created_at;
                let attributes =
                    [("worker_name", w.name.as_str()), ("workflow_name", workflows[0].as_str())];
                vec![
                    logs::record(at, "INFO", "Worker started", &attributes),
                    logs::record(
                        at + chrono::Duration::milliseconds(850),
                        "INFO",
                        "Registered workflows",
                        &attributes,
                    ),
                    logs::record(
                        at + chrono::Duration::seconds(42),
                        if rng.chance(15) { "ERROR" } else { "INFO" },
                        "Workflow execution finished",
                        &attributes,
                    ),
                ]
            })
            .collect();
        if !runtime.is_empty() {
            logs.push((DeploymentLogType::Runtime, runtime));
        }

        let mut deployment = DeploymentDetailResponse {
            active_worker_count: 0,
            created_at: created,
            id,
            is_active: false,
            is_hardened: hardened,
            last_heartbeat: Some(last_heartbeat),
            location,
            locations,
            managed,
            name,
            owner,
            updated_at: last_heartbeat,
            worker_count: 0,
            workers,
        };
        refresh_counts(&mut deployment);
        (deployment, workflows, logs)
    }

    fn self_hosted_workers(
        rng: &mut Rng,
        name: &str,
        created: DateTime<Utc>,
        kind: Kind,
    ) -> Vec<DeploymentWorkerResponse> {
        let active = rng.chance(55);
        let count = if active { rng.between(1, 5) } else { rng.between(0, 4) };
        let k8s = DeploymentLocation {
            k8s_cluster: Some((*rng.pick(CLUSTERS)).to_owned()),
            k8s_namespace: Some((*rng.pick(NAMESPACES)).to_owned()),
            location_type: LocationType::K8s,
        };
        let local = DeploymentLocation {
            k8s_cluster: None,
            k8s_namespace: None,
            location_type: LocationType::Local,
        };
        (0..count)
            .map(|w| {
                let location = match kind {
                    Kind::K8s => k8s.clone(),
                    Kind::Mixed if w % 2 == 1 => k8s.clone(),
                    _ => local.clone(),
                };
                let worker_created = micros(rng, created, created + chrono::Duration::days(3));
                let is_active = active && (w == 0 || rng.chance(70));
                let heartbeat = if is_active {
                    micros(rng, seen_until() - chrono::Duration::seconds(30), seen_until())
                } else {
                    micros(rng, worker_created, seen_until() - chrono::Duration::days(1))
                };
                DeploymentWorkerResponse {
                    created_at: worker_created,
                    is_active,
                    last_heartbeat: Some(heartbeat),
                    location: Some(location),
                    name: format!("{name}-{}", rng.hex(8)),
                    updated_at: heartbeat,
                }
            })
            .collect()
    }

    fn managed(
        rng: &mut Rng,
        name: &str,
        created: DateTime<Utc>,
        hardened: bool,
        owner: Option<&str>,
    ) -> (ManagedDeploymentResponse, Vec<DeploymentWorkerResponse>, Vec<DeploymentLogRecord>) {
        let phase = match rng.below(20) {
            0..=10 => "running",
            11..=13 => "stopped",
            14 | 15 => "failed",
            16 | 17 => "building",
            _ => "queued",
        };
        let from_archive = rng.chance(30);
        let replicas = rng.between(1, 3);
        let generation = rng.between(1, 6) as i64;
        let updated = micros(rng, created, seen_until() - chrono::Duration::days(1));
        let sha = rng.hex(40);
        let repository = (*rng.pick(REPOSITORIES)).to_owned();
        let archive_id = format!("arch-{}", rng.hex(16));
        let secrets: Option<Vec<DeploymentSecretBinding>> = rng.chance(40).then(|| {
            let value = serde_json::json!([
                { "env_var_name": "MISTRAL_API_KEY", "reference": "secret:workspace:mistral-key" },
                { "env_var_name": "DATABASE_URL", "reference": "secret:workspace:db-url" },
            ]);
            serde_json::from_value(value).unwrap_or_default()
        });
        let backend = DeploymentMistralCloudBackendSpec {
            build_directory: rng.chance(30).then(|| "workers".to_owned()),
            dockerfile_path: rng.pick(DOCKERFILES).map(str::to_owned),
            secrets,
            type_: Some(if rng.chance(10) {
                MistralCloudBackendType::Koyeb
            } else {
                MistralCloudBackendType::MistralCloud
            }),
        };
        let commit = (!from_archive).then(|| GitCommitMetadata {
            author: Some(GitCommitAuthor {
                html_url: Some("https://github.com/octo-dev".to_owned()),
                name: Some("Octo Dev".to_owned()),
                username: Some("octo-dev".to_owned()),
            }),
            html_url: Some(format!("{repository}/commit/{sha}")),
            message: Some("Add the nightly report workflow".to_owned()),
            sha: sha.clone(),
        });
        let revision = if from_archive { None } else { rng.pick(REVISIONS).map(str::to_owned) };
        let build_started = updated + chrono::Duration::seconds(2);
        let build_finished = build_started + chrono::Duration::seconds(rng.between(40, 300) as i64);
        let image = format!("registry.mock.invalid/{name}:{}", &sha[..12]);
        let build_state = match phase {
            "queued" => DeploymentBuildState {
                phase: Some("queued".to_owned()),
                message: Some("Waiting for a builder".to_owned()),
                ..DeploymentBuildState::default()
            },
            "building" => DeploymentBuildState {
                phase: Some("building".to_owned()),
                commit_sha: (!from_archive).then(|| sha.clone()),
                started_at: Some(build_started),
                message: Some("Building the image".to_owned()),
                ..DeploymentBuildState::default()
            },
            "failed" => DeploymentBuildState {
                phase: Some("failed".to_owned()),
                commit_sha: (!from_archive).then(|| sha.clone()),
                started_at: Some(build_started),
                finished_at: Some(build_finished),
                message: Some("Dockerfile: step 4/7 exited with code 1".to_owned()),
                image: None,
            },
            _ => DeploymentBuildState {
                phase: Some("succeeded".to_owned()),
                commit_sha: (!from_archive).then(|| sha.clone()),
                started_at: Some(build_started),
                finished_at: Some(build_finished),
                message: Some("Image built".to_owned()),
                image: Some(image.clone()),
            },
        };
        let running = phase == "running";
        // A deployment rolling out again keeps its previous workers running meanwhile.
        let serving = running || (matches!(phase, "queued" | "building") && generation > 1);
        let deployed = phase != "failed" && (running || phase == "stopped" || generation > 1);
        let ready = if serving { replicas } else { 0 };
        let status = DeploymentObservedState {
            available_replicas: ready,
            build_state: Some(build_state),
            deployed_revision: deployed.then(|| {
                revision
                    .clone()
                    .unwrap_or_else(|| if from_archive { archive_id.clone() } else { sha.clone() })
            }),
            endpoint: None,
            generation: Some(generation),
            last_seen: Some(if running { seen_until() } else { build_finished }),
            message: match phase {
                "failed" => Some("The build failed".to_owned()),
                "stopped" => Some("Stopped on request".to_owned()),
                "queued" => Some("Rollout queued".to_owned()),
                "building" => Some("Building the image".to_owned()),
                _ => None,
            },
            phase: Some(phase.to_owned()),
            ready_replicas: ready,
        };
        let credential = hardened.then(|| format!("cred-{}", rng.hex(12)));
        let principal = owner.unwrap_or("ops-team").to_owned();
        let managed = ManagedDeploymentResponse {
            created_at: created,
            created_by: Some(principal.clone()),
            deployed_at: deployed.then_some(build_finished),
            deployed_by: deployed.then(|| principal.clone()),
            is_hardened: hardened,
            name: name.to_owned(),
            resources: DeploymentResourceConfig { replicas: Some(replicas) },
            rollout_status: Some(
                match phase {
                    "running" => "completed",
                    "failed" => "failed",
                    "stopped" => "stopped",
                    "building" => "building",
                    _ => "pending",
                }
                .to_owned(),
            ),
            runtime_credential_id: credential.clone(),
            runtime_principal_type: credential.map(|_| {
                if rng.chance(50) { PrincipalType::ServiceAccount } else { PrincipalType::ApiKey }
            }),
            service_id: format!("svc-{}", rng.hex(12)),
            spec: DeploymentWorkerSpecResponse {
                archive_id: from_archive.then(|| archive_id.clone()),
                backend_spec: BackendSpec::MistralCloud(backend),
                commit,
                github_url: if from_archive { String::new() } else { repository.clone() },
                requested_roles: rng.chance(30).then(|| vec!["workflows:execute".to_owned()]),
                restarted_at: None,
                revision,
                type_: "workflows_worker".to_owned(),
            },
            status,
            stopped: phase == "stopped",
            updated_at: updated,
            updated_by: Some(principal),
        };

        let had_workers = deployed || serving;
        let workers = if had_workers {
            (0..replicas)
                .map(|w| {
                    let heartbeat = if serving {
                        seen_until()
                    } else {
                        build_finished + chrono::Duration::hours(2)
                    };
                    DeploymentWorkerResponse {
                        created_at: build_finished,
                        is_active: serving,
                        last_heartbeat: Some(heartbeat),
                        location: Some(managed_location()),
                        name: format!("{name}-worker-{w}"),
                        updated_at: heartbeat,
                    }
                })
                .collect()
        } else {
            Vec::new()
        };

        let source = if from_archive {
            format!("Unpacking archive {archive_id}")
        } else {
            format!("Cloning {repository} ({})", &sha[..12])
        };
        let mut build_logs = vec![
            logs::record(build_started, "INFO", &source, &[]),
            logs::record(
                build_started + chrono::Duration::seconds(3),
                "INFO",
                "Step 1/7: FROM python:3.12-slim",
                &[],
            ),
        ];
        if phase == "failed" {
            build_logs.push(logs::record(
                build_finished,
                "ERROR",
                "Step 4/7: RUN pip install -r requirements.txt exited with code 1",
                &[],
            ));
        } else if phase != "queued" && phase != "building" {
            build_logs.push(logs::record(build_finished, "INFO", &format!("Pushed {image}"), &[]));
        }
        if phase == "queued" {
            build_logs.clear();
        }
        (managed, workers, build_logs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_is_deterministic_and_varied() {
        let a = Fixtures::seeded();
        let b = Fixtures::seeded();
        assert_eq!(serde_json::to_value(&a).unwrap(), serde_json::to_value(&b).unwrap());
        let ds: Vec<&DeploymentDetailResponse> = a.deployments().collect();
        assert!(ds.len() >= 250);
        let names: std::collections::HashSet<&str> = ds.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names.len(), ds.len());
        assert!(ds.iter().any(|d| d.is_active) && ds.iter().any(|d| !d.is_active));
        assert!(ds.iter().any(|d| d.is_hardened));
        assert!(ds.iter().all(|d| d.workers.len() <= 5));
        let managed: Vec<&ManagedDeploymentResponse> =
            ds.iter().filter_map(|d| d.managed.as_ref()).collect();
        assert!(managed.iter().any(|m| m.spec.archive_id.is_some()));
        assert!(managed.iter().any(|m| !m.spec.github_url.is_empty()));
        let phases: std::collections::HashSet<&str> =
            managed.iter().filter_map(|m| m.status.phase.as_deref()).collect();
        for phase in ["running", "stopped", "failed", "building", "queued"] {
            assert!(phases.contains(phase), "{phase}");
        }
        assert!(ds.iter().any(|d| d.locations.len() > 1));
        assert!(ds.iter().any(|d| d.workers.iter().any(|w| {
            w.location
                .as_ref()
                .is_some_and(|l| l.k8s_cluster.is_some() && l.k8s_namespace.is_some())
        })));
        assert!(a.logs.iter().any(|l| l.log_type == DeploymentLogType::Build));
        assert!(a.logs.iter().any(|l| l.log_type == DeploymentLogType::Runtime));
    }

    #[test]
    fn fixtures_round_trip_through_json() {
        let fixtures = Fixtures::seeded();
        let text = serde_json::to_string(&fixtures).unwrap();
        let back: Fixtures = serde_json::from_str(&text).unwrap();
        assert_eq!(serde_json::to_value(&back).unwrap(), serde_json::to_value(&fixtures).unwrap());
        let minimal: Fixtures = serde_json::from_str("{}").unwrap();
        assert_eq!(minimal.deployments().count(), 0);
        assert_eq!(minimal.workspace_id(), DEFAULT_WORKSPACE_ID);
    }

    #[test]
    fn generated_is_quick_and_unique() {
        let started = std::time::Instant::now();
        let fixtures = Fixtures::generated(100_000);
        assert_eq!(fixtures.deployments().count(), 100_000);
        assert!(started.elapsed() < Duration::from_secs(30));
        let ids: std::collections::HashSet<Uuid> = fixtures.deployments().map(|d| d.id).collect();
        assert_eq!(ids.len(), 100_000);
    }
}
