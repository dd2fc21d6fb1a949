//! `summary.md` and what the console prints at the end of a report.

use crate::findings::findings;
use crate::report_tables::{allocator_table, scaling_table, workload_table};
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
    s.push_str(&allocator_table(r).markdown());
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
    s.push_str("\n## Allocators (means over the compared workloads)\n\n");
    s.push_str(&allocator_table(r).markdown());
    s.push_str("\n## Scaling (time per op in steady state)\n\n");
    s.push_str(&scaling_table(r).markdown());
    s.push_str("\n## Tuning map (align 8)\n\n");
    s.push_str(&r.tuning.recommendation());
    s.push_str("\n\n");
    s.push_str(&r.tuning.evidence(Some(8)).markdown());
    s.push('\n');
    s.push_str(&r.tuning.disagreement_markdown());
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
