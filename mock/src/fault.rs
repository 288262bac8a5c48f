//! Injected faults: what [`MockControl::inject`](crate::MockControl::inject) queues, and the
//! answers that stand in for the real one.

use std::collections::VecDeque;
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderValue, Response, StatusCode, header};

/// A fault the mock injects instead of (or before) its normal answer. Queue them with
/// [`MockControl::inject`](crate::MockControl::inject).
///
/// Every faulted request is recorded first, like any other, and none changes the mock's
/// state except [`Fault::Latency`], after which the request is carried out normally.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Fault {
    /// Answers this status instead of carrying out the request.
    Status {
        /// The status code. Codes below 200 or above 999 are answered as 500.
        status: u16,
        /// The `Retry-After` header, verbatim (`"2"`, or an HTTP date); none when `None`.
        retry_after: Option<String>,
        /// The body, sent as `application/json` when it is JSON and `text/plain` otherwise.
        /// `None` sends `{"detail": "<reason phrase of the status>"}`.
        body: Option<String>,
    },
    /// Waits this long, then carries out the request and answers normally.
    Latency(Duration),
    /// Reads the request, then resets the connection (`SO_LINGER` 0, so the client sees a
    /// TCP reset) without sending a byte.
    ResetBeforeResponse,
    /// Sends the status line and the headers of the real answer, with its full
    /// `Content-Length`, and the first half of its body, then closes the connection. The
    /// answer is made on a copy of the state, so the request changes nothing. On the log
    /// stream, it acts as [`Fault::CutStreamMidFrame`] with no complete frame.
    ResetMidBody,
    /// Sends the real answer (its status, made on a copy of the state) with its JSON body cut
    /// in half and a `Content-Length` that matches the cut body. On the log stream, the data
    /// of the first log frame is cut in half, the frame itself stays complete and the stream
    /// goes on.
    TruncatedJson,
    /// Answers this status with an HTML page, as a proxy in front of the API would.
    HtmlErrorPage {
        /// The status code; answered as 500 when below 200 or above 999.
        status: u16,
    },
    /// On the log stream: sends `frames` complete log frames, then the first half of the next
    /// one, then closes the connection (see
    /// [`MockControl::cut_stream_mid_frame`](crate::MockControl::cut_stream_mid_frame)). On
    /// any other operation it acts as [`Fault::ResetMidBody`].
    CutStreamMidFrame {
        /// The number of complete log frames sent before the cut.
        frames: usize,
    },
}

impl Fault {
    /// [`Fault::Status`] with this code, no `Retry-After` and the default body.
    pub fn status(code: u16) -> Self {
        Fault::Status { status: code, retry_after: None, body: None }
    }

    /// Adds a `Retry-After` header to a [`Fault::Status`]; other faults are returned
    /// unchanged.
    pub fn with_retry_after(self, value: impl Into<String>) -> Self {
        match self {
            Fault::Status { status, body, .. } => {
                Fault::Status { status, retry_after: Some(value.into()), body }
            }
            other => other,
        }
    }
}

#[derive(Debug)]
struct Rule {
    /// `None` matches every request.
    operation: Option<String>,
    fault: Fault,
    remaining: usize,
}

/// The injected faults, in the order they were queued.
#[derive(Debug, Default)]
pub(crate) struct FaultQueue {
    rules: VecDeque<Rule>,
}

impl FaultQueue {
    pub(crate) fn push(&mut self, operation: Option<&str>, fault: Fault, times: usize) {
        if times > 0 {
            let operation = operation.map(str::to_owned);
            self.rules.push_back(Rule { operation, fault, remaining: times });
        }
    }

    pub(crate) fn clear(&mut self) {
        self.rules.clear();
    }

    /// How many requests are still to be faulted.
    pub(crate) fn pending(&self) -> usize {
        self.rules.iter().fold(0, |sum, rule| sum.saturating_add(rule.remaining))
    }

    /// The fault for a request of `operation`: the first queued rule that matches it, used up
    /// by one.
    pub(crate) fn take(&mut self, operation: Option<&str>) -> Option<Fault> {
        let index = self.rules.iter().position(|rule| {
            rule.operation.as_deref().is_none_or(|wanted| Some(wanted) == operation)
        })?;
        let rule = self.rules.get_mut(index)?;
        rule.remaining -= 1;
        let fault = rule.fault.clone();
        if rule.remaining == 0 {
            self.rules.remove(index);
        }
        Some(fault)
    }
}

fn status_code(code: u16) -> StatusCode {
    StatusCode::from_u16(code)
        .ok()
        .filter(|s| s.as_u16() >= 200)
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

fn reason(status: StatusCode) -> &'static str {
    status.canonical_reason().unwrap_or("Injected fault")
}

/// The answer of a [`Fault::Status`].
pub(crate) fn status_response(
    status: u16,
    retry_after: Option<&str>,
    body: Option<&str>,
) -> Response<Body> {
    let status = status_code(status);
    let (content_type, body) = match body {
        None => {
            let body = serde_json::json!({ "detail": reason(status) }).to_string();
            ("application/json", body)
        }
        Some(text) if serde_json::from_str::<serde_json::Value>(text).is_ok() => {
            ("application/json", text.to_owned())
        }
        Some(text) => ("text/plain; charset=utf-8", text.to_owned()),
    };
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // A value that cannot be a header (a line break, say) is left out rather than sent.
    if let Some(value) = retry_after.and_then(|v| HeaderValue::from_str(v).ok()) {
        headers.insert(header::RETRY_AFTER, value);
    }
    response
}

/// The answer of a [`Fault::HtmlErrorPage`]: the kind of page a proxy or load balancer sends.
pub(crate) fn html_response(status: u16) -> Response<Body> {
    let status = status_code(status);
    let title = format!("{} {}", status.as_u16(), reason(status));
    let page = format!(
        "<!DOCTYPE html>\n<html>\n<head><title>{title}</title></head>\n<body>\n\
         <h1>{title}</h1>\n<p>The upstream server did not answer.</p>\n<hr>\n\
         <address>mock-proxy</address>\n</body>\n</html>\n"
    );
    let mut response = Response::new(Body::from(page));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_are_used_in_order_and_per_operation() {
        let mut queue = FaultQueue::default();
        queue.push(Some("create_deployment"), Fault::status(503), 2);
        queue.push(None, Fault::status(500), 1);
        queue.push(Some("create_deployment"), Fault::status(429), 1);
        queue.push(None, Fault::Latency(Duration::ZERO), 0);
        assert_eq!(queue.pending(), 4);

        let status = |fault: Option<Fault>| match fault {
            Some(Fault::Status { status, .. }) => Some(status),
            _ => None,
        };
        assert_eq!(status(queue.take(Some("list_deployments"))), Some(500));
        assert_eq!(status(queue.take(Some("list_deployments"))), None);
        assert_eq!(status(queue.take(Some("create_deployment"))), Some(503));
        assert_eq!(status(queue.take(None)), None);
        assert_eq!(status(queue.take(Some("create_deployment"))), Some(503));
        assert_eq!(status(queue.take(Some("create_deployment"))), Some(429));
        assert_eq!(queue.pending(), 0);
        assert!(queue.take(Some("create_deployment")).is_none());

        queue.push(None, Fault::ResetBeforeResponse, usize::MAX);
        queue.push(None, Fault::ResetBeforeResponse, usize::MAX);
        assert_eq!(queue.pending(), usize::MAX);
        queue.clear();
        assert_eq!(queue.pending(), 0);
    }

    #[test]
    fn retry_after_only_changes_status_faults() {
        let fault = Fault::status(503).with_retry_after("2");
        assert!(matches!(fault, Fault::Status { retry_after: Some(ref v), .. } if v == "2"));
        let latency = Fault::Latency(Duration::from_millis(5)).with_retry_after("2");
        assert!(matches!(latency, Fault::Latency(_)));
    }

    #[test]
    fn odd_statuses_and_headers_do_not_panic() {
        for code in [0, 99, 100, 101, 200, 999, 1000, u16::MAX] {
            let response = status_response(code, Some("bad\nvalue"), Some("not json"));
            assert!(response.status().as_u16() >= 200);
            assert!(response.headers().get(header::RETRY_AFTER).is_none());
            assert!(html_response(code).status().as_u16() >= 200);
        }
        let response = status_response(429, Some("3"), None);
        assert_eq!(response.headers()[header::RETRY_AFTER], "3");
    }
}
