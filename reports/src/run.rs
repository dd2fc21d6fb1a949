//! Running workloads through allocators: tracked replays in parallel (rayon), then timing
//! rounds and latency replays one at a time, with a progress bar (indicatif, drawn only on a
//! terminal).
//!
//! **Tracked replays** (fragmentation, heap samples) are deterministic, so they are spread
//! over the cores. **Timing** is not: it runs on one thread while nothing else of the run
//! does, with the lean loop compiled per allocator (`workloads::timing`). For each workload,
//! a round times every allocator once, in an order that rotates from round to round; the
//! rounds are what the speed ratios pair (see `workloads::aggregate`). **Latency** replays,
//! one per (workload, allocator), follow, also on one thread.

use std::time::Duration;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use serde::Serialize;
use workloads::suite::{AllocatorEntry, Item};
use workloads::timing::{Latency, Prepared};
use workloads::{AdapterSpec, Metrics, ReplayConfig, Sample, Sampling};

/// Samples kept per replay for the time-series plots (about).
pub const PLOT_SAMPLES: u64 = 240;

/// The measurements of one workload on one allocator.
#[derive(Debug, Clone, Serialize)]
pub struct RunRecord {
    /// Workload name.
    pub workload: String,
    /// Allocator name (the palette key).
    pub allocator: String,
    /// What was built: the built-in allocator's spec (`None` for a user's allocator).
    pub spec: Option<AdapterSpec>,
    /// Region size in bytes.
    pub capacity: u64,
    /// Ops replayed.
    pub ops: u64,
    /// Requests that failed in the measured replay.
    pub failures: u64,
    /// Fragmentation, utilisation and peaks of the measured (tracked) replay.
    pub metrics: Metrics,
    /// ns/op of each timing round, in round order (the lean loop: no tracking, no sampling);
    /// empty when none was run.
    pub round_ns: Vec<f64>,
    /// The median of `round_ns`.
    pub ns_per_op: Option<f64>,
    /// Ops per second at the median: `1e9 / ns_per_op`.
    pub ops_per_sec: Option<f64>,
    /// Per-op latency percentiles (clock cost included), when measured.
    pub latency: Option<Latency>,
    /// Heap samples over time (only when asked for; not written to `results.json`).
    #[serde(skip)]
    pub samples: Vec<Sample>,
}

/// What to measure per (workload, allocator).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunOptions {
    /// Keep about [`PLOT_SAMPLES`] heap samples.
    pub samples: bool,
    /// Interleaved timing rounds per workload (0: none).
    pub rounds: u32,
    /// One latency replay per pair.
    pub latency: bool,
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

fn context(item: &Item, entry: &AllocatorEntry) -> String {
    format!(
        "workload {}, allocator {}",
        item.workload.name,
        entry.name()
    )
}

/// The tracked replay of `item` on `spec`.
///
/// # Errors
/// The adapter could not be built; the message names the workload and the allocator.
pub fn run_tracked(
    item: &Item,
    entry: &AllocatorEntry,
    samples: bool,
) -> anyhow::Result<RunRecord> {
    let config = ReplayConfig {
        sampling: sampling(item.stats.ops, samples),
        track: true,
    };
    let tracked = entry
        .replay(&item.workload, item.capacity_bytes(), &config)
        .with_context(|| context(item, entry))?;
    Ok(RunRecord {
        workload: item.workload.name.clone(),
        allocator: tracked.allocator,
        spec: entry.spec(),
        capacity: tracked.capacity,
        ops: tracked.ops,
        failures: tracked.failures,
        metrics: tracked.metrics,
        round_ns: Vec::new(),
        ns_per_op: None,
        ops_per_sec: None,
        latency: None,
        samples: tracked.samples,
    })
}

/// `rounds` interleaved timing rounds of `item` on every allocator of `entries`: `ns[a][r]`
/// is allocator `a`'s ns/op in round `r`. Round `r` starts with allocator `r mod n`.
///
/// # Errors
/// An adapter could not be built.
pub fn time_rounds(
    item: &Item,
    entries: &[AllocatorEntry],
    rounds: u32,
) -> anyhow::Result<Vec<Vec<f64>>> {
    let prepared = Prepared::new(&item.workload);
    let n = entries.len();
    let mut ns = vec![Vec::with_capacity(rounds as usize); n];
    for round in 0..rounds as usize {
        for k in 0..n {
            let a = (k + round) % n;
            let t = entries[a]
                .time(&prepared, 0..prepared.len(), item.capacity_bytes())
                .with_context(|| context(item, &entries[a]))?;
            ns[a].push(t.ns_per_op());
        }
    }
    Ok(ns)
}

/// The median of `v`.
fn median(v: &[f64]) -> Option<f64> {
    workloads::aggregate::median(v)
}

/// Runs every workload of `items` on every allocator of `entries`: the tracked replays spread
/// over the cores (heaviest first), then the timing rounds and latency replays on one thread.
/// Records come back in `items` x `specs` order.
///
/// # Errors
/// The first adapter that could not be built.
pub fn run_matrix(
    items: &[Item],
    entries: &[AllocatorEntry],
    opts: RunOptions,
    what: &str,
) -> anyhow::Result<Vec<RunRecord>> {
    let mut jobs: Vec<(usize, usize)> = (0..items.len())
        .flat_map(|w| (0..entries.len()).map(move |s| (w, s)))
        .collect();
    // Longest first, so the last jobs to finish are short ones.
    jobs.sort_by_key(|&(w, _)| std::cmp::Reverse(items[w].stats.ops));
    let pb = progress(jobs.len() as u64, what);
    let done: anyhow::Result<Vec<((usize, usize), RunRecord)>> = jobs
        .par_iter()
        .map(|&(w, s)| {
            let r = run_tracked(&items[w], &entries[s], opts.samples);
            pb.inc(1);
            r.map(|r| ((w, s), r))
        })
        .collect();
    pb.finish_and_clear();
    let mut done = done?;
    done.sort_by_key(|(k, _)| *k);
    let mut records: Vec<RunRecord> = done.into_iter().map(|(_, r)| r).collect();
    let n = entries.len();
    if opts.rounds > 0 {
        let pb = progress(items.len() as u64, &format!("{what} timing"));
        for (w, item) in items.iter().enumerate() {
            let ns = time_rounds(item, entries, opts.rounds)?;
            for (a, rounds) in ns.into_iter().enumerate() {
                let r = &mut records[w * n + a];
                r.ns_per_op = median(&rounds);
                r.ops_per_sec = r.ns_per_op.filter(|&t| t > 0.0).map(|t| 1e9 / t);
                r.round_ns = rounds;
            }
            pb.inc(1);
        }
        pb.finish_and_clear();
    }
    if opts.latency {
        let pb = progress(records.len() as u64, &format!("{what} latency"));
        for (w, item) in items.iter().enumerate() {
            let prepared = Prepared::new(&item.workload);
            for (a, entry) in entries.iter().enumerate() {
                let l = entry
                    .latency(&prepared, item.capacity_bytes())
                    .with_context(|| context(item, entry))?;
                records[w * n + a].latency = Some(l);
                pb.inc(1);
            }
        }
        pb.finish_and_clear();
    }
    Ok(records)
}
