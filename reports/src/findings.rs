//! The headline findings, one sentence each, computed from the results. Every comparison of
//! speed is stated only where its 95 % interval excludes "no difference"; the rest are said
//! to be not distinguishable on this machine.

use workloads::aggregate::{Verdict, SMALL_HEAP_FLOOR};

use crate::aggregate::{Aggregate, Fragmentation};
use crate::results::Results;
use crate::scaling::ScalingPoint;
use crate::units;

/// `name (value)` for each allocator in `ranked`.
fn listing(ranked: &[(&Aggregate, Fragmentation)]) -> String {
    ranked
        .iter()
        .map(|(a, f)| format!("{} {}", a.allocator, units::percent(f.geo_frag4)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Allocators with a fragmentation figure in `pick`, tightest first.
fn ranked(
    r: &Results,
    pick: fn(&Aggregate) -> Option<Fragmentation>,
) -> Vec<(&Aggregate, Fragmentation)> {
    let mut v: Vec<(&Aggregate, Fragmentation)> = r
        .aggregates
        .iter()
        .filter_map(|a| Some((a, pick(a)?)))
        .collect();
    v.sort_by(|x, y| x.1.geo_frag4.total_cmp(&y.1.geo_frag4));
    v
}

fn fragmentation_findings(r: &Results, out: &mut Vec<String>) {
    let floor = units::bytes(SMALL_HEAP_FLOOR as f64);
    let large = ranked(r, |a| a.fragmentation);
    let pool = &r.allocators[0];
    if let Some(pos) = large.iter().position(|(a, _)| &a.allocator == pool) {
        let (_, d) = large[pos];
        out.push(format!(
            "Fragmentation over the {} workloads of at least {floor} live that no allocator failed on (geometric mean of footprint / peak live − 1, as a #4): {}. The default pool ({pool}) ranks {} of {} at {} (median #4 {}, lowest of all on {} workloads, mean utilisation {}).",
            r.sets.large.len(),
            listing(&large),
            pos + 1,
            large.len(),
            units::percent(d.geo_frag4),
            units::percent(d.median_frag4),
            d.wins,
            units::percent(d.mean_utilisation),
        ));
        let tighter: Vec<String> = large[..pos]
            .iter()
            .filter(|(a, _)| !a.allocator.starts_with("mempool"))
            .map(|(a, f)| format!("{} ({})", a.allocator, units::percent(f.geo_frag4)))
            .collect();
        out.push(if tighter.is_empty() {
            "No peer packs tighter than the default pool by this aggregate.".to_owned()
        } else {
            format!(
                "Peers that pack tighter than the default pool ({}): {}.",
                units::percent(d.geo_frag4),
                tighter.join(", ")
            )
        });
        if let Some((a, f)) = large
            .iter()
            .max_by_key(|(_, f)| f.wins)
            .filter(|(a, f)| &a.allocator != pool && f.wins > d.wins)
        {
            out.push(format!(
                "Workload by workload, {} leaves the least on {} of the {} workloads (the default pool on {}); its median #4 is {} against the default pool's {}.",
                a.allocator,
                f.wins,
                r.sets.large.len(),
                d.wins,
                units::percent(f.median_frag4),
                units::percent(d.median_frag4)
            ));
        }
    } else if r.sets.large.is_empty() {
        out.push(format!(
            "No compared workload has {floor} live or more: there is no headline fragmentation figure (see the small heaps)."
        ));
    }
    let small = ranked(r, |a| a.small_heaps);
    if !small.is_empty() {
        out.push(format!(
            "On the {} small heaps (less than {floor} live), aggregated on their own because fixed costs decide their #4: {}.",
            r.sets.small.len(),
            listing(&small)
        ));
    }
}

fn speed_findings(r: &Results, out: &mut Vec<String>) {
    let baseline = r.baseline();
    let mut groups: [(Verdict, Vec<String>); 3] = [
        (Verdict::Higher, Vec::new()),
        (Verdict::Lower, Vec::new()),
        (Verdict::NotDistinguishable, Vec::new()),
    ];
    let mut rows: Vec<&Aggregate> = r
        .aggregates
        .iter()
        .enumerate()
        .filter(|&(a, agg)| a != 0 && Some(a) != baseline && agg.throughput.is_some())
        .map(|(_, agg)| agg)
        .collect();
    rows.sort_by(|x, y| {
        let t = |a: &Aggregate| a.throughput.map_or(0.0, |t| t.estimate);
        t(y).total_cmp(&t(x))
    });
    for a in rows {
        let (Some(t), Some(v)) = (a.throughput, a.verdict) else {
            continue;
        };
        if let Some(g) = groups.iter_mut().find(|g| g.0 == v) {
            g.1.push(format!("{} {}", a.allocator, units::ratio_interval(&t)));
        }
    }
    if groups.iter().all(|g| g.1.is_empty()) {
        return;
    }
    let part = |g: &(Verdict, Vec<String>), what: &str| {
        (!g.1.is_empty()).then(|| format!("{what}: {}", g.1.join(", ")))
    };
    let parts: Vec<String> = [
        part(&groups[0], "faster"),
        part(&groups[1], "slower"),
        part(&groups[2], "not distinguishable from it on this machine"),
    ]
    .into_iter()
    .flatten()
    .collect();
    out.push(format!(
        "Throughput relative to the default pool (geometric mean over {} timed workloads of each workload's median over {} interleaved rounds, 95 % interval): {}.",
        r.sets.timed.len(),
        r.rounds,
        parts.join("; ")
    ));
    let d = r.default_pool();
    if let Some(b) = baseline.map(|b| &r.aggregates[b]) {
        if let (Some(loop_ns), Some(pool), Some(net)) = (b.median_ns, d.median_ns, d.median_net_ns)
        {
            out.push(format!(
                "The replay loop itself (baseline: a counter that ignores frees) takes a median {} per op; the default pool {} raw, {} without the loop.",
                units::nanos(loop_ns),
                units::nanos(pool),
                units::nanos(net)
            ));
        }
    }
}

fn latency_findings(r: &Results, out: &mut Vec<String>) {
    let d = r.default_pool();
    let Some(m) = &d.malloc_latency else {
        return;
    };
    let mut s = format!(
        "Per-call latency (clock cost {} included): the default pool's malloc p99 is a median {} across workloads, its slowest malloc {} (on {})",
        units::nanos(r.clock_ns),
        units::nanos(m.p99 as f64),
        units::nanos(m.max as f64),
        m.max_workload
    );
    let worst = r
        .aggregates
        .iter()
        .filter(|a| a.allocator != "baseline")
        .filter_map(|a| Some((a, a.malloc_latency.as_ref()?)))
        .max_by_key(|(_, l)| l.max);
    if let Some((a, l)) = worst.filter(|(a, _)| a.allocator != d.allocator) {
        s.push_str(&format!(
            "; the slowest malloc of any allocator is {}'s, {} (on {})",
            a.allocator,
            units::nanos(l.max as f64),
            l.max_workload
        ));
    }
    s.push('.');
    out.push(s);
}

fn scaling_finding(r: &Results, out: &mut Vec<String>) {
    let Some(max) = r.scaling.iter().map(|p| p.live_blocks).max() else {
        return;
    };
    let at: Vec<&ScalingPoint> = r
        .scaling
        .iter()
        .filter(|p| p.live_blocks == max && p.allocator != "baseline")
        .collect();
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

/// The headline findings, one sentence each, computed from the results.
#[must_use]
pub fn findings(r: &Results) -> Vec<String> {
    let mut out = Vec::new();
    if !r.skipped.is_empty() {
        out.push(format!(
            "{} trace{} could not be loaded and {} left out: {}.",
            r.skipped.len(),
            if r.skipped.len() == 1 { "" } else { "s" },
            if r.skipped.len() == 1 { "is" } else { "are" },
            r.skipped
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
    fragmentation_findings(r, &mut out);
    speed_findings(r, &mut out);
    latency_findings(r, &mut out);
    scaling_finding(r, &mut out);
    if let Some(t) = &r.tuning {
        out.push(format!("Tuning map (align 8): {}", t.recommendation()));
    }
    out
}
