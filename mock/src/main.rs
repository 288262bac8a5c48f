//! `mistral-workflows-mock`: the mock server as a program, for trying a client by hand.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use mistral_workflows_mock::{Fixtures, MockServer};

/// A mock of the Mistral Workflows Deployments API. Prints its base URL on the first line of
/// standard output, then serves until interrupted.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// The address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,

    /// Accept only this API key (default: any non-empty bearer key).
    #[arg(long, env = "MISTRAL_MOCK_API_KEY")]
    api_key: Option<String>,

    /// A JSON file holding serialized fixtures (default: the seeded workspace).
    #[arg(long, value_name = "FILE")]
    fixtures: Option<PathBuf>,

    /// Interval of the live runtime logs of active deployments, in milliseconds; 0 turns
    /// them off.
    #[arg(long, value_name = "MS", default_value_t = 250)]
    log_interval: u64,

    /// How long each phase of a managed rollout lasts, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 1000)]
    phase_ms: u64,

    /// The `retry:` field (reconnect delay, in milliseconds) of the first frame of every log
    /// stream (default: none).
    #[arg(long, value_name = "MS")]
    stream_retry_ms: Option<u64>,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run(Args::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("mistral-workflows-mock: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), String> {
    let fixtures = match &args.fixtures {
        None => Fixtures::seeded(),
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            serde_json::from_str(&text)
                .map_err(|e| format!("{} holds no fixtures: {e}", path.display()))?
        }
    };
    let mut builder = MockServer::builder()
        .addr(args.addr)
        .fixtures(fixtures)
        .phase_duration(Duration::from_millis(args.phase_ms))
        .live_logs((args.log_interval > 0).then(|| Duration::from_millis(args.log_interval)));
    if let Some(key) = args.api_key {
        builder = builder.api_key(key);
    }
    if let Some(ms) = args.stream_retry_ms {
        builder = builder.stream_retry(Duration::from_millis(ms));
    }
    let server =
        builder.start().await.map_err(|e| format!("cannot listen on {}: {e}", args.addr))?;

    // The first line is the base URL, for scripts that start the mock and read where it is.
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{}", server.base_url())
        .and_then(|()| stdout.flush())
        .map_err(|e| e.to_string())?;
    drop(stdout);

    tokio::signal::ctrl_c().await.map_err(|e| format!("cannot wait for Ctrl-C: {e}"))?;
    drop(server);
    Ok(())
}
