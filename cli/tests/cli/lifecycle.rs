//! `deployments create | update | delete | stop | start | restart`.

use crate::support::{assert_managed, find_deployment, mock};

const CREATE: &[&str] = &[
    "deployments",
    "create",
    "demo-app",
    "--github-url",
    "https://github.com/acme/demo",
    "--revision",
    "main",
    "--replicas",
    "2",
    "--hardened",
    "--backend-type",
    "mistral_cloud",
    "--build-directory",
    "app",
    "--dockerfile-path",
    "Dockerfile",
    "--secret",
    "DATABASE_URL=secret:workspace:db-url",
    "--secret",
    "API_TOKEN=secret:workspace:token",
    "--role",
    "reader",
];

#[test]
fn create_from_github() {
    let table = mock(&[CREATE, &["-o", "table"]].concat());
    table.expect_code(0);
    snapshot!("create_table", table);

    let json = mock(&[CREATE, &["-o", "json"]].concat());
    json.expect_code(0);
    let managed = assert_managed(&json.json());
    assert_eq!(managed.name, "demo-app");
    assert_eq!(managed.spec.github_url, "https://github.com/acme/demo");
    assert_eq!(managed.spec.revision.as_deref(), Some("main"));
    assert_eq!(managed.resources.replicas, Some(2));
    assert_eq!(managed.spec.requested_roles, Some(vec!["reader".to_owned()]));
    snapshot!("create_json", json);
}

#[test]
fn create_from_an_archive() {
    let run =
        mock(&["deployments", "create", "demo-archive", "--archive-id", "arch-0123", "-o", "json"]);
    run.expect_code(0);
    let managed = assert_managed(&run.json());
    assert_eq!(managed.spec.archive_id.as_deref(), Some("arch-0123"));
    assert_eq!(managed.spec.github_url, "");
}

#[test]
fn create_takes_exactly_one_source() {
    let both = mock(&[
        "deployments",
        "create",
        "x",
        "--github-url",
        "https://github.com/a/b",
        "--archive-id",
        "arch",
    ]);
    both.expect_code(2);
    snapshot!("create_two_sources", both);

    let neither = mock(&["deployments", "create", "x"]);
    neither.expect_code(2);
    snapshot!("create_no_source", neither);
}

#[test]
fn create_refuses_a_taken_name() {
    let run = mock(&["deployments", "create", "jolly-orchard-238", "--archive-id", "arch-1"]);
    run.expect_code(1);
    snapshot!("create_conflict", run);
}

#[test]
fn update_sends_what_was_given() {
    let args = [
        "deployments",
        "update",
        "jolly-orchard-238",
        "--revision",
        "v2.1.0",
        "--replicas",
        "3",
        "--clear-secrets",
        "--role",
        "writer",
    ];
    let table = mock(&[&args[..], &["-o", "table"]].concat());
    table.expect_code(0);
    snapshot!("update_table", table);

    let json = mock(&[&args[..], &["-o", "json"]].concat());
    json.expect_code(0);
    let managed = assert_managed(&json.json());
    assert_eq!(managed.resources.replicas, Some(3));
    assert_eq!(managed.spec.revision.as_deref(), Some("v2.1.0"));
    assert_eq!(managed.spec.requested_roles, Some(vec!["writer".to_owned()]));
    snapshot!("update_json", json);
}

#[test]
fn update_needs_a_change() {
    let run = mock(&["deployments", "update", "jolly-orchard-238"]);
    run.expect_code(2);
    snapshot!("update_nothing", run);

    let clash = mock(&[
        "deployments",
        "update",
        "jolly-orchard-238",
        "--archive-id",
        "a",
        "--revision",
        "r",
    ]);
    clash.expect_code(2);
}

#[test]
fn lifecycle_commands_in_both_forms() {
    let name = "jolly-orchard-238";
    for (command, extra) in
        [("stop", None), ("start", None), ("restart", None), ("delete", Some("--yes"))]
    {
        for format in ["table", "json"] {
            let mut args = vec!["deployments", command, name, "-o", format];
            args.extend(extra);
            let run = mock(&args);
            run.expect_code(0);
            if format == "json" {
                let managed = assert_managed(&run.json());
                assert_eq!(managed.name, name);
            }
            snapshot!(format!("{command}_{format}"), run);
        }
    }
}

#[test]
fn lifecycle_of_a_self_hosted_deployment_is_refused() {
    let found = find_deployment(|d| d["managed"].is_null());
    let run = mock(&["deployments", "stop", found["name"].as_str().unwrap()]);
    run.expect_code(1);
    assert!(run.stderr.starts_with("error: stop_deployment: "), "{}", run.stderr);
}
