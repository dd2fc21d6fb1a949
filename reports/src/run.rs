//! Running workloads through allocators in parallel (rayon), with a progress bar (indicatif,
//! drawn only on a terminal).

use std::time::Duration;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use serde::Serialize;
use workloads::replay::replay_spec;
use workloads::{AdapterSpec, Metrics, ReplayConfig, Sample, Sampling};

use workloads::suite::Item;

/// Samples kept per replay for the time-series plots (about).
pub const PLOT_SAMPLES: u64 = 240;

/// The measurements of one workload on one allocator.
#[derive(Debug, Clone, Serialize)]
pub struct RunRecord {
    /// Workload name.
    pub workload: String,
    /// Allocator name (the palette key).
    pub allocator: String,
    /// What was built.
    pub spec: AdapterSpec,
    /// Region size in bytes.
    pub capacity: u64,
    /// Ops replayed.
    pub ops: u64,
    /// Requests that failed in the measured replay.
    pub failures: u64,
    /// Fragmentation, utilisation and peaks of the measured (tracked) replay.
    pub metrics: Metrics,
    /// Ops per second: the best of the timing replays (no tracking, no sampling); `None` when
    /// none was run or it was too short to time.
    pub ops_per_sec: Option<f64>,
    /// Heap samples over time (only when asked for; not written to `results.json`).
    #[serde(skip)]
    pub samples: Vec<Sample>,
}

/// What to measure per (workload, allocator).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunOptions {
    /// Keep about [`PLOT_SAMPLES`] heap samples.
    pub samples: bool,
    /// Timing replays per pair (0: none; the best counts).
    pub timing_reps: u32,
}

/// A progress bar of `len` steps named `what`, on stderr; hidden when stderr is not a
/// terminal.
#[must_use]
pub fn progress(len: u64, what: &str) -> ProgressBar {
    let pb = ProgressBar::new(len);
    if let Ok(style) = ProgressStyle::with_template(
        "{prefix:>12} [{bar:40.cyan/blue}] {pos}/{len} {elapsed_precise} (eta {eta}) {msg}",
    ) {
        pb.set_style(style.progress_chars("=> "));
    }
    pb.set_prefix(what.to_owned());
    pb.enable_steady_tick(Duration::from_millis(250));
    pb
}

fn sampling(ops: u64, samples: bool) -> Sampling {
    if samples {
        Sampling::Every((ops / PLOT_SAMPLES).max(1))
    } else {
        Sampling::Off
    }
}

/// Replays `item` on `spec`: one tracked replay, then `opts.timing_reps` timing replays.
///
/// # Errors
/// The adapter could not be built; the message names the workload and the allocator.
pub fn run_one(item: &Item, spec: &AdapterSpec, opts: RunOptions) -> anyhow::Result<RunRecord> {
    let name = &item.workload.name;
    let capacity = usize::try_from(item.capacity).unwrap_or(usize::MAX);
    let ctx = || format!("workload {name}, allocator {}", spec.name());
    let config = ReplayConfig {
        sampling: sampling(item.stats.ops, opts.samples),
        track: true,
    };
    let tracked = replay_spec(&item.workload, spec, capacity, &config).with_context(ctx)?;
    let mut best: Option<f64> = None;
    for _ in 0..opts.timing_reps {
        let t = replay_spec(&item.workload, spec, capacity, &ReplayConfig::timing())
            .with_context(ctx)?;
        if let Some(r) = t.metrics.ops_per_sec {
            best = Some(best.map_or(r, |b: f64| b.max(r)));
        }
    }
    Ok(RunRecord {
        workload: name.clone(),
        allocator: tracked.allocator,
        spec: *spec,
        capacity: tracked.capacity,
        ops: tracked.ops,
        failures: tracked.failures,
        metrics: tracked.metrics,
        ops_per_sec: best,
        samples: tracked.samples,
    })
}

/// Runs every workload of `items` on every allocator of `specs`, spread over the cores,
/// heaviest jobs first. Records come back in `items` x `specs` order.
///
/// # Errors
/// The first adapter that could not be built.
pub fn run_matrix(
    items: &[Item],
    specs: &[AdapterSpec],
    opts: RunOptions,
    what: &str,
) -> anyhow::Result<Vec<RunRecord>> {
    let mut jobs: Vec<(usize, usize)> = (0..items.len())
        .flat_map(|w| (0..specs.len()).map(move |s| (w, s)))
        .collect();
    // Longest first, so the last jobs to finish are short ones.
    jobs.sort_by_key(|&(w, _)| std::cmp::Reverse(items[w].stats.ops));
    let pb = progress(jobs.len() as u64, what);
    let done: anyhow::Result<Vec<((usize, usize), RunRecord)>> = jobs
        .par_iter()
        .map(|&(w, s)| {
            let r = run_one(&items[w], &specs[s], opts);
            pb.inc(1);
            r.map(|r| ((w, s), r))
        })
        .collect();
    pb.finish_and_clear();
    let mut done = done?;
    done.sort_by_key(|(k, _)| *k);
    Ok(done.into_iter().map(|(_, r)| r).collect())
}
