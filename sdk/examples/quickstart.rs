//! Lists deployments (one page, then all of them through the stream) and gets one with its
//! workers.
//!
//! ```text
//! cargo run --example quickstart
//! ```
//!
//! Without `MISTRAL_API_KEY` it runs against the embedded mock server, offline.

#[path = "support/mod.rs"]
mod support;

use futures::TryStreamExt;
use mistral_workflows::types::DeploymentResponse;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _mock) = support::connect().await?;
    let deployments = client.deployments();

    // One page: the first ten deployments with a live worker (the server's default filter).
    let page = deployments.list().limit(10).send().await?;
    println!("First page of active deployments (workspace {}):", page.workspace_id);
    println!("  {:<32} {:<8} {:>7}  {:<9} CREATED", "NAME", "ACTIVE", "WORKERS", "KIND");
    for d in &page.deployments {
        print_row(d);
    }
    match &page.next_cursor {
        Some(_) => println!("  ... more on the next page\n"),
        None => println!("  (last page)\n"),
    }

    // Every deployment, active or not, page by page as the stream is consumed.
    let mut all = deployments.list().active_only(false).limit(100).stream();
    let (mut total, mut active, mut managed) = (0usize, 0usize, 0usize);
    let mut with_workers = None;
    while let Some(d) = all.try_next().await? {
        total += 1;
        active += usize::from(d.is_active);
        managed += usize::from(d.managed.is_some());
        if with_workers.is_none() && d.worker_count > 0 {
            with_workers = Some(d.name.clone());
        }
    }
    println!("All deployments: {total} ({active} active, {managed} managed)\n");

    // One deployment in detail, with its workers.
    let Some(name) = with_workers else {
        println!("No deployment has workers yet.");
        return Ok(());
    };
    let detail = deployments.get(&name).send().await?;
    println!("Deployment {} ({})", detail.name, detail.id);
    println!("  active:    {}", detail.is_active);
    println!("  hardened:  {}", detail.is_hardened);
    println!("  created:   {}", support::when(&detail.created_at));
    if let Some(owner) = &detail.owner {
        println!("  owner:     {owner}");
    }
    if let Some(managed) = &detail.managed {
        let phase = managed.status.phase.as_deref().unwrap_or("unknown");
        println!("  managed:   phase {phase}, {} replicas", managed.status.ready_replicas);
    }
    println!("  workers:");
    for w in &detail.workers {
        let place = w
            .location
            .as_ref()
            .map(|l| l.location_type.to_string())
            .unwrap_or_else(|| "-".to_owned());
        let state = if w.is_active { "active" } else { "inactive" };
        let seen = w.last_heartbeat.as_ref().unwrap_or(&w.updated_at);
        println!("    {:<40} {:<8} {:<8} last seen {}", w.name, state, place, support::when(seen));
    }
    Ok(())
}

fn print_row(d: &DeploymentResponse) {
    let kind = if d.managed.is_some() { "managed" } else { "self-host" };
    println!(
        "  {:<32} {:<8} {:>3}/{:<3}  {:<9} {}",
        truncate(&d.name, 32),
        if d.is_active { "yes" } else { "no" },
        d.active_worker_count,
        d.worker_count,
        kind,
        support::when(&d.created_at)
    );
}

fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(width - 1).collect();
        format!("{cut}…")
    }
}
