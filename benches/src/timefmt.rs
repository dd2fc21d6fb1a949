//! Formatting of dates (UTC, ISO 8601) and durations, without a date-time dependency.

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch of `t` (0 before it).
#[must_use]
pub fn unix_seconds(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// `YYYY-MM-DDTHH:MM:SSZ` for `secs` seconds since the Unix epoch.
#[must_use]
pub fn iso_utc(secs: u64) -> String {
    let days = secs / 86_400;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3_600,
        rem % 3_600 / 60,
        rem % 60
    )
}

/// The current time as [`iso_utc`].
#[must_use]
pub fn now_utc() -> String {
    iso_utc(unix_seconds(SystemTime::now()))
}

/// (year, month, day) of the proleptic Gregorian calendar for `days` since 1970-01-01
/// (Howard Hinnant's `civil_from_days`, for days >= 0).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// A duration in nanoseconds with four significant digits and a unit, as criterion prints
/// it: `812.3 ns`, `1.204 µs`, `35.17 ms`, `2.001 s`.
#[must_use]
pub fn duration_ns(ns: f64) -> String {
    let (value, unit) = if ns.abs() < 1e3 {
        (ns, "ns")
    } else if ns.abs() < 1e6 {
        (ns / 1e3, "µs")
    } else if ns.abs() < 1e9 {
        (ns / 1e6, "ms")
    } else {
        (ns / 1e9, "s")
    };
    let decimals = if value.abs() >= 100.0 {
        1
    } else if value.abs() >= 10.0 {
        2
    } else {
        3
    };
    format!("{value:.decimals$} {unit}")
}

/// A relative change as a signed percentage: `+12.3%`, `-0.8%`.
#[must_use]
pub fn percent(change: f64) -> String {
    format!("{:+.1}%", change * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(iso_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso_utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(iso_utc(1_767_225_599), "2025-12-31T23:59:59Z");
        assert_eq!(iso_utc(4_107_542_400), "2100-03-01T00:00:00Z");
    }

    #[test]
    fn durations() {
        assert_eq!(duration_ns(812.34), "812.3 ns");
        assert_eq!(duration_ns(1_204.0), "1.204 µs");
        assert_eq!(duration_ns(35_170_000.0), "35.17 ms");
        assert_eq!(duration_ns(2.001e9), "2.001 s");
        assert_eq!(percent(0.1234), "+12.3%");
        assert_eq!(percent(-0.008), "-0.8%");
    }
}
