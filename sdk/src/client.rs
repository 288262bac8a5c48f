//! The client, its configuration, and how one call is carried out.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use progenitor_client::ResponseValue;

use crate::deployments::Deployments;
use crate::error::{Error, Result, from_generated};
use crate::retry::{RetryBudget, RetryPolicy};
use crate::types::HttpValidationError;

/// The environment variable that holds the API key.
pub const API_KEY_ENV: &str = "MISTRAL_API_KEY";
/// The environment variable that, when set, overrides the base URL.
pub const BASE_URL_ENV: &str = "MISTRAL_BASE_URL";

/// The default per-call timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The default connect timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The servers of the API.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Server {
    /// `https://api.mistral.ai`, the default.
    #[default]
    Global,
    /// `https://api.eu.mistral.ai`, in the European Union.
    Eu,
    /// `https://api.us.mistral.ai`, in the United States.
    Us,
}

impl Server {
    /// The base URL of the server.
    pub fn base_url(self) -> &'static str {
        match self {
            Server::Global => "https://api.mistral.ai",
            Server::Eu => "https://api.eu.mistral.ai",
            Server::Us => "https://api.us.mistral.ai",
        }
    }
}

impl std::str::FromStr for Server {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        match text.to_ascii_lowercase().as_str() {
            "global" => Ok(Server::Global),
            "eu" => Ok(Server::Eu),
            "us" => Ok(Server::Us),
            other => {
                Err(Error::config(format!("unknown server {other:?}: expected global, eu or us")))
            }
        }
    }
}

/// A client of the Workflows Deployments API.
///
/// Cheap to clone: clones share the connection pool and the retry budget. Build one with
/// [`Client::from_env`] or [`Client::builder`], then start from
/// [`deployments`](Client::deployments).
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) api: mistral_workflows_gen::Client,
    pub(crate) base_url: String,
    pub(crate) timeout: Option<Duration>,
    pub(crate) retry: RetryPolicy,
    pub(crate) budget: RetryBudget,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The generated client's `Debug` redacts the key too; this one does not print it at all.
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("timeout", &self.inner.timeout)
            .field("retry", &self.inner.retry)
            .field("api_key", &"<redacted>")
            .finish()
    }
}

impl Client {
    /// A client configured from the environment: the key from `MISTRAL_API_KEY` and, when
    /// set, the base URL from `MISTRAL_BASE_URL`. Everything else has its default.
    ///
    /// # Errors
    ///
    /// A [`Config`](crate::ErrorKind::Config) error when `MISTRAL_API_KEY` is unset or empty,
    /// or when `MISTRAL_BASE_URL` is not a usable URL.
    pub fn from_env() -> Result<Client> {
        Self::builder_from_env()?.build()
    }

    /// A builder preset from the environment, as [`from_env`](Client::from_env) reads it, for
    /// changing more settings before [`build`](ClientBuilder::build).
    ///
    /// # Errors
    ///
    /// A [`Config`](crate::ErrorKind::Config) error when `MISTRAL_API_KEY` is unset or empty.
    pub fn builder_from_env() -> Result<ClientBuilder> {
        let key = std::env::var(API_KEY_ENV).unwrap_or_default();
        if key.trim().is_empty() {
            return Err(Error::config(format!("{API_KEY_ENV} is not set")));
        }
        let mut builder = Client::builder().api_key(key);
        if let Ok(url) = std::env::var(BASE_URL_ENV)
            && !url.trim().is_empty()
        {
            builder = builder.base_url(url.trim());
        }
        Ok(builder)
    }

    /// A builder with every setting at its default.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The deployments of the workspace: list, get, create, update, and the rest.
    pub fn deployments(&self) -> Deployments {
        Deployments::new(self.clone())
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The retry budget shared by the calls of this client and its clones.
    pub fn retry_budget(&self) -> &RetryBudget {
        &self.inner.budget
    }

    pub(crate) fn api(&self) -> &mistral_workflows_gen::Client {
        &self.inner.api
    }
}

/// Configuration of a [`Client`].
///
/// Setters never fail; a problem is kept and returned by [`build`](ClientBuilder::build).
#[derive(Default)]
pub struct ClientBuilder {
    api_key: Option<String>,
    server: Server,
    base_url: Option<String>,
    timeout: Option<Option<Duration>>,
    connect_timeout: Option<Duration>,
    user_agent: Option<String>,
    http_client: Option<reqwest::Client>,
    retry: Option<RetryPolicy>,
    budget: Option<RetryBudget>,
    allow_insecure_http: bool,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let key = self.api_key.as_ref().map(|_| "<redacted>");
        f.debug_struct("ClientBuilder")
            .field("api_key", &key)
            .field("server", &self.server)
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("user_agent", &self.user_agent)
            .field("http_client", &self.http_client.is_some())
            .field("retry", &self.retry)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .finish()
    }
}

impl ClientBuilder {
    /// The API key, sent as `Authorization: Bearer <key>` and marked sensitive.
    ///
    /// Required: [`build`](ClientBuilder::build) fails without it.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// Which server to talk to. [`base_url`](ClientBuilder::base_url) wins when both are set.
    ///
    /// Default is [`Server::Global`].
    pub fn server(mut self, server: Server) -> Self {
        self.server = server;
        self
    }

    /// A base URL of your own: a proxy, a gateway, a local mock. `https://` is required for a
    /// remote host; plain `http://` is accepted only for loopback addresses unless
    /// [`allow_insecure_http`](ClientBuilder::allow_insecure_http) is set.
    ///
    /// Default is the base URL of the [`server`](ClientBuilder::server).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Accept a plain `http://` base URL to a host other than loopback, over which the API key
    /// travels in clear.
    ///
    /// Default is `false`.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// The longest one attempt of a call may take, from sending the request to the end of the
    /// answer's body. Each attempt of a retried call gets this much, within the retry policy's
    /// [`max_elapsed`](RetryPolicy::max_elapsed). `None` means no limit. The log stream uses it
    /// only to open a connection (until the answer's headers), then its idle timeout.
    ///
    /// Default is 30 s, so that with the default 60 s budget a call that timed out is tried
    /// once more.
    pub fn timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.timeout = Some(timeout.into());
        self
    }

    /// The longest the TCP and TLS handshakes may take. Ignored with
    /// [`http_client`](ClientBuilder::http_client), whose own setting applies.
    ///
    /// Default is 10 s.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// The `User-Agent` header. Ignored with [`http_client`](ClientBuilder::http_client).
    ///
    /// Default is `mistral-workflows/<version>`.
    pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
        self.user_agent = Some(agent.into());
        self
    }

    /// A `reqwest::Client` of your own, for proxies, custom TLS roots or a shared pool. The SDK
    /// still adds the key, the timeouts and the retries. Do not give it a total timeout of
    /// its own if you use the log stream.
    ///
    /// Default is a client built by the SDK, with rustls.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// How failed calls are retried. Each call can override it.
    ///
    /// Default is [`RetryPolicy::default`].
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// The retry budget shared by every call of the client.
    ///
    /// Default is [`RetryBudget::default`]: 20 tokens, 0.2 back per success.
    pub fn retry_budget(mut self, budget: RetryBudget) -> Self {
        self.budget = Some(budget);
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    ///
    /// A [`Config`](crate::ErrorKind::Config) error for a missing or unusable API key, a base
    /// URL that does not parse or is not `http(s)`, plain `http://` to a remote host without
    /// [`allow_insecure_http`](ClientBuilder::allow_insecure_http), or a user agent that is not
    /// a valid header value.
    pub fn build(self) -> Result<Client> {
        let key = self.api_key.unwrap_or_default();
        if key.trim().is_empty() {
            return Err(Error::config(format!(
                "no API key: call api_key(..) or set {API_KEY_ENV}"
            )));
        }
        let credentials = mistral_workflows_gen::Credentials::bearer(&key).ok_or_else(|| {
            Error::config("the API key contains characters that cannot be sent in a header")
        })?;

        let base_url = match self.base_url {
            Some(url) => check_base_url(&url, self.allow_insecure_http)?,
            None => self.server.base_url().to_owned(),
        };

        let http = match self.http_client {
            Some(client) => client,
            None => {
                let agent = self.user_agent.unwrap_or_else(default_user_agent);
                let agent = reqwest::header::HeaderValue::from_str(&agent)
                    .map_err(|_| Error::config("the user agent is not a valid header value"))?;
                install_crypto_provider();
                // No total timeout on the reqwest client: the SDK bounds each call itself, so
                // that the log stream can stay open for hours.
                reqwest::Client::builder()
                    .user_agent(agent)
                    .connect_timeout(self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT))
                    .build()
                    .map_err(|e| Error::config(format!("cannot build the HTTP client: {e}")))?
            }
        };

        let api = mistral_workflows_gen::Client::new_with_client(&base_url, http, credentials);
        Ok(Client {
            inner: Arc::new(Inner {
                api,
                base_url,
                timeout: self.timeout.unwrap_or(Some(DEFAULT_TIMEOUT)),
                retry: self.retry.unwrap_or_default(),
                budget: self.budget.unwrap_or_default(),
            }),
        })
    }
}

fn default_user_agent() -> String {
    format!("{}/{}", env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"))
}

/// reqwest is built with rustls and no crypto provider chosen; pick ring unless the
/// application installed one already.
fn install_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Losing a race with another thread installing one is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

fn check_base_url(text: &str, allow_insecure_http: bool) -> Result<String> {
    // The text is not echoed until it is known to carry no credentials.
    let url = url::Url::parse(text.trim())
        .map_err(|e| Error::config(format!("the base URL does not parse: {e}")))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::config("the base URL must not carry credentials"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::config("the base URL must not have a query or a fragment"));
    }
    let shown = url.as_str().trim_end_matches('/').to_owned();
    match url.scheme() {
        "https" => {}
        "http" => {
            let loopback = match url.host() {
                Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                None => false,
            };
            if !loopback && !allow_insecure_http {
                return Err(Error::config(format!(
                    "the base URL {shown:?} is plain http to a remote host, where the API key \
                     would travel in clear: use https, or allow_insecure_http(true)"
                )));
            }
        }
        other => {
            return Err(Error::config(format!(
                "the base URL {shown:?} has the scheme {other:?}: expected https or http"
            )));
        }
    }
    Ok(shown)
}

/// Per-call settings that override the client's.
#[derive(Clone, Debug, Default)]
pub(crate) struct CallOptions {
    pub(crate) retry: Option<RetryPolicy>,
    pub(crate) timeout: Option<Option<Duration>>,
}

/// What the executor knows about an operation.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Operation {
    pub(crate) id: &'static str,
    pub(crate) method: &'static str,
    /// Whether sending it twice has the effect of sending it once.
    pub(crate) idempotent: bool,
    /// What the answer is, for decode errors: "a deployment list".
    pub(crate) answer: &'static str,
}

impl Client {
    /// Carries out one call: each attempt under the timeout, retried by the policy and the
    /// budget, one `tracing` event per attempt.
    pub(crate) async fn execute<T, F, Fut>(
        &self,
        op: Operation,
        path: &str,
        options: &CallOptions,
        mut attempt_once: F,
    ) -> Result<T>
    where
        F: FnMut() -> Fut,
        Fut: Future<
            Output = std::result::Result<
                ResponseValue<T>,
                progenitor_client::Error<HttpValidationError>,
            >,
        >,
    {
        let policy = options.retry.as_ref().unwrap_or(&self.inner.retry);
        let timeout = options.timeout.unwrap_or(self.inner.timeout);
        let started = Instant::now();
        let mut attempt = 0u32;

        loop {
            attempt += 1;
            let attempt_started = Instant::now();
            let outcome = run_with_timeout(timeout, op.answer, attempt_once()).await;
            let elapsed_ms = attempt_started.elapsed().as_millis() as u64;

            let error = match outcome {
                Ok(value) => {
                    self.inner.budget.refill();
                    tracing::debug!(
                        target: "mistral_workflows",
                        operation = op.id,
                        method = op.method,
                        path,
                        status = value.status().as_u16(),
                        attempt,
                        duration_ms = elapsed_ms,
                        request_id = crate::error::request_id(value.headers()).as_deref(),
                        "call succeeded"
                    );
                    return Ok(value.into_inner());
                }
                Err(error) => error.with_operation(op.id),
            };

            let retry = attempt < policy.max_attempts && policy.allows(&error, op.idempotent);
            let delay = retry.then(|| policy.delay(attempt, &error));
            let within_budget = delay.is_some_and(|d| {
                started.elapsed().checked_add(d).is_some_and(|end| end <= policy.max_elapsed)
            });
            let will_retry = within_budget && self.inner.budget.try_spend();

            tracing::debug!(
                target: "mistral_workflows",
                operation = op.id,
                method = op.method,
                path,
                status = error.status().map(|s| s.as_u16()),
                attempt,
                duration_ms = elapsed_ms,
                request_id = error.request_id(),
                retry_in_ms = will_retry.then(|| delay.map(|d| d.as_millis() as u64)).flatten(),
                error = %error,
                "call failed"
            );

            match delay {
                Some(delay) if will_retry => tokio::time::sleep(delay).await,
                _ => return Err(error),
            }
        }
    }
}

async fn run_with_timeout<T, Fut>(
    timeout: Option<Duration>,
    answer: &'static str,
    attempt: Fut,
) -> Result<ResponseValue<T>>
where
    Fut: Future<
        Output = std::result::Result<
            ResponseValue<T>,
            progenitor_client::Error<HttpValidationError>,
        >,
    >,
{
    // The body of an error answer is read inside the deadline too.
    let attempt = async {
        match attempt.await {
            Ok(value) => Ok(value),
            Err(error) => Err(from_generated(error, answer).await),
        }
    };
    match timeout {
        Some(limit) => match tokio::time::timeout(limit, attempt).await {
            Ok(result) => result,
            Err(_) => Err(Error::timeout(limit)),
        },
        None => attempt.await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_http_is_accepted() {
        assert_eq!(
            check_base_url("http://127.0.0.1:8080/", false).unwrap(),
            "http://127.0.0.1:8080"
        );
        assert!(check_base_url("http://localhost:1", false).is_ok());
        assert!(check_base_url("http://[::1]:1", false).is_ok());
    }

    #[test]
    fn remote_http_needs_consent() {
        let err = check_base_url("http://example.com", false).unwrap_err();
        assert_eq!(err.kind(), &crate::ErrorKind::Config);
        assert!(err.to_string().contains("in clear"));
        assert!(check_base_url("http://example.com", true).is_ok());
    }

    #[test]
    fn credentials_in_the_url_are_never_echoed() {
        for text in [
            "http://user:sk-SECRET@example.com",
            "https://u:sk-SECRET@h/?x=1",
            "ftp://a:sk-SECRET@h",
        ] {
            let err = check_base_url(text, false).unwrap_err();
            assert!(!err.to_string().contains("sk-SECRET"), "{err}");
        }
        let err = check_base_url("https://h/?token=sk-SECRET", false).unwrap_err();
        assert!(!err.to_string().contains("sk-SECRET"), "{err}");
    }

    #[test]
    fn other_schemes_are_refused() {
        assert!(check_base_url("ftp://example.com", true).is_err());
        assert!(check_base_url("not a url", true).is_err());
    }

    #[test]
    fn missing_key_is_a_config_error() {
        let err = Client::builder().build().unwrap_err();
        assert_eq!(err.kind(), &crate::ErrorKind::Config);
    }

    #[test]
    fn debug_never_shows_the_key() {
        let client = Client::builder().api_key("sk-very-secret").build().unwrap();
        assert!(!format!("{client:?}").contains("sk-very-secret"));
        let builder = Client::builder().api_key("sk-very-secret");
        assert!(!format!("{builder:?}").contains("sk-very-secret"));
    }
}
