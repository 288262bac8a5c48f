//! One `tracing` event per attempt, with stable field names. Alone in its binary, so that no
//! other test's calls land in the capture.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use mistral_workflows::{Client, RetryBudget, RetryPolicy};
use mistral_workflows_mock::{Fault, MockServer};
use support::CapturedLogs;

async fn setup() -> (MockServer, Client) {
    let mock = MockServer::builder().manual_clock().start().await.unwrap();
    let client = Client::builder()
        .api_key(support::KEY)
        .base_url(mock.base_url())
        .retry_policy(RetryPolicy::default().initial_backoff(Duration::from_millis(10)))
        .retry_budget(RetryBudget::unlimited())
        .build()
        .unwrap();
    (mock, client)
}

#[tokio::test]
async fn each_attempt_is_traced() {
    let logs = CapturedLogs::global();
    let (mock, client) = setup().await;
    mock.control().inject(None, Fault::status(503), 1);
    client.deployments().list().send().await.unwrap();
    let text = logs.text();
    let attempts: Vec<&str> =
        text.lines().filter(|l| l.contains("operation=\"list_deployments\"")).collect();
    assert_eq!(attempts.len(), 2, "{text}");
    assert!(attempts[0].contains("status=503") && attempts[0].contains("attempt=1"), "{text}");
    assert!(attempts[0].contains("retry_in_ms="), "{text}");
    assert!(attempts[0].contains("request_id="), "{text}");
    assert!(attempts[1].contains("status=200") && attempts[1].contains("attempt=2"), "{text}");
    for line in &attempts {
        assert!(line.contains("method=\"GET\"") && line.contains("duration_ms="), "{line}");
        assert!(line.contains("path=\"/v1/workflows/deployments\""), "{line}");
    }
}
