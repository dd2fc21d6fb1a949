//! The subcommands other than `report`: `tune`, `replay`, `check` and `record`.

use std::ffi::OsString;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use serde::Serialize;
use workloads::replay::replay_spec;
use workloads::suite::{self, capacity_for, AllocatorEntry, MAX_REGION};
use workloads::{AdapterSpec, PoolVariant, ReplayConfig, Sampling};

use crate::cli::{CheckArgs, FuzzExportArgs, RecordArgs, ReplayArgs, TuneArgs};
use crate::exit::{self, Finished};
use crate::output::{create_out, out_dir, png_font, Staged};
use crate::report_figures::{pareto_figure, tuning_map};
use crate::run::{run_matrix, RunOptions};
use crate::tune::{self, Outcome};
use crate::units;
use crate::{console, figures, matrix};

/// What `tune.json` holds.
#[derive(Debug, Serialize)]
struct TuneFile<'a> {
    name: &'a str,
    generated_utc: String,
    mode: &'static str,
    seconds: f64,
    grid: &'a [PoolVariant],
    workloads: Vec<String>,
    recommendation: String,
    outcome: &'a Outcome,
}

/// `tune`: sweeps the grid over the suite, prints the recommendation and writes `tune.md`,
/// `tune.json` and one tuning map per alignment into the output folder (written in a
/// temporary sibling and put in place when complete: [`Staged`]). Each trace skipped is listed
/// on stderr and in the [`Finished`] run (exit code 3).
///
/// # Errors
/// Loading, running or writing failed; the output path is then left as it was.
pub fn tune(args: &TuneArgs) -> anyhow::Result<Finished> {
    let started = std::time::Instant::now();
    let (out, name) = out_dir(&args.out)?;
    let staged = Staged::new(&out)?;
    let dir = staged.path().to_path_buf();
    let suite = suite::load(&args.suite.spec()).context("loading the suite")?;
    console::skipped(&suite.skipped);
    let mut notes = suite.notes.clone();
    for n in &suite.notes {
        console::err(format_args!("note: {n}"));
    }
    let quick = args.suite.quick;
    let (min_splits, aligns): (&[u32], &[u32]) = if quick {
        (&matrix::QUICK_MIN_SPLITS, &matrix::QUICK_ALIGNS)
    } else {
        (&matrix::MIN_SPLITS, &matrix::ALIGNS)
    };
    let grid = matrix::grid(min_splits, aligns);
    let specs: Vec<AllocatorEntry> = grid
        .iter()
        .map(|v| AdapterSpec::MemPool(*v).into())
        .collect();
    console::err(format_args!(
        "tune {name}: {} workloads x {} configurations -> {}",
        suite.items.len(),
        grid.len(),
        dir.display()
    ));
    create_out(&dir)?;
    let records = run_matrix(
        &suite.items,
        &specs,
        RunOptions {
            samples: false,
            rounds: workloads::aggregate::MIN_ROUNDS as u32,
            latency: false,
        },
        "tune",
    )?;
    let names: Vec<String> = suite
        .items
        .iter()
        .map(|i| i.workload.name.clone())
        .collect();
    let outcome = tune::analyse(&suite.items, &grid, &records)?;
    let png = png_font(&mut notes).is_some();
    let mut maps = Vec::new();
    for &align in aligns {
        let map = tuning_map(&outcome, &grid, align, "Tuning");
        let stem = format!("tune-map-align{align}");
        figures::render(&map, &stem, &dir, png)?;
        maps.push(stem);
    }
    let stem = "tune-pareto".to_owned();
    figures::render(&pareto_figure(&outcome, "Tuning"), &stem, &dir, png)?;
    maps.push(stem);
    let seconds = started.elapsed().as_secs_f64();
    let text = tune_text(&outcome, &names, &notes, &maps, quick, seconds);
    console::out(format_args!("{text}"))?;
    let md_path = dir.join("tune.md");
    std::fs::write(&md_path, &text)
        .with_context(|| format!("cannot write {}", md_path.display()))?;
    let file = TuneFile {
        name: &name,
        generated_utc: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        mode: if quick { "quick" } else { "full" },
        seconds,
        grid: &grid,
        workloads: names,
        recommendation: outcome.recommendation(),
        outcome: &outcome,
    };
    let json_path = dir.join("tune.json");
    let json = serde_json::to_vec_pretty(&file).context("serialising tune.json")?;
    std::fs::write(&json_path, json)
        .with_context(|| format!("cannot write {}", json_path.display()))?;
    let dir = staged.finish()?;
    let (md_path, json_path) = (dir.join("tune.md"), dir.join("tune.json"));
    console::out(format_args!(
        "tune: {} and {}",
        md_path.display(),
        json_path.display()
    ))?;
    Ok(Finished {
        dir,
        skipped: suite.skipped,
    })
}

/// The text `tune` prints and writes to `tune.md`.
fn tune_text(
    o: &Outcome,
    names: &[String],
    notes: &[String],
    maps: &[String],
    quick: bool,
    seconds: f64,
) -> String {
    let mut s = format!(
        "# Tuning mempool's options\n\n{} sweep of {} configurations over {} workloads ({} compared, {} in the headline, {} timed) in {seconds:.0} s: min_split, compact, split and align. Ranked by fragmentation: {} (J&W #4, `workloads/README.md`; small heaps are left out because fixed costs, not placement, decide their #4). Ties are kept at today's default, else broken by throughput. Throughput is the geometric mean of per-workload speed ratios to today's default over {} interleaved timing rounds, with a 95 % interval; a configuration is called faster or slower only when its interval excludes 1.\n\n## Recommendation\n\n{}\n\n## Held out by source\n\n{}\n\n",
        if quick { "A quick" } else { "A full" },
        o.scores.len(),
        names.len(),
        o.compared.len(),
        o.headline.len(),
        o.timed.len(),
        o.headline_description(),
        workloads::aggregate::MIN_ROUNDS,
        o.recommendation(),
        o.held_out()
    );
    s.push_str(&o.cross_validation_table().markdown());
    s.push_str("\n## Evidence: ranked by fragmentation\n\n");
    s.push_str(&o.evidence(Some(12)).markdown());
    s.push_str("\n## Pareto front: fragmentation against throughput\n\n");
    s.push_str(&o.pareto_table().markdown());
    s.push_str("\n## Ranked by throughput (relative to today's default, 95 % interval)\n\n");
    for (rank, &i) in o.by_throughput.iter().take(8).enumerate() {
        let sc = &o.scores[i];
        let _ = writeln!(
            s,
            "{}. {}: {} (fragmentation {}, rank {} by fragmentation)",
            rank + 1,
            sc.label,
            match (sc.throughput, sc.verdict) {
                (Some(t), Some(v)) =>
                    format!("{}, {}", units::ratio_interval(&t), units::speed_verdict(v)),
                _ => "n/a".to_owned(),
            },
            units::percent(sc.fragmentation.geo_frag4),
            sc.frag_rank
        );
    }
    s.push_str("\n## Workloads that disagree\n\n");
    s.push_str(&o.disagreement_markdown());
    if !o.excluded.is_empty() {
        s.push_str("\n## Workloads left out\n\n");
        for (w, why) in &o.excluded {
            let _ = writeln!(s, "- {w}: {why}");
        }
    }
    if !notes.is_empty() {
        s.push_str("\n## Notes\n\n");
        for n in notes {
            let _ = writeln!(s, "- {n}");
        }
    }
    s.push_str("\n## All configurations\n\n");
    s.push_str(&o.evidence(None).markdown());
    s.push_str("\n## Figures\n\n");
    for m in maps {
        let _ = writeln!(s, "- [{m}.svg]({m}.svg)");
    }
    s
}

/// The adapter `replay` should build: `--allocator` by its name (as every table names it),
/// else the pool with the options given.
///
/// # Errors
/// An unknown allocator name, or invalid pool options.
pub fn replay_spec_of(args: &ReplayArgs) -> anyhow::Result<AdapterSpec> {
    if let Some(name) = &args.allocator {
        return AdapterSpec::from_name(name).map_err(|e| anyhow::anyhow!("--allocator: {e}"));
    }
    let d = PoolVariant::default();
    let v = PoolVariant {
        align: args.align.unwrap_or(d.align),
        compact: !args.no_compact,
        split: !args.no_split,
        min_split: args.min_split.unwrap_or(d.min_split),
    };
    if !(v.align >= 8 && v.align.is_power_of_two()) {
        bail!("--align {}: must be a power of two >= 8", v.align);
    }
    if v.min_split <= 8 {
        bail!("--min-split {}: must be greater than 8", v.min_split);
    }
    Ok(if args.reference {
        AdapterSpec::Reference(v)
    } else {
        AdapterSpec::MemPool(v)
    })
}

/// `replay`: replays one trace and prints its metrics.
///
/// # Errors
/// The trace cannot be read, the options are invalid or the adapter cannot be built.
pub fn replay(args: &ReplayArgs) -> anyhow::Result<()> {
    let spec = replay_spec_of(args)?;
    let w = suite::read_any(&args.trace)?;
    let st = w.stats();
    if st.ops == 0 {
        bail!("{}: the trace holds no ops", args.trace.display());
    }
    let capacity = match args.heap {
        Some(h) if h == 0 || h > MAX_REGION => {
            bail!("--heap {h}: must be between 1 and {MAX_REGION} bytes (4 GiB)")
        }
        Some(h) => h,
        None => capacity_for(&st),
    };
    let cap = usize::try_from(capacity).context("--heap does not fit this machine's usize")?;
    let tracked = replay_spec(
        &w,
        &spec,
        cap,
        &ReplayConfig {
            sampling: Sampling::Off,
            track: true,
        },
    )
    .with_context(|| format!("building {} over {capacity} bytes", spec.name()))?;
    let timed = replay_spec(&w, &spec, cap, &ReplayConfig::timing())
        .with_context(|| format!("building {} over {capacity} bytes", spec.name()))?;
    console::out(replay_text(&args.trace, &w.name, &st, &tracked, &timed))
}

fn replay_text(
    path: &std::path::Path,
    name: &str,
    st: &workloads::WorkloadStats,
    r: &workloads::ReplayResult,
    timed: &workloads::ReplayResult,
) -> String {
    let m = &r.metrics;
    let pct = |v: Option<f64>| v.map_or_else(|| "n/a".to_owned(), units::percent);
    let bytes = |v: Option<u64>| v.map_or_else(|| "n/a".to_owned(), |b| units::bytes(b as f64));
    let mut s = String::new();
    let _ = writeln!(s, "trace        {} ({name})", path.display());
    let _ = writeln!(
        s,
        "ops          {} ({} allocs, {} frees, {} reallocs); peak live {} in {} blocks",
        st.ops,
        st.allocs,
        st.frees,
        st.reallocs,
        units::bytes(st.peak_live_bytes as f64),
        st.peak_live_blocks
    );
    let _ = writeln!(
        s,
        "allocator    {} over a region of {}",
        r.allocator,
        units::bytes(r.capacity as f64)
    );
    let _ = writeln!(
        s,
        "failed       {} requests ({} allocations, {} reallocs; {} larger than the region); {} frees skipped",
        r.failures, r.failed_allocs, r.failed_reallocs, r.oversized, r.skipped_frees
    );
    let _ = writeln!(
        s,
        "J&W #1..#3   {} / {} / {}",
        pct(m.frag1),
        pct(m.frag2),
        pct(m.frag3)
    );
    let _ = writeln!(
        s,
        "J&W #4       {} = policy {} + overhead {}",
        pct(m.frag4),
        pct(m.frag4_policy),
        pct(m.frag4_overhead)
    );
    let _ = writeln!(s, "utilisation  {}", pct(m.utilisation));
    let _ = writeln!(
        s,
        "peaks        footprint {}, live block bytes {}, live requested {}",
        bytes(m.footprint),
        bytes(m.peak_block_bytes),
        units::bytes(m.peak_live_bytes as f64)
    );
    match timed.metrics.ops_per_sec {
        Some(ops) => {
            let _ = writeln!(
                s,
                "throughput   {} ops/s ({} per op, timing replay without tracking)",
                units::count(ops),
                units::nanos(1e9 / ops)
            );
        }
        None => {
            let _ = writeln!(s, "throughput   n/a (too short to time)");
        }
    }
    s.trim_end().to_owned()
}

/// `check`: prints the checker's report (every violation found, then a summary line); exit
/// code 1 when the heap is corrupt.
///
/// # Errors
/// The dump cannot be read.
pub fn check(args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let report = crate::check::check_file(&args.dump, args.start)?;
    console::out(report.text.trim_end())?;
    Ok(if report.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(exit::CORRUPT)
    })
}

/// `record`: runs the program under malloc tracing, lists the traces written and prints the
/// recorder's warnings; the exit code is the program's, or 128 + the signal's number when a
/// signal ended it.
///
/// # Errors
/// The recorder could not run (no glibc debug library, no C compiler, the program cannot
/// start, ...).
pub fn record(args: &RecordArgs) -> anyhow::Result<ExitCode> {
    let Some((cmd, rest)) = args.command.split_first() else {
        bail!("record: give the program to run after `--`, for example `record -- ls -l`");
    };
    let rest: Vec<OsString> = rest.iter().map(OsString::from).collect();
    let rec = workloads::record::record(cmd.as_ref(), &rest, &args.out)
        .with_context(|| format!("recording `{}`", args.command.join(" ")))?;
    for w in &rec.warnings {
        console::err(format_args!("warning: {w}"));
    }
    for t in &rec.traces {
        console::out(format_args!(
            "{}: {} ops from {} (pid {}, image {})",
            t.path.display(),
            t.ops,
            t.program,
            t.pid,
            t.image
        ))?;
    }
    if rec.traces.is_empty() {
        console::out(format_args!(
            "no process of `{cmd}` allocated anything: no trace written"
        ))?;
    } else if let Some(t) = rec.program_trace() {
        console::out(format_args!(
            "the program's own trace: {}",
            t.path.display()
        ))?;
    }
    if rec.empty > 0 {
        console::out(format_args!(
            "{} process images allocated nothing (no trace for them)",
            rec.empty
        ))?;
    }
    let code = rec.status_code();
    match rec.exit {
        workloads::record::ProgramExit::Code(0) => {}
        workloads::record::ProgramExit::Code(c) => console::out(format_args!(
            "`{cmd}` exited with code {c}; the traces up to then were written"
        ))?,
        workloads::record::ProgramExit::Signal(s) => console::out(format_args!(
            "`{cmd}` was ended by signal {s} (exit code {code} = 128 + {s}); the traces up to \
             then were written"
        ))?,
    }
    Ok(ExitCode::from(u8::try_from(code).unwrap_or(u8::MAX)))
}

/// `fuzz-export`: writes a fuzz input's requests as a `.rep` trace and prints where.
///
/// # Errors
/// An unknown target, an unreadable or undecodable input, a target whose inputs are not
/// exported, or the trace cannot be written.
pub fn fuzz_export(args: &FuzzExportArgs) -> anyhow::Result<PathBuf> {
    let Some(target) = mempool_fuzz::target_named(&args.target) else {
        bail!(
            "--target {:?}: no such fuzz target (peers, ops, model or trace)",
            args.target
        );
    };
    let bytes = std::fs::read(&args.input)
        .with_context(|| format!("cannot read the fuzz input {}", args.input.display()))?;
    let stem = args.input.file_name().map_or_else(
        || "fuzz-input".to_owned(),
        |n| n.to_string_lossy().into_owned(),
    );
    let w = mempool_fuzz::export(target, &bytes, &stem)
        .map_err(|e| anyhow::anyhow!("{}: {e}", args.input.display()))?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("{stem}.rep")));
    workloads::rep::write_file(&out, &w, workloads::rep::RepVariant::Lab2016)
        .with_context(|| format!("writing {}", out.display()))?;
    let st = w.stats();
    console::out(format_args!(
        "{}: {} ops ({} allocs, {} frees, {} reallocs), peak {} live; replay it with `workbench replay {}` or add its folder with --traces",
        out.display(),
        st.ops,
        st.allocs,
        st.frees,
        st.reallocs,
        units::bytes(st.peak_live_bytes as f64),
        out.display()
    ))?;
    Ok(out)
}
