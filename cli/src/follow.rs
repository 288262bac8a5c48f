//! `logs --follow`: records as they arrive, with a spinner while none does.

use std::io::{self, IsTerminal, Write};
use std::time::{Duration, Instant};

use futures::StreamExt;
use mistral_workflows::Client;

use crate::args::{LogsArgs, OutputFormat};
use crate::commands::Printer;
use crate::failure::Failure;
use crate::{output, render};

/// How long the stream may be silent before the spinner shows.
const SPINNER_DELAY: Duration = Duration::from_millis(400);
/// How often the spinner turns.
const SPINNER_TICK: Duration = Duration::from_millis(100);

/// Follows the logs until Ctrl-C, the end of `--max-records`, or an error.
pub(crate) async fn run(client: &Client, printer: Printer, a: LogsArgs) -> Result<(), Failure> {
    let mut builder = client.deployments().log_stream(a.name);
    if let Some(v) = a.worker_name {
        builder = builder.worker_name(v);
    }
    if let Some(v) = a.workflow_name {
        builder = builder.workflow_name(v);
    }
    if let Some(v) = a.after {
        builder = builder.after(v);
    }
    if let Some(v) = a.last_event_id {
        builder = builder.last_event_id(v);
    }
    let mut stream = builder.stream();

    let mut spinner = Spinner::new();
    let mut ticker = tokio::time::interval(SPINNER_TICK);
    let interrupted = tokio::signal::ctrl_c();
    tokio::pin!(interrupted);
    let mut left = a.max_records.unwrap_or(u64::MAX);

    let outcome = loop {
        if left == 0 {
            break Ok(());
        }
        tokio::select! {
            item = stream.next() => match item {
                Some(Ok(event)) => {
                    spinner.clear();
                    let mut out = io::stdout().lock();
                    let written = match printer.format {
                        OutputFormat::Json => output::write_json_line(&mut out, &event.record),
                        OutputFormat::Table => {
                            render::log_record(&mut out, printer.style, &event.record)
                        }
                    };
                    if let Err(e) = written.and_then(|()| out.flush()) {
                        break Err(Failure::Io(e));
                    }
                    left -= 1;
                }
                Some(Err(error)) => break Err(Failure::Sdk(error)),
                None => break Ok(()),
            },
            _ = &mut interrupted => break Ok(()),
            _ = ticker.tick(), if spinner.enabled => spinner.turn(),
        }
    };
    spinner.clear();

    // Where to pick up from, for a later `--last-event-id`; on standard error, so that
    // standard output stays the records alone.
    if let Some(id) = stream.last_event_id() {
        eprintln!("Last event id: {id} (resume with --follow --last-event-id {id})");
    }
    outcome
}

/// A spinner on standard error, shown only when it is a terminal and the stream is silent.
#[derive(Debug)]
struct Spinner {
    enabled: bool,
    frame: usize,
    shown: bool,
    quiet_since: Instant,
}

const FRAMES: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

impl Spinner {
    fn new() -> Self {
        Self {
            enabled: io::stderr().is_terminal(),
            frame: 0,
            shown: false,
            quiet_since: Instant::now(),
        }
    }

    fn turn(&mut self) {
        if self.quiet_since.elapsed() < SPINNER_DELAY {
            return;
        }
        self.frame = (self.frame + 1) % FRAMES.len();
        let mut err = io::stderr().lock();
        // A failed write to the terminal only loses a frame of the spinner.
        let _ = write!(err, "\r{} waiting for log records…", FRAMES[self.frame]);
        let _ = err.flush();
        self.shown = true;
    }

    /// Erases the spinner, before a record is printed, and restarts the quiet period.
    fn clear(&mut self) {
        self.quiet_since = Instant::now();
        if self.shown {
            let mut err = io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
            self.shown = false;
        }
    }
}
