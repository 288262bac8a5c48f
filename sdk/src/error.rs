//! The one error type of the crate.

use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;

use crate::types::{HttpValidationError, ValidationErrorLocItem};

/// How much of a response body an error keeps for its message.
const BODY_EXCERPT: usize = 512;

/// The kind of an [`Error`]: what went wrong, in the terms a caller acts on.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The client was configured wrongly: no API key, a malformed base URL, a plain `http://`
    /// URL to a remote host. Raised by `build()` and `from_env()`, before any request.
    Config,
    /// An argument was refused before any request was sent: a bad deployment name, a limit
    /// outside `1..=100`, a malformed secret reference.
    InvalidInput,
    /// The API refused the request with `422` and said why; see [`Error::validation`].
    Validation,
    /// The API answered with another error status; see [`Error::status`] and [`Error::body`].
    Api,
    /// The request did not complete: the connection could not be made or was lost.
    Transport,
    /// No answer came within the configured time.
    Timeout,
    /// The answer did not have the shape the API documents.
    Decode,
    /// The log stream ended with an `error` frame from the server.
    Stream(StreamErrorReason),
}

/// The reason of an `error` frame of the log stream.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StreamErrorReason {
    /// The server could not read the logs.
    ReadError,
    /// The stream itself failed.
    StreamError,
    /// The server failed in another way.
    InternalError,
    /// A reason this version does not know, kept as sent. The API says to read it as
    /// [`StreamErrorReason::StreamError`].
    Other(String),
}

impl StreamErrorReason {
    /// Maps the `reason` field of an `error` frame.
    pub fn from_wire(reason: &str) -> Self {
        match reason {
            "read_error" => Self::ReadError,
            "stream_error" => Self::StreamError,
            "internal_error" => Self::InternalError,
            other => Self::Other(other.to_owned()),
        }
    }

    /// The reason as it is written on the wire.
    pub fn as_str(&self) -> &str {
        match self {
            Self::ReadError => "read_error",
            Self::StreamError => "stream_error",
            Self::InternalError => "internal_error",
            Self::Other(other) => other,
        }
    }
}

impl fmt::Display for StreamErrorReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error of the SDK.
///
/// One type for every operation. Ask it questions ([`kind`](Error::kind),
/// [`status`](Error::status), [`is_retryable`](Error::is_retryable), ...) rather than
/// matching on its insides. It never holds the API key.
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    kind: ErrorKind,
    message: String,
    operation: Option<&'static str>,
    status: Option<StatusCode>,
    request_id: Option<String>,
    body: Option<String>,
    validation: Option<HttpValidationError>,
    retry_after: Option<Duration>,
    /// True when the request provably never reached the server (the connection failed).
    not_sent: bool,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl Error {
    fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            inner: Box::new(Inner {
                kind,
                message: message.into(),
                operation: None,
                status: None,
                request_id: None,
                body: None,
                validation: None,
                retry_after: None,
                not_sent: false,
                source: None,
            }),
        }
    }

    pub(crate) fn config(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Config, message)
    }

    pub(crate) fn invalid_input(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidInput, message)
    }

    pub(crate) fn timeout(after: Duration) -> Self {
        Self::new(ErrorKind::Timeout, format!("no answer within {}", format_duration(after)))
    }

    pub(crate) fn idle_timeout(after: Duration) -> Self {
        Self::new(
            ErrorKind::Timeout,
            format!("the log stream sent nothing for {}", format_duration(after)),
        )
    }

    pub(crate) fn closed() -> Self {
        Self::new(ErrorKind::Transport, "the server closed the log stream")
    }

    pub(crate) fn malformed_answer(message: String) -> Self {
        Self::new(ErrorKind::Decode, message)
    }

    pub(crate) fn stream(reason: StreamErrorReason, message: &str) -> Self {
        let text = format!("the log stream ended with an error ({}): {message}", reason.as_str());
        Self::new(ErrorKind::Stream(reason), text)
    }

    pub(crate) fn decode(what: &str, error: &serde_json::Error, body: &[u8]) -> Self {
        let excerpt = excerpt(&String::from_utf8_lossy(body));
        let mut err = Self::new(
            ErrorKind::Decode,
            format!("could not decode {what}: {error}; the body starts with {excerpt:?}"),
        );
        err.inner.body = Some(excerpt);
        err
    }

    pub(crate) fn transport(error: reqwest::Error) -> Self {
        // A connect error, a connect timeout included, means the request never left.
        let not_sent = error.is_connect();
        if error.is_timeout() {
            let what = if not_sent { "connecting timed out" } else { "the request timed out" };
            let mut err = Self::new(ErrorKind::Timeout, what);
            err.inner.not_sent = not_sent;
            err.inner.source = Some(Box::new(error.without_url()));
            return err;
        }
        let what = if not_sent {
            "could not connect to the API"
        } else if error.is_body() || error.is_decode() {
            "the connection broke while reading the answer"
        } else {
            "the request failed"
        };
        let error = error.without_url();
        let mut err = Self::new(ErrorKind::Transport, format!("{what}: {}", chain(&error)));
        err.inner.not_sent = not_sent;
        err.inner.source = Some(Box::new(error));
        err
    }

    /// An error status other than 422, with what the body said.
    pub(crate) fn api(
        status: StatusCode,
        headers: &reqwest::header::HeaderMap,
        body: &str,
    ) -> Self {
        let body = excerpt(body);
        let mut message = format!("the API answered {status}");
        if !body.is_empty() {
            message.push_str(": ");
            message.push_str(&body);
        }
        let mut err = Self::new(ErrorKind::Api, message);
        err.inner.status = Some(status);
        err.inner.request_id = request_id(headers);
        err.inner.retry_after = crate::retry::parse_retry_after(headers);
        err.inner.body = Some(body);
        err
    }

    pub(crate) fn from_validation(
        status: StatusCode,
        headers: &reqwest::header::HeaderMap,
        detail: HttpValidationError,
    ) -> Self {
        let mut message = format!("the API refused the request ({status})");
        let mut first = true;
        for item in &detail.detail {
            message.push_str(if first { ": " } else { "; " });
            first = false;
            let loc: Vec<String> = item
                .loc
                .iter()
                .map(|part| match part {
                    ValidationErrorLocItem::String(s) => s.clone(),
                    ValidationErrorLocItem::Integer(i) => i.to_string(),
                })
                .collect();
            message.push_str(&format!("{}: {}", loc.join("."), item.msg));
        }
        let mut err = Self::new(ErrorKind::Validation, message);
        err.inner.status = Some(status);
        err.inner.request_id = request_id(headers);
        err.inner.validation = Some(detail);
        err
    }

    pub(crate) fn with_operation(mut self, operation: &'static str) -> Self {
        self.inner.operation = Some(operation);
        self
    }

    pub(crate) fn with_hint(mut self, hint: &str) -> Self {
        self.inner.message.push_str("; ");
        self.inner.message.push_str(hint);
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.inner.kind
    }

    /// The HTTP status of the answer, when there was one.
    pub fn status(&self) -> Option<StatusCode> {
        self.inner.status
    }

    /// The request id the server gave the answer (`x-request-id` and similar headers), to
    /// quote when asking Mistral for help.
    pub fn request_id(&self) -> Option<&str> {
        self.inner.request_id.as_deref()
    }

    /// The start of the body of an error answer, as text.
    pub fn body(&self) -> Option<&str> {
        self.inner.body.as_deref()
    }

    /// The typed detail of a `422` answer.
    pub fn validation(&self) -> Option<&HttpValidationError> {
        self.inner.validation.as_ref()
    }

    /// The `operationId` of the call that failed, such as `list_deployments`.
    pub fn operation(&self) -> Option<&'static str> {
        self.inner.operation
    }

    /// How long the server asked to wait before trying again (`Retry-After`).
    pub fn retry_after(&self) -> Option<Duration> {
        self.inner.retry_after
    }

    /// The reason of the log stream's `error` frame, when that is what ended it.
    pub fn stream_reason(&self) -> Option<&StreamErrorReason> {
        match &self.inner.kind {
            ErrorKind::Stream(reason) => Some(reason),
            _ => None,
        }
    }

    /// Whether no answer came in time (the per-call timeout, the connect timeout or the log
    /// stream's idle timeout).
    pub fn is_timeout(&self) -> bool {
        self.inner.kind == ErrorKind::Timeout
    }

    /// Whether the request may succeed if sent again: a timeout, a lost connection, or one of
    /// 408, 429, 500, 502, 503 and 504.
    ///
    /// This says nothing about whether sending it again is safe: a create that timed out may
    /// have been carried out. The client's retries take that into account.
    pub fn is_retryable(&self) -> bool {
        match self.inner.kind {
            ErrorKind::Timeout | ErrorKind::Transport => true,
            ErrorKind::Api => self.inner.status.is_some_and(is_retryable_status),
            _ => false,
        }
    }

    /// Whether the request provably never reached the server, so that sending it again cannot
    /// repeat its effect.
    pub fn is_connect(&self) -> bool {
        self.inner.not_sent
    }
}

pub(crate) fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 429 | 500 | 502 | 503 | 504)
}

/// The headers servers commonly put a request id in, most specific first.
const REQUEST_ID_HEADERS: &[&str] = &["x-request-id", "request-id", "x-correlation-id", "cf-ray"];

pub(crate) fn request_id(headers: &reqwest::header::HeaderMap) -> Option<String> {
    REQUEST_ID_HEADERS
        .iter()
        .find_map(|name| headers.get(*name))
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
}

fn excerpt(text: &str) -> String {
    let text = text.trim();
    match text.char_indices().nth(BODY_EXCERPT) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

/// The error and its sources, joined, without the request URL.
fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

fn format_duration(d: Duration) -> String {
    if d.subsec_millis() == 0 { format!("{} s", d.as_secs()) } else { format!("{d:?}") }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(operation) = self.inner.operation {
            write!(f, "{operation}: ")?;
        }
        f.write_str(&self.inner.message)?;
        if let Some(id) = &self.inner.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("Error");
        s.field("kind", &self.inner.kind).field("message", &self.inner.message);
        if let Some(operation) = self.inner.operation {
            s.field("operation", &operation);
        }
        if let Some(status) = self.inner.status {
            s.field("status", &status);
        }
        if let Some(id) = &self.inner.request_id {
            s.field("request_id", id);
        }
        if let Some(source) = &self.inner.source {
            s.field("source", source);
        }
        s.finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner.source.as_deref().map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// A `Result` with the crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Turns what the generated client returns into the facade's error, reading the body of an
/// unexpected answer so that the message says what the server said.
pub(crate) async fn from_generated(
    error: progenitor_client::Error<HttpValidationError>,
    what: &str,
) -> Error {
    use progenitor_client::Error as Gen;

    match error {
        Gen::InvalidRequest(message) => Error::invalid_input(message),
        Gen::CommunicationError(e) | Gen::InvalidUpgrade(e) | Gen::ResponseBodyError(e) => {
            Error::transport(e)
        }
        Gen::ErrorResponse(value) => {
            let status = value.status();
            let headers = value.headers().clone();
            Error::from_validation(status, &headers, value.into_inner())
        }
        Gen::InvalidResponsePayload(body, e) => Error::decode(what, &e, &body),
        Gen::UnexpectedResponse(response) => {
            let status = response.status();
            let headers = response.headers().clone();
            match response.text().await {
                Ok(body) if status.is_success() => Error::new(
                    ErrorKind::Decode,
                    format!("unexpected success status {status} for {what}: {}", excerpt(&body)),
                ),
                Ok(body) => Error::api(status, &headers, &body),
                Err(e) => {
                    let mut err = Error::transport(e);
                    err.inner.status = Some(status);
                    err.inner.request_id = request_id(&headers);
                    err
                }
            }
        }
        Gen::Custom(message) => Error::new(ErrorKind::Transport, message),
    }
}
