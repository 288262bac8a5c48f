//! `--help`: what it documents, and what it never shows.

use assert_cmd::cargo::cargo_bin_cmd;

use crate::support::run;

#[test]
fn top_level_help() {
    let run = run(&["--help"]);
    run.expect_code(0);
    snapshot!("top", run);
}

#[test]
fn subcommand_help() {
    let run = run(&["deployments", "--help"]);
    run.expect_code(0);
    snapshot!("deployments", run);
}

#[test]
fn help_never_shows_the_key() {
    let output = cargo_bin_cmd!("mistral-workflows")
        .args(["deployments", "list", "--help"])
        .env("MISTRAL_API_KEY", "sk-test-never-shown")
        .env_remove("MISTRAL_BASE_URL")
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("MISTRAL_API_KEY"), "{text}");
    assert!(!text.contains("sk-test-never-shown"), "{text}");
}

#[test]
fn no_subcommand_is_a_usage_error() {
    run(&[]).expect_code(2);
    run(&["deployments"]).expect_code(2);
}
