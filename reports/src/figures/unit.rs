//! Value axes: how numbers are labelled (bytes in binary units, counts, percentages,
//! nanoseconds, ratios, percentile ladders).

use crate::units;

/// How a value axis is labelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Bytes (binary units).
    Bytes,
    /// A plain count.
    Count,
    /// A fraction shown as a percentage.
    Percent,
    /// Nanoseconds.
    Nanos,
    /// A ratio (`×`).
    Ratio,
    /// Positions 0..=4 of a percentile ladder: p50, p90, p99, p99.9, max (other positions
    /// unlabelled).
    Ladder,
}

/// The labels of a percentile ladder's positions.
pub const LADDER: [&str; 5] = ["p50", "p90", "p99", "p99.9", "max"];

impl Unit {
    /// `v` formatted for an axis label.
    #[must_use]
    pub fn format(self, v: f64) -> String {
        match self {
            Unit::Bytes => units::bytes(v),
            Unit::Count => units::count(v),
            Unit::Percent => format!("{:.0} %", v * 100.0),
            Unit::Nanos => units::nanos(v),
            Unit::Ratio => units::ratio(v),
            Unit::Ladder => {
                let i = v.round();
                if (v - i).abs() < 1e-6 && (0.0..=4.0).contains(&i) {
                    LADDER[i as usize].to_owned()
                } else {
                    String::new()
                }
            }
        }
    }

    /// `v` formatted for a label inside the plot (one more digit than on an axis).
    #[must_use]
    pub fn precise(self, v: f64) -> String {
        match self {
            Unit::Percent => units::percent(v),
            other => other.format(v),
        }
    }
}

/// The binary unit a byte axis whose largest value is `max` is labelled in: its divisor
/// and name.
pub(super) fn byte_scale(max: f64) -> (f64, &'static str) {
    const UNITS: [(f64, &str); 4] = [
        (1024.0 * 1024.0 * 1024.0, "GiB"),
        (1024.0 * 1024.0, "MiB"),
        (1024.0, "KiB"),
        (1.0, "B"),
    ];
    UNITS
        .iter()
        .copied()
        .find(|(d, _)| max >= 2.0 * d)
        .unwrap_or((1.0, "B"))
}

/// An axis label for `v` already divided by its unit's divisor: `1.5 MiB`, `512 B`.
pub(super) fn scaled_label(v: f64, unit: &str) -> String {
    let digits = if v.abs() >= 100.0 || (v - v.round()).abs() < 1e-9 {
        0
    } else if v.abs() >= 10.0 {
        1
    } else {
        2
    };
    let mut n = format!("{v:.digits$}");
    if n.contains('.') {
        n = n.trim_end_matches('0').trim_end_matches('.').to_owned();
    }
    format!("{n} {unit}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_axes_use_a_round_unit() {
        assert_eq!(byte_scale(5.0 * 1024.0 * 1024.0), (1024.0 * 1024.0, "MiB"));
        assert_eq!(byte_scale(1500.0), (1.0, "B"));
        assert_eq!(byte_scale(4096.0), (1024.0, "KiB"));
        assert_eq!(scaled_label(1.5, "MiB"), "1.5 MiB");
        assert_eq!(scaled_label(2.0, "KiB"), "2 KiB");
        assert_eq!(scaled_label(0.25, "GiB"), "0.25 GiB");
    }
}
