//! Paginating through the facade holds one page at a time: the peak of live heap bytes while
//! streaming a long listing stays within twice that of fetching one page.
//!
//! A check of memory, not of time; the bench `pagination` measures the same at full size.

#![allow(clippy::expect_used)]

use futures::TryStreamExt;

use mistral_workflows_bench::alloc::{self, Counting};
use mistral_workflows_bench::{client_runtime, facade, server};

#[global_allocator]
static ALLOC: Counting = Counting;

const PAGES: usize = 50;

#[test]
fn streaming_a_listing_holds_one_page_at_a_time() {
    let server = server::Config::new().listing(100, PAGES).start().expect("server");
    let sdk = facade(&server.base_url()).expect("facade");
    let rt = client_runtime().expect("runtime");

    rt.block_on(async {
        // Open the pooled connection first, so that neither phase pays for it.
        sdk.deployments().list().limit(100).send().await.expect("warm-up");

        let start = alloc::reset_peak();
        let page = sdk.deployments().list().limit(100).send().await.expect("one page");
        let one_page = alloc::peak_since(start);
        drop(page);

        let start = alloc::reset_peak();
        let stream = sdk.deployments().list().limit(100).stream();
        let count = stream.try_fold(0usize, |n, _| async move { Ok(n + 1) }).await;
        let listing = alloc::peak_since(start);

        assert_eq!(count.expect("stream"), PAGES * 100);
        assert!(alloc::installed());
        assert!(
            listing <= 2 * one_page,
            "streaming {PAGES} pages peaked at {listing} bytes, one page at {one_page}"
        );
    });
}
