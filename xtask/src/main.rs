//! Maintainer tasks of the workspace, run as `cargo xtask <task>`.
//!
//! `cargo xtask help` lists the tasks. Each one exits non-zero, with the reason on stderr,
//! when it fails.

// The progenitor settings and the spec preprocessing of `sdk-gen`'s build script, compiled
// here too so that the committed copies come out exactly as the compiled client does.
#[path = "../../sdk-gen/codegen.rs"]
mod codegen;
mod outputs;
mod spec_check;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

const USAGE: &str = "\
Usage: cargo xtask <task>

Tasks:
  check-spec  Check openapi.yaml for what the generator gets wrong or the spec gets inconsistent
  generate    Write the generated code that is committed (sdk-gen/generated/client.rs and
              sdk-httpmock/src/generated.rs) from openapi.yaml
  check       check-spec, then fail with a diff if the committed generated code is stale;
              writes nothing into the repository
  ci          What .ci/run runs: fmt --check, clippy -D warnings, check, test --workspace,
              and the benchmarks built but not run
  help        Print this message";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = workspace_root();
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["check-spec"] => check_spec(&root),
        ["generate"] => generate(&root),
        ["check"] => check(&root),
        ["ci"] => ci(&root),
        [] | ["help" | "-h" | "--help"] => {
            println!("{USAGE}");
            Ok(())
        }
        _ => Err(format!("unknown arguments `{}`\n\n{USAGE}", args.join(" "))),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root: the parent of this crate's directory.
fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
}

fn read_spec(root: &Path) -> Result<String, String> {
    let path = root.join(outputs::SPEC);
    std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", outputs::SPEC))
}

fn check_spec(root: &Path) -> Result<(), String> {
    let report = spec_check::check(&read_spec(root)?);
    if report.problems.is_empty() {
        println!(
            "{}: {} operations, {} schemas and {} examples checked, no problems",
            outputs::SPEC,
            report.operations,
            report.schemas,
            report.examples
        );
        return Ok(());
    }
    for problem in &report.problems {
        eprintln!("{problem}");
    }
    Err(format!("{}: {} problem(s), listed above", outputs::SPEC, report.problems.len()))
}

fn generate(root: &Path) -> Result<(), String> {
    let fresh = outputs::render(&read_spec(root)?, root)?;
    outputs::write_all(&fresh, root)?;
    for output in &fresh {
        println!("wrote {}", output.path);
    }
    Ok(())
}

fn check(root: &Path) -> Result<(), String> {
    check_spec(root)?;

    // Regenerate with the same writer as `generate`, aimed at a scratch directory, then
    // compare with what is committed.
    let fresh = outputs::render(&read_spec(root)?, root)?;
    let scratch = ScratchDir::new()?;
    outputs::write_all(&fresh, &scratch.0)?;

    let mut stale = Vec::new();
    for output in &fresh {
        let regenerated = read(&scratch.0.join(output.path))?;
        let committed = std::fs::read_to_string(root.join(output.path)).ok();
        if let Some(diff) = outputs::stale_diff(output.path, committed.as_deref(), &regenerated) {
            eprintln!("{diff}");
            stale.push(output.path);
        }
    }
    if !stale.is_empty() {
        return Err(format!(
            "stale generated code: {}; run `cargo xtask generate` and commit the result",
            stale.join(", ")
        ));
    }
    println!(
        "generated code is up to date: {}",
        fresh.iter().map(|o| o.path).collect::<Vec<_>>().join(", ")
    );
    Ok(())
}

fn ci(root: &Path) -> Result<(), String> {
    cargo(root, &["fmt", "--all", "--check"])?;
    cargo(root, &["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"])?;
    println!("==> cargo xtask check");
    check(root)?;
    cargo(root, &["test", "--workspace"])?;
    cargo(root, &["bench", "-p", "mistral-workflows-bench", "--no-run"])
}

/// Runs the cargo that runs this task, in the workspace root.
fn cargo(root: &Path, args: &[&str]) -> Result<(), String> {
    println!("==> cargo {}", args.join(" "));
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .args(args)
        .current_dir(root)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("`cargo {}` failed", args.join(" "))) }
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// A directory under the system's temporary directory, removed when dropped.
struct ScratchDir(PathBuf);

impl ScratchDir {
    fn new() -> Result<Self, String> {
        let path = std::env::temp_dir().join(format!("xtask-check-{}", std::process::id()));
        std::fs::create_dir_all(&path)
            .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
        Ok(Self(path))
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        // Best effort: a leftover directory in the temporary directory harms nothing.
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
