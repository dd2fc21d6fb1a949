//! Statistics across workloads, one implementation for every tool (the report, `tune`,
//! `summary.md`, `results.json` and the benchmarks' ratio table).
//!
//! Each is chosen so that one tiny workload cannot dominate it:
//!
//! - **Fragmentation** across workloads is the geometric mean of `footprint / peak live`
//!   (`1 + #4`), shown as a percentage ([`frag_geomean`]), over workloads whose peak live
//!   payload is at least [`SMALL_HEAP_FLOOR`]. Below that, fixed costs decide the ratio rather
//!   than placement: a bin table, a state block or a growth granule of a few KiB is several
//!   times a 32-byte heap (talc's #4 on a 32-byte peak is above 5,000 %), so small heaps are
//!   aggregated on their own, never in the headline. Medians and per-workload wins
//!   ([`wins`]) go beside it.
//! - **Speed** of one workload is a ratio measured in paired rounds: each round times every
//!   allocator once, interleaved, and the round's ratio pairs two allocators of the same
//!   round; the workload's ratio is the median over rounds, with a bootstrap interval over the
//!   rounds ([`ratio_interval`]). Across workloads it is the geometric mean of the workloads'
//!   ratios with a two-level bootstrap interval: workloads resampled, then each picked
//!   workload's rounds ([`geomean_interval`]), so both the spread between workloads and the
//!   timing noise within one are in the interval.
//! - **A difference is claimed** only when the 95 % interval excludes "no difference"
//!   ([`Interval::against`]); otherwise the two are not distinguishable on this machine.
//!
//! Bootstraps are seeded ([`BOOTSTRAP_SEED`]): the same measurements give the same interval.

#![forbid(unsafe_code)]

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// Workloads whose peak live payload is below this many bytes (64 KiB) are "small heaps":
/// kept out of the headline fragmentation aggregate (see the module docs).
pub const SMALL_HEAP_FLOOR: u64 = 64 * 1024;

/// The confidence of every interval.
pub const CONFIDENCE: f64 = 0.95;

/// Bootstrap resamples per interval.
pub const RESAMPLES: usize = 2_000;

/// The seed of every bootstrap.
pub const BOOTSTRAP_SEED: u64 = 0xb007_5eed;

/// Interleaved timing rounds per (workload, allocator) that the intervals need at least.
pub const MIN_ROUNDS: usize = 5;

/// An estimate with its 95 % interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// The point estimate.
    pub estimate: f64,
    /// Lower end.
    pub low: f64,
    /// Upper end.
    pub high: f64,
}

/// Where an interval lies against a reference value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The whole interval is above the reference.
    Higher,
    /// The whole interval is below the reference.
    Lower,
    /// The interval holds the reference: no difference can be claimed.
    NotDistinguishable,
}

impl Interval {
    /// Whether the interval lies wholly above or below `reference`.
    #[must_use]
    pub fn against(&self, reference: f64) -> Verdict {
        if self.low > reference {
            Verdict::Higher
        } else if self.high < reference {
            Verdict::Lower
        } else {
            Verdict::NotDistinguishable
        }
    }

    /// Whether `v` lies in the interval.
    #[must_use]
    pub fn contains(&self, v: f64) -> bool {
        self.low <= v && v <= self.high
    }
}

/// The geometric mean of `values`; `None` when there are none or one is not a positive finite
/// number.
#[must_use]
pub fn geometric_mean(values: &[f64]) -> Option<f64> {
    if values.is_empty() || values.iter().any(|v| !(v.is_finite() && *v > 0.0)) {
        return None;
    }
    Some((values.iter().map(|v| v.ln()).sum::<f64>() / values.len() as f64).exp())
}

/// The median of `values` (the mean of the middle two for an even count); `None` when empty.
#[must_use]
pub fn median(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    Some(if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    })
}

/// The arithmetic mean of `values`; `None` when empty.
#[must_use]
pub fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// Fragmentation across workloads from their J&W #4 values: the geometric mean of `1 + #4`,
/// minus 1 (so it reads as a #4). `None` when there are none or one is below -1.
#[must_use]
pub fn frag_geomean(frag4: &[f64]) -> Option<f64> {
    let ratios: Vec<f64> = frag4.iter().map(|f| 1.0 + f).collect();
    geometric_mean(&ratios).map(|g| g - 1.0)
}

/// For each allocator (column), on how many workloads (rows) it has the lowest value; ties
/// (within a relative 1e-9) all count. `None` cells take no part.
#[must_use]
pub fn wins(rows: &[Vec<Option<f64>>]) -> Vec<usize> {
    let n = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut out = vec![0; n];
    for row in rows {
        let best = row
            .iter()
            .flatten()
            .copied()
            .filter(|v| v.is_finite())
            .fold(f64::INFINITY, f64::min);
        if !best.is_finite() {
            continue;
        }
        let tol = best.abs().max(1e-12) * 1e-9;
        for (a, v) in row.iter().enumerate() {
            if v.is_some_and(|v| v <= best + tol) {
                out[a] += 1;
            }
        }
    }
    out
}

/// The `q` quantile (0..=1) of sorted values, interpolated linearly.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

/// The percentile interval of bootstrap `samples` around `estimate`.
fn percentile_interval(estimate: f64, mut samples: Vec<f64>) -> Interval {
    samples.sort_by(f64::total_cmp);
    let tail = (1.0 - CONFIDENCE) / 2.0;
    Interval {
        estimate,
        low: quantile(&samples, tail),
        high: quantile(&samples, 1.0 - tail),
    }
}

/// The median of `k` values drawn with replacement from `v`, using `scratch`.
fn resampled_median(v: &[f64], rng: &mut ChaCha8Rng, scratch: &mut Vec<f64>) -> f64 {
    scratch.clear();
    scratch.extend((0..v.len()).map(|_| v[rng.random_range(0..v.len())]));
    scratch.sort_by(f64::total_cmp);
    let m = scratch.len() / 2;
    if scratch.len() % 2 == 1 {
        scratch[m]
    } else {
        (scratch[m - 1] + scratch[m]) / 2.0
    }
}

fn usable(v: &[f64]) -> bool {
    !v.is_empty() && v.iter().all(|x| x.is_finite() && *x > 0.0)
}

/// One workload's ratio from its per-round ratios: their median, with a bootstrap interval
/// over the rounds (seeded by `seed`). `None` when there are no rounds or a ratio is not a
/// positive finite number.
#[must_use]
pub fn ratio_interval(per_round: &[f64], seed: u64) -> Option<Interval> {
    if !usable(per_round) {
        return None;
    }
    let estimate = median(per_round)?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut scratch = Vec::with_capacity(per_round.len());
    let samples = (0..RESAMPLES)
        .map(|_| resampled_median(per_round, &mut rng, &mut scratch))
        .collect();
    Some(percentile_interval(estimate, samples))
}

/// The geometric mean over workloads of each workload's ratio (the median of its per-round
/// ratios), with a two-level bootstrap interval: workloads drawn with replacement, then each
/// drawn workload's rounds (seeded by `seed`). `None` when there is no workload or a workload
/// has no usable rounds.
#[must_use]
pub fn geomean_interval(per_workload: &[Vec<f64>], seed: u64) -> Option<Interval> {
    if per_workload.is_empty() || !per_workload.iter().all(|r| usable(r)) {
        return None;
    }
    let medians: Vec<f64> = per_workload.iter().filter_map(|r| median(r)).collect();
    let estimate = geometric_mean(&medians)?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut scratch = Vec::new();
    let n = per_workload.len();
    let samples = (0..RESAMPLES)
        .map(|_| {
            let logs: f64 = (0..n)
                .map(|_| {
                    let w = &per_workload[rng.random_range(0..n)];
                    resampled_median(w, &mut rng, &mut scratch).ln()
                })
                .sum();
            (logs / n as f64).exp()
        })
        .collect();
    Some(percentile_interval(estimate, samples))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_distr::{Distribution, Normal};

    #[test]
    fn means_medians_and_wins() {
        assert_eq!(geometric_mean(&[1.0, 4.0]), Some(2.0));
        assert_eq!(geometric_mean(&[]), None);
        assert_eq!(geometric_mean(&[1.0, 0.0]), None);
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert!((frag_geomean(&[0.0, 3.0]).unwrap() - 1.0).abs() < 1e-12);
        let rows = vec![
            vec![Some(0.1), Some(0.2), None],
            vec![Some(0.3), Some(0.3), Some(0.5)],
            vec![None, None, None],
        ];
        assert_eq!(wins(&rows), [2, 1, 0]);
    }

    #[test]
    fn intervals_hold_their_estimate_and_judge_differences() {
        let i = ratio_interval(&[1.9, 2.0, 2.1, 2.05, 1.95], 1).unwrap();
        assert_eq!(i.estimate, 2.0);
        assert!(i.low <= 2.0 && 2.0 <= i.high && i.high <= 2.1);
        assert_eq!(i.against(1.0), Verdict::Higher);
        assert_eq!(i.against(3.0), Verdict::Lower);
        assert_eq!(i.against(2.0), Verdict::NotDistinguishable);
        assert_eq!(ratio_interval(&[], 1), None);
        assert_eq!(ratio_interval(&[1.0, f64::NAN], 1), None);
        // The same input and seed give the same interval.
        let rounds = vec![vec![1.0, 1.1, 0.9], vec![2.0, 2.2, 1.8, 2.1, 1.9]];
        assert_eq!(geomean_interval(&rounds, 7), geomean_interval(&rounds, 7));
    }

    /// Ratios drawn around a known geometric mean: the interval covers it at about the stated
    /// rate (95 %; the percentile bootstrap runs a little under on 30 workloads).
    #[test]
    fn the_workload_bootstrap_covers_the_true_ratio_at_about_the_stated_rate() {
        let truth: f64 = 0.6;
        let between = Normal::new(truth.ln(), 0.5).unwrap();
        let within = Normal::new(0.0, 0.05).unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(42);
        let trials = 300;
        let mut covered = 0;
        for t in 0..trials {
            let workloads: Vec<Vec<f64>> = (0..30)
                .map(|_| {
                    let w: f64 = between.sample(&mut rng);
                    (0..5)
                        .map(|_| (w + within.sample(&mut rng)).exp())
                        .collect()
                })
                .collect();
            let i = geomean_interval(&workloads, t).unwrap();
            covered += usize::from(i.contains(truth));
        }
        let rate = covered as f64 / trials as f64;
        println!("coverage {rate}");
        assert!((0.88..=0.99).contains(&rate), "coverage {rate}");
    }
}
