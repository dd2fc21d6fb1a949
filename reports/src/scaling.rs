//! Scaling: nanoseconds per op against the number of live blocks, per allocator.
//!
//! For each size `N`, the steady-state generator allocates `N` blocks of 16..=256 bytes, then
//! frees a random live block and allocates a new one `churn` times, then frees everything.
//! Only the churn phase is timed (the fill and the teardown are not), on a fresh allocator,
//! and the best of `reps` runs counts. The loop is compiled for each adapter
//! (`AdapterSpec::with_built`), and `baseline` among the allocators measures the loop's own
//! cost.

use std::time::Instant;

use anyhow::{bail, Context};
use serde::Serialize;
use workloads::generate::Generator;
use workloads::suite::{capacity_for, SEED};
use workloads::{AdapterSpec, Allocator, Block, Op, WithAllocator};

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
    teardown: &'a [Op],
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
    let (churn, teardown) = rest.split_at(2 * churn);
    Ok(Phases {
        fill,
        churn,
        teardown,
    })
}

/// Applies `op` to `alloc`, keeping blocks by id in `table`; returns whether it failed.
#[inline(always)]
fn apply<A: Allocator>(alloc: &mut A, table: &mut [Option<Block>], op: Op) -> bool {
    let Some(slot) = table.get_mut(op.id() as usize) else {
        return true;
    };
    match op {
        Op::Alloc { size, .. } | Op::Realloc { size, .. } => {
            if let Some(old) = slot.take() {
                alloc.free(old);
            }
            *slot = usize::try_from(size).ok().and_then(|s| alloc.allocate(s));
            slot.is_none()
        }
        Op::Free { .. } => {
            if let Some(b) = slot.take() {
                alloc.free(b);
            }
            false
        }
    }
}

/// Measures one allocator at one size.
///
/// # Errors
/// The workload could not be generated or the adapter built.
pub fn measure(
    spec: &AdapterSpec,
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
    let ids = w.ops.iter().map(|o| o.id() as usize + 1).max().unwrap_or(0);
    let capacity = usize::try_from(capacity_for(&w.stats())).unwrap_or(usize::MAX);
    /// One repetition on a fresh allocator: the fill, the timed churn, the teardown.
    struct Rep<'a> {
        phases: &'a Phases<'a>,
        ids: usize,
    }
    impl WithAllocator for Rep<'_> {
        type Output = (f64, u64);
        fn run<A: Allocator>(self, alloc: &mut A) -> (f64, u64) {
            let p = self.phases;
            let mut table: Vec<Option<Block>> = Vec::new();
            table.resize_with(self.ids, || None);
            for &op in p.fill {
                apply(alloc, &mut table, op);
            }
            let mut failed = 0u64;
            let start = Instant::now();
            for &op in p.churn {
                failed += u64::from(apply(alloc, &mut table, op));
            }
            let ns = start.elapsed().as_nanos() as f64 / p.churn.len().max(1) as f64;
            for &op in p.teardown {
                apply(alloc, &mut table, op);
            }
            for b in table.into_iter().flatten() {
                alloc.free(b);
            }
            (ns, failed)
        }
    }
    let mut best = f64::INFINITY;
    let mut failures = 0;
    for _ in 0..plan.reps.max(1) {
        let (ns, failed) = spec
            .with_built(capacity, Rep { phases: &p, ids })
            .with_context(|| format!("building {} for {}", spec.name(), g.name()))?;
        best = best.min(ns);
        failures = failures.max(failed);
    }
    Ok(ScalingPoint {
        allocator: spec.name(),
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
pub fn run(specs: &[AdapterSpec], plan: &ScalingPlan) -> anyhow::Result<Vec<ScalingPoint>> {
    let jobs: Vec<(usize, usize)> = (0..specs.len())
        .flat_map(|s| plan.sizes.iter().map(move |&n| (s, n)))
        .collect();
    let pb = progress(jobs.len() as u64, "scaling");
    let points: anyhow::Result<Vec<ScalingPoint>> = jobs
        .iter()
        .map(|&(s, n)| {
            let r = measure(&specs[s], n, plan);
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
        let p = measure(&AdapterSpec::default_pool(), 50, &plan).unwrap();
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
