//! Running the binary and recording what it did.

use std::fmt::Write as _;

use assert_cmd::cargo::cargo_bin_cmd;

/// What one run of the binary did.
#[derive(Debug)]
pub struct Run {
    pub args: Vec<String>,
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The command, its exit status and both streams, for a snapshot.
    pub fn transcript(&self) -> String {
        let mut text =
            format!("$ mistral-workflows {}\nexit status: {}\n", self.args.join(" "), self.code);
        for (name, stream) in [("stdout", &self.stdout), ("stderr", &self.stderr)] {
            let _ = write!(text, "----- {name}\n{stream}");
            if !stream.is_empty() && !stream.ends_with('\n') {
                text.push('\n');
            }
        }
        text
    }

    /// Standard output, parsed as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }

    /// Asserts the exit status.
    pub fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(self.code, code, "unexpected exit status\n{}", self.transcript());
        self
    }
}

/// Runs the binary with `args`, in an environment without the user's key, base URL or color
/// settings, with standard input an empty pipe (so, never a terminal).
pub fn run(args: &[&str]) -> Run {
    let output = cargo_bin_cmd!("mistral-workflows")
        .args(args)
        .env_remove("MISTRAL_API_KEY")
        .env_remove("MISTRAL_BASE_URL")
        .env_remove("NO_COLOR")
        .env_remove("RUST_LOG")
        .env("COLUMNS", "100")
        .write_stdin("")
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .expect("the binary runs");
    Run {
        args: args.iter().map(|a| (*a).to_owned()).collect(),
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

/// Runs the binary against a fresh mock whose clock is frozen, so that every run of the test
/// prints the same.
pub fn mock(args: &[&str]) -> Run {
    let mut all = vec!["--mock", "--mock-clock", "frozen"];
    all.extend_from_slice(args);
    run(&all)
}

/// Insta settings: instants of today or yesterday (wall-clock time, which a frozen mock never
/// shows, but a real-time one would) are redacted.
pub fn settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    let today = chrono::Utc::now().date_naive();
    for day in [today, today.pred_opt().unwrap_or(today)] {
        let pattern = format!(r"{}T\d{{2}}:\d{{2}}:\d{{2}}(\.\d+)?Z", day.format("%Y-%m-%d"));
        settings.add_filter(&pattern, "[now]");
    }
    settings.set_prepend_module_to_snapshot(true);
    settings.set_omit_expression(true);
    settings
}

/// Snapshots the transcript of a run.
macro_rules! snapshot {
    ($name:expr, $run:expr) => {{
        let run = &$run;
        $crate::support::settings().bind(|| insta::assert_snapshot!($name, run.transcript()));
    }};
}

/// Asserts that `value` is a `DeploymentResponse` as the API documents it: the required keys
/// are there, and the SDK's types (generated from the spec) decode it.
pub fn assert_deployment(value: &serde_json::Value) {
    for key in ["id", "name", "is_active", "created_at", "updated_at"] {
        assert!(value.get(key).is_some(), "no {key:?} in {value}");
    }
    let decoded: mistral_workflows::DeploymentResponse =
        serde_json::from_value(value.clone()).expect("a DeploymentResponse");
    assert_eq!(value["id"], decoded.id.to_string());
}

/// Asserts that `value` is a `ManagedDeploymentResponse`.
pub fn assert_managed(value: &serde_json::Value) -> mistral_workflows::ManagedDeploymentResponse {
    for key in ["service_id", "name", "spec", "resources", "status", "created_at", "updated_at"] {
        assert!(value.get(key).is_some(), "no {key:?} in {value}");
    }
    serde_json::from_value(value.clone()).expect("a ManagedDeploymentResponse")
}

/// Asserts that `value` is a `DeploymentWorkerResponse`.
pub fn assert_worker(value: &serde_json::Value) {
    for key in ["name", "created_at", "updated_at", "is_active"] {
        assert!(value.get(key).is_some(), "no {key:?} in {value}");
    }
    let _: mistral_workflows::DeploymentWorkerResponse =
        serde_json::from_value(value.clone()).expect("a DeploymentWorkerResponse");
}

/// Asserts that `value` is a `DeploymentLogRecord`: every field is required.
pub fn assert_log_record(value: &serde_json::Value) {
    for key in ["timestamp", "trace_id", "span_id", "severity_text", "body", "log_attributes"] {
        assert!(value.get(key).is_some(), "no {key:?} in {value}");
    }
    let _: mistral_workflows::DeploymentLogRecord =
        serde_json::from_value(value.clone()).expect("a DeploymentLogRecord");
}

/// Every deployment of the mock, active or not, as JSON.
pub fn all_deployments() -> Vec<serde_json::Value> {
    let run = mock(&["deployments", "list", "--active-only", "false", "--all", "-o", "json"]);
    run.expect_code(0);
    run.json().as_array().cloned().expect("an array")
}

/// The name of the first deployment of the mock that `pick` accepts.
pub fn find_deployment(pick: impl Fn(&serde_json::Value) -> bool) -> serde_json::Value {
    all_deployments().into_iter().find(|d| pick(d)).expect("a fixture deployment of that kind")
}
