//! Paginating 100,000 deployments (1,000 pages of 100) through the facade's `.stream()`
//! against a hand-written loop over `next_cursor`: the time, and before it the peak memory,
//! which must stay flat (at most twice that of holding one page).
//!
//! Peak memory is the high-water mark of live heap bytes, from the counting allocator of this
//! binary, reset at the start of each phase.

#![allow(clippy::expect_used)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput};
use futures::TryStreamExt;

use mistral_workflows_bench::alloc::{self, Counting};
use mistral_workflows_bench::{baseline, client_runtime, facade, paired, server};

#[global_allocator]
static ALLOC: Counting = Counting;

const PAGES: usize = 1_000;
const PER_PAGE: u32 = 100;
const TOTAL: usize = PAGES * PER_PAGE as usize;
/// Each phase runs this many times; the largest peak counts.
const ROUNDS: usize = 3;

fn start_server() -> server::Server {
    server::Config::new().listing(PER_PAGE, PAGES).start().expect("server")
}

async fn facade_count(sdk: &mistral_workflows::Client) -> usize {
    let stream = sdk.deployments().list().limit(PER_PAGE).stream();
    stream
        .try_fold(0usize, |n, deployment| async move {
            black_box(&deployment);
            Ok(n + 1)
        })
        .await
        .expect("facade stream")
}

async fn baseline_count(hand: &baseline::Client) -> usize {
    hand.list_all(PER_PAGE, |deployment| {
        black_box(&deployment);
    })
    .await
    .expect("baseline loop")
}

/// The largest rise of live bytes over `ROUNDS` runs of `phase`.
async fn peak_of<F, Fut, T>(mut phase: F) -> usize
where
    F: FnMut() -> Fut,
    Fut: Future<Output = T>,
{
    let mut peak = 0;
    for _ in 0..ROUNDS {
        let start = alloc::reset_peak();
        let held = phase().await;
        peak = peak.max(alloc::peak_since(start));
        drop(black_box(held));
    }
    peak
}

fn kib(bytes: usize) -> String {
    format!("{:.1} KiB", bytes as f64 / 1024.0)
}

fn report(side: &str, one_page: usize, listing: usize) {
    let ratio = listing as f64 / one_page.max(1) as f64;
    let verdict = if ratio <= 2.0 { "flat" } else { "NOT FLAT" };
    println!(
        "memory/{side}: one page {}, {TOTAL} items {}, ratio {ratio:.2} ({verdict})",
        kib(one_page),
        kib(listing),
    );
}

fn memory() {
    if !alloc::installed() {
        println!("memory: the counting allocator is not installed; no figures");
        return;
    }
    let server = start_server();
    let url = server.base_url();
    let rt = client_runtime().expect("runtime");
    let sdk = facade(&url).expect("facade");
    let hand = baseline(&url).expect("baseline");

    rt.block_on(async {
        // Open the pooled connection first, so that no phase pays for it.
        sdk.deployments().list().limit(PER_PAGE).send().await.expect("facade warm-up");
        hand.list(PER_PAGE, None).await.expect("baseline warm-up");

        let one = peak_of(|| async {
            sdk.deployments().list().limit(PER_PAGE).send().await.expect("facade page")
        })
        .await;
        let all = peak_of(|| async { assert_eq!(facade_count(&sdk).await, TOTAL) }).await;
        report("facade", one, all);

        let one =
            peak_of(|| async { hand.list(PER_PAGE, None).await.expect("baseline page") }).await;
        let all = peak_of(|| async { assert_eq!(baseline_count(&hand).await, TOTAL) }).await;
        report("baseline", one, all);
    });
}

fn bench(c: &mut Criterion) {
    let server = start_server();
    let url = server.base_url();
    let rt = client_runtime().expect("runtime");
    let sdk = facade(&url).expect("facade");
    let hand = baseline(&url).expect("baseline");

    let mut group = c.benchmark_group("paginate_100k");
    group.throughput(Throughput::Elements(TOTAL as u64));
    group.bench_function("facade", |b| {
        b.to_async(&rt).iter(|| async { black_box(facade_count(&sdk).await) });
    });
    group.bench_function("baseline", |b| {
        b.to_async(&rt).iter(|| async { black_box(baseline_count(&hand).await) });
    });
    group.finish();

    if paired::measuring() {
        let result = rt.block_on(paired::compare(
            "paginate_100k",
            16,
            1,
            || facade_count(&sdk),
            || baseline_count(&hand),
        ));
        println!("{result}");
    }
}

fn main() {
    if paired::measuring() {
        memory();
    }
    let mut c = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(8))
        .configure_from_args();
    bench(&mut c);
    c.final_summary();
}
