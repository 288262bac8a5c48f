//! The mock's clock: real time, or a manual clock that moves only when told to.

use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};

/// Where the manual clock starts: a fixed instant, so that answers are the same on every run.
/// It lies after every timestamp of the seeded fixtures.
pub(crate) fn manual_epoch() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 15, 12, 0, 0).single().unwrap_or_default()
}

/// The time source of one mock server.
///
/// Both modes add the offset that [`Clock::advance`] accumulates, so `advance` also works on
/// the real-time clock (it jumps ahead of the wall clock).
#[derive(Debug)]
pub(crate) struct Clock {
    manual: bool,
    offset: Mutex<Duration>,
}

impl Clock {
    pub(crate) fn new(manual: bool) -> Self {
        Self { manual, offset: Mutex::new(Duration::ZERO) }
    }

    /// The current time, truncated to microseconds like every timestamp of the API.
    pub(crate) fn now(&self) -> DateTime<Utc> {
        let base = if self.manual { manual_epoch() } else { Utc::now() };
        let offset = *self.offset.lock().unwrap_or_else(|e| e.into_inner());
        add(truncate_micros(base), offset)
    }

    /// A clock of the same kind that shows the same time now.
    pub(crate) fn snapshot(&self) -> Self {
        let offset = *self.offset.lock().unwrap_or_else(|e| e.into_inner());
        Self { manual: self.manual, offset: Mutex::new(offset) }
    }

    /// Moves the clock forward.
    pub(crate) fn advance(&self, by: Duration) {
        let mut offset = self.offset.lock().unwrap_or_else(|e| e.into_inner());
        *offset = offset.saturating_add(by);
    }
}

/// `at + by` in whole microseconds, saturating instead of overflowing on absurd durations.
pub(crate) fn add(at: DateTime<Utc>, by: Duration) -> DateTime<Utc> {
    let sum = chrono::Duration::from_std(by)
        .ok()
        .and_then(|by| at.checked_add_signed(by))
        .unwrap_or(DateTime::<Utc>::MAX_UTC);
    truncate_micros(sum)
}

/// Drops the nanoseconds below the microsecond.
pub(crate) fn truncate_micros(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(at.timestamp_micros()).unwrap_or(at)
}

/// The API's rendering of an instant: RFC 3339, always six fraction digits, `Z`.
pub(crate) fn format_rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_advanced() {
        let clock = Clock::new(true);
        let start = clock.now();
        assert_eq!(start, manual_epoch());
        assert_eq!(clock.now(), start);
        clock.advance(Duration::from_millis(1500));
        assert_eq!((clock.now() - start).num_milliseconds(), 1500);
    }

    #[test]
    fn rendering_always_has_microseconds() {
        assert_eq!(format_rfc3339(manual_epoch()), "2026-01-15T12:00:00.000000Z");
    }

    #[test]
    fn huge_advances_saturate() {
        let clock = Clock::new(true);
        clock.advance(Duration::MAX);
        assert!(clock.now() > manual_epoch());
    }
}
