//! The report's figures, built from the results: the overview (fragmentation, throughput,
//! scaling, tuning map, the tuning grid's Pareto front) and four per workload (footprint,
//! fragmentation, free list, latency percentiles), drawn in parallel.

use std::collections::BTreeMap;
use std::path::Path;

use rayon::prelude::*;
use workloads::PoolVariant;

use plotters::style::RGBColor;
use workloads::aggregate::SMALL_HEAP_FLOOR;
use workloads::timing::{Latency, Percentiles};

use crate::aggregate::workload_speed;
use crate::figures::{
    self, Axes, BarRow, DotPlot, Figure, Heatmap, Line, LineChart, Panels, Point, Scatter,
    StackedBars, Unit,
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

/// A figure to draw: a chart and its file stem.
enum Job {
    Lines(LineChart, String),
    Panels(Panels, String),
    Bars(StackedBars, String),
    Dots(DotPlot, String),
    Heat(Heatmap, String),
    Points(Scatter, String),
}

impl Job {
    fn render(&self, dir: &Path, png: bool) -> anyhow::Result<Figure> {
        match self {
            Job::Lines(c, s) => figures::render(c, s, dir, png),
            Job::Panels(c, s) => figures::render(c, s, dir, png),
            Job::Bars(c, s) => figures::render(c, s, dir, png),
            Job::Dots(c, s) => figures::render(c, s, dir, png),
            Job::Heat(c, s) => figures::render(c, s, dir, png),
            Job::Points(c, s) => figures::render(c, s, dir, png),
        }
    }
}

/// The stems of workload `name`'s four figures, in the order plotted: footprint,
/// fragmentation, free list, latency.
#[must_use]
pub fn workload_stems(name: &str) -> [String; 4] {
    let s = slug(name);
    [
        format!("1-footprint-{s}"),
        format!("2-fragmentation-{s}"),
        format!("3-free-list-{s}"),
        format!("4-latency-{s}"),
    ]
}

/// Stems of the overview figures: fragmentation, throughput, scaling, tuning map, Pareto
/// front.
pub const OVERVIEW_STEMS: [&str; 5] = [
    "2-fragmentation-overall",
    "4-throughput",
    "5-scaling",
    "6-tuning-map",
    "7-tuning-pareto",
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
    let [s1, s2, s3, s4] = workload_stems(name);
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
        axes: Axes::Linear,
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
                axes: Axes::Linear,
                lines: pick(|s| s.free_blocks),
                size: (1000, 380),
            },
            LineChart {
                title: format!("{name}: largest free block"),
                x_desc: "ops replayed".to_owned(),
                y_desc: "bytes (largest free block below the heap end)".to_owned(),
                x_unit: Unit::Count,
                y_unit: Unit::Bytes,
                axes: Axes::Linear,
                lines: pick(|s| s.largest_free_in_heap),
                size: (1000, 380),
            },
        ],
    };
    vec![
        Job::Lines(footprint, s1),
        Job::Bars(frag, s2),
        Job::Panels(free, s3),
        Job::Panels(latency_panels(r, w), s4),
    ]
}

fn overview_jobs(r: &Results) -> Vec<Job> {
    let n_large = r.sets.large.len();
    let rows: Vec<BarRow> = r
        .aggregates
        .iter()
        .filter_map(|a| {
            let f = a.fragmentation?;
            Some(BarRow {
                name: a.allocator.clone(),
                values: vec![f.geo_frag4.max(0.0)],
                note: format!(
                    "{} (median {}, lowest on {})",
                    units::percent(f.geo_frag4),
                    units::percent(f.median_frag4),
                    f.wins
                ),
            })
        })
        .collect();
    let overall = StackedBars {
        title: format!(
            "Fragmentation over {n_large} workloads with at least {} live",
            units::bytes(SMALL_HEAP_FLOOR as f64)
        ),
        x_desc: "geometric mean of footprint / peak live − 1 (as a #4; lower is better)".to_owned(),
        unit: Unit::Percent,
        parts: vec!["geometric mean #4".to_owned()],
        rows,
        width: 1000,
    };
    let n = r.allocators.len();
    let timed = &r.sets.timed;
    let dots = DotPlot {
        title: format!("Throughput relative to {} (default pool)", r.allocators[0]),
        x_desc: "speed relative to the default pool (median of the paired rounds; ×, log scale; right = faster)".to_owned(),
        rows: timed.iter().map(|&w| r.workloads[w].name.clone()).collect(),
        series: (1..n)
            .filter(|&a| Some(a) != r.baseline())
            .map(|a| {
                (
                    r.allocators[a].clone(),
                    timed
                        .iter()
                        .map(|&w| workload_speed(&r.runs, n, w, a, 0).map(|i| i.estimate))
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
        axes: Axes::LogLog,
        lines: by_alloc
            .into_iter()
            .map(|(a, mut pts)| {
                pts.sort_by(|x, y| x.0.total_cmp(&y.0));
                Line::new(r.allocators[a].clone(), pts)
            })
            .collect(),
        size: (1000, 520),
    };
    let mut jobs = vec![
        Job::Bars(overall, OVERVIEW_STEMS[0].to_owned()),
        Job::Dots(dots, OVERVIEW_STEMS[1].to_owned()),
        Job::Lines(scaling, OVERVIEW_STEMS[2].to_owned()),
    ];
    if let Some(t) = &r.tuning {
        jobs.push(Job::Heat(
            tuning_map(t, &r.tuning_grid, 8, "Tuning map"),
            OVERVIEW_STEMS[3].to_owned(),
        ));
        jobs.push(Job::Points(
            pareto_figure(t, "Tuning map"),
            OVERVIEW_STEMS[4].to_owned(),
        ));
    }
    jobs
}

/// The tuning grid's configurations as points of fragmentation against throughput (with its
/// interval), the Pareto front joined, today's default and the recommendation marked.
#[must_use]
pub fn pareto_figure(outcome: &Outcome, title: &str) -> Scatter {
    let points = outcome
        .scores
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            let t = s.throughput?;
            let mark = if i == outcome.recommended {
                Some(0)
            } else if Some(i) == outcome.default {
                Some(1)
            } else {
                None
            };
            Some((
                i,
                Point {
                    label: s.label.clone(),
                    x: t.estimate,
                    y: s.fragmentation.geo_frag4,
                    x_range: Some((t.low, t.high)),
                    mark,
                },
            ))
        })
        .collect::<Vec<_>>();
    let path = outcome
        .pareto
        .iter()
        .filter_map(|p| points.iter().position(|(i, _)| i == p))
        .collect();
    Scatter {
        title: format!(
            "{title}: fragmentation against throughput ({} configurations)",
            points.len()
        ),
        x_desc: "throughput relative to today's default (×, log scale; bars: 95 % interval)"
            .to_owned(),
        y_desc: "fragmentation (geometric mean #4)".to_owned(),
        x_unit: Unit::Ratio,
        y_unit: Unit::Percent,
        points: points.into_iter().map(|(_, p)| p).collect(),
        path: (path, "Pareto front".to_owned()),
        marks: vec![
            ("recommended".to_owned(), RGBColor(0xd6, 0x27, 0x28)),
            ("today's default".to_owned(), RGBColor(0x2c, 0xa0, 0x2c)),
        ],
        size: (1000, 560),
    }
}

/// Workload `w`'s latency percentile ladders: malloc, free and realloc (the kinds it has),
/// one line per allocator, log time axis.
fn latency_panels(r: &Results, w: usize) -> Panels {
    let name = &r.workloads[w].name;
    let runs = r.runs_of(w);
    type Kind = fn(&Latency) -> Percentiles;
    let kinds: [(&str, Kind); 3] = [
        ("malloc", |l| l.malloc),
        ("free", |l| l.free),
        ("realloc", |l| l.realloc),
    ];
    let panels = kinds
        .iter()
        .filter(|(_, k)| {
            runs.iter()
                .any(|run| run.latency.is_some_and(|l| k(&l).count > 0))
        })
        .map(|(what, k)| LineChart {
            title: format!("{name}: {what} latency"),
            x_desc: "percentile".to_owned(),
            y_desc: format!(
                "time per call (log scale; includes the clock's {})",
                units::nanos(r.clock_ns)
            ),
            x_unit: Unit::Ladder,
            y_unit: Unit::Nanos,
            axes: Axes::LogY,
            lines: runs
                .iter()
                .filter_map(|run| {
                    let p = k(run.latency.as_ref()?);
                    (p.count > 0).then(|| {
                        Line::new(
                            run.allocator.clone(),
                            p.ladder()
                                .iter()
                                .enumerate()
                                .map(|(i, &(_, ns))| (i as f64, ns as f64))
                                .collect(),
                        )
                    })
                })
                .collect(),
            size: (1000, 380),
        })
        .collect();
    Panels {
        title: format!("{name}: latency percentiles per call"),
        panels,
    }
}

/// The tuning map of `outcome` at alignment `align`: `min_split` columns, (compact, split)
/// rows, the fragmentation score (geometric mean #4 over the headline workloads) per cell,
/// the recommendation outlined when it is on this map.
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
                .map(|&ms| find(c, s, ms).map(|i| outcome.scores[i].fragmentation.geo_frag4))
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
            "{title}: fragmentation (geometric mean #4) over {} workloads (align {align})",
            outcome.headline.len()
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
        legend: "geometric mean #4 (lower is better)".to_owned(),
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
