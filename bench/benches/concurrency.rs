//! 64 `list` calls in flight on one client: calls per second, the facade against the
//! baseline. Measured for a 10-item page, where the cost of a call is mostly the request
//! itself, and for a 100-item page, where it is mostly decoding.

#![allow(clippy::expect_used)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput};
use futures::future::join_all;
use tokio::runtime::Runtime;

use mistral_workflows_bench::{baseline, client_runtime, facade, paired, server};

const IN_FLIGHT: usize = 64;
const LIMITS: [u32; 2] = [10, 100];

struct Setup {
    _server: server::Server,
    rt: Runtime,
    sdk: mistral_workflows::Client,
    hand: baseline::Client,
}

impl Setup {
    fn new() -> Self {
        let config = LIMITS.iter().fold(server::Config::new(), |config, &l| config.listing(l, 1));
        let server = config.start().expect("server");
        let url = server.base_url();
        Self {
            rt: client_runtime().expect("runtime"),
            sdk: facade(&url).expect("facade"),
            hand: baseline(&url).expect("baseline"),
            _server: server,
        }
    }

    /// 64 calls at once; returns how many deployments came back.
    async fn facade_wave(&self, limit: u32) -> usize {
        let calls = (0..IN_FLIGHT).map(|_| self.sdk.deployments().list().limit(limit).send());
        let pages = join_all(calls).await;
        pages.into_iter().map(|page| page.expect("facade list").deployments.len()).sum()
    }

    async fn baseline_wave(&self, limit: u32) -> usize {
        let calls = (0..IN_FLIGHT).map(|_| self.hand.list(limit, None));
        let pages = join_all(calls).await;
        pages.into_iter().map(|page| page.expect("baseline list").deployments.len()).sum()
    }
}

fn bench(c: &mut Criterion, s: &Setup) {
    let mut group = c.benchmark_group("in_flight_64");
    group.throughput(Throughput::Elements(IN_FLIGHT as u64));
    for limit in LIMITS {
        group.bench_function(BenchmarkId::new("facade", limit), |b| {
            b.to_async(&s.rt).iter(|| async { black_box(s.facade_wave(limit).await) });
        });
        group.bench_function(BenchmarkId::new("baseline", limit), |b| {
            b.to_async(&s.rt).iter(|| async { black_box(s.baseline_wave(limit).await) });
        });
    }
    group.finish();
}

fn main() {
    let setup = Setup::new();
    let mut c = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5))
        .configure_from_args();
    bench(&mut c, &setup);
    c.final_summary();

    if paired::measuring() {
        let s = &setup;
        for limit in LIMITS {
            // A ratio of times per wave; calls per second is its inverse.
            let result = s.rt.block_on(paired::compare(
                &format!("in_flight_64/{limit}"),
                20,
                3,
                || s.facade_wave(limit),
                || s.baseline_wave(limit),
            ));
            println!("{result}");
        }
    }
}
