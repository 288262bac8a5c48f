//! Deterministic fixture data: pages of deployments and a log stream, as the API sends them.
//!
//! Everything is derived from a seeded generator written here, so that two runs, two machines
//! and two versions of a dependency all see the same bytes.

use bytes::Bytes;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::{Value, json};

/// The workspace every page is scoped to.
pub const WORKSPACE_ID: &str = "6f1c2d9e-4b7a-4c1e-9f3d-2a5b8c7d0e11";

/// The deployment whose logs the log-stream fixture holds.
pub const LOG_DEPLOYMENT: &str = "billing-worker";

/// A small seeded generator (SplitMix64). Not for anything but fixtures.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator that always yields the same sequence for the same seed.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..bound`.
    pub fn below(&mut self, bound: u64) -> u64 {
        self.next_u64() % bound
    }

    /// `true` with a chance of one in `n`.
    pub fn one_in(&mut self, n: u64) -> bool {
        self.below(n) == 0
    }

    fn uuid(&mut self) -> String {
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&self.next_u64().to_le_bytes());
        bytes[8..].copy_from_slice(&self.next_u64().to_le_bytes());
        uuid::Builder::from_random_bytes(bytes).into_uuid().to_string()
    }

    fn hex(&mut self, digits: usize) -> String {
        let mut out = String::with_capacity(digits);
        while out.len() < digits {
            out.push_str(&format!("{:016x}", self.next_u64()));
        }
        out.truncate(digits);
        out
    }
}

fn epoch() -> DateTime<Utc> {
    // 2025-12-17T10:25:07.818693Z, the instant of the API's own examples.
    DateTime::from_timestamp(1_765_967_107, 818_693_000).unwrap_or_default()
}

/// RFC 3339 with microseconds and `Z`, as the API writes timestamps.
fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

const TEAMS: [&str; 6] = ["billing", "search", "ingest", "reports", "notify", "etl"];
const LOCATIONS: [&str; 3] = ["local", "k8s", "managed"];

/// Deployment number `index` of the workspace, as the list endpoint sends it.
///
/// About one in four is managed (with a `managed` object, most from a GitHub repository, some
/// from an archive, a few on Kubernetes); one in ten has the older shape without
/// `last_heartbeat`; a few still carry the deprecated `location`.
pub fn deployment(index: u64) -> Value {
    let mut rng = Rng::new(0x5eed_0000 ^ index.wrapping_mul(0x1_0000_0001));
    let team = TEAMS[rng.below(TEAMS.len() as u64) as usize];
    let name = format!("{team}-worker-{index:06}");
    let created = epoch() - Duration::seconds(rng.below(90 * 86_400) as i64 + 3_600);
    let heartbeat = epoch() - Duration::microseconds(rng.below(600_000_000) as i64);
    let workers = rng.below(6);
    let active = if workers == 0 { 0 } else { rng.below(workers + 1) };
    let managed = rng.one_in(4);

    let mut locations = Vec::new();
    if managed {
        locations.push("managed");
    } else {
        locations.push(LOCATIONS[rng.below(2) as usize]);
        if rng.one_in(5) {
            locations.push("k8s");
        }
    }

    let mut d = json!({
        "id": rng.uuid(),
        "name": name,
        "is_active": active > 0,
        "created_at": timestamp(created),
        "updated_at": timestamp(heartbeat),
        "is_hardened": rng.one_in(8),
        "owner": if rng.one_in(3) { Value::Null } else { json!(format!("user_{}", rng.hex(12))) },
        "worker_count": workers,
        "active_worker_count": active,
        "locations": locations,
    });
    let Some(fields) = d.as_object_mut() else { unreachable!("a JSON object") };
    if !rng.one_in(10) {
        fields.insert("last_heartbeat".into(), json!(timestamp(heartbeat)));
    }
    if !managed && rng.one_in(6) {
        let location = json!({
            "location_type": "k8s",
            "k8s_cluster": "eu-west-1",
            "k8s_namespace": format!("{team}-prod"),
        });
        fields.insert("location".into(), location);
    }
    fields.insert(
        "managed".into(),
        if managed { managed_state(&mut rng, &name) } else { Value::Null },
    );
    d
}

fn managed_state(rng: &mut Rng, name: &str) -> Value {
    let created = epoch() - Duration::seconds(rng.below(30 * 86_400) as i64 + 60);
    let updated = created + Duration::seconds(rng.below(86_400) as i64);
    let replicas = 1 + rng.below(4);
    let from_archive = rng.one_in(5);
    let kubernetes = !from_archive && rng.one_in(6);
    let sha = rng.hex(40);

    let backend = if kubernetes {
        json!({"type": "kubernetes", "entrypoint": "python -m worker", "working_dir": "/app"})
    } else {
        json!({
            "type": "mistral_cloud",
            "build_directory": ".",
            "dockerfile_path": "Dockerfile",
            "secrets": [
                {"env_var_name": "DATABASE_URL", "reference": "secret:workspace:DB_URL"},
                {"env_var_name": "API_TOKEN", "reference": "secret:workspace:API_TOKEN"},
            ],
        })
    };
    let spec = if from_archive {
        json!({
            "type": "workflows_worker",
            "github_url": "",
            "archive_id": format!("arch_{}", rng.hex(20)),
            "backend_spec": backend,
            "requested_roles": ["workflows:read"],
        })
    } else {
        json!({
            "type": "workflows_worker",
            "github_url": format!("https://github.com/acme/{name}"),
            "revision": "main",
            "backend_spec": backend,
            "commit": {
                "sha": sha,
                "message": "Bump the worker to the new queue client",
                "author": {
                    "name": "Ada Lovelace",
                    "username": "ada",
                    "html_url": "https://github.com/ada",
                },
                "html_url": format!("https://github.com/acme/{name}/commit/{sha}"),
            },
            "requested_roles": null,
        })
    };
    let ready = rng.below(replicas + 1);
    json!({
        "service_id": format!("svc_{}", rng.hex(24)),
        "name": name,
        "spec": spec,
        "resources": {"replicas": replicas},
        "status": {
            "phase": if ready == replicas { "running" } else { "rolling_out" },
            "available_replicas": ready,
            "ready_replicas": ready,
            "endpoint": null,
            "message": null,
            "last_seen": timestamp(updated),
            "deployed_revision": &sha[..12],
            "generation": 1 + rng.below(40),
            "build_state": {
                "phase": "succeeded",
                "commit_sha": sha,
                "image": format!("registry.mistral.ai/workers/{name}:{}", &sha[..12]),
                "message": null,
                "started_at": timestamp(created),
                "finished_at": timestamp(created + Duration::seconds(95)),
            },
        },
        "created_at": timestamp(created),
        "updated_at": timestamp(updated),
        "stopped": false,
        "rollout_status": "complete",
        "created_by": "user_3f9a1c2b7d4e",
        "updated_by": "user_3f9a1c2b7d4e",
        "deployed_by": "user_3f9a1c2b7d4e",
        "deployed_at": timestamp(updated),
        "is_hardened": false,
        "runtime_credential_id": format!("cred_{}", rng.hex(16)),
        "runtime_principal_type": "service_account",
    })
}

/// The cursor the fixture server hands out for page `page` (the second page is `p1`).
pub fn cursor(page: usize) -> String {
    format!("p{page}")
}

/// Page `page` of `pages`, each of `per_page` deployments, as a `DeploymentListResponse` body.
pub fn list_page(page: usize, pages: usize, per_page: usize) -> Bytes {
    let first = (page * per_page) as u64;
    let deployments: Vec<Value> = (first..first + per_page as u64).map(deployment).collect();
    let next = if page + 1 < pages { json!(cursor(page + 1)) } else { Value::Null };
    let body = json!({
        "deployments": deployments,
        "next_cursor": next,
        "workspace_id": WORKSPACE_ID,
    });
    Bytes::from(serde_json::to_vec(&body).unwrap_or_default())
}

/// Every page of a listing of `pages * per_page` deployments.
pub fn list_pages(pages: usize, per_page: usize) -> Vec<Bytes> {
    (0..pages).map(|page| list_page(page, pages, per_page)).collect()
}

const SEVERITIES: [&str; 4] = ["INFO", "INFO", "WARN", "DEBUG"];
const MESSAGES: [&str; 4] = [
    "execution started",
    "activity charge_invoice completed in 184 ms",
    "retrying activity send_receipt after a timeout (attempt 2 of 5)",
    "workflow BillingRun finished with status completed",
];

/// Log record number `index`, as the JSON of a `DeploymentLogRecord`.
pub fn log_record(index: u64) -> Value {
    let mut rng = Rng::new(0x1095_0000 ^ index.wrapping_mul(0x9_0000_0007));
    let at = epoch() + Duration::microseconds(index as i64 * 1_250 + rng.below(1_000) as i64);
    json!({
        "timestamp": timestamp(at),
        "trace_id": rng.hex(32),
        "span_id": rng.hex(16),
        "severity_text": SEVERITIES[rng.below(4) as usize],
        "body": MESSAGES[rng.below(4) as usize],
        "log_attributes": {
            "worker_name": format!("{LOG_DEPLOYMENT}-{}", rng.below(3)),
            "workflow_name": "BillingRun",
            "execution_id": rng.uuid(),
        },
    })
}

/// A `text/event-stream` body of `records` `log` frames, with a keep-alive comment every 50
/// frames, as the log stream endpoint sends it.
pub fn log_stream(records: u64) -> Bytes {
    let mut out = String::with_capacity(records as usize * 420);
    out.push_str("retry: 1000\n\n");
    for index in 0..records {
        if index % 50 == 49 {
            out.push_str(": keep-alive\n\n");
        }
        let data = log_record(index).to_string();
        out.push_str(&format!(
            "event: log\nid: {}-{index}\ndata: {data}\n\n",
            1_765_967_107_000u64
        ));
    }
    Bytes::from(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_index_gives_the_same_bytes() {
        assert_eq!(deployment(42), deployment(42));
        assert_ne!(deployment(42), deployment(43));
        assert_eq!(list_page(3, 10, 20), list_page(3, 10, 20));
    }

    #[test]
    fn a_page_has_every_shape() {
        let page: Value = serde_json::from_slice(&list_page(0, 2, 100)).unwrap_or_default();
        let items = page["deployments"].as_array().cloned().unwrap_or_default();
        assert_eq!(items.len(), 100);
        assert!(items.iter().any(|d| d["managed"].is_object()));
        assert!(items.iter().any(|d| d["managed"].is_null()));
        assert!(items.iter().any(|d| d.get("last_heartbeat").is_none()));
        assert!(items.iter().any(|d| d["location"].is_object()));
        assert_eq!(page["next_cursor"], "p1");
    }
}
