//! Follows the live logs of a deployment, one line per record, resuming across dropped
//! connections.
//!
//! ```text
//! cargo run --example tail_logs -- [DEPLOYMENT] [--count N]
//! ```
//!
//! Without `MISTRAL_API_KEY` it runs against the embedded mock server, which writes new records
//! a few times a second and drops the connection twice on purpose, once between two records
//! and once in the middle of one, to show the stream resuming. It stops after `--count`
//! records (20 on the mock; unlimited against the real API).

#[path = "support/mod.rs"]
mod support;

use std::time::Duration;

use futures::TryStreamExt;
use mistral_workflows_mock::MockServer;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut name = None;
    let mut count = None;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--count" => {
                count = Some(rest.next().ok_or("--count needs a number")?.parse::<usize>()?)
            }
            other => name = Some(other.to_owned()),
        }
    }

    let mock = MockServer::builder()
        .live_logs(Some(Duration::from_millis(150)))
        .keep_alive(Duration::from_secs(2));
    let (client, mock) = support::connect_with(mock).await?;
    if let Some(mock) = &mock {
        // Two dropped connections: after 4 records, then in the middle of the 4th after that.
        mock.control().cut_stream_after(4);
        mock.control().cut_stream_mid_frame(3);
    }
    let count = count.or(mock.as_ref().map(|_| 20));

    let name = match name {
        Some(name) => name,
        None => {
            let page = client.deployments().list().limit(1).send().await?;
            let first = page.deployments.into_iter().next().ok_or("no active deployment")?;
            first.name
        }
    };

    println!("Following {name} (Ctrl-C to stop)\n");
    let since = chrono::Utc::now() - chrono::Duration::seconds(5);
    let mut stream = client
        .deployments()
        .log_stream(&name)
        .after(since)
        .reconnect_delay(Duration::from_millis(200))
        .stream();
    let mut seen = 0usize;
    let mut last_id: Option<u64> = None;
    let mut in_order = true;
    while let Some(event) = stream.try_next().await? {
        let record = &event.record;
        let worker = record.log_attributes.get("worker_name").map(String::as_str).unwrap_or("-");
        println!(
            "{} {:>5} {:<28} {}",
            record.timestamp.format("%H:%M:%S%.3f"),
            record.severity_text,
            worker,
            record.body
        );
        // The mock's ids are numbers; the real API's ids are opaque and only kept.
        if let Some(id) = event.id.as_deref().and_then(|id| id.parse::<u64>().ok()) {
            in_order &= last_id.is_none_or(|last| id > last);
            last_id = Some(id);
        }
        seen += 1;
        if count.is_some_and(|count| seen >= count) {
            break;
        }
    }

    println!("\n{seen} records; resume from event id {:?}", stream.last_event_id());
    if let Some(mock) = &mock {
        let connections = mock.control().request_count("stream_deployment_logs");
        println!(
            "{} connections for one stream: it resumed across {} drops, {}",
            connections,
            connections.saturating_sub(1),
            if in_order { "ids strictly increasing, none repeated" } else { "ids OUT OF ORDER" }
        );
    }
    Ok(())
}
