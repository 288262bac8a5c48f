//! 10,000 mixed calls, 64 in flight on one client, against the mock: no errors, and the mock's
//! state agrees with what the calls did.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use futures::{StreamExt, TryStreamExt};
use mistral_workflows::{Client, Source};
use mistral_workflows_mock::MockServer;

const CALLS: usize = 10_000;
const IN_FLIGHT: usize = 64;
/// A bound on the whole run, so that a hang fails the test instead of stalling CI. It is not a
/// performance claim: the benchmarks make those.
const BOUND: Duration = Duration::from_secs(240);

#[derive(Clone, Copy, Debug)]
enum Call {
    List,
    Get,
    Create,
    Update,
    Restart,
    Workers,
    Delete,
}

/// The mix: mostly reads, with a lifecycle per created deployment.
fn plan(i: usize) -> Call {
    match i % 20 {
        0..=5 => Call::List,
        6..=10 => Call::Get,
        11 | 12 => Call::Workers,
        13 | 14 => Call::Create,
        15 => Call::Update,
        16 => Call::Restart,
        17 => Call::Delete,
        _ => Call::Get,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_mixed_calls() {
    let mock = MockServer::builder().manual_clock().start().await.unwrap();
    let client = Client::builder().api_key(support::KEY).base_url(mock.base_url()).build().unwrap();
    let seeded: Vec<String> = mock.control().deployment_names();
    let started = Instant::now();

    let results = futures::stream::iter(0..CALLS)
        .map(|i| {
            let client = client.clone();
            let existing = seeded[i % seeded.len()].clone();
            async move { run(&client, i, &existing).await.map_err(|e| format!("call {i}: {e}")) }
        })
        .buffer_unordered(IN_FLIGHT)
        .collect::<Vec<_>>();
    let results = tokio::time::timeout(BOUND, results).await.expect("the load finished in time");

    let errors: Vec<_> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    assert!(errors.is_empty(), "{} errors, first: {:?}", errors.len(), errors.first());
    let outcomes: Vec<Outcome> = results.into_iter().map(Result::unwrap).collect();
    eprintln!("{CALLS} calls, {IN_FLIGHT} in flight: {:?}", started.elapsed());

    // Every created deployment that was not deleted is listed; every deleted one is gone.
    let created: HashSet<String> = outcomes.iter().filter_map(|o| o.created.clone()).collect();
    let deleted: HashSet<String> = outcomes.iter().filter_map(|o| o.deleted.clone()).collect();
    assert!(!created.is_empty() && !deleted.is_empty());
    assert!(deleted.is_subset(&created));

    let listed: HashSet<String> = client
        .deployments()
        .list()
        .active_only(false)
        .limit(100)
        .stream()
        .map_ok(|d| d.name)
        .try_collect()
        .await
        .unwrap();
    for name in &created {
        assert_eq!(listed.contains(name), !deleted.contains(name), "{name}");
    }
    for name in &deleted {
        let err = client.deployments().get(name).send().await.unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
    }
    for name in &seeded {
        assert!(listed.contains(name), "seeded {name} is still there");
    }
    assert_eq!(listed.len(), seeded.len() + created.len() - deleted.len());
    assert!(mock.control().requests().len() >= CALLS);
}

#[derive(Default)]
struct Outcome {
    created: Option<String>,
    deleted: Option<String>,
}

/// Deployment `i / 20` of the run: created by call 13 or 14 of its block of 20, changed by the
/// calls after it, and deleted by call 17 when it was created by call 13.
fn own_name(i: usize) -> String {
    format!("load-{:05}", i / 20)
}

async fn run(client: &Client, i: usize, existing: &str) -> mistral_workflows::Result<Outcome> {
    let d = client.deployments();
    let mut outcome = Outcome::default();
    match plan(i) {
        Call::List => {
            d.list().active_only(i.is_multiple_of(2)).limit(20).send().await?;
        }
        Call::Get => {
            d.get(existing).send().await?;
        }
        Call::Workers => {
            d.workers(existing).limit(10).send().await?;
        }
        Call::Create => {
            // Two creates per block: one kept, one deleted later in the block.
            let name = if i % 20 == 13 { own_name(i) } else { format!("{}-kept", own_name(i)) };
            d.create(&name, Source::github("https://github.com/acme/load")).send().await?;
            outcome.created = Some(name);
        }
        Call::Update | Call::Restart | Call::Delete => {
            // These may run before the create of their block has landed: they work on a
            // deployment that is sure to exist instead, except delete, which waits for it.
            let name = format!("{}-kept", own_name(i));
            match plan(i) {
                Call::Update => {
                    wait_for(client, &name).await?;
                    d.update(&name).replicas(2).send().await?;
                }
                Call::Restart => {
                    wait_for(client, &name).await?;
                    d.restart(&name).send().await?;
                }
                _ => {
                    let doomed = own_name(i);
                    wait_for(client, &doomed).await?;
                    d.delete(&doomed).send().await?;
                    outcome.deleted = Some(doomed);
                }
            }
        }
    }
    Ok(outcome)
}

/// Waits until the create of the same block has been carried out.
async fn wait_for(client: &Client, name: &str) -> mistral_workflows::Result<()> {
    loop {
        match client.deployments().get(name).send().await {
            Ok(_) => return Ok(()),
            Err(e) if e.status().map(|s| s.as_u16()) == Some(404) => {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            Err(e) => return Err(e),
        }
    }
}
