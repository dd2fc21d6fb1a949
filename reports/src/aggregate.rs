//! Aggregates across workloads, from the runs of a matrix: which workloads are compared, and
//! each allocator's fragmentation, speed and latency over them. One implementation, used by
//! the report, its summary and `results.json`, and by `tune`; the statistics themselves are
//! `workloads::aggregate`'s (shared with the benchmarks' ratio table).
//!
//! Runs are workload-major: the run of workload `w` on allocator `a` is `runs[w * n + a]`.
//!
//! - **Compared** workloads: no allocator failed a request on them (a failed request leaves
//!   less live memory and so distorts #4).
//! - **Large** ones (peak live payload at least
//!   [`SMALL_HEAP_FLOOR`](workloads::aggregate::SMALL_HEAP_FLOOR)) make the headline
//!   fragmentation; the **small** ones are aggregated on their own.
//! - **Timed** ones (at least [`MIN_TIMED_OPS`] ops, every allocator with timing rounds) make
//!   the speed ratios.

use serde::Serialize;
use workloads::aggregate::{
    self, frag_geomean, geomean_interval, median, ratio_interval, wins, Interval, Verdict,
    BOOTSTRAP_SEED, SMALL_HEAP_FLOOR,
};
use workloads::WorkloadStats;

use crate::run::RunRecord;

/// Workloads shorter than this are left out of throughput comparisons (too short to time).
pub const MIN_TIMED_OPS: u64 = 1_000;

/// Which workloads (indices) each aggregate is over.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct WorkloadSets {
    /// No allocator failed a request.
    pub compared: Vec<usize>,
    /// Compared, with a peak live payload of at least `SMALL_HEAP_FLOOR`: the headline.
    pub large: Vec<usize>,
    /// Compared, below the floor: the small-heaps table.
    pub small: Vec<usize>,
    /// Compared, at least [`MIN_TIMED_OPS`] ops, and timed on every allocator.
    pub timed: Vec<usize>,
}

impl WorkloadSets {
    /// The sets of the workloads with `stats` over `runs` (`n` allocators each).
    #[must_use]
    pub fn new(stats: &[WorkloadStats], runs: &[RunRecord], n: usize) -> Self {
        let row = |w: usize| &runs[w * n..(w + 1) * n];
        let compared: Vec<usize> = (0..stats.len())
            .filter(|&w| row(w).iter().all(|r| r.failures == 0))
            .collect();
        let (large, small) = compared
            .iter()
            .partition(|&&w| stats[w].peak_live_bytes >= SMALL_HEAP_FLOOR);
        let timed = compared
            .iter()
            .copied()
            .filter(|&w| {
                stats[w].ops >= MIN_TIMED_OPS && row(w).iter().all(|r| !r.round_ns.is_empty())
            })
            .collect();
        Self {
            compared,
            large,
            small,
            timed,
        }
    }
}

/// One allocator's fragmentation over a set of workloads.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Fragmentation {
    /// Workloads in the set.
    pub workloads: usize,
    /// Geometric mean of `footprint / peak live`, minus 1 (reads as a #4).
    pub geo_frag4: f64,
    /// Median #4.
    pub median_frag4: f64,
    /// Mean policy part of #4.
    pub mean_policy: f64,
    /// Mean overhead part of #4.
    pub mean_overhead: f64,
    /// Mean malloc-lab utilisation.
    pub mean_utilisation: f64,
    /// Workloads on which this allocator's #4 is the lowest of all allocators (ties count).
    pub wins: usize,
}

/// Allocator `a`'s fragmentation over `set`; `None` when it reports no heap (or the set is
/// empty).
#[must_use]
pub fn fragmentation(
    runs: &[RunRecord],
    n: usize,
    a: usize,
    set: &[usize],
) -> Option<Fragmentation> {
    let pick = |f: fn(&RunRecord) -> Option<f64>| -> Option<Vec<f64>> {
        set.iter().map(|&w| f(&runs[w * n + a])).collect()
    };
    let frag4 = pick(|r| r.metrics.frag4)?;
    let rows: Vec<Vec<Option<f64>>> = set
        .iter()
        .map(|&w| (0..n).map(|b| runs[w * n + b].metrics.frag4).collect())
        .collect();
    Some(Fragmentation {
        workloads: set.len(),
        geo_frag4: frag_geomean(&frag4)?,
        median_frag4: median(&frag4)?,
        mean_policy: aggregate::mean(&pick(|r| r.metrics.frag4_policy)?)?,
        mean_overhead: aggregate::mean(&pick(|r| r.metrics.frag4_overhead)?)?,
        mean_utilisation: aggregate::mean(&pick(|r| r.metrics.utilisation)?)?,
        wins: wins(&rows).get(a).copied().unwrap_or(0),
    })
}

/// Per-round speed ratios of allocator `a` to allocator `base` on workload `w`:
/// `base ns / a ns` per round (> 1: `a` is faster). `None` without paired rounds.
#[must_use]
pub fn round_ratios(
    runs: &[RunRecord],
    n: usize,
    w: usize,
    a: usize,
    base: usize,
) -> Option<Vec<f64>> {
    let (x, b) = (&runs[w * n + a].round_ns, &runs[w * n + base].round_ns);
    (!x.is_empty() && x.len() == b.len()).then(|| b.iter().zip(x).map(|(b, x)| b / x).collect())
}

/// The speed ratio of `a` to `base` on workload `w` with its interval over the rounds.
#[must_use]
pub fn workload_speed(
    runs: &[RunRecord],
    n: usize,
    w: usize,
    a: usize,
    base: usize,
) -> Option<Interval> {
    ratio_interval(&round_ratios(runs, n, w, a, base)?, BOOTSTRAP_SEED)
}

/// The geometric mean over `set` of `a`'s speed ratio to `base`, with its two-level
/// bootstrap interval.
#[must_use]
pub fn speed(
    runs: &[RunRecord],
    n: usize,
    a: usize,
    base: usize,
    set: &[usize],
) -> Option<Interval> {
    let rounds: Option<Vec<Vec<f64>>> = set
        .iter()
        .map(|&w| round_ratios(runs, n, w, a, base))
        .collect();
    geomean_interval(&rounds?, BOOTSTRAP_SEED)
}

/// Latency of one kind of call across workloads.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LatencySummary {
    /// Median over the workloads of the workload's median latency, ns.
    pub p50: u64,
    /// Median over the workloads of the workload's 99th percentile, ns.
    pub p99: u64,
    /// The slowest call of any workload, ns.
    pub max: u64,
    /// The workload it was in.
    pub max_workload: String,
}

fn latency_summary(
    runs: &[RunRecord],
    n: usize,
    a: usize,
    set: &[usize],
    kind: fn(&workloads::timing::Latency) -> workloads::timing::Percentiles,
) -> Option<LatencySummary> {
    let per: Vec<(usize, workloads::timing::Percentiles)> = set
        .iter()
        .filter_map(|&w| Some((w, kind(runs[w * n + a].latency.as_ref()?))))
        .filter(|(_, p)| p.count > 0)
        .collect();
    let med = |f: fn(&workloads::timing::Percentiles) -> u64| {
        median(&per.iter().map(|(_, p)| f(p) as f64).collect::<Vec<_>>()).map(|m| m as u64)
    };
    let (wmax, pmax) = per.iter().max_by_key(|(_, p)| p.max)?;
    Some(LatencySummary {
        p50: med(|p| p.p50)?,
        p99: med(|p| p.p99)?,
        max: pmax.max,
        max_workload: runs[wmax * n + a].workload.clone(),
    })
}

/// One allocator's numbers over the workload sets.
#[derive(Debug, Clone, Serialize)]
pub struct Aggregate {
    /// Allocator name.
    pub allocator: String,
    /// Over the large compared workloads: the headline (`None` when the allocator reports no
    /// heap extent).
    pub fragmentation: Option<Fragmentation>,
    /// Over the small compared workloads.
    pub small_heaps: Option<Fragmentation>,
    /// Speed relative to the default pool (the first allocator): geometric mean over the
    /// timed workloads of per-workload ratios, with its 95 % interval (> 1: faster).
    pub throughput: Option<Interval>,
    /// Where that interval lies against 1 (no difference).
    pub verdict: Option<Verdict>,
    /// Median over the timed workloads of the allocator's ns/op (raw).
    pub median_ns: Option<f64>,
    /// Median over the timed workloads of its ns/op minus `baseline`'s on the same workload:
    /// the allocator's own cost without the replay loop's.
    pub median_net_ns: Option<f64>,
    /// Malloc latency over the compared workloads.
    pub malloc_latency: Option<LatencySummary>,
    /// Free latency over the compared workloads.
    pub free_latency: Option<LatencySummary>,
    /// Failed requests over all workloads.
    pub failures: u64,
}

/// Each allocator's aggregate (`allocators` names the columns of `runs`; the first is the
/// default pool; a column named `baseline`, when there is one, is the replay loop's cost).
#[must_use]
pub fn aggregates(
    allocators: &[String],
    runs: &[RunRecord],
    sets: &WorkloadSets,
) -> Vec<Aggregate> {
    let n = allocators.len();
    let workloads = runs.len().checked_div(n).unwrap_or(0);
    let baseline = allocators.iter().position(|a| a == "baseline");
    (0..n)
        .map(|a| {
            let ns: Vec<f64> = sets
                .timed
                .iter()
                .filter_map(|&w| runs[w * n + a].ns_per_op)
                .collect();
            let net: Vec<f64> = baseline
                .filter(|&b| b != a)
                .map(|b| {
                    sets.timed
                        .iter()
                        .filter_map(|&w| {
                            Some(runs[w * n + a].ns_per_op? - runs[w * n + b].ns_per_op?)
                        })
                        .collect()
                })
                .unwrap_or_default();
            let throughput = speed(runs, n, a, 0, &sets.timed);
            Aggregate {
                allocator: allocators[a].clone(),
                fragmentation: fragmentation(runs, n, a, &sets.large),
                small_heaps: fragmentation(runs, n, a, &sets.small),
                verdict: throughput.map(|t| t.against(1.0)),
                throughput,
                median_ns: median(&ns),
                median_net_ns: median(&net),
                malloc_latency: latency_summary(runs, n, a, &sets.compared, |l| l.malloc),
                free_latency: latency_summary(runs, n, a, &sets.compared, |l| l.free),
                failures: (0..workloads).map(|w| runs[w * n + a].failures).sum(),
            }
        })
        .collect()
}

/// The allocators best first: by headline fragmentation (lowest first; allocators without a
/// heap left out) and by throughput (fastest first; the `baseline` left out: it is the loop,
/// not an allocator).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Ranking {
    /// By the geometric mean of `1 + #4` over the large compared workloads.
    pub fragmentation: Vec<String>,
    /// By the geometric mean of the speed ratio to the default pool.
    pub throughput: Vec<String>,
}

impl Ranking {
    /// The ranking of `aggregates`.
    #[must_use]
    pub fn of(aggregates: &[Aggregate]) -> Self {
        let mut frag: Vec<(&str, f64)> = aggregates
            .iter()
            .filter_map(|a| Some((a.allocator.as_str(), a.fragmentation?.geo_frag4)))
            .collect();
        frag.sort_by(|x, y| x.1.total_cmp(&y.1));
        let mut speed: Vec<(&str, f64)> = aggregates
            .iter()
            .filter(|a| a.allocator != "baseline")
            .filter_map(|a| Some((a.allocator.as_str(), a.throughput?.estimate)))
            .collect();
        speed.sort_by(|x, y| y.1.total_cmp(&x.1));
        Self {
            fragmentation: frag.into_iter().map(|(a, _)| a.to_owned()).collect(),
            throughput: speed.into_iter().map(|(a, _)| a.to_owned()).collect(),
        }
    }
}
