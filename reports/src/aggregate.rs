//! Aggregates across workloads: which workloads are compared, and each allocator's means,
//! medians and throughput ratio over them. One implementation, used by the report and by
//! `tune`.

use serde::Serialize;

use crate::run::RunRecord;

/// One allocator's numbers over the compared workloads.
#[derive(Debug, Clone, Serialize)]
pub struct Aggregate {
    /// Allocator name.
    pub allocator: String,
    /// Mean J&W #4 (`None` when the allocator reports no heap extent).
    pub mean_frag4: Option<f64>,
    /// Mean policy part of #4.
    pub mean_policy: Option<f64>,
    /// Mean overhead part of #4.
    pub mean_overhead: Option<f64>,
    /// Median #4.
    pub median_frag4: Option<f64>,
    /// Mean malloc-lab utilisation.
    pub mean_utilisation: Option<f64>,
    /// Geometric mean of ops/s relative to the default pool.
    pub throughput: Option<f64>,
    /// Failed requests over all workloads.
    pub failures: u64,
}

/// Workloads shorter than this are left out of throughput comparisons (too short to time).
pub const MIN_TIMED_OPS: u64 = 1_000;

/// `workloads` x `allocators` runs: which workloads no allocator failed on.
pub fn compared_workloads(workloads: usize, runs: &[RunRecord], n: usize) -> Vec<usize> {
    (0..workloads)
        .filter(|&w| runs[w * n..(w + 1) * n].iter().all(|r| r.failures == 0))
        .collect()
}

/// The mean of `v`; `None` when it is empty.
#[must_use]
pub fn mean_of(v: &[f64]) -> Option<f64> {
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

/// The median of `v` (the mean of the middle two for an even count); `None` when empty.
#[must_use]
pub fn median_of(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    Some(if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    })
}

/// Each allocator's aggregate over the `compared` workloads (indices into `ops`, whose
/// entries are the workloads' op counts), from `runs` (workload-major, one per allocator).
/// Throughput is the geometric mean of ops/s relative to the first allocator over the
/// compared workloads of at least [`MIN_TIMED_OPS`] ops.
#[must_use]
pub fn aggregates(
    allocators: &[String],
    runs: &[RunRecord],
    compared: &[usize],
    ops: &[u64],
) -> Vec<Aggregate> {
    let n = allocators.len();
    (0..n)
        .map(|a| {
            let pick = |f: &dyn Fn(&RunRecord) -> Option<f64>| -> Vec<f64> {
                compared
                    .iter()
                    .filter_map(|&w| f(&runs[w * n + a]))
                    .filter(|v| v.is_finite())
                    .collect()
            };
            let logs: Vec<f64> = compared
                .iter()
                .filter(|&&w| ops[w] >= MIN_TIMED_OPS)
                .filter_map(|&w| {
                    let r = runs[w * n + a].ops_per_sec?;
                    let d = runs[w * n].ops_per_sec?;
                    (r > 0.0 && d > 0.0).then(|| (r / d).ln())
                })
                .collect();
            Aggregate {
                allocator: allocators[a].clone(),
                mean_frag4: mean_of(&pick(&|r| r.metrics.frag4)),
                mean_policy: mean_of(&pick(&|r| r.metrics.frag4_policy)),
                mean_overhead: mean_of(&pick(&|r| r.metrics.frag4_overhead)),
                median_frag4: median_of(pick(&|r| r.metrics.frag4)),
                mean_utilisation: mean_of(&pick(&|r| r.metrics.utilisation)),
                throughput: mean_of(&logs).map(f64::exp),
                failures: (0..runs.len() / n).map(|w| runs[w * n + a].failures).sum(),
            }
        })
        .collect()
}
