//! Colors, on a terminal only.

use std::io::IsTerminal;

/// A color of the terminal's palette, or bold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Paint {
    Bold,
    Dim,
    Red,
    Green,
    Yellow,
    Cyan,
}

impl Paint {
    fn code(self) -> &'static str {
        match self {
            Paint::Bold => "1",
            Paint::Dim => "2",
            Paint::Red => "31",
            Paint::Green => "32",
            Paint::Yellow => "33",
            Paint::Cyan => "36",
        }
    }
}

/// Whether to color what goes to one stream.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Style {
    enabled: bool,
}

impl Style {
    /// Colors for standard output: on when it is a terminal and `NO_COLOR` is unset.
    pub(crate) fn stdout() -> Self {
        Self { enabled: std::io::stdout().is_terminal() && !no_color() }
    }

    /// Colors for standard error, by the same rules.
    pub(crate) fn stderr() -> Self {
        Self { enabled: std::io::stderr().is_terminal() && !no_color() }
    }

    /// Colors on or off, whatever the streams are.
    #[cfg(test)]
    pub(crate) fn stdout_with(enabled: bool) -> Self {
        Self { enabled }
    }

    /// `text` in `paint`, or unchanged when colors are off.
    pub(crate) fn paint(self, text: &str, paint: Paint) -> String {
        if self.enabled { format!("\x1b[{}m{text}\x1b[0m", paint.code()) } else { text.to_owned() }
    }
}

/// `NO_COLOR` set to anything but the empty string turns colors off (no-color.org).
fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn off_means_plain_text() {
        assert_eq!(Style::stdout_with(false).paint("x", Paint::Red), "x");
        assert_eq!(Style::stdout_with(true).paint("x", Paint::Red), "\x1b[31mx\x1b[0m");
    }
}
