//! `--timeout`: durations written the way people write them.

use std::time::Duration;

use crate::args::Timeout;

/// Parses a timeout: `none`, a bare number of seconds (`45`, `2.5`), or one or more numbers
/// with a unit, `ms`, `s`, `m` or `h` (`500ms`, `30s`, `1m30s`). Zero is refused: a request
/// that may take no time at all can never succeed.
pub(crate) fn parse_timeout(text: &str) -> Result<Timeout, String> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("none") {
        return Ok(Timeout(None));
    }
    let duration = parse_duration(text)?;
    if duration.is_zero() {
        return Err("a timeout of zero can never be met: use \"none\" for no limit".to_owned());
    }
    Ok(Timeout(Some(duration)))
}

fn parse_duration(text: &str) -> Result<Duration, String> {
    let invalid = || format!("{text:?} is not a duration: write 30s, 500ms, 2m, 1m30s or 45");
    if text.is_empty() {
        return Err(invalid());
    }
    if let Ok(seconds) = text.parse::<f64>() {
        return Duration::try_from_secs_f64(seconds).map_err(|_| invalid());
    }

    let mut total = Duration::ZERO;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).ok_or_else(invalid)?;
        let (number, tail) = rest.split_at(digits);
        let units = tail.find(|c: char| c.is_ascii_digit()).unwrap_or(tail.len());
        let (unit, tail) = tail.split_at(units);
        let number: f64 = number.parse().map_err(|_| invalid())?;
        let scale = match unit {
            "ms" => 0.001,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return Err(invalid()),
        };
        let part = Duration::try_from_secs_f64(number * scale).map_err(|_| invalid())?;
        total = total.checked_add(part).ok_or_else(invalid)?;
        rest = tail;
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(text: &str) -> Option<f64> {
        parse_timeout(text).ok().map(|t| t.0.map_or(-1.0, |d| d.as_secs_f64()))
    }

    #[test]
    fn units_and_bare_seconds() {
        assert_eq!(secs("30s"), Some(30.0));
        assert_eq!(secs("45"), Some(45.0));
        assert_eq!(secs("2.5"), Some(2.5));
        assert_eq!(secs("500ms"), Some(0.5));
        assert_eq!(secs("2m"), Some(120.0));
        assert_eq!(secs("1m30s"), Some(90.0));
        assert_eq!(secs("1h"), Some(3600.0));
        assert_eq!(secs("none"), Some(-1.0));
    }

    #[test]
    fn nonsense_is_refused() {
        for text in ["", "0", "0s", "s", "30x", "-1", "1m30", "ten", "1.2.3s"] {
            assert!(parse_timeout(text).is_err(), "{text:?} was accepted");
        }
    }
}
