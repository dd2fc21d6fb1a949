//! Scaling: nanoseconds per op against the number of live blocks, per allocator.
//!
//! For each size `N`, the steady-state generator allocates `N` blocks of 16..=256 bytes, then
//! frees a random live block and allocates a new one `churn` times, then frees everything.
//! Only the churn phase is timed (the fill and the teardown are not), on a fresh allocator,
//! and the best of `reps` runs counts. The loop is the lean timing loop, compiled for each
//! allocator (`workloads::timing::time_window`), and `baseline` among the allocators measures
//! the loop's own cost.

use anyhow::{bail, Context};
use serde::Serialize;
use workloads::generate::Generator;
use workloads::suite::AllocatorEntry;
use workloads::suite::{capacity_for, SEED};
use workloads::timing::Prepared;
use workloads::Op;

use crate::run::progress;

/// Live-block counts of the full report.
pub const SIZES: [usize; 4] = [100, 1_000, 10_000, 100_000];

/// Live-block counts of `--quick`.
pub const QUICK_SIZES: [usize; 3] = [100, 1_000, 10_000];

/// One measured point.
#[derive(Debug, Clone, Serialize)]
pub struct ScalingPoint {
    /// Allocator name.
    pub allocator: String,
    /// Live blocks during the timed phase.
    pub live_blocks: usize,
    /// Ops timed (frees plus allocations).
    pub ops: u64,
    /// Best nanoseconds per op over the repetitions.
    pub ns_per_op: f64,
    /// Allocations that failed during the timed phase (0 unless the region ran out).
    pub failures: u64,
}

/// Parameters of a scaling run.
#[derive(Debug, Clone)]
pub struct ScalingPlan {
    /// Live-block counts.
    pub sizes: Vec<usize>,
    /// Free + alloc pairs timed per size.
    pub churn: usize,
    /// Repetitions (the best counts).
    pub reps: u32,
}

impl ScalingPlan {
    /// The plan of the full report or of `--quick`.
    #[must_use]
    pub fn new(quick: bool) -> Self {
        if quick {
            Self {
                sizes: QUICK_SIZES.to_vec(),
                churn: 10_000,
                reps: 3,
            }
        } else {
            Self {
                sizes: SIZES.to_vec(),
                churn: 10_000,
                reps: 3,
            }
        }
    }
}

/// The three phases of a steady-state workload.
struct Phases<'a> {
    fill: &'a [Op],
    churn: &'a [Op],
}

fn phases(ops: &[Op], live: usize, churn: usize) -> anyhow::Result<Phases<'_>> {
    if ops.len() != 2 * live + 2 * churn {
        bail!(
            "the steady-state workload has {} ops, expected {} (fill {live}, churn 2 x {churn}, teardown {live})",
            ops.len(),
            2 * live + 2 * churn
        );
    }
    let (fill, rest) = ops.split_at(live);
    let churn = &rest[..2 * churn];
    Ok(Phases { fill, churn })
}

/// Measures one allocator at one size.
///
/// # Errors
/// The workload could not be generated or the adapter built.
pub fn measure(
    entry: &AllocatorEntry,
    live: usize,
    plan: &ScalingPlan,
) -> anyhow::Result<ScalingPoint> {
    let g = Generator::SteadyState {
        live,
        churn: plan.churn,
        min: 16,
        max: 256,
    };
    let w = g
        .generate(SEED)
        .with_context(|| format!("generating {}", g.name()))?;
    let p = phases(&w.ops, live, plan.churn)?;
    let window = p.fill.len()..p.fill.len() + p.churn.len();
    let prepared = Prepared::new(&w);
    let capacity = usize::try_from(capacity_for(&w.stats())).unwrap_or(usize::MAX);
    let mut best = f64::INFINITY;
    let mut failures = 0;
    for _ in 0..plan.reps.max(1) {
        let t = entry
            .time(&prepared, window.clone(), capacity)
            .with_context(|| format!("building {} for {}", entry.name(), g.name()))?;
        best = best.min(t.ns_per_op());
        failures = failures.max(t.failures);
    }
    Ok(ScalingPoint {
        allocator: entry.name(),
        live_blocks: live,
        ops: p.churn.len() as u64,
        ns_per_op: best,
        failures,
    })
}

/// Measures every allocator of `specs` at every size of `plan`, one at a time (a timing
/// shares the machine with nothing else of the run).
///
/// # Errors
/// The first measurement that could not be set up.
pub fn run(entries: &[AllocatorEntry], plan: &ScalingPlan) -> anyhow::Result<Vec<ScalingPoint>> {
    let jobs: Vec<(usize, usize)> = (0..entries.len())
        .flat_map(|s| plan.sizes.iter().map(move |&n| (s, n)))
        .collect();
    let pb = progress(jobs.len() as u64, "scaling");
    let points: anyhow::Result<Vec<ScalingPoint>> = jobs
        .iter()
        .map(|&(s, n)| {
            let r = measure(&entries[s], n, plan);
            pb.inc(1);
            r
        })
        .collect();
    pb.finish_and_clear();
    points
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_point_is_measured_without_failures() {
        let plan = ScalingPlan {
            sizes: vec![50],
            churn: 100,
            reps: 1,
        };
        let p = measure(&workloads::AdapterSpec::default_pool().into(), 50, &plan).unwrap();
        assert_eq!((p.live_blocks, p.ops, p.failures), (50, 200, 0));
        assert!(p.ns_per_op > 0.0 && p.ns_per_op.is_finite());
    }

    #[test]
    fn the_phases_are_checked() {
        let ops = vec![Op::Alloc { id: 0, size: 8 }, Op::Free { id: 0 }];
        assert!(phases(&ops, 1, 0).is_ok());
        let err = phases(&ops, 1, 1).err().unwrap().to_string();
        assert!(err.contains("expected 4"), "{err}");
    }
}
