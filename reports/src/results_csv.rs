//! `results.csv`: one flat row per (workload, allocator) run.

use std::path::Path;

use anyhow::Context;
use serde::Serialize;

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
    ops_per_sec: Option<f64>,
    throughput_vs_default: Option<f64>,
}

/// Writes `dir/results.csv` for `r`.
///
/// # Errors
/// The file cannot be written; the message names it.
pub fn write(r: &Results, dir: &Path) -> anyhow::Result<()> {
    let path = dir.join("results.csv");
    let mut w = csv::Writer::from_path(&path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    for (wi, info) in r.workloads.iter().enumerate() {
        let runs = r.runs_of(wi);
        let base = runs[0].ops_per_sec;
        for run in runs {
            let m = &run.metrics;
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
                ops_per_sec: run.ops_per_sec,
                throughput_vs_default: run.ops_per_sec.zip(base).map(|(a, b)| a / b),
            })
            .with_context(|| format!("cannot write {}", path.display()))?;
        }
    }
    w.flush()
        .with_context(|| format!("cannot write {}", path.display()))
}
