//! The `mistral-workflows` command; everything is in the library.

fn main() -> std::process::ExitCode {
    mistral_workflows_cli::main()
}
