//! Benchmarks of the `mistral-workflows` facade against a hand-written reqwest baseline.
//!
//! The benches live in `benches/`; this library holds what they share: the deterministic
//! fixtures ([`fixture`]), the in-process server both sides talk to ([`server`]), the
//! hand-written baseline ([`baseline`]), the interleaved timing that gives the ratios
//! ([`paired`]) and the counting allocator that measures peak memory ([`alloc`]).
//! `BENCHMARKS.md` at the root of the repository has the figures and how to reproduce them.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod alloc;
pub mod baseline;
pub mod fixture;
pub mod paired;
pub mod server;

/// The API key both sides send.
pub const API_KEY: &str = "bench";

/// The facade, set up as the benches use it: the server's base URL, no retries, everything
/// else at its default.
///
/// # Errors
///
/// When the client cannot be built.
pub fn facade(base_url: &str) -> mistral_workflows::Result<mistral_workflows::Client> {
    mistral_workflows::Client::builder()
        .api_key(API_KEY)
        .base_url(base_url)
        .retry_policy(mistral_workflows::RetryPolicy::disabled())
        .build()
}

/// The baseline client with the same settings.
///
/// # Errors
///
/// When the client cannot be built.
pub fn baseline(base_url: &str) -> Result<baseline::Client, baseline::Error> {
    baseline::Client::new(base_url, API_KEY)
}

/// The runtime the clients run on: one thread, so that the server's thread and the client's
/// each have one of the two cores of the machines the figures come from.
///
/// # Errors
///
/// When the runtime cannot be built.
pub fn client_runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread().enable_all().build()
}

#[cfg(test)]
mod tests {
    use futures::{StreamExt, TryStreamExt};

    use super::*;

    fn server() -> server::Server {
        server::Config::new().listing(100, 3).listing(10, 1).log_stream(120).start().unwrap()
    }

    #[test]
    fn both_sides_decode_the_same_page() {
        let page = fixture::list_page(0, 1, 100);
        let generated: mistral_workflows::types::DeploymentListResponse =
            serde_json::from_slice(&page).unwrap();
        let hand: baseline::ListResponse = serde_json::from_slice(&page).unwrap();
        assert_eq!(generated.deployments.len(), hand.deployments.len());
        for (g, h) in generated.deployments.iter().zip(&hand.deployments) {
            assert_eq!(g.id, h.id);
            assert_eq!(g.last_heartbeat, h.last_heartbeat);
            assert_eq!(g.managed.is_some(), h.managed.is_some());
            assert_eq!(g.locations.len(), h.locations.len());
        }
    }

    #[test]
    fn both_sides_page_through_the_server() {
        let server = server();
        let rt = client_runtime().unwrap();
        rt.block_on(async {
            let facade = facade(&server.base_url()).unwrap();
            let items = facade.deployments().list().limit(100).stream().try_collect::<Vec<_>>();
            assert_eq!(items.await.unwrap().len(), 300);

            let baseline = baseline(&server.base_url()).unwrap();
            assert_eq!(baseline.list_all(100, drop).await.unwrap(), 300);
            assert_eq!(baseline.list(10, None).await.unwrap().deployments.len(), 10);
        });
    }

    #[test]
    fn both_sides_read_the_log_stream() {
        let server = server();
        let rt = client_runtime().unwrap();
        rt.block_on(async {
            let facade = facade(&server.base_url()).unwrap();
            let stream = facade.deployments().log_stream(fixture::LOG_DEPLOYMENT).stream();
            let sdk: Vec<_> = stream.take(120).try_collect().await.unwrap();

            let baseline = baseline(&server.base_url()).unwrap();
            let stream = baseline.log_stream(fixture::LOG_DEPLOYMENT).await.unwrap();
            let hand: Vec<_> = stream.try_collect().await.unwrap();

            let stream = baseline.log_stream_resliced(fixture::LOG_DEPLOYMENT, 100).await.unwrap();
            let resliced: Vec<_> = stream.try_collect().await.unwrap();

            assert_eq!(hand.len(), 120);
            assert_eq!(resliced, hand);
            let sdk: Vec<_> = sdk.into_iter().map(|event| event.record).collect();
            assert_eq!(sdk, hand);
        });
    }

    #[test]
    fn the_in_memory_decoder_matches_the_fixture() {
        let body = fixture::log_stream(75);
        let chunks = body.chunks(1000).map(|c| Ok::<_, std::io::Error>(c.to_vec()));
        let rt = client_runtime().unwrap();
        let records = rt.block_on(async {
            let stream = baseline::decode_log_events(futures::stream::iter(chunks));
            stream.try_collect::<Vec<_>>().await.unwrap()
        });
        assert_eq!(records.len(), 75);
    }
}
