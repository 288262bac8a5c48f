//! The operations on deployments, one request builder each.

use std::time::Duration;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::client::{CallOptions, Client, Operation};
use crate::error::{Error, ErrorKind, Result};
use crate::log_stream::LogStreamBuilder;
use crate::pagination::{Page, Paginated};
use crate::retry::RetryPolicy;
use crate::types::{
    CreateDeploymentRequest, DeploymentArchiveResponse, DeploymentDetailResponse,
    DeploymentListResponse, DeploymentLogRecord, DeploymentLogSearchResponse, DeploymentLogType,
    DeploymentMistralCloudBackendSpec, DeploymentOrderBy, DeploymentResourceConfig,
    DeploymentResourceConfigUpdate, DeploymentResponse, DeploymentSecretBinding,
    DeploymentWorkerListResponse, DeploymentWorkerResponse, DeploymentWorkerSpecInput,
    LocationType, LogSortOrder, ManagedDeploymentResponse, MistralCloudBackendType, SortOrder,
    UpdateDeploymentRequest, WorkerStatus, WorkflowsWorkerSpecUpdate,
};
use crate::validate;

const BASE_PATH: &str = "/v1/workflows/deployments";

/// The per-call setters every request builder has.
macro_rules! call_options {
    () => {
        /// How this call is retried, instead of the client's policy.
        pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
            self.options.retry = Some(policy);
            self
        }

        /// The timeout of each attempt of this call, instead of the client's. `None` means
        /// no limit.
        pub fn timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
            self.options.timeout = Some(timeout.into());
            self
        }
    };
}

/// The deployments of a workspace. Get it from [`Client::deployments`].
#[derive(Clone, Debug)]
pub struct Deployments {
    client: Client,
}

impl Deployments {
    pub(crate) fn new(client: Client) -> Self {
        Self { client }
    }

    /// Lists deployments: one page with [`send`](ListDeployments::send), or every one with
    /// [`stream`](ListDeployments::stream).
    pub fn list(&self) -> ListDeployments {
        ListDeployments {
            client: self.client.clone(),
            params: ListParams::default(),
            options: CallOptions::default(),
        }
    }

    /// Gets one deployment by name, with its workers.
    pub fn get(&self, name: impl Into<String>) -> GetDeployment {
        GetDeployment {
            client: self.client.clone(),
            name: name.into(),
            workflow_name: None,
            options: CallOptions::default(),
        }
    }

    /// Creates a managed deployment, built from a GitHub repository or an uploaded archive.
    ///
    /// ```no_run
    /// # async fn run(client: mistral_workflows::Client) -> mistral_workflows::Result<()> {
    /// use mistral_workflows::Source;
    ///
    /// let created = client
    ///     .deployments()
    ///     .create("billing-worker", Source::github("https://github.com/acme/billing").revision("main"))
    ///     .replicas(2)
    ///     .secret("DATABASE_URL", "secret:workspace:BILLING_DB")
    ///     .send()
    ///     .await?;
    /// println!("{} is {:?}", created.name, created.status.phase);
    /// # Ok(()) }
    /// ```
    pub fn create(&self, name: impl Into<String>, source: impl Into<Source>) -> CreateDeployment {
        CreateDeployment {
            client: self.client.clone(),
            name: name.into(),
            source: source.into(),
            replicas: None,
            hardened: None,
            backend: BackendSettings::default(),
            requested_roles: None,
            options: CallOptions::default(),
        }
    }

    /// Changes a managed deployment and starts a new rollout. Only what is set is sent.
    pub fn update(&self, name: impl Into<String>) -> UpdateDeployment {
        UpdateDeployment {
            client: self.client.clone(),
            name: name.into(),
            github_url: None,
            revision: None,
            archive_id: None,
            replicas: None,
            backend: BackendSettings::default(),
            requested_roles: None,
            options: CallOptions::default(),
        }
    }

    /// Stops a managed deployment and removes it.
    pub fn delete(&self, name: impl Into<String>) -> LifecycleRequest {
        self.lifecycle(name, Lifecycle::Delete)
    }

    /// Stops a managed deployment: no replicas, configuration kept.
    pub fn stop(&self, name: impl Into<String>) -> LifecycleRequest {
        self.lifecycle(name, Lifecycle::Stop)
    }

    /// Starts a stopped managed deployment again.
    pub fn start(&self, name: impl Into<String>) -> LifecycleRequest {
        self.lifecycle(name, Lifecycle::Start)
    }

    /// Restarts the workers of a managed deployment, on the same revision.
    pub fn restart(&self, name: impl Into<String>) -> LifecycleRequest {
        self.lifecycle(name, Lifecycle::Restart)
    }

    fn lifecycle(&self, name: impl Into<String>, action: Lifecycle) -> LifecycleRequest {
        LifecycleRequest {
            client: self.client.clone(),
            name: name.into(),
            action,
            options: CallOptions::default(),
        }
    }

    /// Lists the workers of a deployment: one page, or every one with
    /// [`stream`](ListWorkers::stream).
    pub fn workers(&self, name: impl Into<String>) -> ListWorkers {
        ListWorkers {
            client: self.client.clone(),
            name: name.into(),
            worker_status: None,
            limit: None,
            cursor: None,
            options: CallOptions::default(),
        }
    }

    /// Searches the build or runtime logs of a deployment.
    pub fn logs(&self, name: impl Into<String>) -> SearchLogs {
        SearchLogs {
            client: self.client.clone(),
            name: name.into(),
            params: LogParams::default(),
            options: CallOptions::default(),
        }
    }

    /// Follows the logs of a deployment live, reconnecting and resuming on its own.
    pub fn log_stream(&self, name: impl Into<String>) -> LogStreamBuilder {
        LogStreamBuilder::new(self.client.clone(), name.into())
    }

    /// Gets the uploaded archive an archive-built managed deployment is built from.
    pub fn archive(&self, name: impl Into<String>) -> GetArchive {
        GetArchive {
            client: self.client.clone(),
            name: name.into(),
            options: CallOptions::default(),
        }
    }

    /// Clears the hardened flag of a deployment. Keyed by the deployment's ID, not its name.
    pub fn unharden(&self, deployment_id: Uuid) -> Unharden {
        Unharden {
            client: self.client.clone(),
            deployment_id,
            workspace_id: None,
            options: CallOptions::default(),
        }
    }
}

fn name_path(name: &str, suffix: &str) -> String {
    // Only called with validated names, whose characters never need escaping.
    format!("{BASE_PATH}/{name}{suffix}")
}

// ---------------------------------------------------------------------------------------------
// List

#[derive(Clone, Debug, Default)]
struct ListParams {
    active_only: Option<bool>,
    is_hardened: Option<bool>,
    workflow_name: Option<String>,
    created_by: Option<String>,
    owner: Option<String>,
    location_types: Option<Vec<LocationType>>,
    search: Option<String>,
    order_by: Option<DeploymentOrderBy>,
    order: Option<SortOrder>,
    limit: Option<u32>,
    cursor: Option<String>,
    workspace_id: Option<Uuid>,
    repository_url: Option<String>,
    dockerfile_path: Option<String>,
}

/// Lists deployments. Made by [`Deployments::list`].
///
/// Every filter is optional; what is not set is not sent, and the server's default applies.
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct ListDeployments {
    client: Client,
    params: ListParams,
    options: CallOptions,
}

impl ListDeployments {
    /// Keep only deployments with at least one live worker. The server's default is `true`.
    pub fn active_only(mut self, yes: bool) -> Self {
        self.params.active_only = Some(yes);
        self
    }

    /// Keep only deployments whose hardened status is `hardened`.
    pub fn is_hardened(mut self, hardened: bool) -> Self {
        self.params.is_hardened = Some(hardened);
        self
    }

    /// Keep only deployments that registered this workflow.
    pub fn workflow_name(mut self, name: impl Into<String>) -> Self {
        self.params.workflow_name = Some(name.into());
        self
    }

    /// Keep only deployments created by this principal.
    pub fn created_by(mut self, principal: impl Into<String>) -> Self {
        self.params.created_by = Some(principal.into());
        self
    }

    /// Keep only deployments owned by this principal.
    pub fn owner(mut self, principal: impl Into<String>) -> Self {
        self.params.owner = Some(principal.into());
        self
    }

    /// Keep only deployments with a worker in one of these kinds of location. Sent as a
    /// repeated `location_types` key.
    pub fn location_types(mut self, types: impl IntoIterator<Item = LocationType>) -> Self {
        self.params.location_types = Some(types.into_iter().collect());
        self
    }

    /// Keep only deployments whose name or ID starts with this.
    pub fn search(mut self, prefix: impl Into<String>) -> Self {
        self.params.search = Some(prefix.into());
        self
    }

    /// The field to sort on. When unset, active and managed deployments come first, then the
    /// rest by creation time.
    pub fn order_by(mut self, field: DeploymentOrderBy) -> Self {
        self.params.order_by = Some(field);
        self
    }

    /// The sort direction. The server's default is [`SortOrder::Desc`].
    pub fn order(mut self, order: SortOrder) -> Self {
        self.params.order = Some(order);
        self
    }

    /// The largest number of deployments in a page, from 1 to 100. Checked when sent.
    pub fn limit(mut self, limit: u32) -> Self {
        self.params.limit = Some(limit);
        self
    }

    /// Start from this cursor, the `next_cursor` of an earlier page.
    pub fn cursor(mut self, cursor: impl Into<String>) -> Self {
        self.params.cursor = Some(cursor.into());
        self
    }

    /// The workspace to list. The server's default is the workspace of the API key.
    pub fn workspace_id(mut self, id: Uuid) -> Self {
        self.params.workspace_id = Some(id);
        self
    }

    /// Keep only managed deployments built from this repository.
    pub fn repository_url(mut self, url: impl Into<String>) -> Self {
        self.params.repository_url = Some(url.into());
        self
    }

    /// Keep only managed deployments built with this Dockerfile path.
    pub fn dockerfile_path(mut self, path: impl Into<String>) -> Self {
        self.params.dockerfile_path = Some(path.into());
        self
    }

    call_options!();

    /// Sends the request and returns one page.
    ///
    /// # Errors
    ///
    /// [`InvalidInput`](ErrorKind::InvalidInput) for a limit outside `1..=100`, before any
    /// request; otherwise whatever the call met (see [`Error`]).
    pub async fn send(self) -> Result<DeploymentListResponse> {
        fetch_deployments(&self.client, &self.params, &self.options).await
    }

    /// Every deployment that matches, across pages. Pages are fetched lazily, one at a time,
    /// following `next_cursor` until it is null; each page is retried on its own.
    pub fn stream(self) -> Paginated<DeploymentResponse> {
        let Self { client, params, options } = self;
        Paginated::new(params.cursor.clone(), move |cursor| {
            let client = client.clone();
            let options = options.clone();
            let mut params = params.clone();
            params.cursor = cursor;
            async move {
                let page = fetch_deployments(&client, &params, &options).await?;
                Ok(Page { items: page.deployments, next_cursor: page.next_cursor })
            }
        })
    }
}

async fn fetch_deployments(
    client: &Client,
    p: &ListParams,
    options: &CallOptions,
) -> Result<DeploymentListResponse> {
    let limit = p.limit.map(validate::limit).transpose()?;
    let op = Operation {
        id: "list_deployments",
        method: "GET",
        idempotent: true,
        answer: "a deployment list",
    };
    client
        .execute(op, BASE_PATH, options, || {
            let mut r = client.api().list_deployments();
            if let Some(v) = p.active_only {
                r = r.active_only(v);
            }
            if let Some(v) = p.is_hardened {
                r = r.is_hardened(v);
            }
            if let Some(v) = &p.workflow_name {
                r = r.workflow_name(v.clone());
            }
            if let Some(v) = &p.created_by {
                r = r.created_by(v.clone());
            }
            if let Some(v) = &p.owner {
                r = r.owner(v.clone());
            }
            if let Some(v) = &p.location_types {
                r = r.location_types(v.clone());
            }
            if let Some(v) = &p.search {
                r = r.search(v.clone());
            }
            if let Some(v) = &p.order_by {
                r = r.order_by(v.clone());
            }
            if let Some(v) = &p.order {
                r = r.order(v.clone());
            }
            if let Some(v) = limit {
                r = r.limit(v);
            }
            if let Some(v) = &p.cursor {
                r = r.cursor(v.clone());
            }
            if let Some(v) = p.workspace_id {
                r = r.workspace_id(v);
            }
            if let Some(v) = &p.repository_url {
                r = r.repository_url(v.clone());
            }
            if let Some(v) = &p.dockerfile_path {
                r = r.dockerfile_path(v.clone());
            }
            r.send()
        })
        .await
}

// ---------------------------------------------------------------------------------------------
// Get

/// Gets one deployment with its workers. Made by [`Deployments::get`].
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct GetDeployment {
    client: Client,
    name: String,
    workflow_name: Option<String>,
    options: CallOptions,
}

impl GetDeployment {
    /// Scope the serving status to this workflow.
    pub fn workflow_name(mut self, name: impl Into<String>) -> Self {
        self.workflow_name = Some(name.into());
        self
    }

    call_options!();

    /// Sends the request.
    ///
    /// # Errors
    ///
    /// [`InvalidInput`](ErrorKind::InvalidInput) for a bad name, before any request; an
    /// [`Api`](ErrorKind::Api) error with status 404 for an unknown deployment.
    pub async fn send(self) -> Result<DeploymentDetailResponse> {
        validate::deployment_name(&self.name)?;
        let op = Operation {
            id: "get_deployment",
            method: "GET",
            idempotent: true,
            answer: "a deployment",
        };
        let path = name_path(&self.name, "");
        let Self { client, name, workflow_name, options } = &self;
        client
            .execute(op, &path, options, || {
                let mut r = client.api().get_deployment().name(name.as_str());
                if let Some(v) = workflow_name {
                    r = r.workflow_name(v.clone());
                }
                r.send()
            })
            .await
    }
}

// ---------------------------------------------------------------------------------------------
// Create and update

/// Where a managed deployment's image is built from: a GitHub repository or an uploaded
/// archive, never both.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Source {
    /// A GitHub repository, at a revision or its default branch.
    GitHub(GitHubSource),
    /// An uploaded archive, by ID.
    Archive(String),
}

impl Source {
    /// A GitHub repository, such as `https://github.com/acme/billing`. Add
    /// [`revision`](GitHubSource::revision) to pin a branch, tag or commit.
    pub fn github(url: impl Into<String>) -> GitHubSource {
        GitHubSource { url: url.into(), revision: None }
    }

    /// An uploaded archive, by ID.
    pub fn archive(id: impl Into<String>) -> Source {
        Source::Archive(id.into())
    }
}

/// A GitHub repository to build from. Made by [`Source::github`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GitHubSource {
    url: String,
    revision: Option<String>,
}

impl GitHubSource {
    /// The branch, tag or commit to build. Default is the repository's default branch.
    pub fn revision(mut self, revision: impl Into<String>) -> Self {
        self.revision = Some(revision.into());
        self
    }
}

impl From<GitHubSource> for Source {
    fn from(source: GitHubSource) -> Self {
        Source::GitHub(source)
    }
}

/// The Mistral Cloud backend settings of a create or an update.
#[derive(Clone, Debug, Default)]
struct BackendSettings {
    backend_type: Option<MistralCloudBackendType>,
    build_directory: Option<String>,
    dockerfile_path: Option<String>,
    secrets: Option<Vec<(String, String)>>,
}

impl BackendSettings {
    /// The `backend_spec` to send, or `None` when nothing was set.
    fn to_wire(&self) -> Result<Option<DeploymentMistralCloudBackendSpec>> {
        let secrets = match &self.secrets {
            None => None,
            Some(list) => Some(
                list.iter()
                    .map(|(env, reference)| {
                        validate::env_var_name(env)?;
                        validate::secret_reference(reference)?;
                        Ok(DeploymentSecretBinding {
                            env_var_name: env.clone(),
                            reference: reference.clone(),
                        })
                    })
                    .collect::<Result<Vec<_>>>()?,
            ),
        };
        let spec = DeploymentMistralCloudBackendSpec {
            type_: self.backend_type.clone(),
            build_directory: self.build_directory.clone(),
            dockerfile_path: self.dockerfile_path.clone(),
            secrets,
        };
        let empty = spec.type_.is_none()
            && spec.build_directory.is_none()
            && spec.dockerfile_path.is_none()
            && spec.secrets.is_none();
        Ok((!empty).then_some(spec))
    }
}

/// The setters of the Mistral Cloud backend, shared by create and update.
macro_rules! backend_setters {
    () => {
        /// The hosting backend. The server's default is
        /// [`MistralCloudBackendType::MistralCloud`].
        pub fn backend_type(mut self, backend: MistralCloudBackendType) -> Self {
            self.backend.backend_type = Some(backend);
            self
        }

        /// The directory of the repository or archive to build in.
        pub fn build_directory(mut self, dir: impl Into<String>) -> Self {
            self.backend.build_directory = Some(dir.into());
            self
        }

        /// The Dockerfile, relative to the build directory.
        pub fn dockerfile_path(mut self, path: impl Into<String>) -> Self {
            self.backend.dockerfile_path = Some(path.into());
            self
        }

        /// Binds a workspace secret to an environment variable of the workers. `reference` is
        /// written `secret:workspace:<NAME>`; it is checked when the request is sent. Call
        /// again for more bindings.
        pub fn secret(
            mut self,
            env_var_name: impl Into<String>,
            reference: impl Into<String>,
        ) -> Self {
            self.backend
                .secrets
                .get_or_insert_with(Vec::new)
                .push((env_var_name.into(), reference.into()));
            self
        }
    };
}

/// Creates a managed deployment. Made by [`Deployments::create`].
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct CreateDeployment {
    client: Client,
    name: String,
    source: Source,
    replicas: Option<u32>,
    hardened: Option<bool>,
    backend: BackendSettings,
    requested_roles: Option<Vec<String>>,
    options: CallOptions,
}

impl CreateDeployment {
    /// How many workers run. Default is the server's.
    pub fn replicas(mut self, replicas: u32) -> Self {
        self.replicas = Some(replicas);
        self
    }

    /// Whether only authorized principals may register workers. The server's default is
    /// `false`; the field is sent only when set.
    pub fn hardened(mut self, hardened: bool) -> Self {
        self.hardened = Some(hardened);
        self
    }

    backend_setters!();

    /// The roles the deployment's runtime credential asks for.
    pub fn requested_roles<S: Into<String>>(mut self, roles: impl IntoIterator<Item = S>) -> Self {
        self.requested_roles = Some(roles.into_iter().map(Into::into).collect());
        self
    }

    call_options!();

    /// The request body this builder sends, after the checks that [`send`](Self::send) makes.
    ///
    /// # Errors
    ///
    /// As [`send`](Self::send), for the checks made before the network.
    pub fn to_request(&self) -> Result<CreateDeploymentRequest> {
        validate::deployment_name(&self.name)?;
        let (github_url, revision, archive_id) = match &self.source {
            Source::GitHub(gh) => (Some(gh.url.clone()), gh.revision.clone(), None),
            Source::Archive(id) => (None, None, Some(id.clone())),
        };
        if github_url.as_deref().is_some_and(|u| u.trim().is_empty())
            || archive_id.as_deref().is_some_and(|a| a.trim().is_empty())
        {
            return Err(Error::invalid_input("the source of a deployment must not be empty"));
        }
        let name = self.name.as_str().try_into().map_err(|e| {
            Error::invalid_input(format!("invalid deployment name {:?}: {e}", self.name))
        })?;
        Ok(CreateDeploymentRequest {
            name,
            spec: DeploymentWorkerSpecInput {
                github_url,
                revision,
                archive_id,
                backend_spec: self.backend.to_wire()?,
                requested_roles: self.requested_roles.clone(),
            },
            resources: self.replicas.map(|r| DeploymentResourceConfig { replicas: Some(r.into()) }),
            hardened: self.hardened,
        })
    }

    /// Sends the request. The answer is the managed state right after the request was taken:
    /// the build and the rollout go on afterwards.
    ///
    /// Not retried once the request may have reached the server, unless the retry policy says
    /// [`retry_non_idempotent`](RetryPolicy::retry_non_idempotent).
    ///
    /// # Errors
    ///
    /// [`InvalidInput`](ErrorKind::InvalidInput) for a bad name, an empty source or a
    /// malformed secret, before any request; [`Validation`](ErrorKind::Validation) when the
    /// server refuses the body; an [`Api`](ErrorKind::Api) error with status 409 when the
    /// name is taken.
    pub async fn send(self) -> Result<ManagedDeploymentResponse> {
        let body = self.to_request()?;
        let op = Operation {
            id: "create_deployment",
            method: "POST",
            idempotent: false,
            answer: "a managed deployment",
        };
        let client = &self.client;
        client
            .execute(op, BASE_PATH, &self.options, || {
                client.api().create_deployment().body(body.clone()).send()
            })
            .await
    }
}

/// Changes a managed deployment. Made by [`Deployments::update`].
///
/// Only what is set is sent; everything else keeps its value on the server. A list setter
/// replaces the whole list, and its `clear_` twin sends `[]` to remove every entry.
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct UpdateDeployment {
    client: Client,
    name: String,
    github_url: Option<String>,
    revision: Option<String>,
    archive_id: Option<String>,
    replicas: Option<u32>,
    backend: BackendSettings,
    requested_roles: Option<Vec<String>>,
    options: CallOptions,
}

impl UpdateDeployment {
    /// Build from this GitHub repository.
    pub fn github_url(mut self, url: impl Into<String>) -> Self {
        self.github_url = Some(url.into());
        self
    }

    /// Build this branch, tag or commit.
    pub fn revision(mut self, revision: impl Into<String>) -> Self {
        self.revision = Some(revision.into());
        self
    }

    /// Build from this uploaded archive instead. The server then drops the GitHub URL and
    /// revision, so neither may be set in the same update.
    pub fn archive_id(mut self, id: impl Into<String>) -> Self {
        self.archive_id = Some(id.into());
        self
    }

    /// How many workers run.
    pub fn replicas(mut self, replicas: u32) -> Self {
        self.replicas = Some(replicas);
        self
    }

    backend_setters!();

    /// Replace the secret bindings with none: sends `secrets: []`.
    pub fn clear_secrets(mut self) -> Self {
        self.backend.secrets = Some(Vec::new());
        self
    }

    /// Replace the requested roles with these.
    pub fn requested_roles<S: Into<String>>(mut self, roles: impl IntoIterator<Item = S>) -> Self {
        self.requested_roles = Some(roles.into_iter().map(Into::into).collect());
        self
    }

    /// Remove every requested role: sends `requested_roles: []`.
    pub fn clear_requested_roles(mut self) -> Self {
        self.requested_roles = Some(Vec::new());
        self
    }

    call_options!();

    /// The request body this builder sends, after the checks that [`send`](Self::send) makes.
    ///
    /// # Errors
    ///
    /// As [`send`](Self::send), for the checks made before the network.
    pub fn to_request(&self) -> Result<UpdateDeploymentRequest> {
        validate::deployment_name(&self.name)?;
        if self.archive_id.is_some() && (self.github_url.is_some() || self.revision.is_some()) {
            return Err(Error::invalid_input(
                "an update sets either archive_id or github_url and revision, not both: \
                 setting archive_id drops the GitHub source",
            ));
        }
        let backend_spec = self.backend.to_wire()?;
        let spec_set = self.github_url.is_some()
            || self.revision.is_some()
            || self.archive_id.is_some()
            || backend_spec.is_some()
            || self.requested_roles.is_some();
        let spec = spec_set.then(|| WorkflowsWorkerSpecUpdate {
            github_url: self.github_url.clone(),
            revision: self.revision.clone(),
            archive_id: self.archive_id.clone(),
            backend_spec,
            requested_roles: self.requested_roles.clone(),
        });
        let resources =
            self.replicas.map(|r| DeploymentResourceConfigUpdate { replicas: Some(r.into()) });
        Ok(UpdateDeploymentRequest { spec, resources })
    }

    /// Sends the request. The answer is the managed state once the change was taken; the new
    /// rollout goes on afterwards.
    ///
    /// Not retried once the request may have reached the server, unless the retry policy says
    /// [`retry_non_idempotent`](RetryPolicy::retry_non_idempotent).
    ///
    /// # Errors
    ///
    /// [`InvalidInput`](ErrorKind::InvalidInput) for a bad name, both sources at once, or a
    /// malformed secret, before any request; otherwise what the call met.
    pub async fn send(self) -> Result<ManagedDeploymentResponse> {
        let body = self.to_request()?;
        let op = Operation {
            id: "update_deployment",
            method: "PATCH",
            idempotent: false,
            answer: "a managed deployment",
        };
        let path = name_path(&self.name, "");
        let Self { client, name, options, .. } = &self;
        client
            .execute(op, &path, options, || {
                client.api().update_deployment().name(name.as_str()).body(body.clone()).send()
            })
            .await
    }
}

// ---------------------------------------------------------------------------------------------
// Delete, stop, start, restart

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Lifecycle {
    Delete,
    Stop,
    Start,
    Restart,
}

/// Deletes, stops, starts or restarts a managed deployment. Made by [`Deployments::delete`],
/// [`stop`](Deployments::stop), [`start`](Deployments::start) and
/// [`restart`](Deployments::restart).
///
/// Each is asynchronous on the server: the answer (`202 Accepted`) is the managed state as it
/// is when the request was taken. Sending one twice has the effect of sending it once, so they
/// are retried like reads.
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct LifecycleRequest {
    client: Client,
    name: String,
    action: Lifecycle,
    options: CallOptions,
}

impl LifecycleRequest {
    call_options!();

    /// Sends the request.
    ///
    /// # Errors
    ///
    /// [`InvalidInput`](ErrorKind::InvalidInput) for a bad name, before any request; an
    /// [`Api`](ErrorKind::Api) error with status 404 for an unknown deployment.
    pub async fn send(self) -> Result<ManagedDeploymentResponse> {
        validate::deployment_name(&self.name)?;
        let (id, method, suffix) = match self.action {
            Lifecycle::Delete => ("delete_deployment", "DELETE", ""),
            Lifecycle::Stop => ("stop_deployment", "POST", "/stop"),
            Lifecycle::Start => ("start_deployment", "POST", "/start"),
            Lifecycle::Restart => ("restart_deployment", "POST", "/restart"),
        };
        let op = Operation { id, method, idempotent: true, answer: "a managed deployment" };
        let path = name_path(&self.name, suffix);
        let Self { client, name, action, options } = &self;
        let api = client.api();
        let name = name.as_str();
        client
            .execute(op, &path, options, || async move {
                match action {
                    Lifecycle::Delete => api.delete_deployment().name(name).send().await,
                    Lifecycle::Stop => api.stop_deployment().name(name).send().await,
                    Lifecycle::Start => api.start_deployment().name(name).send().await,
                    Lifecycle::Restart => api.restart_deployment().name(name).send().await,
                }
            })
            .await
    }
}

// ---------------------------------------------------------------------------------------------
// Workers

/// Lists the workers of a deployment. Made by [`Deployments::workers`].
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct ListWorkers {
    client: Client,
    name: String,
    worker_status: Option<WorkerStatus>,
    limit: Option<u32>,
    cursor: Option<String>,
    options: CallOptions,
}

impl ListWorkers {
    /// Keep only workers in this state.
    pub fn worker_status(mut self, status: WorkerStatus) -> Self {
        self.worker_status = Some(status);
        self
    }

    /// The largest number of workers in a page, from 1 to 100. The server's default is 50.
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Start from this cursor, the `next_cursor` of an earlier page.
    pub fn cursor(mut self, cursor: impl Into<String>) -> Self {
        self.cursor = Some(cursor.into());
        self
    }

    call_options!();

    /// Sends the request and returns one page.
    ///
    /// # Errors
    ///
    /// [`InvalidInput`](ErrorKind::InvalidInput) for a bad name or limit, before any request.
    pub async fn send(self) -> Result<DeploymentWorkerListResponse> {
        fetch_workers(&self, self.cursor.clone()).await
    }

    /// Every worker, across pages, fetched lazily. The status filter and the limit are sent
    /// again with each cursor, as the API asks.
    pub fn stream(self) -> Paginated<DeploymentWorkerResponse> {
        let first = self.cursor.clone();
        Paginated::new(first, move |cursor| {
            let this = self.clone();
            async move {
                let page = fetch_workers(&this, cursor).await?;
                Ok(Page { items: page.workers, next_cursor: page.next_cursor })
            }
        })
    }
}

async fn fetch_workers(
    req: &ListWorkers,
    cursor: Option<String>,
) -> Result<DeploymentWorkerListResponse> {
    validate::deployment_name(&req.name)?;
    let limit = req.limit.map(validate::limit).transpose()?;
    let op = Operation {
        id: "list_deployment_workers",
        method: "GET",
        idempotent: true,
        answer: "a worker list",
    };
    let path = name_path(&req.name, "/workers");
    let client = &req.client;
    client
        .execute(op, &path, &req.options, || {
            let mut r = client.api().list_deployment_workers().name(req.name.as_str());
            if let Some(v) = &req.worker_status {
                r = r.worker_status(v.clone());
            }
            if let Some(v) = limit {
                r = r.limit(v);
            }
            if let Some(v) = &cursor {
                r = r.cursor(v.clone());
            }
            r.send()
        })
        .await
}

// ---------------------------------------------------------------------------------------------
// Log search

#[derive(Clone, Debug, Default)]
struct LogParams {
    log_type: Option<DeploymentLogType>,
    worker_name: Option<String>,
    workflow_name: Option<String>,
    after: Option<DateTime<Utc>>,
    before: Option<DateTime<Utc>>,
    order: Option<LogSortOrder>,
    limit: Option<u32>,
    cursor: Option<String>,
}

/// Searches the logs of a deployment. Made by [`Deployments::logs`].
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct SearchLogs {
    client: Client,
    name: String,
    params: LogParams,
    options: CallOptions,
}

impl SearchLogs {
    /// Build logs or runtime logs.
    pub fn log_type(mut self, log_type: DeploymentLogType) -> Self {
        self.params.log_type = Some(log_type);
        self
    }

    /// Keep only records of this worker.
    pub fn worker_name(mut self, name: impl Into<String>) -> Self {
        self.params.worker_name = Some(name.into());
        self
    }

    /// Keep only records of this workflow.
    pub fn workflow_name(mut self, name: impl Into<String>) -> Self {
        self.params.workflow_name = Some(name.into());
        self
    }

    /// Keep only records after this instant.
    pub fn after(mut self, instant: DateTime<Utc>) -> Self {
        self.params.after = Some(instant);
        self
    }

    /// Keep only records before this instant.
    pub fn before(mut self, instant: DateTime<Utc>) -> Self {
        self.params.before = Some(instant);
        self
    }

    /// Sort by timestamp in this direction. The server's default is [`LogSortOrder::Asc`].
    /// Ignored by the server when a cursor is sent: the cursor remembers the first request's.
    pub fn order(mut self, order: LogSortOrder) -> Self {
        self.params.order = Some(order);
        self
    }

    /// The largest number of records in a page, from 1 to 100. The server's default is 50.
    pub fn limit(mut self, limit: u32) -> Self {
        self.params.limit = Some(limit);
        self
    }

    /// Continue from this cursor, the `next_cursor` of an earlier page.
    pub fn cursor(mut self, cursor: impl Into<String>) -> Self {
        self.params.cursor = Some(cursor.into());
        self
    }

    call_options!();

    /// Sends the request and returns one page.
    ///
    /// # Errors
    ///
    /// [`InvalidInput`](ErrorKind::InvalidInput) for a bad name or limit, or `after` later
    /// than `before`, before any request.
    pub async fn send(self) -> Result<DeploymentLogSearchResponse> {
        fetch_logs(&self.client, &self.name, &self.params, &self.options).await
    }

    /// Every matching record, across pages, fetched lazily. The first request sets the window
    /// and the order, which the cursor remembers: later pages send the cursor with the filters
    /// (`log_type`, `worker_name`, `workflow_name`) and the limit, not the window or the order.
    pub fn stream(self) -> Paginated<DeploymentLogRecord> {
        let Self { client, name, params, options } = self;
        let first = params.cursor.clone();
        Paginated::new(first.clone(), move |cursor| {
            let client = client.clone();
            let name = name.clone();
            let options = options.clone();
            let params = match &cursor {
                // The first page: everything the caller set.
                c if *c == first => params.clone(),
                // Later pages: the cursor carries the window and the order. The API does not say
                // it carries the filters, so they are sent again, as for workers.
                _ => LogParams {
                    log_type: params.log_type.clone(),
                    worker_name: params.worker_name.clone(),
                    workflow_name: params.workflow_name.clone(),
                    limit: params.limit,
                    cursor,
                    ..LogParams::default()
                },
            };
            async move {
                let page = fetch_logs(&client, &name, &params, &options).await?;
                Ok(Page { items: page.results, next_cursor: page.next_cursor })
            }
        })
    }
}

async fn fetch_logs(
    client: &Client,
    name: &str,
    p: &LogParams,
    options: &CallOptions,
) -> Result<DeploymentLogSearchResponse> {
    validate::deployment_name(name)?;
    let limit = p.limit.map(validate::limit).transpose()?;
    if let (Some(after), Some(before)) = (p.after, p.before)
        && after > before
    {
        return Err(Error::invalid_input(format!(
            "the log window is empty: after ({after}) is later than before ({before})"
        )));
    }
    let op = Operation {
        id: "search_deployment_logs",
        method: "GET",
        idempotent: true,
        answer: "a page of log records",
    };
    let path = name_path(name, "/logs");
    client
        .execute(op, &path, options, || {
            let mut r = client.api().search_deployment_logs().name(name);
            if let Some(v) = &p.log_type {
                r = r.log_type(v.clone());
            }
            if let Some(v) = &p.worker_name {
                r = r.worker_name(v.clone());
            }
            if let Some(v) = &p.workflow_name {
                r = r.workflow_name(v.clone());
            }
            if let Some(v) = p.after {
                r = r.after(v);
            }
            if let Some(v) = p.before {
                r = r.before(v);
            }
            if let Some(v) = &p.order {
                r = r.order(v.clone());
            }
            if let Some(v) = limit {
                r = r.limit(v);
            }
            if let Some(v) = &p.cursor {
                r = r.cursor(v.clone());
            }
            r.send()
        })
        .await
}

// ---------------------------------------------------------------------------------------------
// Archive and unharden

/// Gets the uploaded archive of a managed deployment. Made by [`Deployments::archive`].
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct GetArchive {
    client: Client,
    name: String,
    options: CallOptions,
}

impl GetArchive {
    call_options!();

    /// Sends the request.
    ///
    /// # Errors
    ///
    /// An [`Api`](ErrorKind::Api) error with status 404 when the deployment does not exist or
    /// is built from a repository rather than an archive; the message says so.
    pub async fn send(self) -> Result<DeploymentArchiveResponse> {
        validate::deployment_name(&self.name)?;
        let op = Operation {
            id: "get_deployment_archive",
            method: "GET",
            idempotent: true,
            answer: "a deployment archive",
        };
        let path = name_path(&self.name, "/archive");
        let Self { client, name, options } = &self;
        let result = client
            .execute(op, &path, options, || {
                client.api().get_deployment_archive().name(name.as_str()).send()
            })
            .await;
        result.map_err(|e| {
            if e.kind() == &ErrorKind::Api && e.status() == Some(reqwest::StatusCode::NOT_FOUND) {
                e.with_hint(
                    "no archive: the deployment does not exist, or it is built from a \
                     repository rather than an uploaded archive",
                )
            } else {
                e
            }
        })
    }
}

/// Clears the hardened flag of a deployment. Made by [`Deployments::unharden`].
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct Unharden {
    client: Client,
    deployment_id: Uuid,
    workspace_id: Option<String>,
    options: CallOptions,
}

impl Unharden {
    /// The workspace of the deployment.
    pub fn workspace_id(mut self, id: impl Into<String>) -> Self {
        self.workspace_id = Some(id.into());
        self
    }

    call_options!();

    /// Sends the request; `Ok(())` on `204 No Content`.
    ///
    /// # Errors
    ///
    /// [`Api`](ErrorKind::Api) errors for 403 (not allowed), 404 (no such deployment) and 409
    /// (not hardened), with the body the server sent.
    pub async fn send(self) -> Result<()> {
        let op = Operation {
            id: "unharden_deployment",
            method: "POST",
            idempotent: true,
            answer: "an empty answer",
        };
        let path = format!("{BASE_PATH}/{}/unharden", self.deployment_id);
        let Self { client, deployment_id, workspace_id, options } = &self;
        client
            .execute(op, &path, options, || {
                let mut r = client.api().unharden_deployment().deployment_id(*deployment_id);
                if let Some(v) = workspace_id {
                    r = r.workspace_id(v.clone());
                }
                r.send()
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> Client {
        Client::builder().api_key("k").base_url("http://127.0.0.1:9").build().unwrap()
    }

    #[test]
    fn create_sends_only_what_was_set() {
        let body = client()
            .deployments()
            .create("app", Source::github("https://github.com/acme/app"))
            .to_request()
            .unwrap();
        let json = serde_json::to_value(&body).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"name": "app", "spec": {"github_url": "https://github.com/acme/app"}})
        );
    }

    #[test]
    fn update_distinguishes_unchanged_from_cleared() {
        let d = client().deployments();
        let unchanged =
            serde_json::to_value(d.update("app").replicas(2).to_request().unwrap()).unwrap();
        assert_eq!(unchanged, serde_json::json!({"resources": {"replicas": 2}}));

        let cleared = d.update("app").clear_requested_roles().clear_secrets().to_request().unwrap();
        assert_eq!(
            serde_json::to_value(cleared).unwrap(),
            serde_json::json!({"spec": {"requested_roles": [], "backend_spec": {"secrets": []}}})
        );
    }

    #[test]
    fn update_refuses_both_sources() {
        let err = client().deployments().update("app").archive_id("a").revision("r").to_request();
        assert_eq!(err.unwrap_err().kind(), &ErrorKind::InvalidInput);
    }

    #[test]
    fn malformed_secret_is_refused() {
        let err = client()
            .deployments()
            .create("app", Source::archive("arch"))
            .secret("TOKEN", "TOKEN")
            .to_request()
            .unwrap_err();
        assert!(err.to_string().contains("secret:workspace:"), "{err}");
    }
}
