#![doc = include_str!("../README.md")]
#![deny(missing_docs)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod args;
mod commands;
mod duration;
mod failure;
mod follow;
mod output;
mod render;
mod style;

use std::process::ExitCode;

use clap::Parser;

pub use args::Cli;

/// Runs the `mistral-workflows` command: parses the command line, carries out the subcommand,
/// prints what went wrong on standard error, and returns the exit status (0 on success, 1 when
/// the API or the network failed, 2 for a usage error).
pub fn main() -> ExitCode {
    // clap prints its own errors and help, and exits 2 on a usage error, 0 for --help.
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => failure.report(),
    }
}

fn run(cli: Cli) -> Result<(), failure::Failure> {
    // Before anything starts: a delete is confirmed on the terminal (a script says --yes).
    commands::preflight(&cli.command)?;

    // One thread is plenty for one request at a time, and for the embedded mock beside it.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(failure::Failure::Io)?;
    runtime.block_on(commands::run(cli))
}
