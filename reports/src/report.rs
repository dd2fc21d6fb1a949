//! The report: runs the suite over the variant matrix and the peers, sweeps the tuning map,
//! measures scaling, then hands the results to the renderers, which write `index.html`,
//! `summary.md`, `results.json`, `results.csv` and the figures into the output folder.
//!
//! The flow is one way: `workloads::suite` (what is replayed) -> [`crate::run`] (replays) ->
//! [`crate::results`] (the model, with [`crate::aggregate`]) -> renderers
//! ([`crate::output`] writes what they produce).

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use workloads::suite::{self, AllocatorEntry, Suite};
use workloads::AdapterSpec;

use crate::aggregate::{aggregates, Ranking, WorkloadSets};
use crate::cli::{OutArgs, ReportArgs};
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
    pub allocators: Vec<AllocatorEntry>,
    /// Interleaved timing rounds per workload (every allocator once per round).
    pub rounds: u32,
    /// One latency replay per (workload, allocator).
    pub latency: bool,
    /// Thresholds of the tuning map (align 8, compact and split on and off); none: no tuning
    /// map.
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
            allocators: matrix::report_allocators(quick)
                .into_iter()
                .map(AllocatorEntry::from)
                .collect(),
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

/// The report as a library call, for a crate that brings its own allocator: the suite, the
/// report's allocators plus the caller's, and where to write.
///
/// ```no_run
/// # fn demo(mine: workloads::suite::AllocatorEntry) -> anyhow::Result<()> {
/// use workloads::suite::{self, SuiteSpec};
///
/// let suite = suite::load(&SuiteSpec { quick: true, ..SuiteSpec::default() })?;
/// let results = reports::report::Report::new(suite)
///     .quick(true)
///     .allocator(mine)          // e.g. AllocatorEntry::region::<MyAllocator>()
///     .without_tuning()         // the pool's option sweep says nothing about another allocator
///     .out("target/my-report")
///     .run()?;
/// println!("{:?}", results.ranking);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Report {
    suite: Suite,
    quick: bool,
    tuning: bool,
    extra: Vec<AllocatorEntry>,
    out: Option<PathBuf>,
    name: Option<String>,
}

impl Report {
    /// The full report over `suite`, with the report's own allocators.
    #[must_use]
    pub fn new(suite: Suite) -> Self {
        Self {
            suite,
            quick: false,
            tuning: true,
            extra: Vec::new(),
            out: None,
            name: None,
        }
    }

    /// The CI-sized plan (`--quick`): fewer variants and scaling points.
    #[must_use]
    pub fn quick(mut self, quick: bool) -> Self {
        self.quick = quick;
        self
    }

    /// Adds an allocator, after the peers (its name must be its own).
    #[must_use]
    pub fn allocator(mut self, entry: AllocatorEntry) -> Self {
        self.extra.push(entry);
        self
    }

    /// Leaves out the tuning map (the pool's option sweep).
    #[must_use]
    pub fn without_tuning(mut self) -> Self {
        self.tuning = false;
        self
    }

    /// Writes into `dir` (default: `reports/out/<name>`, as the command line).
    #[must_use]
    pub fn out(mut self, dir: impl Into<PathBuf>) -> Self {
        self.out = Some(dir.into());
        self
    }

    /// Names the run (default: a UTC timestamp).
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The plan this report runs: the report's allocators with the added ones before
    /// `baseline`.
    #[must_use]
    pub fn plan(&self) -> Plan {
        let mut plan = Plan::new(self.quick);
        let at = plan
            .allocators
            .iter()
            .position(|e| e.spec() == Some(AdapterSpec::Baseline))
            .unwrap_or(plan.allocators.len());
        plan.allocators.splice(at..at, self.extra.iter().copied());
        if !self.tuning {
            plan.tune_min_splits.clear();
        }
        plan
    }

    /// Runs it and writes every file, into a temporary folder put in place when complete.
    ///
    /// # Errors
    /// Two allocators share a name, or running, drawing or writing failed.
    pub fn run(self) -> anyhow::Result<Results> {
        let plan = self.plan();
        suite::check_names(&plan.allocators)?;
        let (dir, name) = out_dir(&OutArgs {
            out: self.out,
            name: self.name,
        })?;
        let staged = Staged::new(&dir)?;
        let results = generate(&self.suite, &plan, staged.path(), &name)?;
        staged.finish()?;
        Ok(results)
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
    console::err(format_args!(
        "report {name}: {} workloads x {} allocators ({} mode, {threads} threads) -> {}",
        items.len(),
        plan.allocators.len(),
        if plan.quick { "quick" } else { "full" },
        dir.display()
    ));
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
    console::err(format_args!(
        "  matrix: {} replays in {:.1} s",
        runs.len(),
        seconds.matrix
    ));

    let t = Instant::now();
    let grid = if plan.tune_min_splits.is_empty() {
        Vec::new()
    } else {
        matrix::grid(&plan.tune_min_splits, &[8])
    };
    let tuning = if grid.is_empty() {
        None
    } else {
        let specs: Vec<AllocatorEntry> = grid
            .iter()
            .map(|v| AdapterSpec::MemPool(*v).into())
            .collect();
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
        let outcome = tune::analyse(items, &grid, &tune_runs)?;
        seconds.tuning = t.elapsed().as_secs_f64();
        console::err(format_args!(
            "  tuning map: {} configurations in {:.1} s",
            grid.len(),
            seconds.tuning
        ));
        Some(outcome)
    };

    let t = Instant::now();
    let scaling = scaling::run(&plan.allocators, &plan.scaling)?;
    seconds.scaling = t.elapsed().as_secs_f64();
    console::err(format_args!(
        "  scaling: {} points in {:.1} s",
        scaling.len(),
        seconds.scaling
    ));

    let t = Instant::now();
    let allocators: Vec<String> = plan.allocators.iter().map(AllocatorEntry::name).collect();
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
        skipped: suite.skipped.clone(),
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
    console::err(format_args!(
        "  output: {} figures in {:.1} s; total {:.1} s",
        figures.len(),
        results.seconds.output,
        results.seconds.total
    ));
    Ok(results)
}
