//! The log records of the deployments, build and runtime, kept per deployment name.
//!
//! The store is filled by the fixtures, by the lifecycle of managed deployments (build and
//! start-up messages), by the live logs of active deployments and by
//! [`MockControl::append_log`](crate::MockControl::append_log). Every record gets a sequence
//! number when it is written, from one counter for the whole store, so numbers only grow.
//!
//! Each deployment keeps two views of its records:
//!
//! - by `(timestamp, sequence)`, for log search: a page is a range scan from the key of the
//!   previous page's last record, in either direction, and records with the same timestamp
//!   keep the order they were written in;
//! - per log type, in the order written, for the log stream: a stream's position is the
//!   sequence number of the last record it sent, so it reads the store from there and never
//!   needs a queue of its own. A record written with an old timestamp still reaches the open
//!   streams, since it is new in this order.
//!
//! Each deployment also has a [`watch`] channel whose value changes with every runtime record
//! written (and with [`LogStore::wake`]), so that open streams sleep until there is news.

use std::collections::{BTreeMap, HashMap, VecDeque};

use chrono::{DateTime, Utc};
use mistral_workflows_gen::enums::DeploymentLogType;
use mistral_workflows_gen::types::DeploymentLogRecord;
use tokio::sync::watch;

use crate::cursor::fnv1a;

/// The most records kept per deployment and log type; the earliest written are dropped first,
/// so that live logs cannot grow without bound.
pub(crate) const MAX_RECORDS: usize = 10_000;

/// The two log types the mock keeps. Records of a type it does not know are not kept: no
/// request could ask for them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Build = 0,
    Runtime = 1,
}

impl Kind {
    pub(crate) fn of(log_type: &DeploymentLogType) -> Option<Kind> {
        match log_type.as_str() {
            "build" => Some(Kind::Build),
            "runtime" => Some(Kind::Runtime),
            _ => None,
        }
    }
}

/// A position in the search view: the timestamp in microseconds, then the sequence number.
pub(crate) type TimeKey = (i64, u64);

#[derive(Clone, Debug)]
struct Stored {
    kind: Kind,
    record: DeploymentLogRecord,
}

#[derive(Clone, Debug, Default)]
struct DeploymentLogs {
    by_time: BTreeMap<TimeKey, Stored>,
    /// Per [`Kind`], the keys of its records in the order they were written.
    written: [VecDeque<TimeKey>; 2],
}

/// A log search: the window, the filters and the order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct LogQuery {
    pub(crate) kind: Option<Kind>,
    pub(crate) worker_name: Option<String>,
    pub(crate) workflow_name: Option<String>,
    /// Only records strictly later than this, in microseconds.
    pub(crate) after: Option<i64>,
    /// Only records strictly earlier than this, in microseconds.
    pub(crate) before: Option<i64>,
    pub(crate) descending: bool,
}

/// One page of a log search.
#[derive(Debug)]
pub(crate) struct LogPage {
    pub(crate) records: Vec<DeploymentLogRecord>,
    /// The key of the last record, when more records match after it.
    pub(crate) next: Option<TimeKey>,
}

/// What the log stream keeps of its request.
#[derive(Clone, Debug, Default)]
pub(crate) struct StreamFilter {
    pub(crate) worker_name: Option<String>,
    pub(crate) workflow_name: Option<String>,
    /// Only records strictly later than this, in microseconds.
    pub(crate) after: Option<i64>,
}

impl StreamFilter {
    fn matches(&self, record: &DeploymentLogRecord) -> bool {
        attributes_match(record, self.worker_name.as_deref(), self.workflow_name.as_deref())
            && self.after.is_none_or(|after| record.timestamp.timestamp_micros() > after)
    }
}

/// The next runtime record for a stream.
#[derive(Debug)]
pub(crate) enum Next {
    /// The next matching record and its sequence number.
    Record(u64, DeploymentLogRecord),
    /// Nothing to send yet; the stream may move its position up to this sequence number, past
    /// the records that did not match.
    Idle(u64),
}

fn attributes_match(
    record: &DeploymentLogRecord,
    worker_name: Option<&str>,
    workflow_name: Option<&str>,
) -> bool {
    let has = |key: &str, want: Option<&str>| {
        want.is_none_or(|want| record.log_attributes.get(key).map(String::as_str) == Some(want))
    };
    has("worker_name", worker_name) && has("workflow_name", workflow_name)
}

impl LogQuery {
    fn matches(&self, stored: &Stored) -> bool {
        self.kind.is_none_or(|kind| kind == stored.kind)
            && attributes_match(
                &stored.record,
                self.worker_name.as_deref(),
                self.workflow_name.as_deref(),
            )
    }
}

#[derive(Debug, Default)]
pub(crate) struct LogStore {
    by_name: HashMap<String, DeploymentLogs>,
    /// The sequence number of the last record written.
    last_sequence: u64,
    /// The channels of the deployments that have (or had) an open stream.
    wakers: HashMap<String, watch::Sender<u64>>,
}

/// A copy of the records, without the channels: the copy is for a dry run, which no stream
/// listens to.
impl Clone for LogStore {
    fn clone(&self) -> Self {
        Self {
            by_name: self.by_name.clone(),
            last_sequence: self.last_sequence,
            wakers: HashMap::new(),
        }
    }
}

impl LogStore {
    /// Appends records of one type, in timestamp order within the batch. Returns the sequence
    /// numbers given to them, in the order of the batch as sorted.
    pub(crate) fn extend(
        &mut self,
        name: &str,
        log_type: &DeploymentLogType,
        records: impl IntoIterator<Item = DeploymentLogRecord>,
    ) -> Vec<u64> {
        let Some(kind) = Kind::of(log_type) else { return Vec::new() };
        let mut batch: Vec<DeploymentLogRecord> = records.into_iter().collect();
        if batch.is_empty() {
            return Vec::new();
        }
        batch.sort_by_key(|r| r.timestamp);

        let logs = self.by_name.entry(name.to_owned()).or_default();
        let mut sequences = Vec::with_capacity(batch.len());
        for record in batch {
            self.last_sequence += 1;
            let key = (record.timestamp.timestamp_micros(), self.last_sequence);
            logs.by_time.insert(key, Stored { kind, record });
            logs.written[kind as usize].push_back(key);
            sequences.push(self.last_sequence);
        }
        let written = &mut logs.written[kind as usize];
        while written.len() > MAX_RECORDS {
            if let Some(key) = written.pop_front() {
                logs.by_time.remove(&key);
            }
        }
        if kind == Kind::Runtime {
            self.wake(name);
        }
        sequences
    }

    /// Appends one record; its sequence number, unless the log type is unknown.
    pub(crate) fn push(
        &mut self,
        name: &str,
        log_type: &DeploymentLogType,
        record: DeploymentLogRecord,
    ) -> Option<u64> {
        self.extend(name, log_type, std::iter::once(record)).first().copied()
    }

    /// The records of one deployment and log type, by timestamp (ties in the order written).
    #[cfg(test)]
    pub(crate) fn records(
        &self,
        name: &str,
        log_type: &DeploymentLogType,
    ) -> Vec<DeploymentLogRecord> {
        let (Some(logs), Some(kind)) = (self.by_name.get(name), Kind::of(log_type)) else {
            return Vec::new();
        };
        logs.by_time.values().filter(|s| s.kind == kind).map(|s| s.record.clone()).collect()
    }

    /// The sequence numbers of the runtime records of a deployment, in the order written.
    pub(crate) fn runtime_sequences(&self, name: &str) -> Vec<u64> {
        self.by_name
            .get(name)
            .map(|logs| logs.written[Kind::Runtime as usize].iter().map(|k| k.1).collect())
            .unwrap_or_default()
    }

    /// Forgets the records of a deployment and closes its channel, which ends its streams.
    pub(crate) fn remove(&mut self, name: &str) {
        self.by_name.remove(name);
        self.wakers.remove(name);
    }

    /// A receiver that sees every change of the deployment's runtime records.
    pub(crate) fn subscribe(&mut self, name: &str) -> watch::Receiver<u64> {
        self.wakers.entry(name.to_owned()).or_insert_with(|| watch::channel(0).0).subscribe()
    }

    /// Wakes the open streams of a deployment.
    pub(crate) fn wake(&mut self, name: &str) {
        if let Some(sender) = self.wakers.get(name) {
            if sender.receiver_count() == 0 {
                self.wakers.remove(name);
            } else {
                sender.send_modify(|version| *version = version.wrapping_add(1));
            }
        }
    }

    /// One page of a search, after `after` (the last key of the previous page).
    pub(crate) fn search(
        &self,
        name: &str,
        query: &LogQuery,
        after: Option<TimeKey>,
        limit: usize,
    ) -> LogPage {
        let mut page = LogPage { records: Vec::new(), next: None };
        let Some(logs) = self.by_name.get(name) else { return page };
        let mut last = None;
        let mut take = |key: &TimeKey, stored: &Stored| -> bool {
            if !query.matches(stored) {
                return true;
            }
            if page.records.len() == limit {
                page.next = last;
                return false;
            }
            page.records.push(stored.record.clone());
            last = Some(*key);
            true
        };
        // One bound per range, the other checked while scanning: a range with two bounds
        // panics when they cross, and a window from the client may be empty.
        if query.descending {
            let upper = match (after, query.before) {
                (Some(key), _) => std::ops::Bound::Excluded(key),
                (None, Some(before)) => std::ops::Bound::Excluded((before, 0)),
                (None, None) => std::ops::Bound::Unbounded,
            };
            let lower = query.after;
            for (key, stored) in logs.by_time.range((std::ops::Bound::Unbounded, upper)).rev() {
                if lower.is_some_and(|a| key.0 <= a) || !take(key, stored) {
                    break;
                }
            }
        } else {
            let lower = match (after, query.after) {
                (Some(key), _) => std::ops::Bound::Excluded(key),
                (None, Some(a)) => std::ops::Bound::Excluded((a, u64::MAX)),
                (None, None) => std::ops::Bound::Unbounded,
            };
            let upper = query.before;
            for (key, stored) in logs.by_time.range((lower, std::ops::Bound::Unbounded)) {
                if upper.is_some_and(|b| key.0 >= b) || !take(key, stored) {
                    break;
                }
            }
        }
        page
    }

    /// The first runtime record written after sequence `position` that `filter` keeps.
    /// `None` when the deployment has no log records at all.
    pub(crate) fn next_runtime(
        &self,
        name: &str,
        position: u64,
        filter: &StreamFilter,
    ) -> Option<Next> {
        let logs = self.by_name.get(name)?;
        let written = &logs.written[Kind::Runtime as usize];
        let start = written.partition_point(|key| key.1 <= position);
        let mut scanned = position;
        for key in written.range(start..) {
            if let Some(stored) = logs.by_time.get(key)
                && filter.matches(&stored.record)
            {
                return Some(Next::Record(key.1, stored.record.clone()));
            }
            scanned = key.1;
        }
        Some(Next::Idle(scanned))
    }
}

/// A log record with IDs derived from its content, so that fixtures stay deterministic.
pub(crate) fn record(
    at: DateTime<Utc>,
    severity: &str,
    body: &str,
    attributes: &[(&str, &str)],
) -> DeploymentLogRecord {
    let seed = fnv1a(format!("{}|{body}", at.timestamp_micros()).as_bytes());
    DeploymentLogRecord {
        timestamp: at,
        trace_id: format!("{:016x}{:016x}", seed, seed.rotate_left(17) ^ 0x5bd1_e995),
        span_id: format!("{:016x}", seed.rotate_left(29)),
        severity_text: severity.to_owned(),
        body: body.to_owned(),
        log_attributes: attributes
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(s: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(s, 0).unwrap()
    }

    #[test]
    fn records_stay_sorted_and_bounded() {
        let mut store = LogStore::default();
        store.push("a", &DeploymentLogType::Runtime, record(t(10), "INFO", "late", &[]));
        store.push("a", &DeploymentLogType::Runtime, record(t(5), "INFO", "early", &[]));
        let bodies: Vec<String> =
            store.records("a", &DeploymentLogType::Runtime).into_iter().map(|r| r.body).collect();
        assert_eq!(bodies, ["early", "late"]);
        assert!(store.records("a", &DeploymentLogType::Build).is_empty());

        let many = (0..MAX_RECORDS as i64 + 5).map(|s| record(t(100 + s), "INFO", "x", &[]));
        store.extend("b", &DeploymentLogType::Build, many);
        let kept = store.records("b", &DeploymentLogType::Build);
        assert_eq!(kept.len(), MAX_RECORDS);
        assert_eq!(kept[0].timestamp, t(105));
    }

    #[test]
    fn sequences_follow_the_writing_order() {
        let mut store = LogStore::default();
        let late = store.push("a", &DeploymentLogType::Runtime, record(t(10), "I", "late", &[]));
        let early = store.push("a", &DeploymentLogType::Runtime, record(t(5), "I", "early", &[]));
        assert!(late < early);
        let sequences = store.runtime_sequences("a");
        assert_eq!(sequences, [late.unwrap(), early.unwrap()]);
        let filter = StreamFilter::default();
        let Some(Next::Record(seq, first)) = store.next_runtime("a", 0, &filter) else { panic!() };
        assert_eq!((seq, first.body.as_str()), (sequences[0], "late"));
        let Some(Next::Record(_, second)) = store.next_runtime("a", seq, &filter) else { panic!() };
        assert_eq!(second.body, "early");
        assert!(matches!(store.next_runtime("a", u64::MAX, &filter), Some(Next::Idle(_))));
        assert!(store.next_runtime("nobody", 0, &filter).is_none());
        let unknown = DeploymentLogType::from("audit".to_owned());
        assert_eq!(store.push("a", &unknown, record(t(1), "I", "x", &[])), None);
    }

    #[test]
    fn streams_skip_what_the_filter_drops() {
        let mut store = LogStore::default();
        let w = |name| [("worker_name", name)];
        store.push("a", &DeploymentLogType::Runtime, record(t(1), "I", "x", &w("one")));
        store.push("a", &DeploymentLogType::Runtime, record(t(2), "I", "y", &w("two")));
        let filter = StreamFilter { worker_name: Some("two".into()), ..StreamFilter::default() };
        let Some(Next::Record(seq, r)) = store.next_runtime("a", 0, &filter) else { panic!() };
        assert_eq!(r.body, "y");
        let filter = StreamFilter { worker_name: Some("three".into()), ..StreamFilter::default() };
        assert!(matches!(store.next_runtime("a", 0, &filter), Some(Next::Idle(s)) if s == seq));
    }

    #[test]
    fn crossed_windows_are_empty_not_a_panic() {
        let mut store = LogStore::default();
        store.push("a", &DeploymentLogType::Build, record(t(5), "I", "x", &[]));
        for descending in [false, true] {
            let query = LogQuery {
                after: Some(t(10).timestamp_micros()),
                before: Some(t(1).timestamp_micros()),
                descending,
                ..LogQuery::default()
            };
            assert!(store.search("a", &query, None, 10).records.is_empty());
            assert!(store.search("a", &query, Some((i64::MIN, 0)), 10).records.is_empty());
        }
    }
}
