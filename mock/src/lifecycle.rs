//! The lifecycle of managed deployments on the mock clock.
//!
//! A rollout (create, update, start, restart) goes through three phases, each lasting the
//! builder's `phase_duration`:
//!
//! 1. `queued`: accepted, waiting for a builder;
//! 2. `building`: `build_state.phase` is `building`, with `started_at` and the commit;
//! 3. `running`: the build `succeeded` (`finished_at`), `replicas` workers are active,
//!    `available_replicas` and `ready_replicas` equal `replicas`, `deployed_revision` and
//!    `deployed_at` are set.
//!
//! The steps are scheduled in the store and applied by [`Store::settle`] when the clock has
//! passed them, with the scheduled time as their timestamps, before every request and every
//! [`advance`](crate::MockControl::advance). So a test with the manual clock sees exactly the
//! phase it advanced to, and the real clock gives the same states, just later. A new rollout
//! makes the pending steps of the previous one stale; `stop` makes them all stale.
//!
//! During a rollout of a deployment that already runs, its workers keep running until the new
//! revision is up, as on the real platform.

use std::time::Duration;

use chrono::{DateTime, Utc};
use mistral_workflows_gen::backend::BackendSpec;
use mistral_workflows_gen::enums::{
    DeploymentLogType, LocationType, MistralCloudBackendType, PrincipalType,
};
use mistral_workflows_gen::types::{
    CreateDeploymentRequest, DeploymentBuildState, DeploymentDetailResponse, DeploymentLocation,
    DeploymentMistralCloudBackendSpec, DeploymentObservedState, DeploymentResourceConfig,
    DeploymentWorkerResponse, DeploymentWorkerSpecResponse, GitCommitAuthor, GitCommitMetadata,
    ManagedDeploymentResponse, UpdateDeploymentRequest,
};
use uuid::Uuid;

use crate::clock::{add, format_rfc3339};
use crate::logs;
use crate::store::{Entry, Pending, Step, Store};

/// The principal the mock acts for: the creator and updater of deployments made through it.
pub(crate) const CALLER: &str = "mock-user";

/// The most workers the mock materializes for one managed deployment. `replicas` may be
/// larger (the API sets no maximum); the replica counts then say more than the worker list.
pub(crate) const MAX_WORKERS: u64 = 100;

/// Why a lifecycle operation was refused.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum LifecycleError {
    NotFound,
    /// A deployment with that name exists.
    Exists(String),
    /// The deployment is self-hosted: the managed operations do not apply.
    SelfHosted(String),
    /// Unharden of a deployment that is not hardened.
    NotHardened,
    /// Unharden with the ID of another workspace.
    OtherWorkspace,
}

pub(crate) fn managed_location() -> DeploymentLocation {
    DeploymentLocation {
        k8s_cluster: None,
        k8s_namespace: None,
        location_type: LocationType::Managed,
    }
}

/// Recomputes the worker counts and `is_active` from the worker list.
pub(crate) fn refresh_counts(d: &mut DeploymentDetailResponse) {
    d.worker_count = d.workers.len() as u64;
    d.active_worker_count = d.workers.iter().filter(|w| w.is_active).count() as u64;
    d.is_active = d.active_worker_count > 0;
}

fn build_state(phase: &str, message: &str) -> DeploymentBuildState {
    DeploymentBuildState {
        phase: Some(phase.to_owned()),
        message: Some(message.to_owned()),
        ..DeploymentBuildState::default()
    }
}

/// Makes workers `0..replicas` active (creating the missing ones) and every other inactive.
fn reconcile_workers(d: &mut DeploymentDetailResponse, replicas: u64, at: DateTime<Utc>) {
    let wanted: Vec<String> =
        (0..replicas.min(MAX_WORKERS)).map(|i| format!("{}-worker-{i}", d.name)).collect();
    for worker in &mut d.workers {
        let active = wanted.contains(&worker.name);
        if worker.is_active || active {
            worker.last_heartbeat = Some(at);
            worker.updated_at = at;
        }
        worker.is_active = active;
    }
    for name in wanted {
        if !d.workers.iter().any(|w| w.name == name) {
            d.workers.push(DeploymentWorkerResponse {
                created_at: at,
                is_active: true,
                last_heartbeat: Some(at),
                location: Some(managed_location()),
                name,
                updated_at: at,
            });
        }
    }
    refresh_counts(d);
}

/// Marks every worker inactive, as of `at`.
fn stop_workers(d: &mut DeploymentDetailResponse, at: DateTime<Utc>) {
    let mut changed = false;
    for worker in d.workers.iter_mut().filter(|w| w.is_active) {
        worker.is_active = false;
        worker.last_heartbeat = Some(at);
        worker.updated_at = at;
        changed = true;
    }
    if changed {
        d.updated_at = at;
        d.last_heartbeat = Some(at);
    }
    refresh_counts(d);
}

impl Store {
    /// Applies every lifecycle step due by `now`, then writes the live logs up to `now`.
    pub(crate) fn settle(&mut self, now: DateTime<Utc>) {
        while let Some((at, pending)) = self.next_due(now) {
            self.apply(at, pending);
        }
        self.write_live_logs(now);
    }

    fn apply(&mut self, at: DateTime<Utc>, pending: Pending) {
        let current = self.get_by_id(pending.id).map(|e| (e.rollout, e.deployment.name.clone()));
        let Some((rollout, name)) = current else { return };
        if rollout != pending.rollout {
            return;
        }
        let sha = self.rng.hex(40);
        let result = self.modify(pending.id, |entry| {
            let d = &mut entry.deployment;
            let Some(m) = d.managed.as_mut() else { return Vec::new() };
            if m.stopped {
                return Vec::new();
            }
            m.status.last_seen = Some(at);
            match pending.step {
                Step::Build => start_build(m, &sha, at),
                Step::Run => {
                    let replicas = m.resources.replicas.unwrap_or(1);
                    let mut lines = finish_build(m, at);
                    reconcile_workers(d, replicas, at);
                    d.updated_at = at;
                    d.last_heartbeat = Some(at);
                    for worker in d.workers.iter().filter(|w| w.is_active).take(5) {
                        let body =
                            format!("Worker {} started and registered its workflows", worker.name);
                        lines.push((DeploymentLogType::Runtime, body));
                    }
                    lines
                }
            }
        });
        for (log_type, body) in result.unwrap_or_default() {
            let record = logs::record(at, "INFO", &body, &[("deployment_name", name.as_str())]);
            self.logs.push(&name, &log_type, record);
        }
    }

    /// Starts a rollout of a managed deployment now: `queued`, then the later steps.
    fn begin_rollout(&mut self, id: Uuid, now: DateTime<Utc>) {
        self.sequence += 1;
        let rollout = self.sequence;
        self.modify(id, |entry| {
            entry.rollout = rollout;
            if let Some(m) = entry.deployment.managed.as_mut() {
                m.status.phase = Some("queued".to_owned());
                m.status.message = Some("Rollout queued".to_owned());
                m.status.last_seen = Some(now);
                m.status.build_state = Some(build_state("queued", "Waiting for a builder"));
                m.rollout_status = Some("pending".to_owned());
            }
        });
        let phase = self.config.phase_duration;
        self.schedule(add(now, phase), Pending { id, rollout, step: Step::Build });
        self.schedule(add(now, phase.saturating_mul(2)), Pending { id, rollout, step: Step::Run });
    }

    /// Carries on the rollouts of fixtures that are `queued` or `building` when the server
    /// starts, as if each phase had just begun.
    pub(crate) fn resume_fixture_rollouts(&mut self, ids: &[Uuid], now: DateTime<Utc>) {
        let phase = self.config.phase_duration;
        for id in ids {
            let Some(entry) = self.get_by_id(*id) else { continue };
            let Some(m) = &entry.deployment.managed else { continue };
            let steps: &[Step] = match m.status.phase.as_deref() {
                _ if m.stopped => &[],
                Some("queued") => &[Step::Build, Step::Run],
                Some("building") => &[Step::Run],
                _ => &[],
            };
            if steps.is_empty() {
                continue;
            }
            self.sequence += 1;
            let rollout = self.sequence;
            self.modify(*id, |e| e.rollout = rollout);
            for (i, step) in steps.iter().enumerate() {
                let at = add(now, phase.saturating_mul(i as u32 + 1));
                self.schedule(at, Pending { id: *id, rollout, step: *step });
            }
        }
    }

    /// The managed deployment called `name`, or why there is none.
    fn managed_id(&self, name: &str) -> Result<Uuid, LifecycleError> {
        let entry = self.get(name).ok_or(LifecycleError::NotFound)?;
        if entry.deployment.managed.is_none() {
            return Err(LifecycleError::SelfHosted(name.to_owned()));
        }
        Ok(entry.deployment.id)
    }

    fn managed_state(&self, id: Uuid) -> Result<ManagedDeploymentResponse, LifecycleError> {
        self.get_by_id(id)
            .and_then(|e| e.deployment.managed.clone())
            .ok_or(LifecycleError::NotFound)
    }

    /// Registers a managed deployment and starts its first rollout.
    pub(crate) fn create(
        &mut self,
        request: CreateDeploymentRequest,
        now: DateTime<Utc>,
    ) -> Result<ManagedDeploymentResponse, LifecycleError> {
        let name = String::from(request.name);
        if self.get(&name).is_some() {
            return Err(LifecycleError::Exists(name));
        }
        let id = self.rng.uuid();
        let service_id = format!("svc-{}", self.rng.hex(12));
        let hardened = request.hardened.unwrap_or(false);
        let credential = hardened.then(|| format!("cred-{}", self.rng.hex(12)));
        let spec = request.spec;
        let from_archive = spec.archive_id.is_some();
        let mut backend = spec.backend_spec.unwrap_or_default();
        backend.type_.get_or_insert(MistralCloudBackendType::MistralCloud);
        let managed = ManagedDeploymentResponse {
            created_at: now,
            created_by: Some(CALLER.to_owned()),
            deployed_at: None,
            deployed_by: None,
            is_hardened: hardened,
            name: name.clone(),
            resources: DeploymentResourceConfig {
                replicas: Some(request.resources.and_then(|r| r.replicas).unwrap_or(1)),
            },
            rollout_status: None,
            runtime_credential_id: credential.clone(),
            runtime_principal_type: credential.map(|_| PrincipalType::ServiceAccount),
            service_id,
            spec: DeploymentWorkerSpecResponse {
                archive_id: spec.archive_id,
                backend_spec: BackendSpec::MistralCloud(backend),
                commit: None,
                github_url: if from_archive {
                    String::new()
                } else {
                    spec.github_url.unwrap_or_default()
                },
                requested_roles: spec.requested_roles,
                restarted_at: None,
                revision: if from_archive { None } else { spec.revision },
                type_: "workflows_worker".to_owned(),
            },
            status: DeploymentObservedState {
                generation: Some(1),
                ..DeploymentObservedState::default()
            },
            stopped: false,
            updated_at: now,
            updated_by: Some(CALLER.to_owned()),
        };
        let deployment = DeploymentDetailResponse {
            active_worker_count: 0,
            created_at: now,
            id,
            is_active: false,
            is_hardened: hardened,
            last_heartbeat: Some(now),
            location: Some(managed_location()),
            locations: vec![LocationType::Managed],
            managed: Some(managed),
            name,
            owner: Some(CALLER.to_owned()),
            updated_at: now,
            worker_count: 0,
            workers: Vec::new(),
        };
        self.insert(Entry::new(deployment, Vec::new()));
        self.begin_rollout(id, now);
        self.managed_state(id)
    }

    /// Merges `request` into a managed deployment and starts a new rollout (unless it is
    /// stopped: the change then waits for `start`).
    pub(crate) fn update(
        &mut self,
        name: &str,
        request: UpdateDeploymentRequest,
        now: DateTime<Utc>,
    ) -> Result<ManagedDeploymentResponse, LifecycleError> {
        self.change_and_roll_out(name, now, |m| {
            merge(m, request);
            m.status.generation = Some(m.status.generation.unwrap_or(0) + 1);
        })
    }

    /// Applies `change` to a managed deployment, stamps who changed it and when, and starts a
    /// new rollout unless it is stopped (the change then waits for `start`).
    fn change_and_roll_out(
        &mut self,
        name: &str,
        now: DateTime<Utc>,
        change: impl FnOnce(&mut ManagedDeploymentResponse),
    ) -> Result<ManagedDeploymentResponse, LifecycleError> {
        let id = self.managed_id(name)?;
        let stopped = self.modify(id, |entry| {
            let Some(m) = entry.deployment.managed.as_mut() else { return true };
            change(m);
            m.updated_at = now;
            m.updated_by = Some(CALLER.to_owned());
            m.stopped
        });
        if stopped == Some(false) {
            self.begin_rollout(id, now);
        }
        self.managed_state(id)
    }

    /// Removes a managed deployment; the answer is its state as it is being deleted.
    pub(crate) fn delete(
        &mut self,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<ManagedDeploymentResponse, LifecycleError> {
        let id = self.managed_id(name)?;
        let entry = self.remove(id).ok_or(LifecycleError::NotFound)?;
        self.logs.remove(name);
        let mut managed = entry.deployment.managed.ok_or(LifecycleError::NotFound)?;
        managed.status.phase = Some("deleting".to_owned());
        managed.status.message = Some("Deployment is being deleted".to_owned());
        managed.status.last_seen = Some(now);
        managed.rollout_status = Some("deleting".to_owned());
        managed.updated_at = now;
        managed.updated_by = Some(CALLER.to_owned());
        Ok(managed)
    }

    /// Scales a managed deployment down to nothing. Stopping a stopped one changes nothing.
    pub(crate) fn stop(
        &mut self,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<ManagedDeploymentResponse, LifecycleError> {
        let id = self.managed_id(name)?;
        self.sequence += 1;
        let rollout = self.sequence;
        self.modify(id, |entry| {
            let d = &mut entry.deployment;
            let Some(m) = d.managed.as_mut() else { return };
            if m.stopped {
                return;
            }
            entry.rollout = rollout;
            m.stopped = true;
            m.updated_at = now;
            m.updated_by = Some(CALLER.to_owned());
            m.rollout_status = Some("stopped".to_owned());
            m.status.phase = Some("stopped".to_owned());
            m.status.message = Some("Stopped on request".to_owned());
            m.status.available_replicas = 0;
            m.status.ready_replicas = 0;
            m.status.last_seen = Some(now);
            stop_workers(d, now);
        });
        self.managed_state(id)
    }

    /// Brings a stopped managed deployment back (a new rollout). Starting a started one
    /// changes nothing.
    pub(crate) fn start(
        &mut self,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<ManagedDeploymentResponse, LifecycleError> {
        let id = self.managed_id(name)?;
        let was_stopped = self.modify(id, |entry| {
            let Some(m) = entry.deployment.managed.as_mut() else { return false };
            let was_stopped = m.stopped;
            if was_stopped {
                m.stopped = false;
                m.updated_at = now;
                m.updated_by = Some(CALLER.to_owned());
            }
            was_stopped
        });
        if was_stopped == Some(true) {
            self.begin_rollout(id, now);
        }
        self.managed_state(id)
    }

    /// Records `spec.restarted_at` and rolls the workers over. A stopped deployment only
    /// records the time: it stays stopped until started.
    pub(crate) fn restart(
        &mut self,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<ManagedDeploymentResponse, LifecycleError> {
        self.change_and_roll_out(name, now, |m| m.spec.restarted_at = Some(format_rfc3339(now)))
    }

    /// Clears the hardened flag of the deployment with this ID.
    pub(crate) fn unharden(
        &mut self,
        id: Uuid,
        workspace_id: Option<&str>,
    ) -> Result<(), LifecycleError> {
        if let Some(workspace) = workspace_id
            && Uuid::parse_str(workspace.trim()).ok() != Some(self.workspace_id)
        {
            return Err(LifecycleError::OtherWorkspace);
        }
        let entry = self.get_by_id(id).ok_or(LifecycleError::NotFound)?;
        let managed_hardened = entry.deployment.managed.as_ref().is_some_and(|m| m.is_hardened);
        if !entry.deployment.is_hardened && !managed_hardened {
            return Err(LifecycleError::NotHardened);
        }
        self.modify(id, |entry| {
            entry.deployment.is_hardened = false;
            if let Some(m) = entry.deployment.managed.as_mut() {
                m.is_hardened = false;
            }
        });
        Ok(())
    }

    /// Writes a runtime record for every active deployment at each tick of the live-log
    /// interval between the last settle and `now`.
    fn write_live_logs(&mut self, now: DateTime<Utc>) {
        let Some(interval) = self.config.live_logs else { return };
        let interval = interval.max(Duration::from_millis(1));
        // Only the ticks whose records would be kept matter.
        let kept = u32::try_from(logs::MAX_RECORDS).unwrap_or(u32::MAX);
        let horizon = chrono::Duration::from_std(interval.saturating_mul(kept))
            .ok()
            .and_then(|span| now.checked_sub_signed(span))
            .unwrap_or(DateTime::<Utc>::MIN_UTC);
        let Ok(step) = chrono::Duration::from_std(interval) else { return };
        let Some(mut tick) = self.live_logs_until.max(horizon).checked_add_signed(step) else {
            return;
        };
        if tick > now {
            return;
        }
        let names = self.active_names();
        const MESSAGES: [&str; 4] = [
            "Polling the task queue",
            "Workflow execution started",
            "Activity completed",
            "Workflow execution completed",
        ];
        let mut count = 0usize;
        while tick <= now {
            for name in &names {
                let worker = self.get(name).and_then(|e| {
                    e.deployment.workers.iter().find(|w| w.is_active).map(|w| w.name.clone())
                });
                let worker = worker.unwrap_or_default();
                let message = MESSAGES[count % MESSAGES.len()];
                let attributes =
                    [("deployment_name", name.as_str()), ("worker_name", worker.as_str())];
                let record = logs::record(tick, "INFO", message, &attributes);
                self.logs.push(name, &DeploymentLogType::Runtime, record);
                count += 1;
            }
            self.live_logs_until = tick;
            let Some(next) = tick.checked_add_signed(step) else { break };
            tick = next;
        }
    }
}

fn start_build(
    m: &mut ManagedDeploymentResponse,
    sha: &str,
    at: DateTime<Utc>,
) -> Vec<(DeploymentLogType, String)> {
    m.status.phase = Some("building".to_owned());
    m.status.message = Some("Building the image".to_owned());
    m.rollout_status = Some("building".to_owned());
    let from_archive = m.spec.archive_id.is_some();
    let mut state = build_state("building", "Building the image");
    state.started_at = Some(at);
    let source = if from_archive {
        let archive = m.spec.archive_id.clone().unwrap_or_default();
        format!("Unpacking archive {archive}")
    } else {
        state.commit_sha = Some(sha.to_owned());
        let revision = m.spec.revision.clone().unwrap_or_else(|| "the default branch".to_owned());
        m.spec.commit = Some(GitCommitMetadata {
            author: Some(GitCommitAuthor {
                html_url: Some("https://github.com/mock-user".to_owned()),
                name: Some("Mock User".to_owned()),
                username: Some("mock-user".to_owned()),
            }),
            html_url: Some(format!("{}/commit/{sha}", m.spec.github_url.trim_end_matches('/'))),
            message: Some("Update workflows".to_owned()),
            sha: sha.to_owned(),
        });
        format!("Cloning {} at {revision} ({})", m.spec.github_url, &sha[..sha.len().min(12)])
    };
    m.status.build_state = Some(state);
    let dockerfile = match &m.spec.backend_spec {
        BackendSpec::MistralCloud(DeploymentMistralCloudBackendSpec {
            dockerfile_path, ..
        }) => dockerfile_path.clone().unwrap_or_else(|| "Dockerfile".to_owned()),
        _ => "Dockerfile".to_owned(),
    };
    vec![
        (DeploymentLogType::Build, source),
        (DeploymentLogType::Build, format!("Building image from {dockerfile}")),
    ]
}

fn finish_build(
    m: &mut ManagedDeploymentResponse,
    at: DateTime<Utc>,
) -> Vec<(DeploymentLogType, String)> {
    let replicas = m.resources.replicas.unwrap_or(1);
    let mut state = m.status.build_state.clone().unwrap_or_default();
    let tag: String =
        state.commit_sha.clone().unwrap_or_else(|| "archive".to_owned()).chars().take(12).collect();
    let image = format!("registry.mock.invalid/{}:{tag}", m.name.to_ascii_lowercase());
    state.phase = Some("succeeded".to_owned());
    state.message = Some("Image built".to_owned());
    state.finished_at = Some(at);
    state.image = Some(image.clone());
    let revision = m
        .spec
        .revision
        .clone()
        .or_else(|| state.commit_sha.clone())
        .or_else(|| m.spec.archive_id.clone());
    m.status.build_state = Some(state);
    m.status.phase = Some("running".to_owned());
    m.status.message = None;
    m.status.available_replicas = replicas;
    m.status.ready_replicas = replicas;
    m.status.deployed_revision = revision;
    m.rollout_status = Some("completed".to_owned());
    m.deployed_at = Some(at);
    m.deployed_by = m.updated_by.clone().or_else(|| Some(CALLER.to_owned()));
    vec![(DeploymentLogType::Build, format!("Pushed {image}"))]
}

/// Merges an update into the managed state, by the rules of the API: fields left out keep
/// their value; `archive_id` drops `github_url` and `revision` (and `github_url` drops
/// `archive_id`); `requested_roles` and `backend_spec.secrets` replace the whole list.
fn merge(m: &mut ManagedDeploymentResponse, request: UpdateDeploymentRequest) {
    if let Some(replicas) = request.resources.and_then(|r| r.replicas) {
        m.resources.replicas = Some(replicas);
    }
    let Some(spec) = request.spec else { return };
    if let Some(archive_id) = spec.archive_id {
        m.spec.archive_id = Some(archive_id);
        m.spec.github_url = String::new();
        m.spec.revision = None;
        m.spec.commit = None;
    }
    if let Some(github_url) = spec.github_url {
        m.spec.github_url = github_url;
        m.spec.archive_id = None;
    }
    if let Some(revision) = spec.revision {
        m.spec.revision = Some(revision);
    }
    if let Some(roles) = spec.requested_roles {
        m.spec.requested_roles = Some(roles);
    }
    if let Some(update) = spec.backend_spec {
        let mut backend = match &m.spec.backend_spec {
            BackendSpec::MistralCloud(current) => current.clone(),
            // A Kubernetes backend is replaced by the Mistral Cloud one the update describes.
            _ => DeploymentMistralCloudBackendSpec::default(),
        };
        if update.type_.is_some() {
            backend.type_ = update.type_;
        }
        if update.build_directory.is_some() {
            backend.build_directory = update.build_directory;
        }
        if update.dockerfile_path.is_some() {
            backend.dockerfile_path = update.dockerfile_path;
        }
        if update.secrets.is_some() {
            backend.secrets = update.secrets;
        }
        backend.type_.get_or_insert(MistralCloudBackendType::MistralCloud);
        m.spec.backend_spec = BackendSpec::MistralCloud(backend);
    }
}
