//! Streams that follow `next_cursor` from page to page.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::stream::{self, BoxStream, Stream, StreamExt, TryStreamExt};

use crate::error::{Error, Result};

/// One page, as the pagination stream needs it.
pub(crate) struct Page<T> {
    pub(crate) items: Vec<T>,
    pub(crate) next_cursor: Option<String>,
}

/// Every item of a listing, across pages.
///
/// Pages are fetched lazily, one at a time, when the items of the previous one have been
/// consumed; only one page is held in memory. Each page request is retried on its own, so a
/// failure mid-way never restarts the listing from the top. After an error the stream ends.
#[must_use = "streams do nothing unless polled"]
pub struct Paginated<T> {
    inner: BoxStream<'static, Result<T>>,
}

enum Cursor {
    Next(Option<String>),
    Done,
}

fn same_cursor_again() -> Error {
    Error::malformed_answer(
        "the server answered with the cursor it was sent, which would repeat the page forever"
            .to_owned(),
    )
}

impl<T: Send + 'static> Paginated<T> {
    pub(crate) fn new<F, Fut>(first_cursor: Option<String>, mut fetch: F) -> Self
    where
        F: FnMut(Option<String>) -> Fut + Send + 'static,
        Fut: Future<Output = Result<Page<T>>> + Send + 'static,
    {
        let pages = stream::try_unfold(Cursor::Next(first_cursor), move |state| {
            let next = match state {
                Cursor::Done => None,
                Cursor::Next(cursor) => Some((cursor.clone(), fetch(cursor))),
            };
            async move {
                let Some((sent, request)) = next else { return Ok::<_, Error>(None) };
                let page = request.await?;
                let state = match page.next_cursor {
                    Some(cursor) if sent.as_deref() == Some(cursor.as_str()) => {
                        return Err(same_cursor_again());
                    }
                    // An empty cursor would ask for the first page again.
                    Some(cursor) if !cursor.is_empty() => Cursor::Next(Some(cursor)),
                    _ => Cursor::Done,
                };
                Ok(Some((page.items, state)))
            }
        });
        // `try_unfold` drops its state at the first error, so the stream ends there.
        let items = pages.map_ok(|items| stream::iter(items.into_iter().map(Ok))).try_flatten();
        Self { inner: items.boxed() }
    }
}

impl<T> Stream for Paginated<T> {
    type Item = Result<T>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

impl<T> fmt::Debug for Paginated<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Paginated").finish_non_exhaustive()
    }
}
