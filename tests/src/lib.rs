//! The integration tests of the workspace live in `tests/`; this library holds nothing.
