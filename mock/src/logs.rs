//! The log records of the deployments, build and runtime, kept per deployment name.
//!
//! This round serves no log endpoint yet; the store is filled by the fixtures, by the
//! lifecycle of managed deployments (build and start-up messages) and by the live logs of
//! active deployments, so that log search and the log stream can be served from it later.

use std::collections::{HashMap, VecDeque};

use chrono::{DateTime, Utc};
use mistral_workflows_gen::enums::DeploymentLogType;
use mistral_workflows_gen::types::DeploymentLogRecord;

use crate::cursor::fnv1a;

/// The most records kept per deployment and log type; older ones are dropped first, so that
/// live logs cannot grow without bound.
pub(crate) const MAX_RECORDS: usize = 10_000;

#[derive(Debug, Default)]
pub(crate) struct LogStore {
    /// Deployment name, then log type as written on the wire.
    by_name: HashMap<String, HashMap<String, VecDeque<DeploymentLogRecord>>>,
}

impl LogStore {
    /// Appends records, keeping each list sorted by timestamp.
    pub(crate) fn extend(
        &mut self,
        name: &str,
        log_type: &DeploymentLogType,
        records: impl IntoIterator<Item = DeploymentLogRecord>,
    ) {
        let list = self
            .by_name
            .entry(name.to_owned())
            .or_default()
            .entry(log_type.as_str().to_owned())
            .or_default();
        let mut sorted = true;
        for record in records {
            sorted &= list.back().is_none_or(|last| last.timestamp <= record.timestamp);
            list.push_back(record);
        }
        if !sorted {
            list.make_contiguous().sort_by_key(|r| r.timestamp);
        }
        while list.len() > MAX_RECORDS {
            list.pop_front();
        }
    }

    pub(crate) fn push(
        &mut self,
        name: &str,
        log_type: &DeploymentLogType,
        record: DeploymentLogRecord,
    ) {
        self.extend(name, log_type, std::iter::once(record));
    }

    /// The records of one deployment and log type, oldest first.
    #[allow(dead_code)] // TODO(logs round): read by log search and the log stream.
    pub(crate) fn records(
        &self,
        name: &str,
        log_type: &DeploymentLogType,
    ) -> Vec<DeploymentLogRecord> {
        self.by_name
            .get(name)
            .and_then(|types| types.get(log_type.as_str()))
            .map(|list| list.iter().cloned().collect())
            .unwrap_or_default()
    }

    pub(crate) fn remove(&mut self, name: &str) {
        self.by_name.remove(name);
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

    #[test]
    fn records_stay_sorted_and_bounded() {
        let mut store = LogStore::default();
        let t = |s| Utc.timestamp_opt(s, 0).unwrap();
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
}
