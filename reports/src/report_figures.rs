//! The report's figures, built from the results: the overview (mean fragmentation,
//! throughput, scaling, tuning map) and three per workload (footprint, fragmentation, free
//! list), drawn in parallel.

use std::collections::BTreeMap;
use std::path::Path;

use rayon::prelude::*;
use workloads::PoolVariant;

use crate::aggregate::MIN_TIMED_OPS;
use crate::figures::{
    self, BarRow, DotPlot, Figure, Heatmap, Line, LineChart, Panels, StackedBars, Unit,
};
use crate::results::Results;
use crate::run::progress;
use crate::tune::Outcome;
use crate::{palette, units};

/// A file-name-safe form of a workload name.
#[must_use]
pub fn slug(name: &str) -> String {
    let mut s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    while s.contains("--") {
        s = s.replace("--", "-");
    }
    s.trim_matches('-').to_owned()
}

/// The figures of one workload: footprint, fragmentation, free list.
enum Job {
    Lines(LineChart, String),
    Panels(Panels, String),
    Bars(StackedBars, String),
    Dots(DotPlot, String),
    Heat(Heatmap, String),
}

impl Job {
    fn render(&self, dir: &Path, png: bool) -> anyhow::Result<Figure> {
        match self {
            Job::Lines(c, s) => figures::render(c, s, dir, png),
            Job::Panels(c, s) => figures::render(c, s, dir, png),
            Job::Bars(c, s) => figures::render(c, s, dir, png),
            Job::Dots(c, s) => figures::render(c, s, dir, png),
            Job::Heat(c, s) => figures::render(c, s, dir, png),
        }
    }
}

/// The stems of workload `name`'s three figures, in the order plotted: footprint,
/// fragmentation, free list.
#[must_use]
pub fn workload_stems(name: &str) -> [String; 3] {
    let s = slug(name);
    [
        format!("1-footprint-{s}"),
        format!("2-fragmentation-{s}"),
        format!("3-free-list-{s}"),
    ]
}

/// Stems of the overview figures.
pub const OVERVIEW_STEMS: [&str; 4] = [
    "2-fragmentation-mean",
    "4-throughput",
    "5-scaling",
    "6-tuning-map",
];

/// One allocator's #4 bar: policy and overhead stacked when both are known, else #4 alone;
/// the note is `#4 <value><suffix>`.
fn frag_bar(
    allocator: &str,
    f4: f64,
    policy: Option<f64>,
    overhead: Option<f64>,
    suffix: &str,
) -> BarRow {
    let values = match (policy, overhead) {
        (Some(p), Some(o)) => vec![p.max(0.0), o.max(0.0)],
        _ => vec![f4.max(0.0)],
    };
    BarRow {
        name: allocator.to_owned(),
        values,
        note: format!("#4 {}{suffix}", units::percent(f4)),
    }
}

/// Fragmentation #4 bars split into policy and overhead.
fn frag_bars(title: String, x_desc: &str, rows: Vec<BarRow>) -> StackedBars {
    StackedBars {
        title,
        x_desc: x_desc.to_owned(),
        unit: Unit::Percent,
        parts: vec![
            "policy (free space in the heap)".to_owned(),
            "overhead (headers, padding)".to_owned(),
        ],
        rows,
        width: 1000,
    }
}

fn workload_jobs(r: &Results, w: usize) -> Vec<Job> {
    let name = &r.workloads[w].name;
    let runs = r.runs_of(w);
    let [s1, s2, s3] = workload_stems(name);
    let x = |s: &workloads::Sample| s.op as f64;
    let mut lines: Vec<Line> = runs
        .iter()
        .filter(|run| run.samples.iter().any(|s| s.extent.is_some()))
        .map(|run| {
            Line::new(
                run.allocator.clone(),
                run.samples
                    .iter()
                    .filter_map(|s| s.extent.map(|e| (x(s), e as f64)))
                    .collect(),
            )
        })
        .collect();
    let mut live = Line::new(
        "live bytes (requested)",
        runs[0]
            .samples
            .iter()
            .map(|s| (x(s), s.live_requested as f64))
            .collect(),
    );
    live.color = Some(palette::LIVE);
    live.width = 3;
    lines.push(live);
    let footprint = LineChart {
        title: format!("{name}: heap size and live bytes over time"),
        x_desc: "ops replayed".to_owned(),
        y_desc: "bytes (heap extent per allocator; live requested bytes in black)".to_owned(),
        x_unit: Unit::Count,
        y_unit: Unit::Bytes,
        log_log: false,
        lines,
        size: (1000, 460),
    };
    let rows: Vec<BarRow> = runs
        .iter()
        .filter_map(|run| {
            let m = &run.metrics;
            let fail = if run.failures > 0 {
                format!(", {} failed", run.failures)
            } else {
                String::new()
            };
            let f4 = m.frag4?;
            Some(frag_bar(
                &run.allocator,
                f4,
                m.frag4_policy,
                m.frag4_overhead,
                &fail,
            ))
        })
        .collect();
    let frag = frag_bars(
        format!("{name}: fragmentation #4 (peak heap / peak live − 1)"),
        "% of peak live bytes",
        rows,
    );
    let pick = |f: fn(&workloads::Sample) -> Option<u64>| -> Vec<Line> {
        runs.iter()
            .filter(|run| run.samples.iter().any(|s| f(s).is_some()))
            .map(|run| {
                Line::new(
                    run.allocator.clone(),
                    run.samples
                        .iter()
                        .filter_map(|s| f(s).map(|v| (x(s), v as f64)))
                        .collect(),
                )
            })
            .collect()
    };
    let free = Panels {
        title: format!("{name}: free list over time"),
        panels: vec![
            LineChart {
                title: format!("{name}: free-list length"),
                x_desc: "ops replayed".to_owned(),
                y_desc: "free blocks in the heap (count)".to_owned(),
                x_unit: Unit::Count,
                y_unit: Unit::Count,
                log_log: false,
                lines: pick(|s| s.free_blocks),
                size: (1000, 380),
            },
            LineChart {
                title: format!("{name}: largest free block"),
                x_desc: "ops replayed".to_owned(),
                y_desc: "bytes (largest free block below the heap end)".to_owned(),
                x_unit: Unit::Count,
                y_unit: Unit::Bytes,
                log_log: false,
                lines: pick(|s| s.largest_free_in_heap),
                size: (1000, 380),
            },
        ],
    };
    vec![
        Job::Lines(footprint, s1),
        Job::Bars(frag, s2),
        Job::Panels(free, s3),
    ]
}

fn overview_jobs(r: &Results) -> Vec<Job> {
    let n_cmp = r.compared.len();
    let rows: Vec<BarRow> = r
        .aggregates
        .iter()
        .filter_map(|a| {
            let f4 = a.mean_frag4?;
            Some(frag_bar(
                &a.allocator,
                f4,
                a.mean_policy,
                a.mean_overhead,
                "",
            ))
        })
        .collect();
    let mean_frag = frag_bars(
        format!("Mean fragmentation #4 over {n_cmp} workloads"),
        "% of peak live bytes (mean over workloads)",
        rows,
    );
    let n = r.allocators.len();
    let timed: Vec<usize> = (0..r.workloads.len())
        .filter(|&w| {
            r.workloads[w].stats.ops >= MIN_TIMED_OPS
                && r.runs_of(w)[0].ops_per_sec.is_some_and(|s| s > 0.0)
        })
        .collect();
    let dots = DotPlot {
        title: format!("Throughput relative to {} (default pool)", r.allocators[0]),
        x_desc: "ops/s relative to the default pool (×, log scale; right = faster)".to_owned(),
        rows: timed.iter().map(|&w| r.workloads[w].name.clone()).collect(),
        series: (1..n)
            .map(|a| {
                (
                    r.allocators[a].clone(),
                    timed
                        .iter()
                        .map(|&w| {
                            let runs = r.runs_of(w);
                            Some(runs[a].ops_per_sec? / runs[0].ops_per_sec?)
                        })
                        .collect(),
                )
            })
            .collect(),
        reference: 1.0,
        width: 1100,
    };
    let mut by_alloc: BTreeMap<usize, Vec<(f64, f64)>> = BTreeMap::new();
    for p in &r.scaling {
        if let Some(a) = r.allocators.iter().position(|x| *x == p.allocator) {
            by_alloc
                .entry(a)
                .or_default()
                .push((p.live_blocks as f64, p.ns_per_op));
        }
    }
    let scaling = LineChart {
        title: "Scaling: time per op against live blocks (steady state)".to_owned(),
        x_desc: "live blocks (log scale)".to_owned(),
        y_desc: "time per op (free + malloc, log scale)".to_owned(),
        x_unit: Unit::Count,
        y_unit: Unit::Nanos,
        log_log: true,
        lines: by_alloc
            .into_iter()
            .map(|(a, mut pts)| {
                pts.sort_by(|x, y| x.0.total_cmp(&y.0));
                Line::new(r.allocators[a].clone(), pts)
            })
            .collect(),
        size: (1000, 520),
    };
    vec![
        Job::Bars(mean_frag, OVERVIEW_STEMS[0].to_owned()),
        Job::Dots(dots, OVERVIEW_STEMS[1].to_owned()),
        Job::Lines(scaling, OVERVIEW_STEMS[2].to_owned()),
        Job::Heat(
            tuning_map(&r.tuning, &r.tuning_grid, 8, "Tuning map"),
            OVERVIEW_STEMS[3].to_owned(),
        ),
    ]
}

/// The tuning map of `outcome` at alignment `align`: `min_split` columns, (compact, split)
/// rows, mean #4 per cell, the recommendation outlined when it is on this map.
#[must_use]
pub fn tuning_map(outcome: &Outcome, grid: &[PoolVariant], align: u32, title: &str) -> Heatmap {
    let mut columns: Vec<u32> = grid
        .iter()
        .filter(|v| v.align == align && v.split)
        .map(|v| v.min_split)
        .collect();
    columns.sort_unstable();
    columns.dedup();
    let row_keys = [(true, true), (false, true), (true, false), (false, false)];
    let on = |b: bool| if b { "on" } else { "off" };
    let find = |compact: bool, split: bool, ms: u32| {
        grid.iter().position(|v| {
            v.align == align
                && v.compact == compact
                && v.split == split
                && (!split || v.min_split == ms)
        })
    };
    let values = row_keys
        .iter()
        .map(|&(c, s)| {
            columns
                .iter()
                .map(|&ms| find(c, s, ms).map(|i| outcome.scores[i].mean_frag4))
                .collect()
        })
        .collect();
    let rec = &outcome.scores[outcome.recommended].variant;
    let highlight = (rec.align == align)
        .then(|| {
            let r = row_keys
                .iter()
                .position(|&(c, s)| c == rec.compact && s == rec.split)?;
            let c = if rec.split {
                columns.iter().position(|&m| m == rec.min_split)?
            } else {
                0
            };
            Some((r, c))
        })
        .flatten();
    Heatmap {
        title: format!(
            "{title}: mean fragmentation #4 over {} workloads (align {align})",
            outcome.compared.len()
        ),
        x_desc: "min_split (bytes; no effect with split off)".to_owned(),
        y_desc: "compact / split".to_owned(),
        columns: columns.iter().map(u32::to_string).collect(),
        rows: row_keys
            .iter()
            .map(|&(c, s)| format!("compact {}, split {}", on(c), on(s)))
            .collect(),
        values,
        unit: Unit::Percent,
        highlight,
        highlight_label: "outlined: recommended".to_owned(),
        legend: "mean #4 (lower is better)".to_owned(),
    }
}

/// Draws every figure of `r` into `dir` (PNG too when `png`), in parallel.
///
/// # Errors
/// A figure could not be drawn or written.
pub fn draw_all(r: &Results, dir: &Path, png: bool) -> anyhow::Result<Vec<Figure>> {
    let mut jobs = overview_jobs(r);
    for w in 0..r.workloads.len() {
        jobs.extend(workload_jobs(r, w));
    }
    let pb = progress(jobs.len() as u64, "figures");
    let figures: anyhow::Result<Vec<Figure>> = jobs
        .par_iter()
        .map(|j| {
            let f = j.render(dir, png);
            pb.inc(1);
            f
        })
        .collect();
    pb.finish_and_clear();
    figures
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_file_safe() {
        assert_eq!(slug("malloclab-2016/bdd-aa4"), "malloclab-2016-bdd-aa4");
        assert_eq!(
            slug("synthetic/steady-state-n10000"),
            "synthetic-steady-state-n10000"
        );
        assert_eq!(slug("a  b..c"), "a-b-c");
    }
}
