//! `summary.md` and what the console prints at the end of a report.

use crate::findings::findings;
use crate::report_tables::{
    fragmentation_table, latency_table, scaling_table, small_heaps_caption, small_heaps_table,
    throughput_table, workload_table,
};
use crate::results::Results;

/// What the console prints at the end of a report.
#[must_use]
pub fn console_summary(r: &Results) -> String {
    let mut s = String::new();
    for f in findings(r) {
        s.push_str("- ");
        s.push_str(&f);
        s.push('\n');
    }
    s.push('\n');
    s.push_str(&fragmentation_table(r).markdown());
    s.push('\n');
    s.push_str(&throughput_table(r).markdown());
    s
}

/// `summary.md`.
#[must_use]
pub fn summary_markdown(r: &Results) -> String {
    let mut s = format!(
        "# mempool workbench report `{}`\n\n{} run, {} UTC, {} threads, {:.0} s. {} workloads, {} allocators. Metric definitions: `workloads/README.md`.\n\n## Findings\n\n",
        r.name,
        r.mode,
        r.generated_utc,
        r.threads,
        r.seconds.total,
        r.workloads.len(),
        r.allocators.len()
    );
    for f in findings(r) {
        s.push_str(&format!("- {f}\n"));
    }
    if !r.skipped.is_empty() {
        s.push_str("\n## Skipped traces\n\nLeft out because they could not be read or parsed (the run went on; the exit code is 3):\n\n");
        for k in &r.skipped {
            s.push_str(&format!("- {k}\n"));
        }
    }
    s.push_str(&format!(
        "\n## Fragmentation\n\nOver the {} compared workloads with at least {} live: the geometric mean of footprint / peak live − 1 (as a #4), the median #4, and on how many workloads each allocator leaves the least.\n\n",
        r.sets.large.len(),
        crate::units::bytes(workloads::aggregate::SMALL_HEAP_FLOOR as f64)
    ));
    s.push_str(&fragmentation_table(r).markdown());
    s.push_str(&format!(
        "\n### Small heaps\n\nThe {}.\n\n",
        small_heaps_caption(r)
    ));
    s.push_str(&small_heaps_table(r).markdown());
    s.push_str(&format!(
        "\n## Throughput\n\nThe lean timing loop, {} interleaved rounds per workload; speed relative to the default pool is the geometric mean over the {} timed workloads (at least 1,000 ops) of each workload's median ratio over the paired rounds, with a 95 % bootstrap interval (workloads, then rounds, resampled). `baseline` is the loop itself.\n\n",
        r.rounds,
        r.sets.timed.len()
    ));
    s.push_str(&throughput_table(r).markdown());
    s.push_str(&format!(
        "\n## Latency per call\n\nOne replay per (workload, allocator) timing every call with a TSC clock; reading the clock twice costs {}, included in every figure. p50 and p99: medians over the compared workloads of each workload's percentile.\n\n",
        crate::units::nanos(r.clock_ns)
    ));
    s.push_str(&latency_table(r).markdown());
    s.push_str("\n## Scaling (time per op in steady state)\n\n");
    s.push_str(&scaling_table(r).markdown());
    if let Some(t) = &r.tuning {
        s.push_str("\n## Tuning map (align 8)\n\n");
        s.push_str(&t.recommendation());
        s.push_str("\n\n");
        s.push_str(&t.evidence(Some(8)).markdown());
        s.push_str("\n### Held out by source\n\n");
        s.push_str(&t.cross_validation_table().markdown());
        s.push_str("\n### Pareto front\n\n");
        s.push_str(&t.pareto_table().markdown());
        s.push('\n');
        s.push_str(&t.disagreement_markdown());
    }
    s.push_str("\n## Fragmentation #4 per workload\n\n");
    s.push_str(&workload_table(r).markdown());
    if !r.notes.is_empty() {
        s.push_str("\n## Notes\n\n");
        for n in &r.notes {
            s.push_str(&format!("- {n}\n"));
        }
    }
    s.push_str("\n## Figures\n\n");
    for f in &r.figures {
        let png = if f.png {
            format!(", [{0}.png]({0}.png)", f.stem)
        } else {
            String::new()
        };
        s.push_str(&format!("- {}: [{1}.svg]({1}.svg){png}\n", f.title, f.stem));
    }
    s
}
