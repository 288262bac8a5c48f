//! One `list` call of a 100-item page: the facade against the hand-written baseline, on the
//! same client runtime, against the same in-process server.

#![allow(clippy::expect_used)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput};
use tokio::runtime::Runtime;

use mistral_workflows_bench::{baseline, client_runtime, facade, paired, server};

struct Setup {
    _server: server::Server,
    rt: Runtime,
    sdk: mistral_workflows::Client,
    hand: baseline::Client,
}

impl Setup {
    fn new() -> Self {
        let server = server::Config::new().listing(100, 1).start().expect("server");
        let url = server.base_url();
        Self {
            rt: client_runtime().expect("runtime"),
            sdk: facade(&url).expect("facade"),
            hand: baseline(&url).expect("baseline"),
            _server: server,
        }
    }

    async fn facade_call(&self) -> usize {
        let page = self.sdk.deployments().list().limit(100).send().await.expect("facade list");
        page.deployments.len()
    }

    async fn baseline_call(&self) -> usize {
        self.hand.list(100, None).await.expect("baseline list").deployments.len()
    }
}

fn bench(c: &mut Criterion, s: &Setup) {
    let mut group = c.benchmark_group("list_100");
    group.throughput(Throughput::Elements(1));
    group.bench_function("facade", |b| {
        b.to_async(&s.rt).iter(|| async { black_box(s.facade_call().await) });
    });
    group.bench_function("baseline", |b| {
        b.to_async(&s.rt).iter(|| async { black_box(s.baseline_call().await) });
    });
    group.finish();
}

fn main() {
    let setup = Setup::new();
    let mut c = Criterion::default()
        .sample_size(50)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .configure_from_args();
    bench(&mut c, &setup);
    c.final_summary();

    if paired::measuring() {
        let s = &setup;
        let result = s.rt.block_on(paired::compare(
            "list_100",
            40,
            20,
            || s.facade_call(),
            || s.baseline_call(),
        ));
        println!("{result}");
    }
}
