//! The `mistral-workflows` binary against its embedded mock (`--mock`), one module per
//! behaviour. Every run is recorded as a transcript (the command, the exit status, standard
//! output and standard error) and compared with an insta snapshot.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod support;

mod exit_codes;
mod get;
mod help;
mod lifecycle;
mod list;
mod logs;
mod misc;
mod workers;
