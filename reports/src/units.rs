//! Number formatting shared by the plots, the tables and the console.

/// `bytes` in binary units: `512 B`, `1.5 KiB`, `12 MiB`, `3.2 GiB`.
#[must_use]
pub fn bytes(bytes: f64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = bytes;
    let mut unit = 0;
    while v.abs() >= 1024.0 && unit + 1 < UNITS.len() {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{v:.0} B")
    } else if v.abs() >= 100.0 || (v - v.round()).abs() < 0.05 {
        format!("{v:.0} {}", UNITS[unit])
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

/// A count with a k / M suffix: `950`, `12k`, `1.5M`.
#[must_use]
pub fn count(v: f64) -> String {
    let a = v.abs();
    if a >= 1e6 {
        trim(format!("{:.1}", v / 1e6)) + "M"
    } else if a >= 1e4 {
        format!("{:.0}k", v / 1e3)
    } else if a >= 1e3 {
        trim(format!("{:.1}", v / 1e3)) + "k"
    } else if (v - v.round()).abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

/// A fraction as a percentage: `0.1234` -> `12.3 %`.
#[must_use]
pub fn percent(fraction: f64) -> String {
    format!("{:.1} %", fraction * 100.0)
}

/// A duration per op: `85 ns`, `1.2 µs`, `3.4 ms`.
#[must_use]
pub fn nanos(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.1} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.1} µs", ns / 1e3)
    } else if ns >= 10.0 {
        format!("{ns:.0} ns")
    } else {
        format!("{ns:.1} ns")
    }
}

/// A ratio with its 95 % interval: `1.23× (1.10–1.40)`.
#[must_use]
pub fn ratio_interval(i: &workloads::aggregate::Interval) -> String {
    let bare = |r: f64| ratio(r).trim_end_matches('×').to_owned();
    format!("{} ({}–{})", ratio(i.estimate), bare(i.low), bare(i.high))
}

/// How a speed ratio's interval lies against 1, in words: `faster`, `slower`, or `not
/// distinguishable`.
#[must_use]
pub fn speed_verdict(v: workloads::aggregate::Verdict) -> &'static str {
    match v {
        workloads::aggregate::Verdict::Higher => "faster",
        workloads::aggregate::Verdict::Lower => "slower",
        workloads::aggregate::Verdict::NotDistinguishable => "not distinguishable",
    }
}

/// A ratio: `1.00×`, `0.25×`, `12×`.
#[must_use]
pub fn ratio(r: f64) -> String {
    if r >= 10.0 {
        format!("{r:.0}×")
    } else if r >= 0.1 {
        format!("{r:.2}×")
    } else {
        format!("{r:.3}×")
    }
}

fn trim(s: String) -> String {
    s.strip_suffix(".0")
        .map_or_else(|| s.clone(), str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(bytes(512.0), "512 B");
        assert_eq!(bytes(1536.0), "1.5 KiB");
        assert_eq!(bytes(4.0 * 1024.0 * 1024.0), "4 MiB");
        assert_eq!(count(950.0), "950");
        assert_eq!(count(1500.0), "1.5k");
        assert_eq!(count(2000.0), "2k");
        assert_eq!(count(25_000.0), "25k");
        assert_eq!(count(1_000_000.0), "1M");
        assert_eq!(percent(0.1234), "12.3 %");
        assert_eq!(nanos(85.2), "85 ns");
        assert_eq!(nanos(1234.0), "1.2 µs");
        assert_eq!(ratio(1.0), "1.00×");
    }
}
