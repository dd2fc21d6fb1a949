//! The report's tables: per allocator, scaling, per workload, and one workload's metrics.

use crate::results::Results;
use crate::table::Table;
use crate::units;

/// A fraction as a percentage, `n/a` for none.
#[must_use]
pub fn opt_pct(v: Option<f64>) -> String {
    v.map_or_else(|| "n/a".to_owned(), units::percent)
}

/// A ratio (`1.23×`), `n/a` for none.
#[must_use]
pub fn opt_ratio(v: Option<f64>) -> String {
    v.map_or_else(|| "n/a".to_owned(), units::ratio)
}

/// The per-allocator table.
#[must_use]
pub fn allocator_table(r: &Results) -> Table {
    let mut t = Table::new(
        &[
            "allocator",
            "mean #4",
            "policy",
            "overhead",
            "median #4",
            "utilisation",
            "throughput vs default",
            "failed requests",
        ],
        &[false, true, true, true, true, true, true, true],
    );
    for a in &r.aggregates {
        t.push(vec![
            a.allocator.clone(),
            opt_pct(a.mean_frag4),
            opt_pct(a.mean_policy),
            opt_pct(a.mean_overhead),
            opt_pct(a.median_frag4),
            opt_pct(a.mean_utilisation),
            opt_ratio(a.throughput),
            a.failures.to_string(),
        ]);
    }
    t
}

/// The scaling table: ns per op, one row per allocator, one column per size.
#[must_use]
pub fn scaling_table(r: &Results) -> Table {
    let mut sizes: Vec<usize> = r.scaling.iter().map(|p| p.live_blocks).collect();
    sizes.sort_unstable();
    sizes.dedup();
    let header: Vec<String> = std::iter::once("allocator".to_owned())
        .chain(
            sizes
                .iter()
                .map(|s| format!("{} live", units::count(*s as f64))),
        )
        .collect();
    let header_refs: Vec<&str> = header.iter().map(String::as_str).collect();
    let numeric: Vec<bool> = (0..header.len()).map(|i| i > 0).collect();
    let mut t = Table::new(&header_refs, &numeric);
    for a in &r.allocators {
        let mut row = vec![a.clone()];
        for s in &sizes {
            let p = r
                .scaling
                .iter()
                .find(|p| &p.allocator == a && p.live_blocks == *s);
            row.push(p.map_or_else(
                || "n/a".to_owned(),
                |p| {
                    if p.failures > 0 {
                        format!("{} ({} failed)", units::nanos(p.ns_per_op), p.failures)
                    } else {
                        units::nanos(p.ns_per_op)
                    }
                },
            ));
        }
        t.push(row);
    }
    t
}

/// The per-workload table: #4 per allocator (failures marked).
#[must_use]
pub fn workload_table(r: &Results) -> Table {
    let header: Vec<String> = ["workload", "source", "ops", "peak live"]
        .iter()
        .map(|s| (*s).to_owned())
        .chain(r.allocators.iter().map(|a| format!("{a} #4")))
        .collect();
    let header_refs: Vec<&str> = header.iter().map(String::as_str).collect();
    let numeric: Vec<bool> = (0..header.len()).map(|i| i >= 2).collect();
    let mut t = Table::new(&header_refs, &numeric);
    for (w, info) in r.workloads.iter().enumerate() {
        let mut row = vec![
            info.name.clone(),
            info.source.label(),
            units::count(info.stats.ops as f64),
            units::bytes(info.stats.peak_live_bytes as f64),
        ];
        for run in r.runs_of(w) {
            let mut cell = opt_pct(run.metrics.frag4);
            if run.failures > 0 {
                cell.push_str(&format!(" ({} failed)", run.failures));
            }
            row.push(cell);
        }
        t.push(row);
    }
    t
}

/// The metrics of one workload, one row per allocator.
#[must_use]
pub fn metrics_table(r: &Results, w: usize) -> Table {
    let mut t = Table::new(
        &[
            "allocator",
            "#1",
            "#2",
            "#3",
            "#4",
            "policy",
            "overhead",
            "utilisation",
            "footprint",
            "ops/s",
            "failed",
        ],
        &[
            false, true, true, true, true, true, true, true, true, true, true,
        ],
    );
    for run in r.runs_of(w) {
        let m = &run.metrics;
        t.push(vec![
            run.allocator.clone(),
            opt_pct(m.frag1),
            opt_pct(m.frag2),
            opt_pct(m.frag3),
            opt_pct(m.frag4),
            opt_pct(m.frag4_policy),
            opt_pct(m.frag4_overhead),
            opt_pct(m.utilisation),
            m.footprint
                .map_or_else(|| "n/a".to_owned(), |f| units::bytes(f as f64)),
            run.ops_per_sec
                .map_or_else(|| "n/a".to_owned(), units::count),
            run.failures.to_string(),
        ]);
    }
    t
}
