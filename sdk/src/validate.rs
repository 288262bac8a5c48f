//! Checks of arguments, made before any request is sent.

use crate::error::{Error, Result};

/// The longest deployment name the API accepts.
pub const MAX_NAME_LEN: usize = 128;

/// Checks a deployment name: letters, digits, `-`, `_` and `.`, 1 to 128 characters, and
/// never `.` or `..` (which a URL would read as "this folder" and "the parent folder").
///
/// # Errors
///
/// An [`InvalidInput`](crate::ErrorKind::InvalidInput) error that says which rule the name
/// broke.
pub fn deployment_name(name: &str) -> Result<()> {
    if name.is_empty() {
        return Err(Error::invalid_input("invalid deployment name: it is empty"));
    }
    let len = name.chars().count();
    if len > MAX_NAME_LEN {
        return Err(Error::invalid_input(format!(
            "invalid deployment name: it has {len} characters, more than {MAX_NAME_LEN}"
        )));
    }
    if name == "." || name == ".." {
        return Err(Error::invalid_input(format!(
            "invalid deployment name {name:?}: `.` and `..` are not names"
        )));
    }
    if let Some(bad) = name.chars().find(|c| !(c.is_ascii_alphanumeric() || "-_.".contains(*c))) {
        return Err(Error::invalid_input(format!(
            "invalid deployment name {name:?}: {bad:?} is not allowed (only letters, digits, \
             `-`, `_` and `.`)"
        )));
    }
    Ok(())
}

/// Checks a page size: 1 to 100.
pub(crate) fn limit(limit: u32) -> Result<std::num::NonZeroU64> {
    match std::num::NonZeroU64::new(u64::from(limit)) {
        Some(value) if limit <= 100 => Ok(value),
        _ => Err(Error::invalid_input(format!("invalid limit {limit}: it must be from 1 to 100"))),
    }
}

/// Checks a secret reference: `secret:workspace:<NAME>`.
pub(crate) fn secret_reference(reference: &str) -> Result<()> {
    let name = reference.strip_prefix("secret:workspace:");
    match name {
        Some(name) if !name.is_empty() && !name.contains(':') => Ok(()),
        _ => Err(Error::invalid_input(format!(
            "invalid secret reference {reference:?}: expected `secret:workspace:<NAME>`"
        ))),
    }
}

/// Checks the name of an environment variable a secret is bound to.
pub(crate) fn env_var_name(name: &str) -> Result<()> {
    let mut chars = name.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    if first_ok && chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
        Ok(())
    } else {
        Err(Error::invalid_input(format!(
            "invalid environment variable name {name:?}: expected letters, digits and `_`, \
             not starting with a digit"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_names_pass() {
        for name in ["a", "my-app_v2.1", "A.B", "...", &"x".repeat(128)] {
            assert!(deployment_name(name).is_ok(), "{name}");
        }
    }

    #[test]
    fn each_rule_has_its_message() {
        let cases = [
            ("", "empty"),
            (".", "not names"),
            ("..", "not names"),
            ("a/b", "'/' is not allowed"),
            ("a b", "' ' is not allowed"),
            ("é", "'é' is not allowed"),
            ("a\\b", "'\\\\' is not allowed"),
        ];
        for (name, expected) in cases {
            let message = deployment_name(name).unwrap_err().to_string();
            assert!(message.contains(expected), "{name:?}: {message}");
        }
        let long = "x".repeat(129);
        assert!(deployment_name(&long).unwrap_err().to_string().contains("129 characters"));
    }

    #[test]
    fn limits() {
        assert!(limit(0).is_err());
        assert!(limit(101).is_err());
        assert_eq!(limit(1).unwrap().get(), 1);
        assert_eq!(limit(100).unwrap().get(), 100);
    }

    #[test]
    fn secret_references() {
        assert!(secret_reference("secret:workspace:DB_URL").is_ok());
        for bad in ["DB_URL", "secret:workspace:", "secret:org:X", "secret:workspace:a:b"] {
            assert!(secret_reference(bad).is_err(), "{bad}");
        }
    }
}
