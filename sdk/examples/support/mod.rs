//! What the examples share: a client for the real API when `MISTRAL_API_KEY` is set, or for
//! the embedded mock server otherwise, so that every example runs offline.

use mistral_workflows::Client;
use mistral_workflows_mock::MockServer;

/// The client, and the mock server when one was started (it stops when dropped).
#[allow(dead_code)]
pub async fn connect() -> Result<(Client, Option<MockServer>), Box<dyn std::error::Error>> {
    connect_with(MockServer::builder()).await
}

/// As [`connect`], with a mock configured by the caller.
pub async fn connect_with(
    mock: mistral_workflows_mock::MockServerBuilder,
) -> Result<(Client, Option<MockServer>), Box<dyn std::error::Error>> {
    let key_set = std::env::var(mistral_workflows::API_KEY_ENV).is_ok_and(|k| !k.trim().is_empty());
    if key_set {
        let client = Client::from_env()?;
        println!("Talking to {} (MISTRAL_API_KEY is set).\n", client.base_url());
        return Ok((client, None));
    }

    let mock = mock.start().await?;
    println!(
        "MISTRAL_API_KEY is not set: talking to the embedded mock server at {}.\n",
        mock.base_url()
    );
    let client = Client::builder().api_key("mock-key").base_url(mock.base_url()).build()?;
    Ok((client, Some(mock)))
}

/// A date-time, short.
#[allow(dead_code)]
pub fn when(t: &chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S").to_string()
}
