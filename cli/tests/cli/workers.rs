//! `deployments workers`.

use crate::support::{assert_worker, find_deployment, mock};

#[test]
fn workers_in_both_forms() {
    let table = mock(&["deployments", "workers", "jolly-orchard-238", "-o", "table"]);
    table.expect_code(0);
    snapshot!("table", table);

    let json =
        mock(&["deployments", "workers", "jolly-orchard-238", "--status", "active", "-o", "json"]);
    json.expect_code(0);
    let items = json.json();
    let items = items.as_array().expect("an array");
    assert!(!items.is_empty());
    items.iter().for_each(assert_worker);
    assert!(items.iter().all(|w| w["is_active"] == true));
    snapshot!("json", json);
}

#[test]
fn all_follows_every_page() {
    // The deployment with the most workers, to have several pages of one.
    let busiest = crate::support::all_deployments()
        .into_iter()
        .max_by_key(|d| d["worker_count"].as_u64().unwrap_or(0))
        .unwrap();
    let name = busiest["name"].as_str().unwrap();
    let count = busiest["worker_count"].as_u64().unwrap();
    assert!(count >= 2, "no deployment with two workers");

    let page = mock(&["deployments", "workers", name, "--limit", "1"]);
    page.expect_code(0);
    assert_eq!(page.json().as_array().map(Vec::len), Some(1));
    assert!(page.stderr.contains("--cursor"), "{}", page.stderr);

    let all = mock(&["deployments", "workers", name, "--limit", "1", "--all"]);
    all.expect_code(0);
    let detail = mock(&["deployments", "get", name]).json();
    assert_eq!(all.json().as_array().map(Vec::len), detail["workers"].as_array().map(Vec::len));
}

#[test]
fn no_workers() {
    let idle = find_deployment(|d| d["worker_count"] == 0);
    let run = mock(&["deployments", "workers", idle["name"].as_str().unwrap(), "-o", "table"]);
    run.expect_code(0);
    assert_eq!(run.stdout, "No workers.\n");
}
