//! What can make the command fail, and the exit status each failure gives.

use std::io;
use std::process::ExitCode;

use mistral_workflows::ErrorKind;

use crate::style::{Paint, Style};

/// The exit status of a usage error, the same as clap's own.
const USAGE: u8 = 2;
/// The exit status of a failed call: the API refused, or could not be reached.
const FAILED: u8 = 1;

/// Why the command did not succeed.
#[derive(Debug)]
pub(crate) enum Failure {
    /// What the SDK reported: a refused request, a network failure, or an argument it
    /// checked before sending anything.
    Sdk(mistral_workflows::Error),
    /// The command line asks for something that cannot be done.
    Usage(String),
    /// The user answered no to a confirmation.
    Declined(String),
    /// The embedded mock server could not start.
    Mock(io::Error),
    /// Writing the output failed.
    Io(io::Error),
}

impl From<mistral_workflows::Error> for Failure {
    fn from(error: mistral_workflows::Error) -> Self {
        Failure::Sdk(error)
    }
}

impl From<io::Error> for Failure {
    fn from(error: io::Error) -> Self {
        Failure::Io(error)
    }
}

impl Failure {
    /// Prints the failure on standard error and returns its exit status.
    pub(crate) fn report(self) -> ExitCode {
        let (message, code) = match self {
            // A reader that went away (`| head`) is not a failure of ours.
            Failure::Io(e) if e.kind() == io::ErrorKind::BrokenPipe => return ExitCode::SUCCESS,
            Failure::Io(e) => (format!("cannot write the output: {e}"), FAILED),
            Failure::Sdk(e) => {
                // The SDK refuses a bad name or a missing key before sending anything: that
                // is a mistake on the command line, not a failure of the API.
                let code = match e.kind() {
                    ErrorKind::Config | ErrorKind::InvalidInput => USAGE,
                    _ => FAILED,
                };
                // The SDK's message carries the operation, the status and the request id.
                (e.to_string(), code)
            }
            Failure::Usage(message) => (message, USAGE),
            Failure::Declined(message) => (message, FAILED),
            Failure::Mock(e) => (format!("cannot start the mock server: {e}"), FAILED),
        };
        let style = Style::stderr();
        eprintln!("{} {message}", style.paint("error:", Paint::Red));
        ExitCode::from(code)
    }
}
