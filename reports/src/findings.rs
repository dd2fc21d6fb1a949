//! The headline findings, one sentence each, computed from the results.

use crate::aggregate::Aggregate;
use crate::report_tables::{opt_pct, opt_ratio};
use crate::results::Results;
use crate::scaling::ScalingPoint;
use crate::units;

/// The headline findings, one sentence each, computed from the results.
#[must_use]
pub fn findings(r: &Results) -> Vec<String> {
    let mut out = Vec::new();
    let d = r.default_pool();
    out.push(format!(
        "Over {} workloads (of {}) that every allocator ran without a failed request, the default pool ({}) has a mean fragmentation #4 of {} ({} policy, {} overhead) and a mean utilisation of {}.",
        r.compared.len(),
        r.workloads.len(),
        r.allocators[0],
        opt_pct(d.mean_frag4),
        opt_pct(d.mean_policy),
        opt_pct(d.mean_overhead),
        opt_pct(d.mean_utilisation)
    ));
    let mut ranked: Vec<&Aggregate> = r
        .aggregates
        .iter()
        .filter(|a| a.mean_frag4.is_some())
        .collect();
    ranked.sort_by(|a, b| {
        a.mean_frag4
            .unwrap_or(0.0)
            .total_cmp(&b.mean_frag4.unwrap_or(0.0))
    });
    if let (Some(best), Some(worst)) = (ranked.first(), ranked.last()) {
        out.push(format!(
            "Lowest mean #4: {} ({}); highest: {} ({}).",
            best.allocator,
            opt_pct(best.mean_frag4),
            worst.allocator,
            opt_pct(worst.mean_frag4)
        ));
    }
    let mut fast: Vec<&Aggregate> = r
        .aggregates
        .iter()
        .filter(|a| a.throughput.is_some())
        .collect();
    fast.sort_by(|a, b| {
        b.throughput
            .unwrap_or(0.0)
            .total_cmp(&a.throughput.unwrap_or(0.0))
    });
    if let (Some(f), Some(s)) = (fast.first(), fast.last()) {
        out.push(format!(
            "Throughput (geometric mean of ops/s relative to the default pool): fastest {} at {}, slowest {} at {}.",
            f.allocator,
            opt_ratio(f.throughput),
            s.allocator,
            opt_ratio(s.throughput)
        ));
    }
    if let Some(max) = r.scaling.iter().map(|p| p.live_blocks).max() {
        let at: Vec<&ScalingPoint> = r.scaling.iter().filter(|p| p.live_blocks == max).collect();
        let pool = at.iter().find(|p| p.allocator == r.allocators[0]);
        let best = at.iter().min_by(|a, b| a.ns_per_op.total_cmp(&b.ns_per_op));
        let small = r
            .scaling
            .iter()
            .filter(|p| p.allocator == r.allocators[0])
            .min_by_key(|p| p.live_blocks);
        if let (Some(pool), Some(best), Some(small)) = (pool, best, small) {
            out.push(format!(
                "Scaling: with {} live blocks the default pool takes {} per op ({} at {} live blocks); the fastest, {}, takes {}.",
                units::count(max as f64),
                units::nanos(pool.ns_per_op),
                units::nanos(small.ns_per_op),
                units::count(small.live_blocks as f64),
                best.allocator,
                units::nanos(best.ns_per_op)
            ));
        }
    }
    out.push(format!(
        "Tuning map (align 8): {}",
        r.tuning.recommendation()
    ));
    out
}
