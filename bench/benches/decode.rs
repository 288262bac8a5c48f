//! Decoding only: one 100-item `DeploymentListResponse` into the generated types against the
//! hand-written structs. No I/O.

#![allow(clippy::expect_used)]

use std::hint::black_box;
use std::time::Duration;

use bytes::Bytes;
use criterion::{Criterion, Throughput};

use mistral_workflows::types::DeploymentListResponse;
use mistral_workflows_bench::{baseline, client_runtime, fixture, paired};

fn generated(page: &[u8]) -> DeploymentListResponse {
    serde_json::from_slice(black_box(page)).expect("generated decode")
}

fn hand_written(page: &[u8]) -> baseline::ListResponse {
    serde_json::from_slice(black_box(page)).expect("baseline decode")
}

fn bench(c: &mut Criterion, page: &Bytes) {
    let mut group = c.benchmark_group("decode_100");
    group.throughput(Throughput::Bytes(page.len() as u64));
    group.bench_function("generated", |b| b.iter(|| generated(page)));
    group.bench_function("baseline", |b| b.iter(|| hand_written(page)));
    group.finish();
}

fn main() {
    let page = fixture::list_page(0, 2, 100);
    let mut c = Criterion::default()
        .sample_size(50)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    bench(&mut c, &page);
    c.final_summary();

    if paired::measuring() {
        let rt = client_runtime().expect("runtime");
        let result = rt.block_on(paired::compare(
            "decode_100",
            40,
            50,
            || async { generated(&page).deployments.len() },
            || async { hand_written(&page).deployments.len() },
        ));
        println!("{result}");
    }
}
