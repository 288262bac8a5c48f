//! `deployments logs`, searched and followed.

use crate::support::{assert_log_record, mock};

const NAME: &str = "jolly-orchard-238";

#[test]
fn a_page_in_both_forms() {
    let table = mock(&["deployments", "logs", NAME, "--limit", "5", "-o", "table"]);
    table.expect_code(0);
    snapshot!("page_table", table);

    let json = mock(&["deployments", "logs", NAME, "--limit", "5", "-o", "json"]);
    json.expect_code(0);
    let records = json.json();
    let records = records.as_array().expect("an array");
    assert_eq!(records.len(), 5);
    records.iter().for_each(assert_log_record);
    snapshot!("page_json", json);
}

#[test]
fn filters_and_all() {
    let all = mock(&["deployments", "logs", NAME, "--log-type", "build", "--limit", "2", "--all"]);
    all.expect_code(0);
    let records = all.json();
    let records = records.as_array().expect("an array");
    assert!(records.len() > 2, "only {} build records", records.len());
    records.iter().for_each(assert_log_record);

    let capped = mock(&["deployments", "logs", NAME, "--all", "--max-records", "2", "-o", "table"]);
    capped.expect_code(0);
    assert_eq!(capped.stdout.lines().filter(|l| !l.starts_with(' ')).count(), 2);

    let window = mock(&[
        "deployments",
        "logs",
        NAME,
        "--after",
        "2025-01-01T00:00:00Z",
        "--before",
        "2025-01-02T00:00:00Z",
        "--order",
        "desc",
        "--worker-name",
        "nobody",
        "--workflow-name",
        "none",
        "-o",
        "table",
    ]);
    window.expect_code(0);
    assert_eq!(window.stdout, "No log records.\n");
}

#[test]
fn follow_prints_records_as_json_lines() {
    let run = mock(&["deployments", "logs", NAME, "--follow", "--max-records", "3", "-o", "json"]);
    run.expect_code(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", run.stdout);
    for line in lines {
        assert_log_record(&serde_json::from_str(line).unwrap());
    }
    assert!(run.stderr.contains("--last-event-id"), "{}", run.stderr);
    snapshot!("follow_json", run);
}

#[test]
fn follow_resumes_after_an_event_id() {
    let first =
        mock(&["deployments", "logs", NAME, "--follow", "--max-records", "2", "-o", "table"]);
    first.expect_code(0);
    snapshot!("follow_table", first);
    let id = first
        .stderr
        .split_whitespace()
        .skip_while(|w| *w != "--last-event-id")
        .nth(1)
        .and_then(|id| id.strip_suffix(')'))
        .expect("an event id");

    let three =
        mock(&["deployments", "logs", NAME, "--follow", "--max-records", "3", "-o", "json"]);
    let rest = mock(&[
        "deployments",
        "logs",
        NAME,
        "--follow",
        "--last-event-id",
        id,
        "--max-records",
        "1",
        "-o",
        "json",
    ]);
    rest.expect_code(0);
    assert_eq!(rest.stdout.lines().next(), three.stdout.lines().nth(2));
}

#[test]
fn follow_of_an_unknown_deployment_is_1() {
    let run = mock(&["deployments", "logs", "no-such-deployment", "--follow"]);
    run.expect_code(1);
    assert!(run.stderr.contains("404"), "{}", run.stderr);
}

#[test]
fn follow_flags_that_only_search_takes_are_refused() {
    mock(&["deployments", "logs", NAME, "--follow", "--all"]).expect_code(2);
    mock(&["deployments", "logs", NAME, "--follow", "--before", "2025-01-01T00:00:00Z"])
        .expect_code(2);
    mock(&["deployments", "logs", NAME, "--last-event-id", "1"]).expect_code(2);
}
