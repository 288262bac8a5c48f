//! `deployments list`.

use std::collections::HashSet;

use crate::support::{assert_deployment, mock};

#[test]
fn a_page_as_a_table() {
    let run = mock(&["deployments", "list", "--limit", "5", "-o", "table"]);
    run.expect_code(0);
    snapshot!("page_table", run);
}

#[test]
fn a_page_as_json() {
    let run = mock(&["deployments", "list", "--limit", "3", "-o", "json"]);
    run.expect_code(0);
    let items = run.json();
    let items = items.as_array().expect("a JSON array for a list");
    assert_eq!(items.len(), 3);
    items.iter().for_each(assert_deployment);
    assert!(run.stderr.contains("--cursor"), "no hint for the next page: {}", run.stderr);
    snapshot!("page_json", run);
}

#[test]
fn json_is_the_default_off_a_terminal() {
    let run = mock(&["deployments", "list", "--limit", "2"]);
    run.expect_code(0);
    assert_eq!(run.json().as_array().map(Vec::len), Some(2));
}

#[test]
fn all_follows_every_page() {
    let run = mock(&["deployments", "list", "--active-only", "false", "--limit", "40", "--all"]);
    run.expect_code(0);
    let items = run.json();
    let items = items.as_array().expect("a JSON array");
    assert!(items.len() >= 250, "only {} deployments", items.len());
    let names: HashSet<_> = items.iter().map(|d| d["name"].as_str().unwrap()).collect();
    assert_eq!(names.len(), items.len(), "a deployment came twice");
    assert!(run.stderr.is_empty(), "{}", run.stderr);
}

#[test]
fn the_cursor_moves_to_the_next_page() {
    let first = mock(&["deployments", "list", "--limit", "2"]);
    first.expect_code(0);
    let cursor = first
        .stderr
        .split_whitespace()
        .skip_while(|w| *w != "--cursor")
        .nth(1)
        .expect("a cursor in the hint");
    let second = mock(&["deployments", "list", "--limit", "2", "--cursor", cursor]);
    second.expect_code(0);
    let (a, b) = (first.json(), second.json());
    assert_ne!(a[0]["name"], b[0]["name"]);

    let both = mock(&["deployments", "list", "--limit", "4"]).json();
    assert_eq!(both[2]["name"], b[0]["name"]);
}

#[test]
fn filters_reach_the_server() {
    let run = mock(&[
        "deployments",
        "list",
        "--active-only",
        "false",
        "--location-type",
        "managed",
        "--location-type",
        "k8s",
        "--order-by",
        "created_at",
        "--order",
        "asc",
        "--limit",
        "4",
        "-o",
        "table",
    ]);
    run.expect_code(0);
    snapshot!("filtered_table", run);

    let hardened = mock(&["deployments", "list", "--is-hardened", "true", "--all"]).json();
    let hardened = hardened.as_array().unwrap();
    assert!(!hardened.is_empty());
    assert!(hardened.iter().all(|d| d["is_hardened"] == true));

    let found = mock(&["deployments", "list", "--active-only", "false", "--search", "jolly"]);
    let found = found.json();
    let found = found.as_array().unwrap();
    assert!(!found.is_empty());
    assert!(found.iter().all(|d| d["name"].as_str().unwrap().starts_with("jolly")));

    let none = mock(&["deployments", "list", "--search", "no-such-prefix", "-o", "table"]);
    none.expect_code(0);
    assert_eq!(none.stdout, "No deployments.\n");
}
