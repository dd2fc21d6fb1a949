//! The report's tables: fragmentation (headline and small heaps), throughput, latency,
//! scaling, per workload, and one workload's metrics. Every table of times shows the raw
//! figure and the figure minus `baseline` (the replay loop's own cost).

use workloads::aggregate::SMALL_HEAP_FLOOR;

use crate::aggregate::{workload_speed, Fragmentation, LatencySummary};
use crate::results::Results;
use crate::table::Table;
use crate::units;

/// A fraction as a percentage, `n/a` for none.
#[must_use]
pub fn opt_pct(v: Option<f64>) -> String {
    v.map_or_else(|| "n/a".to_owned(), units::percent)
}

/// A time per op, `n/a` for none.
#[must_use]
pub fn opt_nanos(v: Option<f64>) -> String {
    v.map_or_else(|| "n/a".to_owned(), units::nanos)
}

fn frag_cells(f: Option<&Fragmentation>) -> [String; 4] {
    match f {
        Some(f) => [
            units::percent(f.geo_frag4),
            units::percent(f.median_frag4),
            f.wins.to_string(),
            units::percent(f.mean_utilisation),
        ],
        None => [
            "n/a (no heap)".to_owned(),
            "n/a".into(),
            "–".into(),
            "n/a".into(),
        ],
    }
}

/// The headline fragmentation table: per allocator over the large compared workloads.
#[must_use]
pub fn fragmentation_table(r: &Results) -> Table {
    let mut t = Table::new(
        &[
            "allocator",
            "fragmentation (geo. mean #4)",
            "median #4",
            "lowest on (workloads)",
            "mean utilisation",
            "mean policy",
            "mean overhead",
            "failed requests (all workloads)",
        ],
        &[false, true, true, true, true, true, true, true],
    );
    for a in &r.aggregates {
        let f = a.fragmentation.as_ref();
        let [geo, med, wins, util] = frag_cells(f);
        t.push(vec![
            a.allocator.clone(),
            geo,
            med,
            wins,
            util,
            opt_pct(f.map(|f| f.mean_policy)),
            opt_pct(f.map(|f| f.mean_overhead)),
            a.failures.to_string(),
        ]);
    }
    t
}

/// The small-heaps table: the same per allocator over the compared workloads below the floor.
#[must_use]
pub fn small_heaps_table(r: &Results) -> Table {
    let mut t = Table::new(
        &[
            "allocator",
            "fragmentation (geo. mean #4)",
            "median #4",
            "lowest on (workloads)",
            "mean utilisation",
        ],
        &[false, true, true, true, true],
    );
    for a in &r.aggregates {
        let [geo, med, wins, util] = frag_cells(a.small_heaps.as_ref());
        t.push(vec![a.allocator.clone(), geo, med, wins, util]);
    }
    t
}

/// What the small-heaps table is over, in words.
#[must_use]
pub fn small_heaps_caption(r: &Results) -> String {
    format!(
        "{} compared workloads with less than {} live (fixed costs, not placement, decide their #4: a bin table or a growth granule is several times such a heap)",
        r.sets.small.len(),
        units::bytes(SMALL_HEAP_FLOOR as f64)
    )
}

/// The throughput table: speed relative to the default pool with its interval and verdict,
/// and the median ns/op raw and minus `baseline`.
#[must_use]
pub fn throughput_table(r: &Results) -> Table {
    let mut t = Table::new(
        &[
            "allocator",
            "throughput vs default (95 % interval)",
            "verdict",
            "median ns/op",
            "median ns/op − baseline",
        ],
        &[false, true, false, true, true],
    );
    for (a, agg) in r.aggregates.iter().enumerate() {
        let (speed, verdict) = match (agg.throughput, agg.verdict) {
            _ if a == 0 => ("1.00× (reference)".to_owned(), "—".to_owned()),
            (Some(t), Some(v)) => (
                units::ratio_interval(&t),
                units::speed_verdict(v).to_owned(),
            ),
            _ => ("n/a".to_owned(), "—".to_owned()),
        };
        let verdict = if Some(a) == r.baseline() {
            "the replay loop itself".to_owned()
        } else {
            verdict
        };
        t.push(vec![
            agg.allocator.clone(),
            speed,
            verdict,
            opt_nanos(agg.median_ns),
            opt_nanos(agg.median_net_ns),
        ]);
    }
    t
}

fn latency_cells(l: Option<&LatencySummary>) -> [String; 3] {
    match l {
        Some(l) => [
            units::nanos(l.p50 as f64),
            units::nanos(l.p99 as f64),
            format!("{} ({})", units::nanos(l.max as f64), l.max_workload),
        ],
        None => ["n/a".into(), "n/a".into(), "n/a".into()],
    }
}

/// The latency summary: per allocator, the median over workloads of each workload's p50 and
/// p99, and the slowest call anywhere, for malloc and free.
#[must_use]
pub fn latency_table(r: &Results) -> Table {
    let mut t = Table::new(
        &[
            "allocator",
            "malloc p50",
            "malloc p99",
            "malloc max (workload)",
            "free p50",
            "free p99",
            "free max (workload)",
        ],
        &[false, true, true, true, true, true, true],
    );
    for a in &r.aggregates {
        let mut row = vec![a.allocator.clone()];
        row.extend(latency_cells(a.malloc_latency.as_ref()));
        row.extend(latency_cells(a.free_latency.as_ref()));
        t.push(row);
    }
    t
}

/// The scaling table: ns per op (and minus `baseline` at the same size), one row per
/// allocator, one column per size.
#[must_use]
pub fn scaling_table(r: &Results) -> Table {
    let mut sizes: Vec<usize> = r.scaling.iter().map(|p| p.live_blocks).collect();
    sizes.sort_unstable();
    sizes.dedup();
    let header: Vec<String> = std::iter::once("allocator".to_owned())
        .chain(
            sizes
                .iter()
                .map(|s| format!("{} live: ns/op (− baseline)", units::count(*s as f64))),
        )
        .collect();
    let header_refs: Vec<&str> = header.iter().map(String::as_str).collect();
    let numeric: Vec<bool> = (0..header.len()).map(|i| i > 0).collect();
    let mut t = Table::new(&header_refs, &numeric);
    let at = |a: &str, s: usize| {
        r.scaling
            .iter()
            .find(|p| p.allocator == a && p.live_blocks == s)
    };
    for a in &r.allocators {
        let mut row = vec![a.clone()];
        for &s in &sizes {
            row.push(at(a, s).map_or_else(
                || "n/a".to_owned(),
                |p| {
                    let net = at("baseline", s)
                        .filter(|_| a != "baseline")
                        .map(|b| format!(" ({})", units::nanos(p.ns_per_op - b.ns_per_op)))
                        .unwrap_or_default();
                    let failed = if p.failures > 0 {
                        format!(", {} failed", p.failures)
                    } else {
                        String::new()
                    };
                    format!("{}{net}{failed}", units::nanos(p.ns_per_op))
                },
            ));
        }
        t.push(row);
    }
    t
}

/// The per-workload table: #4 per allocator that has a heap (failures marked).
#[must_use]
pub fn workload_table(r: &Results) -> Table {
    let with_heap: Vec<usize> = (0..r.allocators.len())
        .filter(|&a| {
            r.aggregates[a].fragmentation.is_some() || r.aggregates[a].small_heaps.is_some()
        })
        .collect();
    let header: Vec<String> = ["workload", "source", "ops", "peak live"]
        .iter()
        .map(|s| (*s).to_owned())
        .chain(with_heap.iter().map(|&a| format!("{} #4", r.allocators[a])))
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
        let runs = r.runs_of(w);
        for &a in &with_heap {
            let run = &runs[a];
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

/// The metrics of one workload, one row per allocator: fragmentation, speed (raw, minus
/// `baseline`, relative to the default pool with its interval over the rounds) and malloc
/// latency.
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
            "ns/op",
            "ns/op − baseline",
            "speed vs default (95 % interval)",
            "malloc p50 / p99 / max",
            "failed",
        ],
        &[
            false, true, true, true, true, true, true, true, true, true, true, true, true, true,
        ],
    );
    let n = r.allocators.len();
    let runs = r.runs_of(w);
    let base = r.baseline().and_then(|b| runs[b].ns_per_op);
    for (a, run) in runs.iter().enumerate() {
        let m = &run.metrics;
        let net = match (run.ns_per_op, base) {
            (Some(x), Some(b)) if Some(a) != r.baseline() => units::nanos(x - b),
            _ => "–".to_owned(),
        };
        let speed = if a == 0 {
            "1.00× (reference)".to_owned()
        } else {
            workload_speed(&r.runs, n, w, a, 0)
                .map_or_else(|| "n/a".to_owned(), |i| units::ratio_interval(&i))
        };
        let malloc = run.latency.map_or_else(
            || "n/a".to_owned(),
            |l| {
                let p = l.malloc;
                format!(
                    "{} / {} / {}",
                    units::nanos(p.p50 as f64),
                    units::nanos(p.p99 as f64),
                    units::nanos(p.max as f64)
                )
            },
        );
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
            opt_nanos(run.ns_per_op),
            net,
            speed,
            malloc,
            run.failures.to_string(),
        ]);
    }
    t
}
