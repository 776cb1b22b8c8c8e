//! Go's `time.Duration`: `ParseDuration` (`1h30m`, `500ms`, `-1.5s`) and an approximation of
//! its `String` for what forge prints (`1m30s`, `500ms`), written once for `eval`'s functions,
//! the components' settings and the engine's messages.

use std::time::Duration;

/// Parses a duration as Go's `time.ParseDuration` does, into nanoseconds (negative allowed).
///
/// # Errors
/// Go's message: `time: invalid duration "x"`, a missing or unknown unit.
pub fn parse(s: &str) -> Result<i128, String> {
    let invalid = || format!("time: invalid duration {s:?}");
    let (neg, mut rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(invalid());
    }
    let mut total: f64 = 0.0;
    while !rest.is_empty() {
        let n = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        let number = &rest[..n];
        if number.is_empty() || number == "." {
            return Err(invalid());
        }
        let value: f64 = number.parse().map_err(|_| invalid())?;
        rest = &rest[n..];
        let u = rest.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len());
        let unit = &rest[..u];
        if unit.is_empty() {
            return Err(format!("time: missing unit in duration {s:?}"));
        }
        let scale = match unit {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 6e10,
            "h" => 3.6e12,
            _ => return Err(format!("time: unknown unit {unit:?} in duration {s:?}")),
        };
        total += value * scale;
        rest = &rest[u..];
    }
    #[allow(clippy::cast_possible_truncation)]
    let ns = total.round() as i128;
    Ok(if neg { -ns } else { ns })
}

/// A setting's duration (`5m`, `1h30s`; surrounding blanks ignored): `None` when it is not a
/// Go duration or is negative.
pub fn parse_std(s: &str) -> Option<Duration> {
    let ns = parse(s.trim()).ok()?;
    u64::try_from(ns).ok().map(Duration::from_nanos)
}

/// A duration as Go prints it, to the millisecond (`1m30s`, `500ms`, `2s`).
pub fn format(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        return format!("{ms}ms");
    }
    let total = d.as_secs();
    let (h, m, s) = (total / 3600, total % 3600 / 60, total % 60);
    let frac = d.subsec_millis();
    let secs = if frac > 0 { format!("{s}.{frac:03}").trim_end_matches('0').to_string() } else { s.to_string() };
    match (h, m) {
        (0, 0) => format!("{secs}s"),
        (0, m) => format!("{m}m{secs}s"),
        (h, m) => format!("{h}h{m}m{secs}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations() {
        assert_eq!(parse_std("1h30m").map(|d| d.as_secs()), Some(5400));
        assert_eq!(parse_std("500ms").map(|d| d.as_millis()), Some(500));
        assert_eq!(parse_std(" 0 "), Some(Duration::ZERO));
        assert_eq!(parse_std("5"), None);
        assert_eq!(parse_std("5x"), None);
        assert_eq!(parse_std("-5s"), None);
        assert_eq!(parse("-1.5s"), Ok(-1_500_000_000));
        assert_eq!(format(Duration::from_millis(90_500)), "1m30.5s");
    }
}
