//! When and how failed calls are sent again.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};

use crate::error::Error;

/// How a failed call is retried.
///
/// Retries are on by default. A call is sent again after a timeout, a lost connection, or an
/// answer of 408, 429, 500, 502, 503 or 504, with exponential backoff and jitter, until it
/// succeeds, [`max_attempts`](RetryPolicy::max_attempts) is reached, or the next wait would go
/// past [`max_elapsed`](RetryPolicy::max_elapsed). A `Retry-After` header is honoured, up to
/// [`max_retry_after`](RetryPolicy::max_retry_after).
///
/// Reads, `delete`, `stop`, `start` and `restart` are retried on every such failure: sending
/// them twice has the effect of sending them once. `create` and `update` are retried only when
/// the request provably never reached the server (the connection could not be made), unless
/// [`retry_non_idempotent`](RetryPolicy::retry_non_idempotent) says otherwise.
#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    pub(crate) max_attempts: u32,
    pub(crate) initial_backoff: Duration,
    pub(crate) max_backoff: Duration,
    pub(crate) max_elapsed: Duration,
    pub(crate) max_retry_after: Duration,
    pub(crate) retry_non_idempotent: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
            max_elapsed: Duration::from_secs(60),
            max_retry_after: Duration::from_secs(30),
            retry_non_idempotent: false,
        }
    }
}

impl RetryPolicy {
    /// No retries: every call is sent once.
    pub fn disabled() -> Self {
        Self { max_attempts: 1, ..Self::default() }
    }

    /// How many times a call is sent at most, the first time included. `1` turns retries off.
    ///
    /// Default is 4. `0` is read as 1.
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The wait before the first retry; each further wait doubles, up to
    /// [`max_backoff`](RetryPolicy::max_backoff). Each wait is drawn between half and all of
    /// that value, so that many clients do not retry in step.
    ///
    /// Default is 200 ms.
    pub fn initial_backoff(mut self, wait: Duration) -> Self {
        self.initial_backoff = wait;
        self
    }

    /// The longest wait between two attempts, when the server sent no `Retry-After`.
    ///
    /// Default is 5 s.
    pub fn max_backoff(mut self, wait: Duration) -> Self {
        self.max_backoff = wait;
        self
    }

    /// The time budget of a call, its attempts and waits together: no retry starts when its
    /// wait would end after this. An attempt that timed out used up the per-call timeout, so
    /// keep this above it for timeouts to be retried.
    ///
    /// Default is 60 s.
    pub fn max_elapsed(mut self, budget: Duration) -> Self {
        self.max_elapsed = budget;
        self
    }

    /// The longest `Retry-After` that is honoured; a longer one is cut to this.
    ///
    /// Default is 30 s.
    pub fn max_retry_after(mut self, cap: Duration) -> Self {
        self.max_retry_after = cap;
        self
    }

    /// Whether `create` and `update` are retried like reads, also when the request may have
    /// reached the server. A retried create can then answer `409` for a deployment that the
    /// first attempt created.
    ///
    /// Default is `false`: they are retried only after a connection error.
    pub fn retry_non_idempotent(mut self, yes: bool) -> Self {
        self.retry_non_idempotent = yes;
        self
    }

    /// Whether this policy ever retries.
    pub fn is_enabled(&self) -> bool {
        self.max_attempts > 1
    }

    /// The backoff before retry number `retry` (1 for the first retry), before jitter.
    fn backoff(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.saturating_sub(1));
        self.initial_backoff.saturating_mul(factor).min(self.max_backoff)
    }

    /// The wait before retry number `retry`, jitter and `Retry-After` applied.
    pub(crate) fn delay(&self, retry: u32, error: &Error) -> Duration {
        let base = self.backoff(retry);
        let jittered = base.mul_f64(0.5 + fastrand::f64() * 0.5);
        match error.retry_after() {
            Some(asked) => asked.min(self.max_retry_after).max(jittered),
            None => jittered,
        }
    }

    /// Whether `error` on a call that is (or is not) idempotent may be retried.
    pub(crate) fn allows(&self, error: &Error, idempotent: bool) -> bool {
        if !error.is_retryable() {
            return false;
        }
        idempotent || self.retry_non_idempotent || error.is_connect()
    }
}

/// A retry budget shared by every call of a client: a token bucket.
///
/// Each retry takes one token; each success puts back a fraction of one. When the service is
/// down the bucket empties, and from then on failures surface at once instead of every caller
/// multiplying the load with its retries. First attempts never need a token.
#[derive(Clone, Debug)]
pub struct RetryBudget {
    state: Arc<Mutex<BudgetState>>,
}

#[derive(Debug)]
struct BudgetState {
    tokens: f64,
    capacity: f64,
    refill_per_success: f64,
}

impl RetryBudget {
    /// A bucket of `capacity` tokens, full, that gets `refill_per_success` tokens back for each
    /// successful call.
    ///
    /// The client's default is 20 tokens and 0.2 per success: once the bucket is empty, one
    /// retry is allowed for every five successes.
    pub fn new(capacity: u32, refill_per_success: f64) -> Self {
        let capacity = f64::from(capacity);
        let refill = if refill_per_success.is_finite() { refill_per_success.max(0.0) } else { 0.0 };
        Self {
            state: Arc::new(Mutex::new(BudgetState {
                tokens: capacity,
                capacity,
                refill_per_success: refill,
            })),
        }
    }

    /// A budget that never runs out.
    pub fn unlimited() -> Self {
        Self::new(u32::MAX, 0.0)
    }

    /// Takes a token for a retry; `false` when the bucket is empty.
    pub(crate) fn try_spend(&self) -> bool {
        let Ok(mut state) = self.state.lock() else { return true };
        if state.tokens >= 1.0 {
            state.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// Puts back a fraction of a token after a success.
    pub(crate) fn refill(&self) {
        if let Ok(mut state) = self.state.lock() {
            state.tokens = (state.tokens + state.refill_per_success).min(state.capacity);
        }
    }

    /// The tokens left, for monitoring.
    pub fn remaining(&self) -> f64 {
        self.state.lock().map(|s| s.tokens).unwrap_or(0.0)
    }
}

impl Default for RetryBudget {
    fn default() -> Self {
        Self::new(20, 0.2)
    }
}

/// Reads `Retry-After` as seconds or as an HTTP date.
pub(crate) fn parse_retry_after(headers: &HeaderMap) -> Option<Duration> {
    let text = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = text.parse::<u64>() {
        // Anything past a day is as good as a day, and keeps the arithmetic far from overflow.
        return Some(Duration::from_secs(seconds.min(86_400)));
    }
    let when = chrono::DateTime::parse_from_rfc2822(text).ok()?;
    let wait = when.with_timezone(&chrono::Utc) - chrono::Utc::now();
    // A date in the past means "now".
    Some(wait.to_std().unwrap_or(Duration::ZERO).min(Duration::from_secs(86_400)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(value: &str) -> HeaderMap {
        let mut map = HeaderMap::new();
        map.insert(RETRY_AFTER, HeaderValue::from_str(value).unwrap());
        map
    }

    #[test]
    fn retry_after_in_seconds() {
        assert_eq!(parse_retry_after(&headers("7")), Some(Duration::from_secs(7)));
    }

    #[test]
    fn retry_after_as_http_date() {
        let later = chrono::Utc::now() + chrono::Duration::seconds(20);
        let text = later.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
        let wait = parse_retry_after(&headers(&text)).unwrap();
        assert!(wait <= Duration::from_secs(20) && wait >= Duration::from_secs(18), "{wait:?}");
    }

    #[test]
    fn retry_after_in_the_past_is_zero() {
        let text = "Sun, 06 Nov 1994 08:49:37 GMT";
        assert_eq!(parse_retry_after(&headers(text)), Some(Duration::ZERO));
    }

    #[test]
    fn garbage_retry_after_is_ignored() {
        assert_eq!(parse_retry_after(&headers("soon")), None);
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.backoff(1), Duration::from_millis(200));
        assert_eq!(policy.backoff(2), Duration::from_millis(400));
        assert_eq!(policy.backoff(3), Duration::from_millis(800));
        assert_eq!(policy.backoff(40), Duration::from_secs(5));
    }

    #[test]
    fn budget_empties_and_refills() {
        let budget = RetryBudget::new(2, 0.5);
        assert!(budget.try_spend());
        assert!(budget.try_spend());
        assert!(!budget.try_spend());
        budget.refill();
        assert!(!budget.try_spend());
        budget.refill();
        assert!(budget.try_spend());
    }
}
