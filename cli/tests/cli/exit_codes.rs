//! Exit status 0 on success, 1 when the API or the network failed, 2 for a usage error.

use crate::support::{mock, run};

#[test]
fn success_is_0() {
    mock(&["deployments", "list", "--limit", "1"]).expect_code(0);
}

#[test]
fn an_unknown_deployment_is_1_with_the_request_id() {
    let run = mock(&["deployments", "get", "no-such-deployment"]);
    run.expect_code(1);
    assert!(run.stdout.is_empty());
    assert!(run.stderr.contains("404"), "{}", run.stderr);
    assert!(run.stderr.contains("request id"), "{}", run.stderr);
    snapshot!("get_404", run);
}

#[test]
fn an_unreachable_server_is_1() {
    // Port 1 on loopback: nothing listens there, the connection is refused at once.
    let run = run(&[
        "--api-key",
        "sk-test-never-shown",
        "--base-url",
        "http://127.0.0.1:1",
        "--timeout",
        "10s",
        "deployments",
        "get",
        "anything",
    ]);
    run.expect_code(1);
    assert!(run.stderr.contains("could not connect"), "{}", run.stderr);
    assert!(!run.stderr.contains("sk-test-never-shown"));
}

#[test]
fn a_bad_flag_is_2() {
    let unknown = mock(&["deployments", "list", "--no-such-flag"]);
    unknown.expect_code(2);
    snapshot!("unknown_flag", unknown);

    let out_of_range = mock(&["deployments", "list", "--limit", "0"]);
    out_of_range.expect_code(2);
    snapshot!("limit_out_of_range", out_of_range);

    let not_a_bool = mock(&["deployments", "list", "--active-only", "maybe"]);
    not_a_bool.expect_code(2);

    let bad_secret =
        mock(&["deployments", "create", "x", "--archive-id", "a", "--secret", "DB=db"]);
    bad_secret.expect_code(2);
    snapshot!("bad_secret", bad_secret);

    let bad_time = mock(&["deployments", "logs", "x", "--after", "yesterday"]);
    bad_time.expect_code(2);

    let bad_timeout = mock(&["--timeout", "soon", "deployments", "list"]);
    bad_timeout.expect_code(2);
    snapshot!("bad_timeout", bad_timeout);
}

#[test]
fn a_name_the_api_cannot_accept_is_2() {
    let run = mock(&["deployments", "get", "not a name"]);
    run.expect_code(2);
    snapshot!("bad_name", run);
}

#[test]
fn delete_without_yes_off_a_terminal_is_2() {
    let run = mock(&["deployments", "delete", "jolly-orchard-238"]);
    run.expect_code(2);
    assert!(run.stdout.is_empty());
    snapshot!("delete_without_yes", run);
}

#[test]
fn no_api_key_is_2() {
    let run = run(&["deployments", "list"]);
    run.expect_code(2);
    snapshot!("no_api_key", run);
}
