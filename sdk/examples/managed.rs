//! The life of a managed deployment: create it from a GitHub repository, wait until it runs,
//! restart it, stop it, delete it.
//!
//! ```text
//! cargo run --example managed
//! ```
//!
//! Without `MISTRAL_API_KEY` it runs against the embedded mock server, offline. With the key
//! set it creates a real deployment (from `MANAGED_REPO`, default below) and deletes it at the
//! end.

#[path = "support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use mistral_workflows::{Client, ErrorKind, Source};

const DEFAULT_REPO: &str = "https://github.com/mistralai/workflows-example";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _mock) = support::connect().await?;
    let deployments = client.deployments();
    let repo = std::env::var("MANAGED_REPO").unwrap_or_else(|_| DEFAULT_REPO.to_owned());
    let name = format!("sdk-example-{:08x}", fastrand::u32(..));

    println!("Creating {name} from {repo}");
    let created = deployments
        .create(&name, Source::github(&repo).revision("main"))
        .replicas(1)
        .send()
        .await?;
    println!("  accepted: phase {}", created.status.phase.as_deref().unwrap_or("unknown"));

    wait_until_running(&client, &name, Duration::from_secs(600)).await?;

    println!("Restarting {name}");
    let restarted = deployments.restart(&name).send().await?;
    let at = restarted.spec.restarted_at.as_deref().unwrap_or("now");
    println!("  restart requested at {at}");
    wait_until_running(&client, &name, Duration::from_secs(600)).await?;

    println!("Stopping {name}");
    let stopped = deployments.stop(&name).send().await?;
    println!("  stopped: {}", stopped.stopped);

    println!("Deleting {name}");
    deployments.delete(&name).send().await?;
    match deployments.get(&name).send().await {
        Err(e) if e.kind() == &ErrorKind::Api && e.status().map(|s| s.as_u16()) == Some(404) => {
            println!("  gone: get answers 404");
        }
        Err(e) => return Err(e.into()),
        Ok(_) => println!("  still listed; the removal goes on in the background"),
    }
    Ok(())
}

/// Polls the deployment until its managed phase is `running`, printing a line whenever the
/// phase changes, and gives up at the deadline.
async fn wait_until_running(
    client: &Client,
    name: &str,
    deadline: Duration,
) -> Result<(), Box<dyn std::error::Error>> {
    let started = Instant::now();
    let mut last_phase = String::new();
    loop {
        let detail = client.deployments().get(name).send().await?;
        let status = detail.managed.as_ref().map(|m| &m.status);
        let phase = status.and_then(|s| s.phase.clone()).unwrap_or_else(|| "unknown".into());
        if phase != last_phase {
            let build = status
                .and_then(|s| s.build_state.as_ref())
                .and_then(|b| b.phase.as_deref())
                .map(|p| format!(", build {p}"))
                .unwrap_or_default();
            let ready = status.map(|s| s.ready_replicas).unwrap_or(0);
            println!(
                "  [{:>5.1}s] phase {phase}{build}, {ready} ready",
                started.elapsed().as_secs_f64()
            );
            last_phase = phase.clone();
        }
        match phase.as_str() {
            "running" => return Ok(()),
            "failed" | "error" => return Err(format!("{name} failed to deploy").into()),
            _ => {}
        }
        if started.elapsed() > deadline {
            return Err(format!("{name} was not running after {deadline:?}").into());
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}
