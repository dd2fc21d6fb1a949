//! `results.csv`: one flat row per (workload, allocator) run: fragmentation, speed (ns/op raw
//! and minus `baseline`, relative to the default pool with its interval over the rounds) and
//! per-call latency.

use std::path::Path;

use anyhow::Context;
use serde::Serialize;

use crate::aggregate::workload_speed;
use crate::results::Results;

/// The flat row of `results.csv`.
#[derive(Debug, Serialize)]
struct CsvRow<'a> {
    workload: &'a str,
    source: String,
    allocator: &'a str,
    capacity_bytes: u64,
    ops: u64,
    failures: u64,
    frag1: Option<f64>,
    frag2: Option<f64>,
    frag3: Option<f64>,
    frag4: Option<f64>,
    frag4_policy: Option<f64>,
    frag4_overhead: Option<f64>,
    utilisation: Option<f64>,
    peak_live_bytes: u64,
    peak_block_bytes: Option<u64>,
    footprint_bytes: Option<u64>,
    ns_per_op: Option<f64>,
    ns_per_op_minus_baseline: Option<f64>,
    ops_per_sec: Option<f64>,
    throughput_vs_default: Option<f64>,
    throughput_vs_default_low: Option<f64>,
    throughput_vs_default_high: Option<f64>,
    malloc_p50_ns: Option<u64>,
    malloc_p99_ns: Option<u64>,
    malloc_max_ns: Option<u64>,
    free_p50_ns: Option<u64>,
    free_p99_ns: Option<u64>,
    free_max_ns: Option<u64>,
}

/// Writes `dir/results.csv` for `r`.
///
/// # Errors
/// The file cannot be written; the message names it.
pub fn write(r: &Results, dir: &Path) -> anyhow::Result<()> {
    let path = dir.join("results.csv");
    let mut w = csv::Writer::from_path(&path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    let n = r.allocators.len();
    for (wi, info) in r.workloads.iter().enumerate() {
        let runs = r.runs_of(wi);
        let base = r.baseline().and_then(|b| runs[b].ns_per_op);
        for (a, run) in runs.iter().enumerate() {
            let m = &run.metrics;
            let speed = workload_speed(&r.runs, n, wi, a, 0);
            let lat = run.latency;
            w.serialize(CsvRow {
                workload: &info.name,
                source: info.source.label(),
                allocator: &run.allocator,
                capacity_bytes: run.capacity,
                ops: run.ops,
                failures: run.failures,
                frag1: m.frag1,
                frag2: m.frag2,
                frag3: m.frag3,
                frag4: m.frag4,
                frag4_policy: m.frag4_policy,
                frag4_overhead: m.frag4_overhead,
                utilisation: m.utilisation,
                peak_live_bytes: m.peak_live_bytes,
                peak_block_bytes: m.peak_block_bytes,
                footprint_bytes: m.footprint,
                ns_per_op: run.ns_per_op,
                ns_per_op_minus_baseline: run
                    .ns_per_op
                    .zip(base)
                    .filter(|_| Some(a) != r.baseline())
                    .map(|(x, b)| x - b),
                ops_per_sec: run.ops_per_sec,
                throughput_vs_default: speed.map(|i| i.estimate),
                throughput_vs_default_low: speed.map(|i| i.low),
                throughput_vs_default_high: speed.map(|i| i.high),
                malloc_p50_ns: lat.map(|l| l.malloc.p50),
                malloc_p99_ns: lat.map(|l| l.malloc.p99),
                malloc_max_ns: lat.map(|l| l.malloc.max),
                free_p50_ns: lat.map(|l| l.free.p50),
                free_p99_ns: lat.map(|l| l.free.p99),
                free_max_ns: lat.map(|l| l.free.max),
            })
            .with_context(|| format!("cannot write {}", path.display()))?;
        }
    }
    w.flush()
        .with_context(|| format!("cannot write {}", path.display()))
}
