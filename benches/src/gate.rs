//! The regression gate: base versus head, judged on criterion's confidence interval of the
//! change.
//!
//! `compare.sh` runs the base revision's benchmarks with `--save-baseline base`, then the head
//! revision's with `--baseline-lenient base`, into one criterion folder; criterion then writes
//! `change/estimates.json` for every benchmark both ran. A benchmark **regressed** when the
//! lower bound of the confidence interval of its mean's change is above the threshold: the
//! slowdown is larger than the threshold even in the most favourable reading of the noise.
//! It **improved** when the upper bound is below minus the threshold; anything else is
//! within noise or threshold (`ok`).

use crate::results::{Bench, ChangeEstimates};
use crate::timefmt::{duration_ns, percent};

/// Which statistic's change is judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Statistic {
    /// The mean (the default).
    Mean,
    /// The median.
    Median,
}

impl Statistic {
    /// Parses `mean` or `median`.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "mean" => Some(Self::Mean),
            "median" => Some(Self::Median),
            _ => None,
        }
    }

    /// `mean` or `median`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Mean => "mean",
            Self::Median => "median",
        }
    }
}

/// The verdict on one benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Slower beyond the threshold (the whole confidence interval).
    Regressed,
    /// Faster beyond the threshold (the whole confidence interval).
    Improved,
    /// Within the threshold or the noise.
    Ok,
    /// Ran in head only: nothing to compare with.
    NewInHead,
    /// Has a base result but did not run in head.
    MissingInHead,
}

impl Verdict {
    /// The word printed in the table.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Regressed => "REGRESSED",
            Self::Improved => "improved",
            Self::Ok => "ok",
            Self::NewInHead => "new (no base)",
            Self::MissingInHead => "not run in head",
        }
    }
}

/// One line of the table.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// Benchmark id.
    pub id: String,
    /// Base time per iteration, ns (the judged statistic).
    pub base_ns: Option<f64>,
    /// Head time per iteration, ns.
    pub head_ns: Option<f64>,
    /// Change: point estimate, lower and upper bound.
    pub change: Option<(f64, f64, f64)>,
    /// The verdict.
    pub verdict: Verdict,
}

/// The verdict on a change whose confidence interval is `[lower, upper]`, for a threshold
/// given as a fraction (0.10 = 10 %).
#[must_use]
pub fn judge(lower: f64, upper: f64, threshold: f64) -> Verdict {
    if lower > threshold {
        Verdict::Regressed
    } else if upper < -threshold {
        Verdict::Improved
    } else {
        Verdict::Ok
    }
}

fn change_of(c: &ChangeEstimates, stat: Statistic) -> (f64, f64, f64) {
    let e = match stat {
        Statistic::Mean => &c.mean,
        Statistic::Median => &c.median,
    };
    (
        e.point_estimate,
        e.confidence_interval.lower_bound,
        e.confidence_interval.upper_bound,
    )
}

/// The table lines for benchmarks loaded with the base baseline's name.
///
/// A benchmark ran in head when its `new/` result is newer than its base result; it is
/// compared when it also has a fresh change file.
#[must_use]
pub fn lines(benches: &[Bench], threshold: f64, stat: Statistic) -> Vec<Line> {
    let pick = |s: &crate::results::Saved| match stat {
        Statistic::Mean => s.estimates.mean.point_estimate,
        Statistic::Median => s.estimates.median.point_estimate,
    };
    benches
        .iter()
        .filter_map(|b| {
            let base = b.baseline.as_ref();
            let head = b
                .new
                .as_ref()
                .filter(|n| base.is_none_or(|base| n.written > base.written));
            let (verdict, change) = match (base, head, &b.change) {
                (Some(_), Some(_), Some(c)) => {
                    let ch = change_of(c, stat);
                    (judge(ch.1, ch.2, threshold), Some(ch))
                }
                (Some(_), None, _) => (Verdict::MissingInHead, None),
                (None, Some(_), _) => (Verdict::NewInHead, None),
                (Some(_), Some(_), None) | (None, None, _) => return None,
            };
            Some(Line {
                id: b.id.full_id.clone(),
                base_ns: base.map(pick),
                head_ns: head.map(pick),
                change,
                verdict,
            })
        })
        .collect()
}

/// The table, as Markdown (it reads as plain text too).
#[must_use]
pub fn table(lines: &[Line]) -> String {
    let rows: Vec<Vec<String>> = lines
        .iter()
        .map(|l| {
            vec![
                l.id.clone(),
                l.base_ns.map_or_else(|| "-".into(), duration_ns),
                l.head_ns.map_or_else(|| "-".into(), duration_ns),
                l.change.map_or_else(
                    || "-".into(),
                    |(p, lo, hi)| format!("{} [{}, {}]", percent(p), percent(lo), percent(hi)),
                ),
                l.verdict.label().to_owned(),
            ]
        })
        .collect();
    let header = ["benchmark", "base", "head", "change [95% CI]", "verdict"];
    // Left-align names and verdicts, right-align numbers.
    crate::markdown::table(&header, &rows, &[0, 4])
}

/// Counts per verdict: (regressed, improved, ok, new, missing).
#[must_use]
pub fn counts(lines: &[Line]) -> (usize, usize, usize, usize, usize) {
    let n = |v: Verdict| lines.iter().filter(|l| l.verdict == v).count();
    (
        n(Verdict::Regressed),
        n(Verdict::Improved),
        n(Verdict::Ok),
        n(Verdict::NewInHead),
        n(Verdict::MissingInHead),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn judged_on_the_interval() {
        assert_eq!(judge(0.11, 0.30, 0.10), Verdict::Regressed);
        assert_eq!(judge(0.05, 0.30, 0.10), Verdict::Ok);
        assert_eq!(judge(-0.30, -0.11, 0.10), Verdict::Improved);
        assert_eq!(judge(-0.30, -0.05, 0.10), Verdict::Ok);
        assert_eq!(judge(-0.02, 0.02, 0.10), Verdict::Ok);
        // The lower bound must exceed the threshold, not only the point estimate.
        assert_eq!(judge(0.09, 0.5, 0.10), Verdict::Ok);
    }

    #[test]
    fn table_is_aligned_markdown() {
        let lines = vec![
            Line {
                id: "api/malloc/empty".into(),
                base_ns: Some(50.0),
                head_ns: Some(101.0),
                change: Some((1.02, 0.98, 1.05)),
                verdict: Verdict::Regressed,
            },
            Line {
                id: "x".into(),
                base_ns: None,
                head_ns: Some(1.0),
                change: None,
                verdict: Verdict::NewInHead,
            },
        ];
        let t = table(&lines);
        let rows: Vec<&str> = t.lines().collect();
        assert_eq!(rows.len(), 4);
        assert!(rows
            .iter()
            .all(|r| r.chars().count() == rows[0].chars().count()));
        assert!(rows[2].contains("+102.0% [+98.0%, +105.0%]"));
        assert!(rows[2].contains("REGRESSED"));
    }
}
