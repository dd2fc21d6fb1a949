//! The report: runs the suite over the variant matrix and the peers, sweeps the tuning map,
//! measures scaling, draws every plot and writes `index.html`, `summary.md`,
//! `results.json`, `results.csv` and the figures into the output folder.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context};
use rayon::prelude::*;
use serde::Serialize;
use workloads::{AdapterSpec, PoolVariant, WorkloadStats};

use crate::cli::{OutArgs, ReportArgs};
use crate::matrix;
use crate::plots::{
    self, BarRow, DotPlot, Figure, Heatmap, Line, LineChart, Panels, StackedBars, Unit,
};
use crate::run::{progress, run_matrix, RunOptions, RunRecord};
use crate::scaling::{self, ScalingPlan, ScalingPoint};
use crate::suite::{self, Item, Source, Suite};
use crate::table::Table;
use crate::tune::{self, Outcome, MIN_TIMED_OPS};
use crate::{fonts, html, palette, units};

/// What a report runs.
#[derive(Debug, Clone)]
pub struct Plan {
    /// `--quick`: the CI subset.
    pub quick: bool,
    /// The allocators of the matrix, the default pool first.
    pub allocators: Vec<AdapterSpec>,
    /// Timing replays per (workload, allocator); the best counts.
    pub timing_reps: u32,
    /// Thresholds of the tuning map (align 8, compact and split on and off).
    pub tune_min_splits: Vec<u32>,
    /// The scaling measurement.
    pub scaling: ScalingPlan,
}

impl Plan {
    /// The full report's plan, or `--quick`'s.
    #[must_use]
    pub fn new(quick: bool) -> Self {
        Self {
            quick,
            allocators: matrix::report_allocators(quick),
            timing_reps: if quick { 1 } else { 3 },
            tune_min_splits: if quick {
                matrix::QUICK_MIN_SPLITS.to_vec()
            } else {
                matrix::MIN_SPLITS.to_vec()
            },
            scaling: ScalingPlan::new(quick),
        }
    }
}

/// One workload as `results.json` lists it.
#[derive(Debug, Clone, Serialize)]
pub struct WorkloadInfo {
    /// Name.
    pub name: String,
    /// Where it came from.
    pub source: Source,
    /// Counts and peaks.
    pub stats: WorkloadStats,
    /// Region size every allocator got, in bytes.
    pub capacity: u64,
}

/// One allocator's numbers over the compared workloads.
#[derive(Debug, Clone, Serialize)]
pub struct Aggregate {
    /// Allocator name.
    pub allocator: String,
    /// Mean J&W #4 (`None` when the allocator reports no heap extent).
    pub mean_frag4: Option<f64>,
    /// Mean policy part of #4.
    pub mean_policy: Option<f64>,
    /// Mean overhead part of #4.
    pub mean_overhead: Option<f64>,
    /// Median #4.
    pub median_frag4: Option<f64>,
    /// Mean malloc-lab utilisation.
    pub mean_utilisation: Option<f64>,
    /// Geometric mean of ops/s relative to the default pool.
    pub throughput: Option<f64>,
    /// Failed requests over all workloads.
    pub failures: u64,
}

/// Seconds spent per phase.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Timings {
    /// Matrix replays (tracked and timed).
    pub matrix: f64,
    /// Tuning-map replays.
    pub tuning: f64,
    /// Scaling measurement.
    pub scaling: f64,
    /// Drawing and writing.
    pub output: f64,
    /// Everything.
    pub total: f64,
}

/// A figure as `results.json` lists it.
#[derive(Debug, Clone, Serialize)]
pub struct FigureInfo {
    /// File stem (`<stem>.svg`, `<stem>.png`).
    pub stem: String,
    /// Title.
    pub title: String,
    /// Whether a PNG was written.
    pub png: bool,
}

/// Everything the report measured; `results.json` is this.
#[derive(Debug, Clone, Serialize)]
pub struct Results {
    /// The run's name (the output folder's name by default).
    pub name: String,
    /// When it ran (UTC, RFC 3339).
    pub generated_utc: String,
    /// `quick` or `full`.
    pub mode: String,
    /// Worker threads.
    pub threads: usize,
    /// Seconds per phase.
    pub seconds: Timings,
    /// Remarks (missing folders, fonts, excluded workloads).
    pub notes: Vec<String>,
    /// The workloads.
    pub workloads: Vec<WorkloadInfo>,
    /// The allocators, in matrix order.
    pub allocators: Vec<String>,
    /// Per-allocator means over the compared workloads.
    pub aggregates: Vec<Aggregate>,
    /// The workloads the means are over (no allocator failed a request on them).
    pub compared: Vec<String>,
    /// Every (workload, allocator) run, workload-major.
    pub runs: Vec<RunRecord>,
    /// Scaling points.
    pub scaling: Vec<ScalingPoint>,
    /// The tuning map's configurations.
    pub tuning_grid: Vec<PoolVariant>,
    /// The tuning map's scores and recommendation.
    pub tuning: Outcome,
    /// The figures written.
    pub figures: Vec<FigureInfo>,
}

impl Results {
    /// The runs of workload `w` (index into `workloads`).
    #[must_use]
    pub fn runs_of(&self, w: usize) -> &[RunRecord] {
        let n = self.allocators.len();
        &self.runs[w * n..(w + 1) * n]
    }

    /// The aggregate of the default pool (the first allocator).
    #[must_use]
    pub fn default_pool(&self) -> &Aggregate {
        &self.aggregates[0]
    }
}

/// The folder a run writes to: `--out`, else `<reports crate>/out/<name>`, where the name is
/// `--name` or a UTC timestamp.
///
/// # Errors
/// A `--name` that is not a plain folder name.
pub fn out_dir(args: &OutArgs) -> anyhow::Result<(PathBuf, String)> {
    let name = match &args.name {
        Some(n) => {
            let bad = n.is_empty()
                || n == "."
                || n == ".."
                || n.contains(['/', '\\'])
                || n.chars().any(char::is_control);
            if bad {
                bail!("--name {n:?}: must be a plain folder name (no slashes, not . or ..)");
            }
            n.clone()
        }
        None => chrono::Utc::now().format("%Y-%m-%dT%H-%M-%SZ").to_string(),
    };
    let dir = match &args.out {
        Some(d) => d.clone(),
        None => Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("out")
            .join(&name),
    };
    Ok((dir, name))
}

/// Creates `dir` (and its parents).
///
/// # Errors
/// The folder cannot be created; the message names it.
pub fn create_out(dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the output folder {}", dir.display()))
}

/// Registers a system font for the PNGs; `None` (with the reason printed) when there is none.
#[must_use]
pub fn png_font(notes: &mut Vec<String>) -> Option<PathBuf> {
    match fonts::register_system_font() {
        Ok(p) => Some(p),
        Err(why) => {
            let note = format!("PNG figures skipped: {why} (the SVG figures need no font)");
            eprintln!("note: {note}");
            notes.push(note);
            None
        }
    }
}

/// `workloads` x `allocators` runs: which workloads no allocator failed on.
fn compared_workloads(items: &[Item], runs: &[RunRecord], n: usize) -> Vec<usize> {
    (0..items.len())
        .filter(|&w| runs[w * n..(w + 1) * n].iter().all(|r| r.failures == 0))
        .collect()
}

fn mean_of(v: &[f64]) -> Option<f64> {
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

fn median_of(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    Some(if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    })
}

fn aggregates(
    allocators: &[String],
    runs: &[RunRecord],
    compared: &[usize],
    ops: &[u64],
) -> Vec<Aggregate> {
    let n = allocators.len();
    (0..n)
        .map(|a| {
            let pick = |f: &dyn Fn(&RunRecord) -> Option<f64>| -> Vec<f64> {
                compared
                    .iter()
                    .filter_map(|&w| f(&runs[w * n + a]))
                    .filter(|v| v.is_finite())
                    .collect()
            };
            let logs: Vec<f64> = compared
                .iter()
                .filter(|&&w| ops[w] >= MIN_TIMED_OPS)
                .filter_map(|&w| {
                    let r = runs[w * n + a].ops_per_sec?;
                    let d = runs[w * n].ops_per_sec?;
                    (r > 0.0 && d > 0.0).then(|| (r / d).ln())
                })
                .collect();
            Aggregate {
                allocator: allocators[a].clone(),
                mean_frag4: mean_of(&pick(&|r| r.metrics.frag4)),
                mean_policy: mean_of(&pick(&|r| r.metrics.frag4_policy)),
                mean_overhead: mean_of(&pick(&|r| r.metrics.frag4_overhead)),
                median_frag4: median_of(pick(&|r| r.metrics.frag4)),
                mean_utilisation: mean_of(&pick(&|r| r.metrics.utilisation)),
                throughput: mean_of(&logs).map(f64::exp),
                failures: (0..runs.len() / n).map(|w| runs[w * n + a].failures).sum(),
            }
        })
        .collect()
}

/// Runs the report for the command line's arguments and returns the output folder.
///
/// # Errors
/// Loading the suite, running, drawing or writing failed.
pub fn run(args: &ReportArgs) -> anyhow::Result<PathBuf> {
    let (dir, name) = out_dir(&args.out)?;
    let suite = suite::load(&args.suite)?;
    for note in &suite.notes {
        eprintln!("note: {note}");
    }
    let plan = Plan::new(args.suite.quick);
    let results = generate(&suite, &plan, &dir, &name)?;
    println!("{}", console_summary(&results));
    println!("report: {}", dir.join("index.html").display());
    Ok(dir)
}

/// Runs `plan` over `suite` and writes every output file into `dir`.
///
/// # Errors
/// Running, drawing or writing failed.
pub fn generate(suite: &Suite, plan: &Plan, dir: &Path, name: &str) -> anyhow::Result<Results> {
    let started = Instant::now();
    create_out(dir)?;
    let mut notes = suite.notes.clone();
    let items = &suite.items;
    let threads = rayon::current_num_threads();
    eprintln!(
        "report {name}: {} workloads x {} allocators ({} mode, {threads} threads) -> {}",
        items.len(),
        plan.allocators.len(),
        if plan.quick { "quick" } else { "full" },
        dir.display()
    );
    let mut seconds = Timings::default();

    let t = Instant::now();
    let runs = run_matrix(
        items,
        &plan.allocators,
        RunOptions {
            samples: true,
            timing_reps: plan.timing_reps,
        },
        "matrix",
    )?;
    seconds.matrix = t.elapsed().as_secs_f64();
    eprintln!(
        "  matrix: {} replays in {:.1} s",
        runs.len(),
        seconds.matrix
    );

    let t = Instant::now();
    let grid = matrix::grid(&plan.tune_min_splits, &[8]);
    let specs: Vec<AdapterSpec> = grid.iter().copied().map(AdapterSpec::MemPool).collect();
    let tune_runs = run_matrix(
        items,
        &specs,
        RunOptions {
            samples: false,
            timing_reps: 1,
        },
        "tuning map",
    )?;
    let names: Vec<String> = items.iter().map(|i| i.workload.name.clone()).collect();
    let tuning = tune::analyse(&names, &grid, &tune_runs)?;
    seconds.tuning = t.elapsed().as_secs_f64();
    eprintln!(
        "  tuning map: {} configurations in {:.1} s",
        grid.len(),
        seconds.tuning
    );

    let t = Instant::now();
    let scaling = scaling::run(&plan.allocators, &plan.scaling)?;
    seconds.scaling = t.elapsed().as_secs_f64();
    eprintln!(
        "  scaling: {} points in {:.1} s",
        scaling.len(),
        seconds.scaling
    );

    let t = Instant::now();
    let allocators: Vec<String> = plan.allocators.iter().map(AdapterSpec::name).collect();
    let n = allocators.len();
    let compared = compared_workloads(items, &runs, n);
    for (w, item) in items.iter().enumerate() {
        if !compared.contains(&w) {
            let failing: Vec<String> = runs[w * n..(w + 1) * n]
                .iter()
                .filter(|r| r.failures > 0)
                .map(|r| format!("{} ({} failed)", r.allocator, r.failures))
                .collect();
            notes.push(format!(
                "{} is left out of the means: requests failed in its {} region under {}",
                item.workload.name,
                units::bytes(item.capacity as f64),
                failing.join(", ")
            ));
        }
    }
    let ops: Vec<u64> = items.iter().map(|i| i.stats.ops).collect();
    let aggregates = aggregates(&allocators, &runs, &compared, &ops);
    let png = png_font(&mut notes).is_some();
    let mut results = Results {
        name: name.to_owned(),
        generated_utc: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        mode: if plan.quick { "quick" } else { "full" }.to_owned(),
        threads,
        seconds,
        notes,
        workloads: items
            .iter()
            .map(|i| WorkloadInfo {
                name: i.workload.name.clone(),
                source: i.source.clone(),
                stats: i.stats,
                capacity: i.capacity,
            })
            .collect(),
        allocators,
        aggregates,
        compared: compared.iter().map(|&w| names[w].clone()).collect(),
        runs,
        scaling,
        tuning_grid: grid,
        tuning,
        figures: Vec::new(),
    };
    let figures = draw_all(&results, dir, png)?;
    results.figures = figures
        .iter()
        .map(|f| FigureInfo {
            stem: f.stem.clone(),
            title: f.title.clone(),
            png: f.png,
        })
        .collect();
    results.seconds.output = t.elapsed().as_secs_f64();
    results.seconds.total = started.elapsed().as_secs_f64();
    write_outputs(&results, &figures, dir)?;
    eprintln!(
        "  output: {} figures in {:.1} s; total {:.1} s",
        figures.len(),
        results.seconds.output,
        results.seconds.total
    );
    Ok(results)
}

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
            Job::Lines(c, s) => plots::render(c, s, dir, png),
            Job::Panels(c, s) => plots::render(c, s, dir, png),
            Job::Bars(c, s) => plots::render(c, s, dir, png),
            Job::Dots(c, s) => plots::render(c, s, dir, png),
            Job::Heat(c, s) => plots::render(c, s, dir, png),
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
            let f4 = m.frag4?;
            let values = match (m.frag4_policy, m.frag4_overhead) {
                (Some(p), Some(o)) => vec![p.max(0.0), o.max(0.0)],
                _ => vec![f4.max(0.0)],
            };
            let fail = if run.failures > 0 {
                format!(", {} failed", run.failures)
            } else {
                String::new()
            };
            Some(BarRow {
                name: run.allocator.clone(),
                values,
                note: format!("#4 {}{fail}", units::percent(f4)),
            })
        })
        .collect();
    let frag = StackedBars {
        title: format!("{name}: fragmentation #4 (peak heap / peak live − 1)"),
        x_desc: "% of peak live bytes".to_owned(),
        unit: Unit::Percent,
        parts: vec![
            "policy (free space in the heap)".to_owned(),
            "overhead (headers, padding)".to_owned(),
        ],
        rows,
        width: 1000,
    };
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
            let values = match (a.mean_policy, a.mean_overhead) {
                (Some(p), Some(o)) => vec![p.max(0.0), o.max(0.0)],
                _ => vec![f4.max(0.0)],
            };
            Some(BarRow {
                name: a.allocator.clone(),
                values,
                note: format!("#4 {}", units::percent(f4)),
            })
        })
        .collect();
    let mean_frag = StackedBars {
        title: format!("Mean fragmentation #4 over {n_cmp} workloads"),
        x_desc: "% of peak live bytes (mean over workloads)".to_owned(),
        unit: Unit::Percent,
        parts: vec![
            "policy (free space in the heap)".to_owned(),
            "overhead (headers, padding)".to_owned(),
        ],
        rows,
        width: 1000,
    };
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

fn draw_all(r: &Results, dir: &Path, png: bool) -> anyhow::Result<Vec<Figure>> {
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

fn opt_pct(v: Option<f64>) -> String {
    v.map_or_else(|| "n/a".to_owned(), units::percent)
}

fn opt_ratio(v: Option<f64>) -> String {
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

fn write_file(dir: &Path, name: &str, contents: &[u8]) -> anyhow::Result<()> {
    let path = dir.join(name);
    std::fs::write(&path, contents).with_context(|| format!("cannot write {}", path.display()))
}

fn write_csv(r: &Results, dir: &Path) -> anyhow::Result<()> {
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

fn write_outputs(r: &Results, figures: &[Figure], dir: &Path) -> anyhow::Result<()> {
    let json = serde_json::to_vec_pretty(r).context("serialising results.json")?;
    write_file(dir, "results.json", &json)?;
    write_csv(r, dir)?;
    write_file(dir, "summary.md", summary_markdown(r).as_bytes())?;
    write_file(dir, "index.html", html::page(r, figures).as_bytes())?;
    Ok(())
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

    #[test]
    fn names_must_be_plain() {
        for bad in ["", "..", "a/b", "a\\b"] {
            let args = OutArgs {
                out: None,
                name: Some(bad.to_owned()),
            };
            assert!(out_dir(&args).is_err(), "{bad:?} accepted");
        }
        let (dir, name) = out_dir(&OutArgs {
            out: None,
            name: Some("ci".to_owned()),
        })
        .unwrap();
        assert_eq!(name, "ci");
        assert!(dir.ends_with("out/ci"), "{}", dir.display());
    }
}
