//! `deployments archive` and `deployments unharden`.

use crate::support::{find_deployment, mock};

#[test]
fn archive_in_both_forms() {
    let found = find_deployment(|d| !d["managed"]["spec"]["archive_id"].is_null());
    let name = found["name"].as_str().unwrap();

    let table = mock(&["deployments", "archive", name, "-o", "table"]);
    table.expect_code(0);
    snapshot!("archive_table", table);

    let json = mock(&["deployments", "archive", name, "-o", "json"]);
    json.expect_code(0);
    let value = json.json();
    let archive: mistral_workflows::types::DeploymentArchiveResponse =
        serde_json::from_value(value.clone()).unwrap();
    assert_eq!(Some(archive.archive_id.as_str()), found["managed"]["spec"]["archive_id"].as_str());
    snapshot!("archive_json", json);
}

#[test]
fn archive_of_a_repository_build_is_a_404() {
    let run = mock(&["deployments", "archive", "jolly-orchard-238"]);
    run.expect_code(1);
    snapshot!("archive_404", run);
}

#[test]
fn unharden_in_both_forms() {
    let hardened = find_deployment(|d| d["is_hardened"] == true);
    let id = hardened["id"].as_str().unwrap();

    let table = mock(&["deployments", "unharden", id, "-o", "table"]);
    table.expect_code(0);
    snapshot!("unharden_table", table);

    // The API answers 204 without a body: nothing to print as JSON.
    let json = mock(&[
        "deployments",
        "unharden",
        id,
        "--workspace-id",
        "019b2bd7-96e7-7219-8c0b-45a73da50088",
        "-o",
        "json",
    ]);
    json.expect_code(0);
    assert_eq!(json.stdout, "");
}

#[test]
fn unharden_of_a_deployment_not_hardened_is_refused() {
    let soft = find_deployment(|d| d["is_hardened"] == false);
    let run = mock(&["deployments", "unharden", soft["id"].as_str().unwrap()]);
    run.expect_code(1);
    assert!(run.stderr.starts_with("error: unharden_deployment: "), "{}", run.stderr);
}

#[test]
fn unharden_takes_a_uuid() {
    let run = mock(&["deployments", "unharden", "jolly-orchard-238"]);
    run.expect_code(2);
    snapshot!("unharden_not_a_uuid", run);
}
