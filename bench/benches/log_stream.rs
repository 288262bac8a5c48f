//! The log stream: records per second, the facade against eventsource-stream and serde_json
//! alone, both decoding into the generated `DeploymentLogRecord`.
//!
//! Two pairs. From memory: the facade's `decode_log_events` against eventsource-stream over
//! the same chunks of bytes. Over HTTP: the facade's resuming `LogStream` against
//! eventsource-stream over reqwest's byte stream, both reading the same `text/event-stream`
//! body from the in-process server, one connection per iteration.
//!
//! A third group decodes from memory in chunks of different sizes: eventsource-stream copies
//! the rest of its buffer for every line it parses, so its cost per line grows with the size
//! of the chunk it was handed, and loopback reads hand over up to about 500 KiB at once.
//! `eventsource_http_resliced` shows the cure: the same HTTP baseline with every read cut
//! into slices of at most 4 KiB before the parser sees it.

#![allow(clippy::expect_used)]

use std::hint::black_box;
use std::time::Duration;

use bytes::Bytes;
use criterion::{BenchmarkId, Criterion, Throughput};
use futures::{Stream, StreamExt, TryStreamExt};
use tokio::runtime::Runtime;

use mistral_workflows_bench::{baseline, client_runtime, facade, fixture, paired, server};

/// Records per iteration: enough that opening the connection is a small part of it.
const RECORDS: u64 = 10_000;
/// The size of the chunks the in-memory pair is fed: that of a TLS record, a common read.
const CHUNK: usize = 16 * 1024;
/// The largest slice the re-slicing variant hands the parser.
const RESLICE: usize = 4 << 10;
/// The chunk sizes of the sweep, up to the largest read seen on loopback (504 KiB).
const SWEEP: [usize; 5] = [1 << 10, 4 << 10, 16 << 10, 64 << 10, 504 << 10];

/// The body in chunks of `size` bytes, as a stream; slicing `Bytes` copies nothing.
fn chunks(
    body: &Bytes,
    size: usize,
) -> impl Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static + use<> {
    let body = body.clone();
    let starts = (0..body.len()).step_by(size);
    futures::stream::iter(starts.map(move |at| Ok(body.slice(at..(at + size).min(body.len())))))
}

struct Setup {
    _server: server::Server,
    body: Bytes,
    rt: Runtime,
    sdk: mistral_workflows::Client,
    hand: baseline::Client,
}

/// Counts the items of a stream of results, failing on the first error.
async fn count<S, T, E>(stream: S) -> u64
where
    S: Stream<Item = Result<T, E>>,
    E: std::fmt::Display,
{
    let counted = stream
        .try_fold(0u64, |n, item| async move {
            black_box(&item);
            Ok(n + 1)
        })
        .await;
    match counted {
        Ok(n) => n,
        Err(e) => panic!("the log stream failed: {e}"),
    }
}

impl Setup {
    fn new() -> Self {
        let config = server::Config::new().log_stream(RECORDS);
        let body = config.log_stream_body().clone();
        let server = config.start().expect("server");
        let url = server.base_url();
        Self {
            body,
            rt: client_runtime().expect("runtime"),
            sdk: facade(&url).expect("facade"),
            hand: baseline(&url).expect("baseline"),
            _server: server,
        }
    }

    async fn facade_memory(&self) -> u64 {
        count(mistral_workflows::decode_log_events(chunks(&self.body, CHUNK))).await
    }

    async fn eventsource_memory(&self) -> u64 {
        count(baseline::decode_log_events(chunks(&self.body, CHUNK))).await
    }

    async fn facade_http(&self) -> u64 {
        // The stream would reconnect at the end of the body: take exactly what it holds.
        let stream = self.sdk.deployments().log_stream(fixture::LOG_DEPLOYMENT).stream();
        count(stream.take(RECORDS as usize)).await
    }

    async fn eventsource_http(&self) -> u64 {
        count(self.hand.log_stream(fixture::LOG_DEPLOYMENT).await.expect("connect")).await
    }

    async fn eventsource_http_resliced(&self) -> u64 {
        let stream = self.hand.log_stream_resliced(fixture::LOG_DEPLOYMENT, RESLICE).await;
        count(stream.expect("connect")).await
    }
}

fn bench(c: &mut Criterion, s: &Setup) {
    let mut group = c.benchmark_group("log_stream_10k");
    group.throughput(Throughput::Elements(RECORDS));
    group.bench_function("facade_memory", |b| {
        b.to_async(&s.rt).iter(|| async { assert_eq!(s.facade_memory().await, RECORDS) });
    });
    group.bench_function("eventsource_memory", |b| {
        b.to_async(&s.rt).iter(|| async { assert_eq!(s.eventsource_memory().await, RECORDS) });
    });
    group.bench_function("facade_http", |b| {
        b.to_async(&s.rt).iter(|| async { assert_eq!(s.facade_http().await, RECORDS) });
    });
    group.bench_function("eventsource_http", |b| {
        b.to_async(&s.rt).iter(|| async { assert_eq!(s.eventsource_http().await, RECORDS) });
    });
    group.bench_function("eventsource_http_resliced", |b| {
        b.to_async(&s.rt)
            .iter(|| async { assert_eq!(s.eventsource_http_resliced().await, RECORDS) });
    });
    group.finish();

    let mut group = c.benchmark_group("log_stream_10k_chunk_size");
    group.throughput(Throughput::Elements(RECORDS));
    for size in SWEEP {
        group.bench_function(BenchmarkId::new("facade_memory", size), |b| {
            b.to_async(&s.rt).iter(|| async {
                let events = mistral_workflows::decode_log_events(chunks(&s.body, size));
                assert_eq!(count(events).await, RECORDS);
            });
        });
    }
    group.finish();
}

fn main() {
    let setup = Setup::new();
    let mut c = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5))
        .configure_from_args();
    bench(&mut c, &setup);
    c.final_summary();

    if paired::measuring() {
        let s = &setup;
        let memory = s.rt.block_on(paired::compare(
            "log_stream_10k/memory",
            20,
            2,
            || s.facade_memory(),
            || s.eventsource_memory(),
        ));
        println!("{memory}");
        let http = s.rt.block_on(paired::compare(
            "log_stream_10k/http",
            20,
            2,
            || s.facade_http(),
            || s.eventsource_http(),
        ));
        println!("{http}");
    }
}
