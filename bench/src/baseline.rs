//! The baseline: what a user would write by hand with reqwest and serde_json, without the SDK.
//!
//! The structs carry every field the API sends, with the same Rust types as the generated
//! ones where the choice is obvious (UUIDs, timestamps, counts), so that the two sides decode
//! the same information. Enums are plain strings, which keeps unknown values as the generated
//! open enums do; the backend spec is one flat struct with the fields of both shapes.

use std::time::Duration;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use eventsource_stream::Eventsource;
use futures::{Stream, StreamExt, TryStreamExt};
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderValue};
use serde::Deserialize;
use uuid::Uuid;

use mistral_workflows::types::DeploymentLogRecord;

/// A page of deployments.
#[derive(Debug, Deserialize)]
pub struct ListResponse {
    /// The deployments of the page.
    pub deployments: Vec<Deployment>,
    /// The cursor of the next page.
    pub next_cursor: Option<String>,
    /// The workspace of the page.
    pub workspace_id: Uuid,
}

/// A deployment.
#[allow(missing_docs)]
#[derive(Debug, Deserialize)]
pub struct Deployment {
    pub id: Uuid,
    pub name: String,
    pub is_active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(default)]
    pub last_heartbeat: Option<DateTime<Utc>>,
    #[serde(default)]
    pub is_hardened: bool,
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub location: Option<Location>,
    #[serde(default)]
    pub worker_count: u64,
    #[serde(default)]
    pub active_worker_count: u64,
    #[serde(default)]
    pub locations: Vec<String>,
    #[serde(default)]
    pub managed: Option<Managed>,
}

/// Where a worker runs.
#[allow(missing_docs)]
#[derive(Debug, Deserialize)]
pub struct Location {
    pub location_type: String,
    #[serde(default)]
    pub k8s_cluster: Option<String>,
    #[serde(default)]
    pub k8s_namespace: Option<String>,
}

/// The managed state of a deployment.
#[allow(missing_docs)]
#[derive(Debug, Deserialize)]
pub struct Managed {
    pub service_id: String,
    pub name: String,
    pub spec: Spec,
    pub resources: Resources,
    pub status: Status,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(default)]
    pub stopped: bool,
    #[serde(default)]
    pub rollout_status: Option<String>,
    #[serde(default)]
    pub created_by: Option<String>,
    #[serde(default)]
    pub updated_by: Option<String>,
    #[serde(default)]
    pub deployed_by: Option<String>,
    #[serde(default)]
    pub deployed_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub is_hardened: bool,
    #[serde(default)]
    pub runtime_credential_id: Option<String>,
    #[serde(default)]
    pub runtime_principal_type: Option<String>,
}

/// What a managed deployment is built from.
#[allow(missing_docs)]
#[derive(Debug, Deserialize)]
pub struct Spec {
    pub github_url: String,
    pub backend_spec: Backend,
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub revision: Option<String>,
    #[serde(default)]
    pub archive_id: Option<String>,
    #[serde(default)]
    pub restarted_at: Option<String>,
    #[serde(default)]
    pub commit: Option<Commit>,
    #[serde(default)]
    pub requested_roles: Option<Vec<String>>,
}

/// Either backend shape, flattened: the fields of the other shape stay `None`.
#[allow(missing_docs)]
#[derive(Debug, Deserialize)]
pub struct Backend {
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub build_directory: Option<String>,
    #[serde(default)]
    pub dockerfile_path: Option<String>,
    #[serde(default)]
    pub secrets: Option<Vec<Secret>>,
    #[serde(default)]
    pub entrypoint: Option<String>,
    #[serde(default)]
    pub working_dir: Option<String>,
}

/// A secret bound to an environment variable.
#[allow(missing_docs)]
#[derive(Debug, Deserialize)]
pub struct Secret {
    pub env_var_name: String,
    pub reference: String,
}

/// The commit a deployment was built from.
#[allow(missing_docs)]
#[derive(Debug, Deserialize)]
pub struct Commit {
    pub sha: String,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub author: Option<Author>,
    #[serde(default)]
    pub html_url: Option<String>,
}

/// The author of a commit.
#[allow(missing_docs)]
#[derive(Debug, Deserialize)]
pub struct Author {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub html_url: Option<String>,
}

/// The replicas asked for.
#[allow(missing_docs)]
#[derive(Debug, Deserialize)]
pub struct Resources {
    #[serde(default)]
    pub replicas: Option<u64>,
}

/// The observed state of a managed deployment.
#[allow(missing_docs)]
#[derive(Debug, Deserialize)]
pub struct Status {
    #[serde(default)]
    pub phase: Option<String>,
    #[serde(default)]
    pub available_replicas: u64,
    #[serde(default)]
    pub ready_replicas: u64,
    #[serde(default)]
    pub endpoint: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub last_seen: Option<DateTime<Utc>>,
    #[serde(default)]
    pub deployed_revision: Option<String>,
    #[serde(default)]
    pub generation: Option<i64>,
    #[serde(default)]
    pub build_state: Option<BuildState>,
}

/// The state of the image build.
#[allow(missing_docs)]
#[derive(Debug, Deserialize)]
pub struct BuildState {
    #[serde(default)]
    pub phase: Option<String>,
    #[serde(default)]
    pub commit_sha: Option<String>,
    #[serde(default)]
    pub image: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub started_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub finished_at: Option<DateTime<Utc>>,
}

/// Why a baseline call failed. The benches only ever unwrap it.
#[derive(Debug)]
pub enum Error {
    /// The transport failed, or the server answered something other than 2xx.
    Http(reqwest::Error),
    /// The body did not decode.
    Json(serde_json::Error),
    /// The event stream was not valid.
    Sse(String),
    /// The client could not be configured.
    Config(String),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Http(e) => write!(f, "http: {e}"),
            Error::Json(e) => write!(f, "json: {e}"),
            Error::Sse(e) => write!(f, "sse: {e}"),
            Error::Config(e) => write!(f, "config: {e}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<reqwest::Error> for Error {
    fn from(e: reqwest::Error) -> Self {
        Error::Http(e)
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::Json(e)
    }
}

/// A hand-written client with the facade's settings: the same reqwest, no TLS (loopback),
/// a pooled keep-alive connection, the same user agent, connect timeout and per-call timeout,
/// no retries.
#[derive(Clone, Debug)]
pub struct Client {
    http: reqwest::Client,
    list_url: String,
    base_url: String,
    authorization: HeaderValue,
}

impl Client {
    /// A client of the server at `base_url` (no trailing slash).
    ///
    /// # Errors
    ///
    /// When reqwest cannot build its client.
    pub fn new(base_url: &str, api_key: &str) -> Result<Self, Error> {
        // The workspace's reqwest has rustls without a crypto provider, and refuses to build a
        // client until one is installed; the facade installs ring the same way.
        if rustls::crypto::CryptoProvider::get_default().is_none() {
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
        let http = reqwest::Client::builder()
            .user_agent(concat!("mistral-workflows-bench/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(10))
            .build()?;
        let mut authorization = HeaderValue::from_str(&format!("Bearer {api_key}"))
            .map_err(|e| Error::Config(e.to_string()))?;
        authorization.set_sensitive(true);
        Ok(Self {
            http,
            list_url: format!("{base_url}/v1/workflows/deployments"),
            base_url: base_url.to_owned(),
            authorization,
        })
    }

    /// One page of deployments.
    ///
    /// # Errors
    ///
    /// On a transport error, a non-2xx answer or a body that does not decode.
    pub async fn list(&self, limit: u32, cursor: Option<&str>) -> Result<ListResponse, Error> {
        let mut request = self
            .http
            .get(&self.list_url)
            .header(AUTHORIZATION, self.authorization.clone())
            .header(ACCEPT, HeaderValue::from_static("application/json"))
            .timeout(Duration::from_secs(60))
            .query(&[("limit", limit)]);
        if let Some(cursor) = cursor {
            request = request.query(&[("cursor", cursor)]);
        }
        let response = request.send().await?.error_for_status()?;
        let body = response.bytes().await?;
        Ok(serde_json::from_slice(&body)?)
    }

    /// Pages through every deployment, handing each one to `each`; returns how many there were.
    ///
    /// # Errors
    ///
    /// The first error of any page.
    pub async fn list_all(
        &self,
        limit: u32,
        mut each: impl FnMut(Deployment),
    ) -> Result<usize, Error> {
        let mut cursor: Option<String> = None;
        let mut count = 0;
        loop {
            let page = self.list(limit, cursor.as_deref()).await?;
            count += page.deployments.len();
            page.deployments.into_iter().for_each(&mut each);
            match page.next_cursor {
                Some(next) if !next.is_empty() => cursor = Some(next),
                _ => return Ok(count),
            }
        }
    }

    /// The log stream of `name`: `log` frames decoded into records, other frames skipped.
    ///
    /// # Errors
    ///
    /// When the connection cannot be opened; the stream's items carry later errors.
    pub async fn log_stream(
        &self,
        name: &str,
    ) -> Result<impl Stream<Item = Result<DeploymentLogRecord, Error>> + use<>, Error> {
        Ok(decode_log_events(self.log_bytes(name).await?))
    }

    /// [`log_stream`](Self::log_stream), with every chunk read from the socket cut into
    /// slices of at most `max` bytes before the SSE parser sees it. See [`reslice`].
    ///
    /// # Errors
    ///
    /// When the connection cannot be opened; the stream's items carry later errors.
    pub async fn log_stream_resliced(
        &self,
        name: &str,
        max: usize,
    ) -> Result<impl Stream<Item = Result<DeploymentLogRecord, Error>> + use<>, Error> {
        Ok(decode_log_events(reslice(self.log_bytes(name).await?, max)))
    }

    async fn log_bytes(
        &self,
        name: &str,
    ) -> Result<impl Stream<Item = reqwest::Result<Bytes>> + use<>, Error> {
        let url = format!("{}/v1/workflows/deployments/{name}/logs/stream", self.base_url);
        let response = self
            .http
            .get(url)
            .header(AUTHORIZATION, self.authorization.clone())
            .header(ACCEPT, HeaderValue::from_static("text/event-stream"))
            .send()
            .await?
            .error_for_status()?;
        Ok(response.bytes_stream())
    }
}

/// Cuts every chunk of a byte stream into slices of at most `max` bytes; copies nothing.
///
/// eventsource-stream 0.2 moves the rest of its buffer down after each line it parses, so a
/// line costs as much as the chunk it came in, and a 500 KiB read from a fast connection makes
/// parsing quadratic. Slicing bounds that cost at `max` bytes a line.
pub fn reslice<S, E>(bytes: S, max: usize) -> impl Stream<Item = Result<Bytes, E>>
where
    S: Stream<Item = Result<Bytes, E>>,
{
    let max = max.max(1);
    bytes.flat_map(move |chunk| {
        let slices: Vec<Result<Bytes, E>> = match chunk {
            Ok(chunk) => (0..chunk.len())
                .step_by(max)
                .map(|at| Ok(chunk.slice(at..(at + max).min(chunk.len()))))
                .collect(),
            Err(e) => vec![Err(e)],
        };
        futures::stream::iter(slices)
    })
}

/// eventsource-stream and serde_json alone over any byte stream: the `log` frames, decoded.
pub fn decode_log_events<S, B, E>(
    bytes: S,
) -> impl Stream<Item = Result<DeploymentLogRecord, Error>>
where
    S: Stream<Item = Result<B, E>>,
    B: AsRef<[u8]>,
    E: std::fmt::Display,
{
    bytes.eventsource().map_err(|e| Error::Sse(e.to_string())).try_filter_map(|event| async move {
        if event.event != "log" {
            return Ok(None);
        }
        Ok(Some(serde_json::from_str::<DeploymentLogRecord>(&event.data)?))
    })
}
