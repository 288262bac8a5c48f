//! The state of the mock: deployments, their sorted indexes, pending lifecycle steps and logs.
//!
//! Deployments are kept by ID, with a sorted index per order the list operation offers
//! (`order_by` × `order`). Each index maps a [`SortKey`] to the deployment, so a page is a
//! range scan that starts right after the key of the previous page's last item: no sorting per
//! request, and paging through 100,000 deployments costs a logarithmic seek per page.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Bound;
use std::time::Duration;

use chrono::{DateTime, Utc};
use mistral_workflows_gen::enums::LocationType;
use mistral_workflows_gen::types::{
    DeploymentDetailResponse, DeploymentResponse, DeploymentWorkerResponse,
};
use uuid::Uuid;

use crate::cursor::fnv1a;
use crate::logs::LogStore;
use crate::rng::Rng;

/// A position in one of the sorted indexes. Every index iterates forward; descending orders
/// store complemented values (`!x` reverses the order of integers without overflow). The last
/// component is the deployment's ID (or its complement), so keys are unique.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct SortKey(pub(crate) i64, pub(crate) i64, pub(crate) u128);

impl SortKey {
    pub(crate) fn to_bytes(self) -> Vec<u8> {
        let mut out = Vec::with_capacity(32);
        out.extend_from_slice(&self.0.to_be_bytes());
        out.extend_from_slice(&self.1.to_be_bytes());
        out.extend_from_slice(&self.2.to_be_bytes());
        out
    }

    pub(crate) fn from_bytes(bytes: &[u8]) -> Option<Self> {
        if bytes.len() != 32 {
            return None;
        }
        let a = i64::from_be_bytes(bytes[0..8].try_into().ok()?);
        let b = i64::from_be_bytes(bytes[8..16].try_into().ok()?);
        let c = u128::from_be_bytes(bytes[16..32].try_into().ok()?);
        Some(Self(a, b, c))
    }
}

/// The field a list is sorted on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OrderBy {
    /// No `order_by`: active and managed deployments first, then by `created_at`.
    Default,
    CreatedAt,
    UpdatedAt,
}

/// One of the six orders of the list operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Order {
    pub(crate) by: OrderBy,
    pub(crate) descending: bool,
}

impl Order {
    const ALL: [Order; 6] = [
        Order { by: OrderBy::Default, descending: false },
        Order { by: OrderBy::Default, descending: true },
        Order { by: OrderBy::CreatedAt, descending: false },
        Order { by: OrderBy::CreatedAt, descending: true },
        Order { by: OrderBy::UpdatedAt, descending: false },
        Order { by: OrderBy::UpdatedAt, descending: true },
    ];

    fn index(self) -> usize {
        let by = match self.by {
            OrderBy::Default => 0,
            OrderBy::CreatedAt => 2,
            OrderBy::UpdatedAt => 4,
        };
        by + usize::from(self.descending)
    }

    /// The key of `d` in this order.
    ///
    /// In the default order the group always comes first, whatever the direction: active
    /// managed deployments, then active self-hosted ones, then inactive managed ones, then
    /// inactive self-hosted ones. `order` only flips `created_at` (and the ID tie-break).
    pub(crate) fn key(self, d: &DeploymentDetailResponse) -> SortKey {
        let id = d.id.as_u128();
        let (group, time) = match self.by {
            OrderBy::Default => {
                let group = 2 * i64::from(!d.is_active) + i64::from(d.managed.is_none());
                (group, d.created_at.timestamp_micros())
            }
            OrderBy::CreatedAt => (0, d.created_at.timestamp_micros()),
            OrderBy::UpdatedAt => (0, d.updated_at.timestamp_micros()),
        };
        if self.descending { SortKey(group, !time, !id) } else { SortKey(group, time, id) }
    }

    fn id_of(self, key: SortKey) -> Uuid {
        Uuid::from_u128(if self.descending { !key.2 } else { key.2 })
    }

    fn tag(self) -> &'static str {
        match (self.by, self.descending) {
            (OrderBy::Default, false) => "default-asc",
            (OrderBy::Default, true) => "default-desc",
            (OrderBy::CreatedAt, false) => "created-asc",
            (OrderBy::CreatedAt, true) => "created-desc",
            (OrderBy::UpdatedAt, false) => "updated-asc",
            (OrderBy::UpdatedAt, true) => "updated-desc",
        }
    }
}

/// The filters of the list operation.
#[derive(Clone, Debug)]
pub(crate) struct Filters {
    pub(crate) active_only: bool,
    pub(crate) is_hardened: Option<bool>,
    pub(crate) workflow_name: Option<String>,
    pub(crate) created_by: Option<String>,
    pub(crate) owner: Option<String>,
    pub(crate) location_types: Vec<LocationType>,
    pub(crate) search: Option<String>,
    pub(crate) repository_url: Option<String>,
    pub(crate) dockerfile_path: Option<String>,
    pub(crate) workspace_id: Option<Uuid>,
}

impl Default for Filters {
    fn default() -> Self {
        Self {
            active_only: true,
            is_hardened: None,
            workflow_name: None,
            created_by: None,
            owner: None,
            location_types: Vec::new(),
            search: None,
            repository_url: None,
            dockerfile_path: None,
            workspace_id: None,
        }
    }
}

impl Filters {
    /// A stable hash of the filters and the order, carried by cursors: a cursor is only
    /// valid for the query that made it.
    pub(crate) fn fingerprint(&self, order: Order) -> u64 {
        let mut types: Vec<&str> = self.location_types.iter().map(|t| t.as_str()).collect();
        types.sort_unstable();
        types.dedup();
        let text = format!(
            "{}|{}|{:?}|{:?}|{:?}|{:?}|{:?}|{}|{:?}|{:?}|{:?}|{:?}",
            order.tag(),
            self.active_only,
            self.is_hardened,
            self.workflow_name,
            self.created_by,
            self.owner,
            types,
            self.search.as_deref().unwrap_or_default(),
            self.search.is_some(),
            self.repository_url,
            self.dockerfile_path,
            self.workspace_id,
        );
        fnv1a(text.as_bytes())
    }

    fn matches(&self, entry: &Entry) -> bool {
        let d = &entry.deployment;
        if self.active_only && !d.is_active {
            return false;
        }
        if self.is_hardened.is_some_and(|h| h != d.is_hardened) {
            return false;
        }
        if let Some(workflow) = &self.workflow_name
            && !entry.workflows.iter().any(|w| w == workflow)
        {
            return false;
        }
        if let Some(created_by) = &self.created_by
            && entry.created_by() != Some(created_by.as_str())
        {
            return false;
        }
        if let Some(owner) = &self.owner
            && d.owner.as_deref() != Some(owner.as_str())
        {
            return false;
        }
        if !self.location_types.is_empty()
            && !entry.location_types().iter().any(|t| self.location_types.contains(t))
        {
            return false;
        }
        if let Some(search) = &self.search
            && !matches_search(d, search)
        {
            return false;
        }
        if let Some(url) = &self.repository_url {
            let github = d.managed.as_ref().map(|m| m.spec.github_url.as_str());
            if github != Some(url.as_str()) {
                return false;
            }
        }
        if let Some(path) = &self.dockerfile_path
            && entry.dockerfile_path() != Some(path.as_str())
        {
            return false;
        }
        true
    }
}

/// `search` is a prefix of the name, or of the ID in its usual lowercase hyphenated form.
fn matches_search(d: &DeploymentDetailResponse, search: &str) -> bool {
    if d.name.starts_with(search) {
        return true;
    }
    let mut buffer = Uuid::encode_buffer();
    let id = d.id.hyphenated().encode_lower(&mut buffer);
    id.starts_with(&search.to_ascii_lowercase())
}

/// One deployment with what the mock knows beside its wire form.
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    pub(crate) deployment: DeploymentDetailResponse,
    /// The workflows its workers registered (for the `workflow_name` filter).
    pub(crate) workflows: Vec<String>,
    /// The current rollout; pending steps of another one are stale and skipped.
    pub(crate) rollout: u64,
}

impl Entry {
    pub(crate) fn new(deployment: DeploymentDetailResponse, workflows: Vec<String>) -> Self {
        Self { deployment, workflows, rollout: 0 }
    }

    /// Who created it: the managed state's `created_by`, or the owner of a self-hosted one.
    fn created_by(&self) -> Option<&str> {
        match &self.deployment.managed {
            Some(managed) => managed.created_by.as_deref(),
            None => self.deployment.owner.as_deref(),
        }
    }

    fn dockerfile_path(&self) -> Option<&str> {
        match &self.deployment.managed.as_ref()?.spec.backend_spec {
            mistral_workflows_gen::backend::BackendSpec::MistralCloud(spec) => {
                spec.dockerfile_path.as_deref()
            }
            _ => None,
        }
    }

    /// Every location type of the deployment and its workers.
    fn location_types(&self) -> Vec<LocationType> {
        let d = &self.deployment;
        let mut types = d.locations.clone();
        types.extend(d.location.iter().map(|l| l.location_type.clone()));
        types.extend(
            d.workers.iter().filter_map(|w| w.location.as_ref()).map(|l| l.location_type.clone()),
        );
        types
    }
}

/// The list form of a deployment: every field but the workers.
pub(crate) fn summary(d: &DeploymentDetailResponse) -> DeploymentResponse {
    DeploymentResponse {
        active_worker_count: d.active_worker_count,
        created_at: d.created_at,
        id: d.id,
        is_active: d.is_active,
        is_hardened: d.is_hardened,
        last_heartbeat: d.last_heartbeat,
        location: d.location.clone(),
        locations: d.locations.clone(),
        managed: d.managed.clone(),
        name: d.name.clone(),
        owner: d.owner.clone(),
        updated_at: d.updated_at,
        worker_count: d.worker_count,
    }
}

/// A lifecycle step of a managed deployment, due at a time of the mock clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// queued → building.
    Build,
    /// building → running.
    Run,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Pending {
    pub(crate) id: Uuid,
    pub(crate) rollout: u64,
    pub(crate) step: Step,
}

/// Settings of the store that come from the builder.
#[derive(Clone, Copy, Debug)]
pub(crate) struct StoreConfig {
    pub(crate) phase_duration: Duration,
    pub(crate) live_logs: Option<Duration>,
}

/// One page of deployments.
#[derive(Debug)]
pub(crate) struct DeploymentPage {
    pub(crate) deployments: Vec<DeploymentResponse>,
    /// The key of the last item, when more items match after it.
    pub(crate) next: Option<SortKey>,
}

/// One page of workers.
#[derive(Debug)]
pub(crate) struct WorkerPage {
    pub(crate) workers: Vec<DeploymentWorkerResponse>,
    pub(crate) next: Option<(i64, String)>,
}

/// Cloned only for dry runs (see `Shared::scratch`).
#[derive(Clone, Debug)]
pub(crate) struct Store {
    pub(crate) workspace_id: Uuid,
    pub(crate) config: StoreConfig,
    by_id: HashMap<Uuid, Entry>,
    by_name: HashMap<String, Uuid>,
    indexes: Vec<BTreeSet<SortKey>>,
    /// Lifecycle steps by due time, then by a sequence number that keeps them in order.
    pending: BTreeMap<(DateTime<Utc>, u64), Pending>,
    pub(crate) sequence: u64,
    pub(crate) rng: Rng,
    pub(crate) logs: LogStore,
    /// The time up to which live logs were written.
    pub(crate) live_logs_until: DateTime<Utc>,
}

impl Store {
    /// A store holding `entries`, built in bulk (sorting once per index).
    pub(crate) fn new(
        workspace_id: Uuid,
        config: StoreConfig,
        entries: Vec<Entry>,
        now: DateTime<Utc>,
    ) -> Self {
        let mut by_id: HashMap<Uuid, Entry> = HashMap::with_capacity(entries.len());
        let mut by_name: HashMap<String, Uuid> = HashMap::with_capacity(entries.len());
        for entry in entries {
            // A later fixture with the same name or ID replaces the earlier one.
            let (id, name) = (entry.deployment.id, entry.deployment.name.clone());
            if let Some(old_id) = by_name.get(&name).copied() {
                by_id.remove(&old_id);
            }
            if let Some(old) = by_id.remove(&id) {
                by_name.remove(&old.deployment.name);
            }
            by_name.insert(name, id);
            by_id.insert(id, entry);
        }
        let indexes = Order::ALL
            .iter()
            .map(|order| by_id.values().map(|e| order.key(&e.deployment)).collect())
            .collect();
        Self {
            workspace_id,
            config,
            by_id,
            by_name,
            indexes,
            pending: BTreeMap::new(),
            sequence: 0,
            rng: Rng::new(0x6d6f_636b),
            logs: LogStore::default(),
            live_logs_until: now,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.by_id.len()
    }

    pub(crate) fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.by_name.keys().cloned().collect();
        names.sort_unstable();
        names
    }

    pub(crate) fn get(&self, name: &str) -> Option<&Entry> {
        self.by_name.get(name).and_then(|id| self.by_id.get(id))
    }

    pub(crate) fn get_by_id(&self, id: Uuid) -> Option<&Entry> {
        self.by_id.get(&id)
    }

    pub(crate) fn id_of(&self, name: &str) -> Option<Uuid> {
        self.by_name.get(name).copied()
    }

    fn unindex(&mut self, d: &DeploymentDetailResponse) {
        for (order, index) in Order::ALL.iter().zip(self.indexes.iter_mut()) {
            index.remove(&order.key(d));
        }
    }

    fn index(&mut self, d: &DeploymentDetailResponse) {
        for (order, index) in Order::ALL.iter().zip(self.indexes.iter_mut()) {
            index.insert(order.key(d));
        }
    }

    /// Adds `entry`, replacing a deployment with the same name or the same ID.
    pub(crate) fn insert(&mut self, entry: Entry) {
        if let Some(id) = self.id_of(&entry.deployment.name) {
            self.remove(id);
        }
        self.remove(entry.deployment.id);
        self.index(&entry.deployment);
        self.by_name.insert(entry.deployment.name.clone(), entry.deployment.id);
        self.by_id.insert(entry.deployment.id, entry);
    }

    pub(crate) fn remove(&mut self, id: Uuid) -> Option<Entry> {
        let entry = self.by_id.remove(&id)?;
        self.unindex(&entry.deployment);
        self.by_name.remove(&entry.deployment.name);
        Some(entry)
    }

    /// Changes one deployment and keeps the indexes right. `None` when there is no such ID.
    pub(crate) fn modify<R>(
        &mut self,
        id: Uuid,
        change: impl FnOnce(&mut Entry) -> R,
    ) -> Option<R> {
        let mut entry = self.by_id.remove(&id)?;
        self.unindex(&entry.deployment);
        let result = change(&mut entry);
        // The name is the key of the other map: a change must not rename.
        debug_assert_eq!(self.by_name.get(&entry.deployment.name), Some(&id));
        self.index(&entry.deployment);
        self.by_id.insert(id, entry);
        Some(result)
    }

    /// Schedules a lifecycle step.
    pub(crate) fn schedule(&mut self, at: DateTime<Utc>, pending: Pending) {
        self.sequence += 1;
        self.pending.insert((at, self.sequence), pending);
    }

    /// Pops the earliest step due at or before `now`.
    pub(crate) fn next_due(&mut self, now: DateTime<Utc>) -> Option<(DateTime<Utc>, Pending)> {
        let entry = self.pending.first_entry()?;
        if entry.key().0 > now {
            return None;
        }
        let ((at, _), pending) = entry.remove_entry();
        Some((at, pending))
    }

    /// One page of the deployments that match `filters`, in `order`, after `after`.
    pub(crate) fn list(
        &self,
        filters: &Filters,
        order: Order,
        after: Option<SortKey>,
        limit: usize,
    ) -> DeploymentPage {
        let mut page = DeploymentPage { deployments: Vec::new(), next: None };
        if filters.workspace_id.is_some_and(|w| w != self.workspace_id) {
            // Another workspace: the mock holds none of its deployments.
            return page;
        }
        let index = &self.indexes[order.index()];
        let range = match after {
            Some(key) => index.range((Bound::Excluded(key), Bound::Unbounded)),
            None => index.range(..),
        };
        let mut last = None;
        for key in range {
            let Some(entry) = self.by_id.get(&order.id_of(*key)) else { continue };
            if !filters.matches(entry) {
                continue;
            }
            if page.deployments.len() == limit {
                page.next = last;
                break;
            }
            page.deployments.push(summary(&entry.deployment));
            last = Some(*key);
        }
        page
    }

    /// One page of the workers of a deployment, by `(created_at, name)`, after `after`.
    pub(crate) fn workers(
        &self,
        id: Uuid,
        active: Option<bool>,
        after: Option<&(i64, String)>,
        limit: usize,
    ) -> Option<WorkerPage> {
        let entry = self.by_id.get(&id)?;
        let mut workers: Vec<&DeploymentWorkerResponse> = entry
            .deployment
            .workers
            .iter()
            .filter(|w| active.is_none_or(|a| w.is_active == a))
            .filter(|w| after.is_none_or(|after| worker_key(w) > (after.0, after.1.as_str())))
            .collect();
        workers.sort_by(|a, b| worker_key(a).cmp(&worker_key(b)));
        let more = workers.len() > limit;
        workers.truncate(limit);
        let next = if more {
            workers.last().map(|w| (w.created_at.timestamp_micros(), w.name.clone()))
        } else {
            None
        };
        Some(WorkerPage { workers: workers.into_iter().cloned().collect(), next })
    }

    /// The names of the active deployments (for live logs).
    pub(crate) fn active_names(&self) -> Vec<String> {
        self.by_id
            .values()
            .filter(|e| e.deployment.is_active)
            .map(|e| e.deployment.name.clone())
            .collect()
    }
}

fn worker_key(w: &DeploymentWorkerResponse) -> (i64, &str) {
    (w.created_at.timestamp_micros(), w.name.as_str())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::fixtures::Fixtures;

    pub(crate) fn store_of(fixtures: Fixtures) -> Store {
        let config = StoreConfig { phase_duration: Duration::from_secs(1), live_logs: None };
        fixtures.into_store(config, crate::clock::manual_epoch())
    }

    /// Every page of a query, following the keys like a client follows cursors.
    fn all_pages(store: &Store, filters: &Filters, order: Order, limit: usize) -> Vec<Uuid> {
        let mut ids = Vec::new();
        let mut after = None;
        loop {
            let page = store.list(filters, order, after, limit);
            assert!(page.deployments.len() <= limit);
            ids.extend(page.deployments.iter().map(|d| d.id));
            match page.next {
                Some(key) => after = Some(key),
                None => return ids,
            }
        }
    }

    /// The same query answered by brute force: filter, then sort.
    fn expected(store: &Store, filters: &Filters, order: Order) -> Vec<Uuid> {
        let mut matching: Vec<&Entry> =
            store.by_id.values().filter(|e| filters.matches(e)).collect();
        matching.sort_by_key(|e| order.key(&e.deployment));
        matching.into_iter().map(|e| e.deployment.id).collect()
    }

    #[test]
    fn pagination_yields_each_match_once_in_order() {
        let store = store_of(Fixtures::seeded());
        let filter_sets = [
            Filters { active_only: false, ..Filters::default() },
            Filters::default(),
            Filters { active_only: false, is_hardened: Some(true), ..Filters::default() },
            Filters {
                active_only: false,
                location_types: vec![LocationType::K8s, LocationType::Managed],
                ..Filters::default()
            },
        ];
        for filters in &filter_sets {
            for order in Order::ALL {
                let want = expected(&store, filters, order);
                assert!(!want.is_empty());
                for limit in [1, 7, 50, 100] {
                    assert_eq!(all_pages(&store, filters, order, limit), want, "{order:?} {limit}");
                }
            }
        }
    }

    #[test]
    fn default_order_puts_active_managed_first_in_both_directions() {
        let store = store_of(Fixtures::seeded());
        let filters = Filters { active_only: false, ..Filters::default() };
        for descending in [false, true] {
            let order = Order { by: OrderBy::Default, descending };
            let ids = all_pages(&store, &filters, order, 100);
            let groups: Vec<i64> = ids
                .iter()
                .map(|id| {
                    let d = &store.get_by_id(*id).unwrap().deployment;
                    2 * i64::from(!d.is_active) + i64::from(d.managed.is_none())
                })
                .collect();
            assert!(groups.windows(2).all(|w| w[0] <= w[1]));
            assert_eq!(groups.first(), Some(&0));
            assert_eq!(groups.last(), Some(&3));
            let created: Vec<_> =
                ids.iter().map(|id| store.get_by_id(*id).unwrap().deployment.created_at).collect();
            let in_group_zero = groups.iter().take_while(|g| **g == 0).count();
            let window = &created[..in_group_zero];
            if descending {
                assert!(window.windows(2).all(|w| w[0] >= w[1]));
            } else {
                assert!(window.windows(2).all(|w| w[0] <= w[1]));
            }
        }
    }

    #[test]
    fn filters() {
        let store = store_of(Fixtures::seeded());
        let all = Filters { active_only: false, ..Filters::default() };
        let order = Order { by: OrderBy::CreatedAt, descending: true };
        let count = |f: &Filters| all_pages(&store, f, order, 100).len();
        let total = count(&all);
        assert_eq!(total, store.len());

        let active = count(&Filters::default());
        assert!(active > 0 && active < total);

        let some = store.by_id.values().find(|e| e.deployment.managed.is_some()).unwrap();
        let d = &some.deployment;
        let by_name = Filters { search: Some(d.name.clone()), ..all.clone() };
        assert!(all_pages(&store, &by_name, order, 100).contains(&d.id));
        let by_id = Filters { search: Some(d.id.to_string()[..8].to_uppercase()), ..all.clone() };
        assert!(all_pages(&store, &by_id, order, 100).contains(&d.id));

        let workflow = some.workflows[0].clone();
        let by_workflow = Filters { workflow_name: Some(workflow.clone()), ..all.clone() };
        for id in all_pages(&store, &by_workflow, order, 100) {
            assert!(store.get_by_id(id).unwrap().workflows.contains(&workflow));
        }

        let url = d.managed.as_ref().unwrap().spec.github_url.clone();
        let by_repo = Filters { repository_url: Some(url.clone()), ..all.clone() };
        for id in all_pages(&store, &by_repo, order, 100) {
            let m = store.get_by_id(id).unwrap().deployment.managed.clone().unwrap();
            assert_eq!(m.spec.github_url, url);
        }

        let hardened = count(&Filters { is_hardened: Some(true), ..all.clone() });
        let soft = count(&Filters { is_hardened: Some(false), ..all.clone() });
        assert!(hardened > 0 && soft > 0);
        assert_eq!(hardened + soft, total);

        let local = count(&Filters { location_types: vec![LocationType::Local], ..all.clone() });
        let k8s = count(&Filters { location_types: vec![LocationType::K8s], ..all.clone() });
        let managed =
            count(&Filters { location_types: vec![LocationType::Managed], ..all.clone() });
        assert!(local > 0 && k8s > 0 && managed > 0);

        let owner = store.by_id.values().find_map(|e| e.deployment.owner.clone()).unwrap();
        let by_owner = Filters { owner: Some(owner.clone()), ..all.clone() };
        for id in all_pages(&store, &by_owner, order, 100) {
            assert_eq!(store.get_by_id(id).unwrap().deployment.owner.as_ref(), Some(&owner));
        }

        let other = Filters { workspace_id: Some(Uuid::nil()), ..all.clone() };
        assert_eq!(count(&other), 0);
        let nothing = Filters { dockerfile_path: Some("nope".into()), ..all };
        assert_eq!(count(&nothing), 0);
    }

    #[test]
    fn fingerprints_differ_with_filters_and_order() {
        let order = Order { by: OrderBy::Default, descending: true };
        let base = Filters::default();
        let other = Filters { search: Some(String::new()), ..Filters::default() };
        assert_ne!(base.fingerprint(order), other.fingerprint(order));
        let flipped = Order { by: OrderBy::Default, descending: false };
        assert_ne!(base.fingerprint(order), base.fingerprint(flipped));
        assert_eq!(base.fingerprint(order), Filters::default().fingerprint(order));
    }

    #[test]
    fn a_hundred_thousand_deployments_page_through_quickly() {
        let started = std::time::Instant::now();
        let store = store_of(Fixtures::generated(100_000));
        let filters = Filters { active_only: false, ..Filters::default() };
        let order = Order { by: OrderBy::Default, descending: true };
        let ids = all_pages(&store, &filters, order, 100);
        assert_eq!(ids.len(), 100_000);
        let unique: std::collections::HashSet<_> = ids.iter().collect();
        assert_eq!(unique.len(), 100_000);
        // Generous, for unoptimized builds on a small machine.
        assert!(started.elapsed() < Duration::from_secs(60));
    }

    #[test]
    fn sort_keys_round_trip_as_bytes() {
        let key = SortKey(-3, i64::MIN, u128::MAX - 5);
        assert_eq!(SortKey::from_bytes(&key.to_bytes()), Some(key));
        assert_eq!(SortKey::from_bytes(&[1, 2, 3]), None);
    }
}
