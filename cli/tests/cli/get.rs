//! `deployments get`.

use crate::support::{assert_deployment, assert_worker, mock};

#[test]
fn one_deployment_as_a_table() {
    let run = mock(&["deployments", "get", "jolly-orchard-238", "-o", "table"]);
    run.expect_code(0);
    snapshot!("managed_table", run);
}

#[test]
fn one_deployment_as_json() {
    let run =
        mock(&["deployments", "get", "jolly-orchard-238", "--workflow-name", "etl", "-o", "json"]);
    run.expect_code(0);
    let value = run.json();
    assert!(value.is_object(), "an object for one item");
    assert_deployment(&value);
    let workers = value["workers"].as_array().expect("workers");
    workers.iter().for_each(assert_worker);
    let _: mistral_workflows::DeploymentDetailResponse =
        serde_json::from_value(value.clone()).unwrap();
    snapshot!("managed_json", run);
}

#[test]
fn a_self_hosted_deployment() {
    let found = crate::support::find_deployment(|d| d["managed"].is_null());
    let name = found["name"].as_str().unwrap();
    let run = mock(&["deployments", "get", name, "-o", "table"]);
    run.expect_code(0);
    snapshot!("self_hosted_table", run);
}
