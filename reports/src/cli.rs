//! The command line: `workbench [report] | tune | replay | check | record`.
//!
//! With no subcommand the binary runs `report` with the top-level report options, so
//! `cargo run --release -p reports` produces the default report.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use workloads::suite::{BadTraces, SuiteSpec};

/// mempool workbench: replays allocation workloads through the pool's variants and its peers,
/// writes an HTML report with fragmentation plots, tunes the pool's options, checks heap dumps
/// and records traces of real programs.
#[derive(Debug, Parser)]
#[command(
    name = "workbench",
    version,
    args_conflicts_with_subcommands = true,
    after_help = crate::exit::HELP
)]
pub struct Cli {
    /// What to do; `report` when left out.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Options of the default `report` command.
    #[command(flatten)]
    pub report: ReportArgs,
}

impl Cli {
    /// The command to run, with `report` filled in when none was given.
    #[must_use]
    pub fn into_command(self) -> Command {
        self.command.unwrap_or(Command::Report(self.report))
    }
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the suite over the variant matrix and the peers and write the report (the default).
    Report(ReportArgs),
    /// Sweep min_split, compact, split and align over the suite and recommend a configuration.
    Tune(TuneArgs),
    /// Replay one trace file and print its metrics.
    Replay(ReplayArgs),
    /// Run the heap checker on a raw pool buffer saved to a file: every broken invariant it
    /// can find, in address order (exit code 1 when any).
    Check(CheckArgs),
    /// Run a program under glibc's malloc tracing and save its allocations as `.rep.zst`.
    Record(RecordArgs),
    /// Turn a fuzz input (a crash or a corpus entry) into a `.rep` trace that replays on
    /// every allocator and can join a suite (`--traces`).
    FuzzExport(FuzzExportArgs),
}

/// Which workloads to run.
#[derive(Debug, Clone, Default, Args)]
pub struct SuiteArgs {
    /// A folder of `.rep` / `.rep.zst` traces (searched recursively), or one trace file of
    /// any format, to add to the suite (repeatable). Without it the shared traces folder is
    /// used when one is found: $WORKLOADS_SHARED_TRACES, else `shared/traces` in the working
    /// directory or one above it (up to the parent of the enclosing repository), else the one
    /// beside the repository the binary was built in.
    #[arg(long = "traces", value_name = "PATH")]
    pub traces: Vec<PathBuf>,
    /// Stop at the first unreadable or malformed trace (exit code 2) instead of skipping it
    /// (a skipped trace is listed with its file, line and reason, and makes the exit code 3).
    #[arg(long)]
    pub strict: bool,
    /// The CI subset: smaller synthetic workloads, no trace of more than 60,000 ops, fewer
    /// variants and scaling points (a few minutes on two cores).
    #[arg(long)]
    pub quick: bool,
    /// Leave the synthetic generators out: only recorded traces and trace folders.
    #[arg(long)]
    pub no_synthetic: bool,
    /// Leave the built-in recorded traces out: with `--no-synthetic`, only the trace folders
    /// and files.
    #[arg(long)]
    pub no_builtin: bool,
}

impl SuiteArgs {
    /// The suite these options ask for: the built-in traces (unless `--no-builtin`), the
    /// standard synthetic set (unless `--no-synthetic`) and the `--traces` folders, else the
    /// shared folder; a bad trace is skipped unless `--strict`.
    #[must_use]
    pub fn spec(&self) -> SuiteSpec {
        let d = SuiteSpec::default();
        SuiteSpec {
            builtin: !self.no_builtin,
            synthetic: if self.no_synthetic {
                Vec::new()
            } else {
                d.synthetic.clone()
            },
            traces: self.traces.clone(),
            quick: self.quick,
            bad_traces: if self.strict {
                BadTraces::Stop
            } else {
                BadTraces::Skip
            },
            ..d
        }
    }
}

/// Where the output goes.
#[derive(Debug, Clone, Default, Args)]
pub struct OutArgs {
    /// Output folder (default `reports/out/<name>`).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Name of the run, used for the default output folder (default: a UTC timestamp).
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
}

/// Options of `report`.
#[derive(Debug, Clone, Default, Args)]
pub struct ReportArgs {
    /// The workloads.
    #[command(flatten)]
    pub suite: SuiteArgs,
    /// The output folder.
    #[command(flatten)]
    pub out: OutArgs,
}

/// Options of `tune`.
#[derive(Debug, Clone, Default, Args)]
pub struct TuneArgs {
    /// The workloads.
    #[command(flatten)]
    pub suite: SuiteArgs,
    /// The output folder (`tune.md`, `tune.json`).
    #[command(flatten)]
    pub out: OutArgs,
}

/// Options of `replay`.
#[derive(Debug, Clone, Args)]
pub struct ReplayArgs {
    /// The trace: `.rep`, `.rep.zst` or a glibc mtrace log.
    #[arg(value_name = "TRACE")]
    pub trace: PathBuf,
    /// Replay through this allocator, named as the report names it: talc, rlsf,
    /// linked_list_allocator, dlmalloc, system, mempool, or a pool variant such as
    /// `mempool(min_split=64,compact=false)` (with `@reference` for the reference engine).
    #[arg(long, value_name = "PEER", conflicts_with_all = ["min_split", "no_compact", "no_split", "align", "reference"])]
    pub allocator: Option<String>,
    /// Run the pool on its reference engine (the seed's list walks; same placement, slower)
    /// instead of the fast one.
    #[arg(long)]
    pub reference: bool,
    /// The pool's split threshold in bytes (> 8).
    #[arg(long, value_name = "BYTES")]
    pub min_split: Option<u32>,
    /// Turn the pool's coalescing off.
    #[arg(long)]
    pub no_compact: bool,
    /// Turn the pool's block splitting off.
    #[arg(long)]
    pub no_split: bool,
    /// The pool's block alignment (a power of two >= 8).
    #[arg(long, value_name = "BYTES")]
    pub align: Option<u32>,
    /// Region size in bytes (default: sized from the trace's peak live payload).
    #[arg(long, value_name = "BYTES")]
    pub heap: Option<u64>,
}

/// Options of `check`.
#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// The raw buffer: every byte of the pool's buffer, as `MemPool::bytes` or JavaScript's
    /// `new Uint8Array(pool.buf)` gives it.
    #[arg(value_name = "DUMP")]
    pub dump: PathBuf,
    /// Byte offset of the pool's state words in the buffer (the `start` option).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub start: u32,
}

/// Options of `record`.
#[derive(Debug, Clone, Args)]
pub struct RecordArgs {
    /// Folder for the `.rep.zst` traces, one per traced process.
    #[arg(long, value_name = "DIR", default_value = "traces")]
    pub out: PathBuf,
    /// The program and its arguments, after `--`.
    #[arg(last = true, required = true, value_name = "CMD")]
    pub command: Vec<String>,
}

/// Options of `fuzz-export`.
#[derive(Debug, Clone, Args)]
pub struct FuzzExportArgs {
    /// The fuzz target the input belongs to: `peers` (the requests as they ran on the peer
    /// the input picks), `ops` or `model` (the requests as they ran on the pool), or `trace`
    /// (the trace it parses to).
    #[arg(long, value_name = "TARGET")]
    pub target: String,
    /// The input file (for example `fuzz/artifacts/peers/crash-...` or a corpus entry).
    #[arg(value_name = "INPUT")]
    pub input: PathBuf,
    /// Where to write the trace (`.rep`, or `.rep.zst` to compress it; default: the input's
    /// file name with `.rep` added, in the current folder).
    #[arg(long, short, value_name = "FILE")]
    pub out: Option<PathBuf>,
}
