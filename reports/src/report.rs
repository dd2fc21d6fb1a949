//! The report: runs the suite over the variant matrix and the peers, sweeps the tuning map,
//! measures scaling, then hands the results to the renderers, which write `index.html`,
//! `summary.md`, `results.json`, `results.csv` and the figures into the output folder.
//!
//! The flow is one way: `workloads::suite` (what is replayed) -> [`crate::run`] (replays) ->
//! [`crate::results`] (the model, with [`crate::aggregate`]) -> renderers
//! ([`crate::output`] writes what they produce).

use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use workloads::suite::{self, Suite};
use workloads::AdapterSpec;

use crate::aggregate::{aggregates, Ranking, WorkloadSets};
use crate::cli::ReportArgs;
use crate::console;
use crate::exit::Finished;
use crate::matrix;
use crate::output::{create_out, out_dir, png_font, write_outputs, Staged};
use crate::report_figures::draw_all;
use crate::results::{FigureInfo, Results, Timings, WorkloadInfo};
use crate::run::{run_matrix, RunOptions};
use crate::scaling::{self, ScalingPlan};
use crate::summary::console_summary;
use crate::{tune, units};

/// What a report runs.
#[derive(Debug, Clone)]
pub struct Plan {
    /// `--quick`: the CI subset.
    pub quick: bool,
    /// The allocators of the matrix, the default pool first.
    pub allocators: Vec<AdapterSpec>,
    /// Interleaved timing rounds per workload (every allocator once per round).
    pub rounds: u32,
    /// One latency replay per (workload, allocator).
    pub latency: bool,
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
            rounds: workloads::aggregate::MIN_ROUNDS as u32,
            latency: true,
            tune_min_splits: if quick {
                matrix::QUICK_MIN_SPLITS.to_vec()
            } else {
                matrix::MIN_SPLITS.to_vec()
            },
            scaling: ScalingPlan::new(quick),
        }
    }
}

/// Runs the report for the command line's arguments: loads the suite (listing each trace it
/// skips on stderr), writes the report into a temporary folder beside the output folder and
/// puts it in place when complete ([`Staged`]), then prints the summary. The [`Finished`] run
/// names the folder and the skipped traces (which make the exit code 3).
///
/// # Errors
/// Loading the suite (a bad trace with `--strict`, or nothing left after skipping), running,
/// drawing or writing failed; the output path is then left as it was.
pub fn run(args: &ReportArgs) -> anyhow::Result<Finished> {
    let (finished, results) = run_plan(args, &Plan::new(args.suite.quick))?;
    console::out(console_summary(&results))?;
    console::out(format_args!(
        "report: {}",
        finished.dir.join("index.html").display()
    ))?;
    Ok(finished)
}

/// [`run`] with the given plan instead of the one `--quick` chooses (tests run a tiny one),
/// up to the output in place: it prints nothing on stdout and returns the results too.
///
/// # Errors
/// As [`run`].
pub fn run_plan(args: &ReportArgs, plan: &Plan) -> anyhow::Result<(Finished, Results)> {
    let (dir, name) = out_dir(&args.out)?;
    let staged = Staged::new(&dir)?;
    let suite = suite::load(&args.suite.spec()).context("loading the suite")?;
    for note in &suite.notes {
        console::err(format_args!("note: {note}"));
    }
    console::skipped(&suite.skipped);
    let results = generate(&suite, plan, staged.path(), &name)?;
    let dir = staged.finish()?;
    let finished = Finished {
        dir,
        skipped: suite.skipped,
    };
    Ok((finished, results))
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
            rounds: plan.rounds,
            latency: plan.latency,
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
            rounds: plan.rounds,
            latency: false,
        },
        "tuning map",
    )?;
    let tuning = tune::analyse(items, &grid, &tune_runs)?;
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
    let stats: Vec<_> = items.iter().map(|i| i.stats).collect();
    let sets = WorkloadSets::new(&stats, &runs, n);
    for (w, item) in items.iter().enumerate() {
        if !sets.compared.contains(&w) {
            let failing: Vec<String> = runs[w * n..(w + 1) * n]
                .iter()
                .filter(|r| r.failures > 0)
                .map(|r| format!("{} ({} failed)", r.allocator, r.failures))
                .collect();
            notes.push(format!(
                "{} is left out of the aggregates: requests failed in its {} region under {}",
                item.workload.name,
                units::bytes(item.capacity as f64),
                failing.join(", ")
            ));
        }
    }
    let aggregates = aggregates(&allocators, &runs, &sets);
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
        ranking: Ranking::of(&aggregates),
        aggregates,
        compared: sets
            .compared
            .iter()
            .map(|&w| items[w].workload.name.clone())
            .collect(),
        sets,
        rounds: plan.rounds,
        clock_ns: workloads::timing::clock_cost_ns(),
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
