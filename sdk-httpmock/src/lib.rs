#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

/// The helpers as progenitor generates them (`cargo xtask generate`), with the fixes listed
/// in the crate docs. Generated code: it has no docs of its own and unwraps regexes that are
/// known to be valid.
#[allow(missing_docs, missing_debug_implementations, clippy::all, clippy::unwrap_used)]
mod generated;

pub use generated::{MockServerExt, operations};
